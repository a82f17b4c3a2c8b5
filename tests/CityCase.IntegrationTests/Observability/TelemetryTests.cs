using System.Diagnostics;
using System.Globalization;
using CityCase.IntegrationTests.Infrastructure;
using NodaTime.Testing;
using OpenTelemetry.Trace;
using Xunit.Abstractions;

namespace CityCase.IntegrationTests.Observability;

/// <summary>
/// OpenTelemetry through the real pipeline: one dispatchCase request is one trace (HTTP → GraphQL → Wolverine handler →
/// PostgreSQL commands), caught by the SDK's in-memory exporter; and /metrics, Prometheus's scrape, after a scripted day.
/// </summary>
public sealed class TelemetryTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly LockedList<Activity> _exported = new();
    private readonly FakeClock _clock = new(BusyDay.Start);
    private CityCaseServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = new CityCaseServer
        {
            Clock = _clock,
            Arguments = ["--Sla:PollSeconds", "0", "--Telemetry:SampleSeconds", "0.5"],
            ConfigureServices = services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(_exported)),
        };
        await _server.InitializeAsync();
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    private List<Activity> Exported() => _exported.Snapshot();

    [Fact]
    public async Task A_dispatchCase_request_is_one_trace_from_http_through_graphql_and_the_handler_to_the_database()
    {
        var client = new CaseClient(_server);
        var (id, number) = await client.Report("Street lamp out");
        await client.Must("acceptCase", client.Agent, id, new { categoryCode = "0201", urgency = "NORMAL" });

        var dispatch = await _server.PostGraphQL("""
            mutation DispatchForTheTrace($input: DispatchCaseInput!) { dispatchCase(input: $input) { case { status } } }
            """, new { input = new { caseId = id } }, client.Dispatcher);
        Assert.Null(dispatch.Errors);

        Activity? http = null;
        await Eventually.WaitUntil(() =>
        {
            var graphql = Exported().SingleOrDefault(a => a.DisplayName == "mutation DispatchForTheTrace");
            http = graphql is null ? null : Exported().SingleOrDefault(a => a.SpanId == graphql.ParentSpanId);
            return Task.FromResult(http is not null);
        }, TimeSpan.FromSeconds(10), "the request's spans exported");

        var trace = Exported().Where(a => a.TraceId == http!.TraceId).ToList();
        foreach (var span in trace.OrderBy(a => a.StartTimeUtc))
            output.WriteLine($"{span.Source.Name,-22} {span.DisplayName} {span.SpanId} (parent {span.ParentSpanId}) {string.Join(", ", span.TagObjects.Select(t => $"{t.Key}={t.Value}"))}");
        var graphqlSpan = trace.Single(a => a.DisplayName == "mutation DispatchForTheTrace");
        Assert.Equal("Microsoft.AspNetCore", http!.Source.Name);
        Assert.Equal(ActivityKind.Server, http.Kind);
        Assert.Single(trace, a => a.Source.Name == "CityCase");
        Assert.Equal("OK", graphqlSpan.GetTagItem("citycase.outcome"));

        Assert.Equal(id, graphqlSpan.GetTagItem("citycase.case.id"));
        Assert.Equal(number, graphqlSpan.GetTagItem("citycase.case.number"));

        // The handler's span is under the GraphQL span and names the case's stream; the database's spans are under the handler's.
        var handler = trace.Single(a => a.Source.Name == "Wolverine" && a.GetTagItem("wolverine.stream.id")?.ToString() == id);
        Assert.True(IsUnder(handler, graphqlSpan, trace), "the handler's span is not under the GraphQL operation's");
        var database = trace.Where(a => a.Source.Name == "Npgsql" && IsUnder(a, handler, trace)).ToList();
        Assert.NotEmpty(database);
        // Never a citizen's data: the request's variables and the events' contents are not on any span.
        Assert.DoesNotContain(trace.SelectMany(a => a.TagObjects), t => t.Value?.ToString()?.Contains("13900000000") == true);
    }

    [Fact]
    public async Task Metrics_name_what_a_scripted_day_did()
    {
        await new BusyDay(_server, _clock).PlayAsync(20);
        await _server.WaitForProjectionsAsync();
        _clock.Advance(NodaTime.Duration.FromDays(2)); // the open cases' next lights fall due; this server's timekeeper runs only when told
        // Until a scrape shows a sample taken after the day (every 0.5 s here): the lights due, this host's shards caught up
        // and the day's requests measured.
        var text = "";
        await Eventually.WaitUntil(async () =>
        {
            text = await _server.Http.GetStringAsync("/metrics");
            var lines = text.Split('\n');
            return lines.Any(l => l.StartsWith("citycase_sla_timekeeper_backlog", StringComparison.Ordinal) && !l.EndsWith(" 0", StringComparison.Ordinal))
                && lines.Any(l => l.StartsWith("citycase_projection_lag_events{", StringComparison.Ordinal) && l.EndsWith(" 0", StringComparison.Ordinal))
                && lines.Any(l => l.StartsWith("http_server_request_duration_seconds", StringComparison.Ordinal));
        }, TimeSpan.FromSeconds(15), "a scrape with the day's backlog, caught-up shards and request durations");
        var samples = text.Split('\n').Where(l => l.Length > 0 && l[0] != '#').ToList();
        double Sum(string name, string? label = null) => samples
            .Where(l => (l.StartsWith(name + "{", StringComparison.Ordinal) || l.StartsWith(name + " ", StringComparison.Ordinal))
                && (label is null || l.Contains(label, StringComparison.Ordinal)))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
        bool Has(string name) => samples.Any(l => l.StartsWith(name, StringComparison.Ordinal));

        // Counters are the process's (several test servers may share it): at least this day's.
        Assert.True(Sum("citycase_cases_filed_total", "channel=\"Hotline\"") >= 10, "hotline cases filed");
        Assert.True(Sum("citycase_cases_filed_total", "channel=\"Sensor\"") >= 1, "sensor cases filed");
        Assert.True(Sum("citycase_sla_lights_total", "level=\"Red\"") >= 1, "red lights recorded");
        Assert.True(Sum("citycase_graphql_requests_total", "outcome=\"OK\"") >= 20, "GraphQL requests");
        Assert.True(Sum("citycase_command_duration_milliseconds_count", "command=\"dispatchCase\"") >= 1, "dispatch commands timed");
        Assert.True(Has("citycase_projection_lag_events{"), "projection lag per shard");
        Assert.True(Has("citycase_projection_lag_seconds{"), "projection lag in seconds");
        // Gauges add up the hosts of this process (tests run several at once): this host's shards are among them, caught up.
        Assert.Contains(samples.Where(l => l.StartsWith("citycase_projection_lag_events{", StringComparison.Ordinal)),
            l => l.EndsWith(" 0", StringComparison.Ordinal));
        Assert.True(Has("citycase_sla_timekeeper_backlog"), "the timekeeper's backlog");
        Assert.True(Sum("citycase_sla_timekeeper_backlog") > 0, "lights due two days on, not yet recorded");
        Assert.True(Has("http_server_request_duration_seconds"), "ASP.NET Core's request metrics");
        Assert.True(samples.Any(l => l.StartsWith("process_runtime_dotnet", StringComparison.Ordinal) || l.StartsWith("dotnet_", StringComparison.Ordinal)),
            "the .NET runtime's metrics");
        Assert.DoesNotContain("13900000000", text);
    }

    private static bool IsUnder(Activity span, Activity ancestor, List<Activity> trace)
    {
        for (var current = span; current is not null; current = trace.FirstOrDefault(a => a.SpanId == current.ParentSpanId))
            if (current.ParentSpanId == ancestor.SpanId) return true;
        return false;
    }
}

/// <summary>The exporter adds from the SDK's thread while the test reads: every access under one lock.</summary>
internal sealed class LockedList<T> : ICollection<T>
{
    private readonly List<T> _items = [];

    public List<T> Snapshot() { lock (_items) return [.. _items]; }
    public void Add(T item) { lock (_items) _items.Add(item); }
    public void Clear() { lock (_items) _items.Clear(); }
    public bool Contains(T item) { lock (_items) return _items.Contains(item); }
    public void CopyTo(T[] array, int arrayIndex) { lock (_items) _items.CopyTo(array, arrayIndex); }
    public bool Remove(T item) { lock (_items) return _items.Remove(item); }
    public int Count { get { lock (_items) return _items.Count; } }
    public bool IsReadOnly => false;
    public IEnumerator<T> GetEnumerator() => Snapshot().GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
