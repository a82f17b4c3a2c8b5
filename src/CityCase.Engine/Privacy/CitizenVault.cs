using System.Security.Cryptography;
using System.Text.Json;
using CityCase.Domain.Cases;
using Marten;

namespace CityCase.Engine.Privacy;

/// <summary>
/// A case's data key, wrapped under the key-encryption key, and the keyed hash of its caller's phone; one row per
/// case that recorded a citizen (<c>mt_doc_citizenkey</c>, id = the case id). Deleting it is the erasure: every sealed
/// copy of the citizen (events, case views, merged originals) can no longer be opened, and the phone is no longer found.
/// </summary>
public sealed class CitizenKey
{
    public Guid Id { get; set; }

    /// <summary>nonce (12 bytes) | tag (16) | the wrapped 32-byte key, in base64; the case id is its associated data.</summary>
    public string WrappedKey { get; set; } = "";

    /// <summary>HMAC-SHA256 of the normalised phone under the pepper (hex); null when the caller gave none.</summary>
    public string? PhoneHash { get; set; }
}

/// <summary>What a sealed citizen opens to: the citizen, or erased (its key is gone). Neither for an unreadable old form.</summary>
public sealed record CitizenReading(Citizen? Citizen, bool Erased)
{
    public static readonly CitizenReading WasErased = new(null, true);
}

/// <summary>
/// Seals citizens under per-case data keys (AES-256-GCM) and opens them again; the edges call it (intake seals, the
/// API opens for those allowed to see), the decider never does. Nothing it throws or logs names a citizen.
/// </summary>
public sealed class CitizenVault(PrivacyKeys keys, IDocumentStore store)
{
    private const int NonceSize = 12, TagSize = 16, KeySize = 32;

    /// <summary>A new data key for case <paramref name="caseId"/> (to insert in the report's transaction) and the citizen sealed under it.</summary>
    public (CitizenKey Key, SealedCitizen Sealed) Seal(Guid caseId, Citizen citizen)
    {
        var dataKey = RandomNumberGenerator.GetBytes(KeySize);
        try
        {
            var key = new CitizenKey { Id = caseId, WrappedKey = Convert.ToBase64String(Encrypt(keys.KeyEncryptionKey, dataKey, caseId)), PhoneHash = PhoneHash(citizen.Phone) };
            var sealedForm = Encrypt(dataKey, JsonSerializer.SerializeToUtf8Bytes(citizen), caseId);
            return (key, new SealedCitizen(caseId, Convert.ToBase64String(sealedForm[..NonceSize]), Convert.ToBase64String(sealedForm[NonceSize..])));
        }
        finally { CryptographicOperations.ZeroMemory(dataKey); }
    }

    public async Task<CitizenReading?> OpenAsync(SealedCitizen? sealedCitizen, CancellationToken ct) =>
        sealedCitizen is null ? null : (await OpenManyAsync([sealedCitizen], ct)).GetValueOrDefault(sealedCitizen);

    /// <summary>Opens several sealed citizens with one read of their keys.</summary>
    public async Task<IReadOnlyDictionary<SealedCitizen, CitizenReading>> OpenManyAsync(IEnumerable<SealedCitizen> sealedCitizens, CancellationToken ct)
    {
        // A citizen recorded before sealing has no key id: this version cannot read it (see the README's migration note).
        var readable = sealedCitizens.Where(s => s.KeyId != Guid.Empty && s.Ciphertext is not null).Distinct().ToList();
        if (readable.Count == 0) return new Dictionary<SealedCitizen, CitizenReading>();
        IReadOnlyList<CitizenKey> found;
        await using (var session = store.QuerySession())
            found = await session.LoadManyAsync<CitizenKey>(ct, readable.Select(s => s.KeyId).Distinct());
        var byCase = found.ToDictionary(k => k.Id);
        return readable.ToDictionary(s => s, s => byCase.TryGetValue(s.KeyId, out var key) ? Open(key, s) : CitizenReading.WasErased);
    }

    private CitizenReading Open(CitizenKey key, SealedCitizen sealedCitizen)
    {
        var dataKey = Decrypt(keys.KeyEncryptionKey, Convert.FromBase64String(key.WrappedKey), key.Id,
            $"the data key of case {key.Id} does not open with City:Privacy:KeyFile: is it the file the data was sealed with?");
        try
        {
            var plain = Decrypt(dataKey, [.. Convert.FromBase64String(sealedCitizen.Nonce), .. Convert.FromBase64String(sealedCitizen.Ciphertext)],
                sealedCitizen.KeyId, $"a citizen sealed under the key of case {key.Id} does not open: it was altered");
            return new CitizenReading(JsonSerializer.Deserialize<Citizen>(plain), false);
        }
        finally { CryptographicOperations.ZeroMemory(dataKey); }
    }

    /// <summary>
    /// The lookup key of a phone: HMAC-SHA256 under the pepper of its digits, a leading 86 / 0086 (China's country
    /// code) dropped, so "+86 139-0000-0000" and "13900000000" find each other. Null without digits.
    /// </summary>
    public string? PhoneHash(string? phone)
    {
        var digits = new string((phone ?? "").Where(char.IsAsciiDigit).ToArray());
        if (digits.StartsWith("0086")) digits = digits[4..];
        else if (digits.StartsWith("86") && digits.Length == 13) digits = digits[2..];
        return digits.Length == 0 ? null : Convert.ToHexString(HMACSHA256.HashData(keys.PhonePepper, System.Text.Encoding.ASCII.GetBytes(digits)));
    }

    /// <summary>nonce | tag | ciphertext, with the case id as associated data: a sealed form moved to another case does not open.</summary>
    private static byte[] Encrypt(byte[] key, byte[] plain, Guid caseId)
    {
        var output = new byte[NonceSize + TagSize + plain.Length];
        RandomNumberGenerator.Fill(output.AsSpan(0, NonceSize));
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(output.AsSpan(0, NonceSize), plain, output.AsSpan(NonceSize + TagSize), output.AsSpan(NonceSize, TagSize), caseId.ToByteArray());
        return output;
    }

    private static byte[] Decrypt(byte[] key, byte[] sealedBytes, Guid caseId, string failure)
    {
        if (sealedBytes.Length < NonceSize + TagSize) throw new CryptographicException(failure);
        var plain = new byte[sealedBytes.Length - NonceSize - TagSize];
        using var aes = new AesGcm(key, TagSize);
        try
        {
            aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize), plain, caseId.ToByteArray());
        }
        catch (AuthenticationTagMismatchException) { throw new CryptographicException(failure); }
        return plain;
    }
}
