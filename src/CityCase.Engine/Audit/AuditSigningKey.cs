using System.Security.Cryptography;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CityCase.Engine.Audit;

/// <summary>How the audit trail is anchored (<c>City:Audit</c>).</summary>
public sealed class AuditSettings
{
    /// <summary>
    /// The PEM file holding the ECDSA P-256 private key that signs the anchors. It must not be in the database (whoever
    /// can rewrite the database must not be able to sign); required outside Development, where a development key is
    /// generated under <c>.citycase/audit/</c> instead.
    /// </summary>
    public string? SigningKeyFile { get; set; }

    /// <summary>Where each signed anchor is also written as a file, for auditors to fetch and keep; none when unset.</summary>
    public string? AnchorDirectory { get; set; }

    /// <summary>How often the head of the whole store is signed (at most once per interval across all nodes); zero: only on demand.</summary>
    public TimeSpan AnchorInterval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How long a node waits after start-up before its first pass, so the pass reuses the connections start-up opened.</summary>
    public TimeSpan FirstPassDelay { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>An anchor-verifying public key and its id (the first 16 hex digits of the SHA-256 of its SubjectPublicKeyInfo).</summary>
public sealed record AuditPublicKey(string Id, ECDsa Key)
{
    public static AuditPublicKey FromPem(string pem)
    {
        var key = ECDsa.Create();
        key.ImportFromPem(pem);
        return new AuditPublicKey(IdOf(key), key);
    }

    public static string IdOf(ECDsa key) => Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()))[..16];
}

/// <summary>The server's signing key, read (or, in Development, generated) when first needed, so verbs that only verify never touch it.</summary>
public sealed class AuditSigningKey
{
    private readonly Lazy<ECDsa> _key;

    public AuditSigningKey(CitySettings city, IHostEnvironment environment, ILogger<AuditSigningKey> log) =>
        _key = new Lazy<ECDsa>(() => Load(city.Audit, environment, log));

    public ECDsa PrivateKey => _key.Value;
    public string Id => AuditPublicKey.IdOf(PrivateKey);
    public IReadOnlyList<AuditPublicKey> PublicKeys => [AuditPublicKey.FromPem(PrivateKey.ExportSubjectPublicKeyInfoPem())];

    /// <summary>The development key's place, under the working directory like the private PostgreSQL cluster.</summary>
    public static readonly string DevelopmentKeyFile = Path.Combine(".citycase", "audit", "signing-key.pem");

    private static ECDsa Load(AuditSettings settings, IHostEnvironment environment, ILogger log)
    {
        var file = settings.SigningKeyFile;
        if (string.IsNullOrWhiteSpace(file))
        {
            if (!environment.IsDevelopment())
                throw new InvalidOperationException(
                    "City:Audit:SigningKeyFile is not set: outside Development the audit anchors must be signed with a key kept " +
                    "outside the database (a PEM file with an ECDSA P-256 private key, e.g. from `openssl ecparam -name prime256v1 " +
                    "-genkey -noout | openssl pkcs8 -topk8 -nocrypt`).");
            file = Path.GetFullPath(DevelopmentKeyFile);
            if (CreateDevelopmentKey(file))
                log.LogWarning("Generated a development audit signing key at {KeyFile} (public key beside it); " +
                               "set City:Audit:SigningKeyFile to a key of your own outside Development", file);
        }
        var key = ECDsa.Create();
        key.ImportFromPem(File.ReadAllText(file));
        if (key.KeySize != 256)
            throw new InvalidOperationException($"City:Audit:SigningKeyFile must hold an ECDSA P-256 key (it holds a {key.KeySize}-bit key).");
        return key;
    }

    /// <summary>Writes a new key unless one is there (<see cref="DevelopmentSecretFile"/>), with its public key beside it.</summary>
    private static bool CreateDevelopmentKey(string file)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        if (!DevelopmentSecretFile.WriteOnce(file, key.ExportPkcs8PrivateKeyPem())) return false;
        File.WriteAllText(Path.ChangeExtension(file, ".pub.pem"), key.ExportSubjectPublicKeyInfoPem());
        return true;
    }
}
