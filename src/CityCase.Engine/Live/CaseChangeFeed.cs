using System.Reactive.Disposables;
using System.Reactive.Linq;
using System.Reactive.Subjects;
using CityCase.Domain;
using CityCase.Domain.Cases;
using CityCase.Domain.Time;
using CityCase.Engine.Cases;
using JasperFx.Events;
using Marten;
using Marten.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NodaTime;
using Npgsql;

namespace CityCase.Engine.Live;

/// <summary>A case's stage turned yellow or red: what a supervisor's dashboard is pushed. <see cref="Sequence"/> is where it stands in the event store.</summary>
public sealed record SlaAlert(Guid CaseId, string CaseNumber, string? DepartmentCode, ClockKind Stage, Light Level, Instant DueAt, long Sequence);

/// <summary>
/// The live feed behind GraphQL subscriptions, on every node: it listens for the <see cref="CaseChangeDoorbell"/> and
/// reads the events up to where it rang from its own cursor, in order and each once, whichever node made the change.
/// A node that missed a ring (its listening connection dropped, the database failed over) reads the gap on its next one.
/// </summary>
public sealed class CaseChangeFeed(IDocumentStore store, NpgsqlDataSource dataSource, CitySettings city, ILogger<CaseChangeFeed> logger)
    : BackgroundService
{
    /// <summary>How many missed alerts a reconnecting dashboard is sent at most; beyond that it should reload its board.</summary>
    public const int MaxMissedAlerts = 1_000;

    private const int EventsPerRead = 1_000;

    private readonly Subject<CaseView> _changes = new();
    private readonly Subject<SlaAlert> _alerts = new();
    private readonly SemaphoreSlim _turn = new(1, 1); // one range at a time; a resuming subscriber waits for it
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _cursor = -1; // every event up to here has been passed on

    /// <summary>Each case's view after its changes, in the order they were made (changes committed together may come as one).</summary>
    public IObservable<CaseView> Changes => _changes.AsObservable();

    public IObservable<SlaAlert> Alerts => _alerts.AsObservable();

    /// <summary>Whether anyone listens for lights now (lets a test know its subscription has arrived).</summary>
    public bool HasAlertSubscribers => _alerts.HasObservers;

    /// <summary>Whether anyone listens for case changes now.</summary>
    public bool HasChangeSubscribers => _changes.HasObservers;

    /// <summary>Completes once this node listens for the doorbell.</summary>
    public Task Listening => _listening.Task;

    /// <summary>
    /// One case's changes; with <paramref name="afterVersion"/> (the last version a reconnecting client saw) the case as it
    /// is now comes first when it has changed since. A version is never sent twice or out of order.
    /// </summary>
    public IObservable<CaseView> ChangesOf(Guid caseId, int? afterVersion) => Observable.Create<CaseView>(async (observer, ct) =>
    {
        var last = afterVersion ?? 0;
        var live = _changes.Where(v => v.Id == caseId).Replay();
        var connection = live.Connect(); // before the case is read, so nothing falls between the two
        if (afterVersion is not null)
        {
            await using var session = store.QuerySession();
            if (await session.LoadAsync<CaseView>(caseId, ct) is { } now && now.Version > last)
            {
                observer.OnNext(now);
                last = now.Version;
            }
        }
        return new CompositeDisposable(
            live.Where(v => { if (v.Version <= last) return false; last = v.Version; return true; }).Subscribe(observer),
            connection);
    });

    /// <summary>
    /// The lights from now on; with <paramref name="after"/> (a reconnecting dashboard's last <see cref="SlaAlert.Sequence"/>)
    /// first the ones it missed, then the live ones, with none missing or doubled in between.
    /// </summary>
    public IObservable<SlaAlert> AlertsAfter(long? after) => after is null ? Alerts : Observable.Create<SlaAlert>(async (observer, ct) =>
    {
        IConnectableObservable<SlaAlert> live;
        IDisposable connection;
        long upTo;
        await _turn.WaitAsync(ct); // no range is passed on between the cursor read here and the live subscription
        try
        {
            upTo = Math.Max(_cursor, 0);
            live = _alerts.Replay();
            connection = live.Connect();
        }
        finally
        {
            _turn.Release();
        }
        try
        {
            foreach (var missed in await MissedAlertsAsync(after.Value, upTo, ct)) observer.OnNext(missed);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
        return new CompositeDisposable(live.Subscribe(observer), connection);
    });

    private async Task<IReadOnlyList<SlaAlert>> MissedAlertsAsync(long after, long upTo, CancellationToken ct)
    {
        if (after >= upTo) return [];
        await using var session = store.QuerySession();
        var lights = await session.Events.QueryAllRawEvents()
            .Where(e => e.Sequence > after && e.Sequence <= upTo && e.EventTypesAre(typeof(SlaLightChanged)))
            .OrderBy(e => e.Sequence).Take(MaxMissedAlerts + 1).ToListAsync(ct);
        if (lights.Count > MaxMissedAlerts)
            throw new ValidationFailedException(
                $"More than {MaxMissedAlerts:N0} alerts came after cursor {after}: reload the board (slaBoard) and subscribe again without 'after'.");
        return await AlertsOf(session, lights, ct);
    }

    private static async Task<IReadOnlyList<SlaAlert>> AlertsOf(IQuerySession session, IReadOnlyList<IEvent> events, CancellationToken ct)
    {
        var lights = events.Where(e => e.Data is SlaLightChanged).ToList();
        if (lights.Count == 0) return [];
        var views = (await session.LoadManyAsync<CaseView>(ct, lights.Select(e => ((SlaLightChanged)e.Data).CaseId).Distinct())).ToDictionary(v => v.Id);
        return lights.Where(e => views.ContainsKey(((SlaLightChanged)e.Data).CaseId)).Select(e =>
        {
            var light = (SlaLightChanged)e.Data;
            var view = views[light.CaseId];
            return new SlaAlert(view.Id, view.Number, view.DepartmentCode, light.Clock, light.Light, light.Deadline, e.Sequence);
        }).ToList();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var channel = LiveConfiguration.ChannelFor(city.Schema);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                long rung = 0;
                connection.Notification += (_, e) =>
                {
                    if (long.TryParse(e.Payload, out var ceiling)) rung = Math.Max(rung, ceiling);
                };
                await using (var listen = new NpgsqlCommand($"LISTEN \"{channel}\"", connection))
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                // Whatever rang before this node listened: a new node starts from there, a reconnecting one reads the gap.
                await PassOnAsync(await RungSoFarAsync(stoppingToken), stoppingToken);
                _listening.TrySetResult();
                while (true)
                {
                    // The bell is the fast path; a look at the doorbell's progress now and then is the safety net.
                    if (!await connection.WaitAsync(TimeSpan.FromSeconds(30), stoppingToken))
                        rung = Math.Max(rung, await RungSoFarAsync(stoppingToken));
                    await PassOnAsync(rung, stoppingToken);
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "The live feed lost its connection; listening again shortly");
                try { await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken); } catch (OperationCanceledException) { }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        }
    }

    /// <summary>Where the doorbell has rung up to (its recorded progress); before its first run, the high-water mark.</summary>
    private async Task<long> RungSoFarAsync(CancellationToken ct)
    {
        var shards = await store.Advanced.AllProjectionProgress(token: ct);
        var doorbell = shards.Where(s => s.ShardName.StartsWith(CaseChangeDoorbell.SubscriptionName + ":", StringComparison.Ordinal)).ToList();
        return doorbell.Count > 0
            ? doorbell.Max(s => s.Sequence)
            : shards.Where(s => s.ShardName == "HighWaterMark").Select(s => s.Sequence).DefaultIfEmpty(0).Max();
    }

    private async Task PassOnAsync(long ceiling, CancellationToken ct)
    {
        await _turn.WaitAsync(ct);
        try
        {
            if (_cursor < 0) _cursor = ceiling; // a node's first look: it passes on what comes from now on
            while (_cursor < ceiling)
            {
                if (!_changes.HasObservers && !_alerts.HasObservers)
                {
                    _cursor = ceiling; // nobody listens here: nothing to read
                    break;
                }
                await using var session = store.QuerySession();
                var from = _cursor;
                var events = await session.Events.QueryAllRawEvents()
                    .Where(e => e.Sequence > from && e.Sequence <= ceiling)
                    .OrderBy(e => e.Sequence).Take(EventsPerRead).ToListAsync(ct);
                await PublishAsync(session, events, ct);
                _cursor = events.Count == EventsPerRead ? events[^1].Sequence : ceiling;
            }
        }
        finally
        {
            _turn.Release();
        }
    }

    private async Task PublishAsync(IQuerySession session, IReadOnlyList<IEvent> events, CancellationToken ct)
    {
        // Each changed case once, in the order of its last change in this range.
        var caseIds = events.Select(e => e.Data).OfType<ICaseEvent>().Select(e => e.CaseId).Reverse().Distinct().Reverse().ToList();
        if (caseIds.Count == 0) return;
        if (_changes.HasObservers)
        {
            var views = (await session.LoadManyAsync<CaseView>(ct, caseIds)).ToDictionary(v => v.Id);
            foreach (var id in caseIds)
                if (views.TryGetValue(id, out var view)) _changes.OnNext(view);
        }
        if (_alerts.HasObservers)
            foreach (var alert in await AlertsOf(session, events, ct)) _alerts.OnNext(alert);
    }

    public override void Dispose()
    {
        base.Dispose();
        _changes.Dispose();
        _alerts.Dispose();
        _turn.Dispose();
    }
}
