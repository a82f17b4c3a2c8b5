using System.Security.Cryptography;
using System.Text;
using CityCase.Domain;
using NodaTime;

namespace CityCase.Api.Open311;

/// <summary>
/// A partner allowed to file requests (a citizens' app, another city's system): its id, its name, and the SHA-256 of its
/// api_key (hex). Only the hash is configured: a leaked configuration files nothing. Keys are long random tokens
/// (<c>openssl rand -hex 24</c>), so a fast hash is enough; a guessable password would need a slow one.
/// </summary>
public sealed class Open311Partner
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string KeySha256 { get; set; } = "";

    /// <summary>Who the partner is on the cases it files: source OPEN311, recorded by <c>open311:ID</c> with the partner's name.</summary>
    public Actor Actor => new($"open311:{Id}", Name, Open311Settings.PartnerRole);
}

/// <summary>The <c>Open311</c> configuration section: the partners, and what the discovery document says.</summary>
public sealed class Open311Settings
{
    /// <summary>The role recorded on partners' cases; no token can claim it (it is not one of <see cref="Roles.All"/>).</summary>
    public const string PartnerRole = "open311-partner";

    /// <summary>How long a request is remembered by its content when the partner sends no idempotency key: a retry within a day is the same request.</summary>
    public static readonly Duration ContentKeyLifetime = Duration.FromHours(24);

    public List<Open311Partner> Partners { get; set; } = [];

    public string Contact { get; set; } = "The city's 12345 service hotline.";
    public string KeyService { get; set; } = "Partners ask the city's operations centre for an api_key.";

    /// <summary>When the discovery document last changed (w3c date-time).</summary>
    public string Changeset { get; set; } = "2026-11-30T00:00:00+08:00";

    /// <summary>The partner whose key this is, or null. Compared in constant time, over every partner.</summary>
    public Open311Partner? PartnerFor(string apiKey)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(apiKey));
        Open311Partner? found = null;
        foreach (var partner in Partners)
            if (CryptographicOperations.FixedTimeEquals(hash, Convert.FromHexString(partner.KeySha256))) found = partner;
        return found;
    }

    /// <summary>Refuses a configuration that would misattribute cases; the message names the partner and the problem, never a key.</summary>
    public Open311Settings Validated()
    {
        for (var i = 0; i < Partners.Count; i++)
        {
            var p = Partners[i];
            var entry = $"Open311:Partners:{i}";
            if (string.IsNullOrWhiteSpace(p.Id) || !p.Id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
                throw new InvalidOperationException($"{entry}:Id must be letters, digits, '-', '_' or '.' (was '{p.Id}').");
            if (string.IsNullOrWhiteSpace(p.Name))
                throw new InvalidOperationException($"{entry}:Name is missing (partner '{p.Id}').");
            if (p.KeySha256.Length != 64 || !p.KeySha256.All(char.IsAsciiHexDigit))
                throw new InvalidOperationException(
                    $"{entry}:KeySha256 must be the SHA-256 of the partner's api_key in hex, 64 digits (partner '{p.Id}'): printf %s KEY | sha256sum");
            if (Partners.Take(i).Any(q => q.Id == p.Id)) throw new InvalidOperationException($"{entry}: partner '{p.Id}' is configured twice.");
            if (Partners.Take(i).Any(q => string.Equals(q.KeySha256, p.KeySha256, StringComparison.OrdinalIgnoreCase)))
                throw new InvalidOperationException($"{entry}: partner '{p.Id}' has the same key as another partner.");
        }
        return this;
    }
}
