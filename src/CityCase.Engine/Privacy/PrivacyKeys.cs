using System.Security.Cryptography;
using System.Text;

namespace CityCase.Engine.Privacy;

/// <summary>
/// The keys derived (HKDF-SHA256) from the city's one privacy secret, which lives in a file outside the database: a
/// dump of the database alone opens no citizen, finds no phone and matches no idempotency fingerprint.
/// </summary>
public sealed class PrivacyKeys
{
    /// <summary>Wraps (AES-GCM) every case's data key.</summary>
    internal byte[] KeyEncryptionKey { get; }

    /// <summary>The pepper of the phone lookup's keyed hash (HMAC-SHA256).</summary>
    internal byte[] PhonePepper { get; }

    /// <summary>Keys the fingerprint of a request under an idempotency key: a plain hash of one that holds a phone is guessable.</summary>
    internal byte[] FingerprintKey { get; }

    public PrivacyKeys(byte[] secret)
    {
        if (secret.Length < 32) throw new InvalidOperationException("The privacy secret must be at least 32 bytes.");
        KeyEncryptionKey = Derive(secret, "citycase/data-key-wrapping");
        PhonePepper = Derive(secret, "citycase/phone-lookup");
        FingerprintKey = Derive(secret, "citycase/idempotency-fingerprint");
    }

    private static byte[] Derive(byte[] secret, string purpose) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, 32, info: Encoding.UTF8.GetBytes(purpose));

    /// <summary>Reads the secret from <paramref name="path"/>; the message names the file, never its content.</summary>
    public static PrivacyKeys FromFile(string path)
    {
        if (!File.Exists(path))
            throw new InvalidOperationException($"City:Privacy:KeyFile '{path}' does not exist.");
        byte[] secret;
        try { secret = Convert.FromBase64String(File.ReadAllText(path).Trim()); }
        catch (FormatException) { throw new InvalidOperationException($"City:Privacy:KeyFile '{path}' must hold 32 random bytes in base64 (openssl rand -base64 32)."); }
        if (secret.Length < 32)
            throw new InvalidOperationException($"City:Privacy:KeyFile '{path}' holds {secret.Length} bytes; it needs at least 32 (openssl rand -base64 32).");
        return new PrivacyKeys(secret);
    }

    /// <summary>
    /// The Development key file: created once with a random secret, readable only by its owner, and reused after
    /// (several servers starting at once agree on whichever file was written first).
    /// </summary>
    public static string EnsureDevelopmentKeyFile(string path)
    {
        path = Path.GetFullPath(path);
        DevelopmentSecretFile.WriteOnce(path, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) + Environment.NewLine);
        return path;
    }

    public string Fingerprint(byte[] data) => Convert.ToHexString(HMACSHA256.HashData(FingerprintKey, data));
}
