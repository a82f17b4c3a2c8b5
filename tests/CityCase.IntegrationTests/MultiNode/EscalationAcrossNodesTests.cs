using CityCase.Engine.Supervision;
using CityCase.IntegrationTests.Hosting;
using CityCase.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;
using Npgsql;

namespace CityCase.IntegrationTests.MultiNode;

/// <summary>
/// Automatic escalation on two nodes over one PostgreSQL: both nodes' escalators find the same due steps at the same
/// moment, again and again, and every case still gets each level exactly once.
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class EscalationAcrossNodesTests
{
    private const int Cases = 10;
    private static readonly DateTimeZone Shanghai = DateTimeZoneProviders.Tzdb["Asia/Shanghai"];

    private static Instant At(int day, int hour, int minute) =>
        new LocalDateTime(2026, 11, day, hour, minute).InZoneStrictly(Shanghai).ToInstant();

    [Fact]
    public async Task Two_nodes_escalating_the_same_cases_at_once_record_each_level_once()
    {
        var database = await TestPostgres.CreateDatabaseAsync("escalation");
        var clock = new FakeClock(At(24, 9, 0));
        var a = new CityCaseServer { SharedDatabase = database, Clock = clock, Arguments = ["--Sla:PollSeconds", "0"] };
        var b = new CityCaseServer { SharedDatabase = database, Clock = clock, Arguments = ["--Sla:PollSeconds", "0"] };
        await a.InitializeAsync();
        await b.InitializeAsync();
        try
        {
            // Street not clean, dispatched at 09:00 to D01: due 15:30 (5 working hours, lunch 12:00-13:30 not counted).
            var client = new CaseClient(a);
            var ids = new List<string>();
            for (var i = 0; i < Cases; i++)
            {
                var (id, _) = await client.Report($"Street not clean {i}", categoryCode: "1101");
                await client.Must("acceptCase", client.Dispatcher, id, new { categoryCode = "1101", urgency = "NORMAL" });
                await client.Must("dispatchCase", client.Dispatcher, id, new { departmentCode = "D01" });
                ids.Add(id);
            }

            // Red on both nodes' timekeepers (one level per pass; a light that lost a race comes due again): one 催办 per case.
            clock.Reset(At(24, 15, 45));
            for (var pass = 0; pass < 6; pass++)
            {
                await a.RunTimekeeperOnceAsync();
                await b.RunTimekeeperOnceAsync();
            }
            Assert.True(Cases == await TestPostgres.ScalarAsync(database, "select count(*) from citycase.mt_events where type = 'case_supervised'"),
                $"lights: {await TestPostgres.ScalarAsync(database, "select count(*) from citycase.mt_events where type = 'sla_light_changed'")}, " +
                $"red disposal: {await TestPostgres.ScalarAsync(database, "select count(*) from citycase.mt_events where type = 'sla_light_changed' and data ->> 'clock' = 'Disposal' and data ->> 'light' = 'Red'")}, " +
                $"events: {await TestPostgres.ScalarAsync(database, "select count(*) from citycase.mt_events")}");

            // The 督办 step (8 working hours past 15:30: Wednesday 16:00) is due on both nodes: each escalator passes four times.
            clock.Reset(At(25, 16, 30));
            await Task.WhenAll(Enumerable.Range(0, 4).SelectMany(_ => new[] { Escalate(a), Escalate(b) }));
            var perCase = await TestPostgres.ScalarAsync(database, """
                select count(*) from (select stream_id, count(*) as n from citycase.mt_events where type = 'case_supervised'
                                      group by stream_id) s where n <> 2
                """);
            Assert.Equal(0, perCase);
            Assert.Equal(2 * Cases, await TestPostgres.ScalarAsync(database, "select count(*) from citycase.mt_events where type = 'case_supervised'"));
            Assert.Equal(Cases, await TestPostgres.ScalarAsync(database,
                "select count(*) from citycase.mt_events where type = 'case_supervised' and data ->> 'level' = 'Supervision'"));
        }
        finally
        {
            await b.DisposeAsync();
            await a.DisposeAsync();
        }
    }

    private static Task<int> Escalate(CityCaseServer node) => node.Services.GetRequiredService<SupervisionEscalator>().RunOnceAsync();

}
