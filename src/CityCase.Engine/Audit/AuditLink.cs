using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace CityCase.Engine.Audit;

/// <summary>
/// One event as the audit chain sees it: every column of <c>mt_events</c> that says what happened, to which case,
/// when and on whose request. (The actor is inside <see cref="Data"/>: every case event carries who did it.)
/// </summary>
public sealed record ChainedEvent(
    Guid StreamId, long Version, long Sequence, string Type, DateTime Timestamp, string? CorrelationId, string? CausationId, string Data);

/// <summary>
/// The chain's link, written twice on purpose: by PostgreSQL in the appending transaction (<see cref="SqlFunctions"/>)
/// and by the verifier here, which must not trust anything the database computes. A test holds the two equal.
/// </summary>
public static class AuditLink
{
    /// <summary>Marks the canonical text, so that a change of the fields hashed can never pass for the old format.</summary>
    public const string Format = "citycase-link-v2";

    /// <summary>
    /// hash(n) = sha256(canonical(hash(n-1), event n)), lower-case hex. The canonical text is the format name, then
    /// each field as <c>|byte-length:text</c> (or <c>|~</c> for null), so that no two different events share a text
    /// whatever their fields contain. The timestamp is UTC with microseconds, PostgreSQL's precision.
    /// </summary>
    public static string Hash(string? previous, ChainedEvent e) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Canonical(previous, e))));

    public static string Canonical(string? previous, ChainedEvent e)
    {
        var text = new StringBuilder(Format);
        foreach (var field in (string?[])
                 [previous, e.StreamId.ToString("D"), Num(e.Version), Num(e.Sequence), e.Type, Timestamp(e.Timestamp),
                  e.CorrelationId, e.CausationId, e.Data])
            text.Append('|').Append(field is null ? "~" : $"{Encoding.UTF8.GetByteCount(field)}:{field}");
        return text.ToString();
    }

    public static string Timestamp(DateTime utc) =>
        utc.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static string Num(long n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The same link in SQL, for the trigger (and for re-chaining a store of the earlier format). cc_audit_field is
    /// <c>stable</c>, as its body is (convert_to is): PostgreSQL inlines a SQL function only when it is declared no less
    /// volatile than its body, and declared <c>immutable</c> each of its nine calls per event was planned afresh, which
    /// made the trigger about five times as slow (0.68 against 0.13 ms per event; the benchmarks' README).
    /// </summary>
    public static string SqlFunctions(string schema) => $"""
        create or replace function {schema}.cc_audit_field(value text) returns text language sql stable as $$
          select case when value is null then '~' else octet_length(convert_to(value, 'UTF8')) || ':' || value end $$;
        create or replace function {schema}.cc_audit_link(previous text, stream_id uuid, version bigint, seq_id bigint, type text,
            at timestamptz, correlation_id text, causation_id text, data jsonb) returns text language sql stable as $$
          select encode(sha256(convert_to('{Format}'
            || '|' || {schema}.cc_audit_field(previous) || '|' || {schema}.cc_audit_field(stream_id::text)
            || '|' || {schema}.cc_audit_field(version::text) || '|' || {schema}.cc_audit_field(seq_id::text)
            || '|' || {schema}.cc_audit_field(type)
            || '|' || {schema}.cc_audit_field(to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
            || '|' || {schema}.cc_audit_field(correlation_id) || '|' || {schema}.cc_audit_field(causation_id)
            || '|' || {schema}.cc_audit_field(data::text), 'UTF8')), 'hex') $$;
        """;
}
