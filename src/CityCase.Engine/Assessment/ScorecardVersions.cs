using System.Collections.Concurrent;
using System.Diagnostics;
using CityCase.Domain;
using CityCase.Domain.Assessment;
using JasperFx.Events.Projections;
using Marten;
using JasperFx;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NodaTime;
using Npgsql;

namespace CityCase.Engine.Assessment;

/// <summary>
/// The rules of one version of the scorecards, recorded by the first node that ran them, so that every node (whatever
/// its own rules) computes the active version's composite scores with that version's weights.
/// </summary>
public sealed class ScorecardRules
{
    /// <summary>The version (<c>City:Scorecard:RulesVersion</c>).</summary>
    public int Id { get; set; }

    public string Fingerprint { get; set; } = "";
    public CompositeWeights Weights { get; set; } = new();
    public double AcceptanceNoticeWorkingDays { get; set; }
    public Instant RecordedAt { get; set; }
}

/// <summary>Which version of the scorecards the reads answer from: one row in PostgreSQL, so every node switches at once.</summary>
public sealed class ActiveScorecards
{
    public const string TheId = "scorecards";

    public string Id { get; set; } = TheId;
    public int Version { get; set; }

    /// <summary>Where that version's rows are (<see cref="ScorecardVersion.TenantOf"/>), for the reads' SQL.</summary>
    public string TenantId { get; set; } = "";

    /// <summary>Its projection shard (<see cref="ScorecardVersion.ShardOf"/>), for the readiness check's SQL.</summary>
    public string Shard { get; set; } = "";

    public int? PreviousVersion { get; set; }
    public Instant SwitchedAt { get; set; }
}

/// <summary>Where each version of the scorecards lives: its rows and its projection shard.</summary>
public static class ScorecardVersion
{
    /// <summary>
    /// The Marten tenant (conjoined tenancy: a <c>tenant_id</c> column) holding a version's assessments and buckets.
    /// Version 1 keeps Marten's default tenant, so a database from before versioned rules needs no rebuild.
    /// </summary>
    public static string TenantOf(int version) => version == 1 ? JasperFx.StorageConstants.DefaultTenantId : $"scorecards-v{version}";

    /// <summary>The version's projection shard: <c>Scorecards:All</c>, then <c>Scorecards:V2:All</c>... (Marten's blue/green versions).</summary>
    public static string ShardOf(int version) => ShardName.Compose(ScorecardProjection.Name, "All", null, (uint)version).Identity;
}

/// <summary>The active version as this node last read it; the projection of a retired version writes nothing.</summary>
public sealed class ScorecardVersionState
{
    private volatile int _active;

    /// <summary>0 until the node has read it.</summary>
    public int Active
    {
        get => _active;
        set => _active = value;
    }

    /// <summary>Whether the reads have moved past <paramref name="version"/> for good (the pointer only moves forward).</summary>
    public bool IsRetired(int version) => _active > version;
}

public enum ScorecardVersionStage
{
    /// <summary>The reads answer from it.</summary>
    Active,

    /// <summary>Newer than the active one and still behind the high-water mark.</summary>
    Building,

    /// <summary>Newer than the active one and caught up: it can be switched to.</summary>
    Ready,

    /// <summary>Older than the active one: no longer read or kept, its rows removed.</summary>
    Retired,
}

/// <summary>Where one version stands.</summary>
public sealed record ScorecardVersionStatus(int Version, ScorecardVersionStage Stage, long Sequence, long HighWaterMark,
    CompositeWeights Weights, double AcceptanceNoticeWorkingDays, Instant RecordedAt, Instant? SwitchedAt)
{
    public long Behind => Math.Max(0, HighWaterMark - Sequence);
}

/// <summary>
/// Blue/green scorecards. At start-up it records this node's rules as their version (refusing to start if that version
/// was recorded with other rules) and, on a new database, makes it the active one. Then, every second: it reads which
/// version is active; with <see cref="ScorecardSwitch.Automatic"/>, it moves the reads to this node's newer version once
/// that has caught up with the high-water mark; and it removes the rows of versions older than the active one. It never
/// moves the pointer backwards and never touches the rows of the active version or a newer one, so old and new nodes can
/// run side by side during a rolling deploy.
/// </summary>
public sealed class ScorecardVersions(
    IDocumentStore store, NpgsqlDataSource dataSource, ScorecardRulesInForce rules, ScorecardVersionState state,
    IClock clock, ILogger<ScorecardVersions> logger) : BackgroundService
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long the nodes keep deleting a retired version's rows after they saw the switch: a batch of the old projection
    /// that was already under way at the switch may commit a moment after the first delete.
    /// </summary>
    private static readonly TimeSpan RemovalWindow = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<int, ScorecardRules> _recorded = new(); // a version's rules never change
    private (int Active, long Since)? _removing; // Stopwatch timestamps: the window is the machine's time, not the city's clock

    public override async Task StartAsync(CancellationToken ct)
    {
        await RecordOwnRulesAsync(ct);
        await base.StartAsync(ct);
    }

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await KeepAsync(ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                logger.LogWarning(e, "Keeping the scorecard versions failed; trying again in {Interval}", PollInterval);
            }
            try { await Task.Delay(PollInterval, ct); } catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>One pass: read the active version, switch to this node's newer one if it has caught up (Automatic), remove retired rows.</summary>
    public async Task KeepAsync(CancellationToken ct)
    {
        var active = await ActiveAsync(ct);
        if (rules.Version > active.Version && rules.Switch == ScorecardSwitch.Automatic)
        {
            var (sequence, highWater) = await ProgressAsync(rules.Version, ct);
            if (sequence >= highWater && highWater > 0 || highWater == 0)
                active = await TrySwitchAsync(rules.Version, ct) is { } switched ? switched : active;
        }
        await RemoveRetiredAsync(active.Version, ct);
    }

    /// <summary>The active version, also remembered for this node's projection.</summary>
    public async Task<ActiveScorecards> ActiveAsync(CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var active = await session.LoadAsync<ActiveScorecards>(ActiveScorecards.TheId, ct)
                     ?? throw new InvalidOperationException("No active scorecard version is recorded: the node's start-up records one.");
        state.Active = active.Version;
        return active;
    }

    /// <summary>
    /// Moves the reads to <paramref name="version"/>: refused (with why) unless it is recorded, newer than the active one
    /// and caught up with the high-water mark. Asking for the active version again answers it. Null when another node
    /// moved the pointer meanwhile (ask again).
    /// </summary>
    public async Task<ActiveScorecards?> TrySwitchAsync(int version, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        if (await session.LoadAsync<ScorecardRules>(version, ct) is null)
            throw new DomainException(ErrorCodes.NotFound,
                $"No node has run scorecard rules version {version}: start one with City:Scorecard:RulesVersion={version} first.");
        var active = await session.LoadAsync<ActiveScorecards>(ActiveScorecards.TheId, ct)
                     ?? throw new InvalidOperationException("No active scorecard version is recorded.");
        if (version == active.Version) return active;
        if (version < active.Version)
            throw new DomainException(ErrorCodes.ValidationFailed,
                $"Version {version} is older than the active version {active.Version}: the scorecards only move forward. " +
                $"To go back to earlier rules, deploy them as a new version ({active.Version + 1}).");
        var (sequence, highWater) = await ProgressAsync(version, ct);
        if (sequence < highWater)
            throw new DomainException(ErrorCodes.ValidationFailed,
                $"Scorecard version {version} is still being built: at event {sequence} of {highWater} ({highWater - sequence} behind). " +
                $"The reads stay on version {active.Version} until it has caught up; ask again then.");

        var previous = active.Version;
        active.PreviousVersion = previous;
        active.Version = version;
        active.TenantId = ScorecardVersion.TenantOf(version);
        active.Shard = ScorecardVersion.ShardOf(version);
        active.SwitchedAt = clock.GetCurrentInstant();
        session.Store(active); // optimistic concurrency: a node that switched meanwhile wins, this one reads again
        try
        {
            await session.SaveChangesAsync(ct);
        }
        catch (ConcurrencyException)
        {
            return null;
        }
        state.Active = version;
        logger.LogInformation("The scorecards now answer from rules version {Version} (was {Previous}) at event {Sequence}", version, previous, sequence);
        return active;
    }

    /// <summary>Every recorded version with where it stands, newest first.</summary>
    public async Task<IReadOnlyList<ScorecardVersionStatus>> StatusAsync(CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var active = await ActiveAsync(ct);
        var versions = (await session.Query<ScorecardRules>().ToListAsync(ct)).OrderByDescending(v => v.Id).ToList();
        var statuses = new List<ScorecardVersionStatus>();
        foreach (var v in versions)
        {
            var (sequence, highWater) = await ProgressAsync(v.Id, ct);
            var stage = v.Id == active.Version ? ScorecardVersionStage.Active
                : v.Id < active.Version ? ScorecardVersionStage.Retired
                : sequence >= highWater ? ScorecardVersionStage.Ready : ScorecardVersionStage.Building;
            statuses.Add(new ScorecardVersionStatus(v.Id, stage, sequence, highWater, v.Weights, v.AcceptanceNoticeWorkingDays, v.RecordedAt,
                v.Id == active.Version && active.PreviousVersion is not null ? active.SwitchedAt : null));
        }
        return statuses;
    }

    /// <summary>The composite weights of a version, as recorded by its first node.</summary>
    public async Task<CompositeWeights> WeightsOfAsync(int version, CancellationToken ct)
    {
        if (_recorded.TryGetValue(version, out var known)) return known.Weights;
        await using var session = store.QuerySession();
        var recorded = await session.LoadAsync<ScorecardRules>(version, ct)
                       ?? throw new InvalidOperationException($"Scorecard rules version {version} is active but not recorded.");
        return _recorded.GetOrAdd(version, recorded).Weights;
    }

    private async Task RecordOwnRulesAsync(CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        await using (var session = store.LightweightSession())
        {
            var recorded = await session.LoadAsync<ScorecardRules>(rules.Version, ct);
            if (recorded is null)
            {
                session.Insert(new ScorecardRules
                {
                    Id = rules.Version, Fingerprint = rules.Fingerprint, Weights = rules.Weights,
                    AcceptanceNoticeWorkingDays = rules.AcceptanceNoticeWorkingDays, RecordedAt = now,
                });
                try { await session.SaveChangesAsync(ct); }
                catch (DocumentAlreadyExistsException) { } // another node of the same version was first: compared below
            }
        }
        await using (var session = store.QuerySession())
        {
            var recorded = await session.LoadAsync<ScorecardRules>(rules.Version, ct);
            if (recorded!.Fingerprint != rules.Fingerprint)
                throw new InvalidOperationException(
                    $"City:Scorecard's rules (weights, acceptance notice, inspectors' beats) differ from those recorded for " +
                    $"City:Scorecard:RulesVersion {rules.Version} on {recorded.RecordedAt}: give the changed rules a new version " +
                    $"(City:Scorecard:RulesVersion={rules.Version + 1} or more), so that they are built beside the old ones.");
            _recorded[recorded.Id] = recorded;
        }

        await using (var session = store.LightweightSession())
        {
            if (await session.LoadAsync<ActiveScorecards>(ActiveScorecards.TheId, ct) is null)
            {
                // A new database: this node's version is the first one, with nothing to build before it.
                session.Insert(new ActiveScorecards
                {
                    Version = rules.Version, TenantId = ScorecardVersion.TenantOf(rules.Version), Shard = ScorecardVersion.ShardOf(rules.Version),
                    SwitchedAt = now,
                });
                try { await session.SaveChangesAsync(ct); }
                catch (DocumentAlreadyExistsException) { } // another node was first
            }
        }
        var active = await ActiveAsync(ct);
        if (rules.Version < active.Version)
            logger.LogWarning("This node's scorecard rules (version {Own}) are older than the active ones (version {Active}): " +
                              "it answers version {Active}'s figures and builds nothing", rules.Version, active.Version, active.Version);
        else if (rules.Version > active.Version)
            logger.LogInformation("Building scorecard rules version {Own} beside the active version {Active}; the reads move to it " +
                                  (rules.Switch == ScorecardSwitch.Automatic ? "once it has caught up" : "when an admin switches (switchScorecards)"),
                rules.Version, active.Version);
    }

    /// <summary>
    /// A version's shard position and the daemon's high-water mark, from Marten's progression table. Before any daemon
    /// has recorded a mark, the newest event stands in for it, so a missing mark never makes a version look caught up.
    /// </summary>
    private async Task<(long Sequence, long HighWater)> ProgressAsync(int version, CancellationToken ct)
    {
        var schema = store.Options.Events.DatabaseSchemaName;
        await using var command = dataSource.CreateCommand($"""
            select coalesce((select last_seq_id from {schema}.mt_event_progression where name = '{ShardState.HighWaterMark}'),
                            (select max(seq_id) from {schema}.mt_events), 0),
                   coalesce((select last_seq_id from {schema}.mt_event_progression where name = $1), 0)
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = ScorecardVersion.ShardOf(version) });
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetInt64(1), reader.GetInt64(0));
    }

    /// <summary>
    /// Deletes the rows of every version older than the active one, for a while after this node saw the switch. Only
    /// older versions: the pointer never moves back, so no read can ask for them again.
    /// </summary>
    private async Task RemoveRetiredAsync(int activeVersion, CancellationToken ct)
    {
        if (_removing is not { } removing || removing.Active != activeVersion) _removing = removing = (activeVersion, Stopwatch.GetTimestamp());
        if (activeVersion == 1 || Stopwatch.GetElapsedTime(removing.Since) > RemovalWindow) return;

        var retired = Enumerable.Range(1, activeVersion - 1).Select(ScorecardVersion.TenantOf).ToArray();
        var removed = 0;
        foreach (var table in new[] { store.Options.Schema.For<CaseAssessment>(), store.Options.Schema.For<ScoreBucket>() })
        {
            await using var command = dataSource.CreateCommand($"delete from {table} where tenant_id = any($1)");
            command.Parameters.Add(new NpgsqlParameter { Value = retired });
            removed += await command.ExecuteNonQueryAsync(ct);
        }
        if (removed > 0)
            logger.LogInformation("Removed {Rows} rows of the retired scorecard versions below {Active}", removed, activeVersion);
    }
}
