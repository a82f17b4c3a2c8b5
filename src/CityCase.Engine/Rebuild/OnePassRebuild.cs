using System.Threading.Channels;
using CityCase.Domain.Assessment;
using CityCase.Domain.Cases;
using CityCase.Engine.Assessment;
using CityCase.Engine.Cases;
using CityCase.Engine.Sla;
using JasperFx.Events;
using Marten;
using Npgsql;
using Weasel.Core;

namespace CityCase.Engine.Rebuild;

/// <summary>
/// Rebuilds the read models in one ordered pass over the events, folding each case stream's case view, SLA timers
/// and assessment in memory with the projections' own Evolve methods, and writing the finished documents by binary
/// COPY while the pass goes on. Every read model here is a fold of one case's stream (a timer is its clock's, the
/// scorecards sum each case's contribution), so a stream's documents are final when its last event is read and
/// leave memory then. The daemon would make one pass per read model and a round trip and upsert per page of
/// 5,000 events; this reads each event once and writes each document once.
/// </summary>
public sealed class OnePassRebuild(IDocumentStore store, AssessmentRules rules, string scorecardTenant, ReadModelChoice chosen)
{
    private const int WriteBatch = 5_000;

    private readonly Marten.Services.SystemTextJsonSerializer _serializer = (Marten.Services.SystemTextJsonSerializer)store.Options.Serializer();
    private readonly Marten.Events.EventGraph _events = (Marten.Events.EventGraph)store.Options.Events;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Marten.Events.EventMapping> _eventTypes = new();
    private readonly CaseViewProjection _views = new();
    private readonly SlaTimerProjection _timers = new();

    /// <summary>One stream's documents in the making.</summary>
    private sealed class Fold
    {
        public CaseView? View;
        public IEvent? Last;
        public Dictionary<string, SlaTimer?>? Timers;
        public CaseAssessment? Assessment;
    }

    /// <summary>One event's row as read: decoded by the worker that owns its stream.</summary>
    private readonly record struct Row(long Sequence, Guid StreamId, long Version, string Type, string DotNetType, byte[] Json);

    /// <summary>When each stage finished, from the start of the pass: where the time went.</summary>
    public TimeSpan ReadDone { get; private set; }
    public TimeSpan FoldDone { get; private set; }
    public TimeSpan WriteDone { get; private set; }

    public async Task<long> RunAsync(long highWaterMark, Action<long> progress, CancellationToken ct)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var lastVersionOf = await LastVersionsAsync(ct);
        var output = Channel.CreateBounded<IReadOnlyList<object>>(new BoundedChannelOptions(4) { SingleReader = true });
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(ct);
        ct = failed.Token;
        async Task Guarded(Func<Task> work)
        {
            try { await work(); }
            catch { await failed.CancelAsync(); throw; } // the others stop instead of waiting on a full channel
        }

        // One reader, a worker per core folding the streams whose id hashes to it, one writer.
        var partitions = Enumerable.Range(0, Workers)
            .Select(_ => Channel.CreateBounded<Row[]>(new BoundedChannelOptions(8) { SingleReader = true, SingleWriter = true }))
            .ToArray();
        var writer = Task.Run(() => Guarded(() => WriteAsync(output.Reader, ct)), ct);
        var buckets = new Dictionary<ScoreBucketKey, ScoreCounts>[Workers];
        var workers = Enumerable.Range(0, Workers).Select(w => Task.Run(() => Guarded(async () =>
            buckets[w] = await FoldAsync(partitions[w].Reader, lastVersionOf, output.Writer, ct)), ct)).ToArray();
        long read = 0;
        try
        {
            read = await ReadAsync(highWaterMark, partitions, progress, ct);
            ReadDone = clock.Elapsed;
            await Task.WhenAll(workers);
            FoldDone = clock.Elapsed;
            if (chosen.Scorecards)
                await output.Writer.WriteAsync(buckets.SelectMany(b => b).GroupBy(b => b.Key)
                    .Select(g => (g.Key, Sum: g.Aggregate(ScoreCounts.Zero, (sum, b) => sum.Plus(b.Value, +1))))
                    .Where(b => !b.Sum.IsZero)
                    .Select(b => (object)new ScoreBucket
                    {
                        Id = b.Key.Id, Kind = b.Key.Kind, Subject = b.Key.Subject, Category = b.Key.Category, Day = b.Key.Day,
                        DayNumber = ScoreBucket.NumberOf(b.Key.Day), Counts = b.Sum,
                    }).ToList(), ct);
        }
        catch (OperationCanceledException) when (writer.IsFaulted || workers.Any(w => w.IsFaulted))
        {
            await Task.WhenAll([writer, .. workers]); // the failure itself, not the cancellation it caused
        }
        finally
        {
            foreach (var partition in partitions) partition.Writer.TryComplete();
            output.Writer.TryComplete();
        }
        await writer;
        WriteDone = clock.Elapsed;
        progress(highWaterMark);
        return read;
    }

    private static readonly int Workers = Math.Max(1, Environment.ProcessorCount);

    /// <summary>Reads the events in order as raw rows (no decoding here: the workers do it in parallel).</summary>
    private async Task<long> ReadAsync(long highWaterMark, Channel<Row[]>[] partitions, Action<long> progress, CancellationToken ct)
    {
        const int Page = 1_000;
        var pages = partitions.Select(_ => new List<Row>(Page)).ToArray();
        long read = 0;
        await using (var connection = await OpenAsync(ct))
        {
            await using var command = new NpgsqlCommand(
                $"select seq_id, stream_id, version, type, mt_dotnet_type, data from {Schema}.mt_events where seq_id <= @high and is_archived = false order by seq_id",
                connection);
            command.Parameters.AddWithValue("high", highWaterMark);
            await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct);
            while (await reader.ReadAsync(ct))
            {
                var row = new Row(reader.GetInt64(0), reader.GetGuid(1), reader.GetInt64(2), reader.GetString(3),
                    reader.GetString(4), reader.GetFieldValue<byte[]>(5));
                var partition = (int)((uint)row.StreamId.GetHashCode() % (uint)partitions.Length);
                pages[partition].Add(row);
                if (pages[partition].Count == Page)
                {
                    await partitions[partition].Writer.WriteAsync([.. pages[partition]], ct);
                    pages[partition].Clear();
                }
                if (++read % 100_000 == 0) progress(row.Sequence);
            }
        }
        for (var p = 0; p < partitions.Length; p++)
        {
            if (pages[p].Count > 0) await partitions[p].Writer.WriteAsync([.. pages[p]], ct);
            partitions[p].Writer.Complete();
        }
        return read;
    }

    /// <summary>Decodes and folds one partition's streams; returns its share of the scorecard buckets.</summary>
    private async Task<Dictionary<ScoreBucketKey, ScoreCounts>> FoldAsync(ChannelReader<Row[]> rows, Dictionary<Guid, long> lastVersionOf,
        ChannelWriter<IReadOnlyList<object>> output, CancellationToken ct)
    {
        var folds = new Dictionary<Guid, Fold>();
        var buckets = new Dictionary<ScoreBucketKey, ScoreCounts>();
        var finished = new List<object>(WriteBatch);
        await foreach (var page in rows.ReadAllAsync(ct))
        {
            foreach (var row in page)
            {
                if (!folds.TryGetValue(row.StreamId, out var fold)) folds[row.StreamId] = fold = new Fold();
                Apply(fold, Decode(row));
                if (lastVersionOf.TryGetValue(row.StreamId, out var last) && row.Version < last) continue;

                // The stream's last event: its documents are final.
                folds.Remove(row.StreamId);
                Finish(fold, buckets, finished);
            }
            if (finished.Count >= WriteBatch)
            {
                await output.WriteAsync(finished, ct);
                finished = new List<object>(WriteBatch);
            }
        }
        foreach (var fold in folds.Values) Finish(fold, buckets, finished); // streams appended to after the high-water mark
        if (finished.Count > 0) await output.WriteAsync(finished, ct);
        return buckets;
    }

    private IEvent Decode(Row row)
    {
        var mapping = _eventTypes.GetOrAdd(row.Type, (_, dotNetType) => Type.GetType(dotNetType) is { } type
            ? _events.EventMappingFor(type)
            : throw new InvalidOperationException($"event {row.Sequence} is a '{dotNetType}', which this version of CityCase does not know"), row.DotNetType);
        var e = mapping.Wrap(_serializer.FromJson(mapping.DocumentType, new MemoryStream(row.Json)));
        e.StreamId = row.StreamId;
        e.Version = row.Version;
        e.Sequence = row.Sequence;
        return e;
    }

    private void Apply(Fold fold, IEvent e)
    {
        fold.Last = e;
        if (chosen.CaseViews && (fold.View is not null || e.Data is CaseReported))
            fold.View = _views.Evolve(fold.View, e.StreamId, e);
        if (chosen.SlaTimers && e.Data is ClockStarted or ClockDeadlineMoved or ClockStopped or SlaLightChanged)
        {
            fold.Timers ??= [];
            var id = e.Data switch
            {
                ClockStarted c => SlaTimer.IdFor(c.CaseId, c.Clock),
                ClockDeadlineMoved m => SlaTimer.IdFor(m.CaseId, m.Clock),
                ClockStopped s => SlaTimer.IdFor(s.CaseId, s.Clock),
                SlaLightChanged l => SlaTimer.IdFor(l.CaseId, l.Clock),
                _ => throw new InvalidOperationException("unreachable"),
            };
            fold.Timers[id] = _timers.Evolve(fold.Timers.GetValueOrDefault(id), id, e);
        }
        else if (chosen.SlaTimers && e.Data is CaseSuspended or CaseResumed && fold.Timers is not null)
            foreach (var id in fold.Timers.Keys.ToList()) // every timer of the case (SlaTimerProjection's Identities)
                fold.Timers[id] = _timers.Evolve(fold.Timers[id], id, e);
        if (chosen.Scorecards && e.Data is ICaseEvent)
            fold.Assessment = e.Data is CaseReported reported && fold.Assessment is null
                ? CaseAssessment.Start(reported)
                : fold.Assessment?.After(e.Data);
    }

    private void Finish(Fold fold, Dictionary<ScoreBucketKey, ScoreCounts> buckets, List<object> finished)
    {
        if (fold.View is { } view && fold.Last is { } last)
        {
            view = _views.ApplyMetadata(view, last);
            view.Version = (int)last.Version;
            finished.Add(view);
        }
        if (fold.Timers is not null)
            finished.AddRange(fold.Timers.Values.OfType<SlaTimer>());
        if (fold.Assessment is { } assessment)
        {
            finished.Add(assessment);
            foreach (var (key, counts) in assessment.Contributions(rules))
                buckets[key] = (buckets.TryGetValue(key, out var sum) ? sum : ScoreCounts.Zero).Plus(counts, +1);
        }
    }

    /// <summary>
    /// Each stream's version: its last event is where its documents are final. A stream appended to after the
    /// high-water mark never reaches it in the pass and is finished at the end instead.
    /// </summary>
    private async Task<Dictionary<Guid, long>> LastVersionsAsync(CancellationToken ct)
    {
        var versions = new Dictionary<Guid, long>();
        await using var connection = await OpenAsync(ct);
        await using var command = new NpgsqlCommand($"select id, version from {Schema}.mt_streams", connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) versions[reader.GetGuid(0)] = reader.GetInt64(1);
        return versions;
    }

    private string Schema => store.Options.Events.DatabaseSchemaName;

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken ct)
    {
        var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        return connection;
    }

    private async Task WriteAsync(ChannelReader<IReadOnlyList<object>> batches, CancellationToken ct)
    {
        await foreach (var batch in batches.ReadAllAsync(ct))
        {
            // The scorecards' rows are their rules version's (its tenant); the case views and timers are everyone's.
            var scorecards = batch.Where(d => d is CaseAssessment or ScoreBucket).ToList();
            if (scorecards.Count < batch.Count)
                await store.BulkInsertDocumentsAsync(batch.Where(d => d is not (CaseAssessment or ScoreBucket)), BulkInsertMode.InsertsOnly, WriteBatch, ct);
            if (scorecards.Count > 0)
                await store.BulkInsertDocumentsAsync(scorecardTenant, scorecards, BulkInsertMode.InsertsOnly, WriteBatch, ct);
        }
    }
}

/// <summary>Which read models a rebuild makes.</summary>
public sealed record ReadModelChoice(bool CaseViews, bool SlaTimers, bool Scorecards);
