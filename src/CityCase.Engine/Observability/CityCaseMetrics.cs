using System.Diagnostics;
using System.Diagnostics.Metrics;
using CityCase.Domain.Cases;
using JasperFx.Events;
using Marten;
using Marten.Services;

namespace CityCase.Engine.Observability;

/// <summary>
/// CityCase's own traces and metrics (the meter and activity source "CityCase"); OpenTelemetry exports them beside
/// ASP.NET Core's, Wolverine's, Marten's and Npgsql's. Tags carry codes and ids, never a citizen's personal data.
/// </summary>
public static class CityCaseMetrics
{
    public const string Name = "CityCase";
    public static readonly ActivitySource Activities = new(Name);
    private static readonly Meter Meter = new(Name);

    public static readonly Counter<long> GraphQLRequests = Meter.CreateCounter<long>("citycase.graphql.requests", "{request}",
        "GraphQL operations executed, by operation name, type and outcome (OK or the first error's code)");
    public static readonly Histogram<double> CommandDuration = Meter.CreateHistogram<double>("citycase.command.duration", "ms",
        "From a command's arrival at Wolverine to its events committed (or its refusal), by command");
    public static readonly Counter<long> CasesFiled = Meter.CreateCounter<long>("citycase.cases.filed", "{case}",
        "Cases filed (committed), by channel");
    public static readonly Counter<long> LightsRecorded = Meter.CreateCounter<long>("citycase.sla.lights", "{light}",
        "SLA lights recorded (committed), by level and clock");
    public static readonly UpDownCounter<long> WebSocketConnections = Meter.CreateUpDownCounter<long>("citycase.websocket.connections",
        "{connection}", "Open graphql-transport-ws connections on this node");
    public static readonly UpDownCounter<long> Subscriptions = Meter.CreateUpDownCounter<long>("citycase.subscriptions", "{subscription}",
        "Active GraphQL subscriptions on this node");

    /// <summary>Runs a command through Wolverine and records its duration, refused or not.</summary>
    public static async Task<T> TimeCommandAsync<T>(string command, Func<Task<T>> send)
    {
        var started = Stopwatch.GetTimestamp();
        try { return await send(); }
        finally { CommandDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, new KeyValuePair<string, object?>("command", command)); }
    }

    /// <summary>What a host's sampler last read (<see cref="ObserveSamples"/>).</summary>
    public interface ISamples
    {
        IEnumerable<Measurement<long>> LagEvents();
        IEnumerable<Measurement<double>> LagSeconds();
        long Backlog();
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<ISamples, bool> Samplers = new();

    static CityCaseMetrics()
    {
        Meter.CreateObservableGauge("citycase.projection.lag.events", () => Samplers.Keys.SelectMany(s => s.LagEvents()), "{event}",
            "Events the projection shard is behind the newest event");
        Meter.CreateObservableGauge("citycase.projection.lag.seconds", () => Samplers.Keys.SelectMany(s => s.LagSeconds()), "s",
            "Age of the oldest event the projection shard has not processed (0 when caught up)");
        Meter.CreateObservableGauge("citycase.sla.timekeeper.backlog", () => Samplers.Keys.Sum(s => s.Backlog()), "{timer}",
            "Running clocks whose next light is due and not yet recorded");
    }

    /// <summary>
    /// The gauges read from the hosts' samplers. The instruments are the process's, made once; a process runs one host,
    /// but tests run several at once, and each host's sampler is read while it runs (dispose the result when it stops).
    /// </summary>
    public static IDisposable ObserveSamples(ISamples samples)
    {
        Samplers[samples] = true;
        return new Unregister(samples);
    }

    private sealed class Unregister(ISamples samples) : IDisposable
    {
        public void Dispose() => Samplers.TryRemove(samples, out _);
    }

    /// <summary>Counts what a commit made, once it is committed, on the node that committed it (so nodes' counts add up).</summary>
    public sealed class CommittedEvents : DocumentSessionListenerBase
    {
        public override Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
        {
            foreach (var e in commit.GetEvents())
                switch (e.Data)
                {
                    case CaseReported reported:
                        CasesFiled.Add(1, new KeyValuePair<string, object?>("channel", reported.Source.ToString()));
                        break;
                    case SlaLightChanged light:
                        LightsRecorded.Add(1, new KeyValuePair<string, object?>("level", light.Light.ToString()),
                            new KeyValuePair<string, object?>("clock", light.Clock.ToString()));
                        break;
                }
            return Task.CompletedTask;
        }
    }
}

/// <summary>
/// The case a GraphQL operation worked on, on its span (the case's id and number: never the citizen's data). Wolverine
/// tags its handler's span with the case's stream id itself (<c>wolverine.stream.id</c>).
/// </summary>
public static class CaseTrace
{
    public static void Tag(Guid caseId, string number)
    {
        if (Activity.Current is not { } span || span.Source != CityCaseMetrics.Activities) return;
        span.SetTag("citycase.case.id", caseId.ToString());
        span.SetTag("citycase.case.number", number);
    }
}
