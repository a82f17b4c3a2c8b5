using System.Text.Json.Nodes;
using CityCase.Domain.Assessment;
using CityCase.Engine.Assessment;
using CityCase.Api.Hosting;
using CityCase.Api.Rebuild;
using CityCase.IntegrationTests.Infrastructure;
using Marten.Events.Daemon.Coordination;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;
using Npgsql;

namespace CityCase.IntegrationTests.MultiNode;

/// <summary>
/// Changing a scorecard rule while the server runs: a node with rules version 2 (other weights, a shorter acceptance
/// notice) starts beside a node with version 1 on the same database; version 2 is built beside version 1 while the reads
/// keep answering version 1, then the reads move to version 2 on every node at once, version 1's rows are removed, and
/// what was built online equals an offline rebuild with version 2's rules. Cases filed all along count in both.
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class OnlineScorecardRebuildTests
{
    private static readonly DateTimeZone Shanghai = DateTimeZoneProviders.Tzdb["Asia/Shanghai"];

    /// <summary>A working Tuesday in Shanghai (08:30-12:00, 13:30-17:30).</summary>
    private static Instant At(int hour, int minute) => new LocalDateTime(2026, 11, 24, hour, minute).InZoneStrictly(Shanghai).ToInstant();

    private static readonly CompositeWeights V1Weights = new(); // 30, 20, 20, 20, 10
    private static readonly CompositeWeights V2Weights = new(50, 10, 20, 10, 10);

    /// <summary>Version 2: other weights, and the citizen must be told of the acceptance within 0.05 working days (22.5 minutes).</summary>
    private static readonly string[] Version2 =
    [
        "--City:Scorecard:RulesVersion", "2",
        "--City:Scorecard:Weights:DisposalRate", "50", "--City:Scorecard:Weights:OnTimeDisposalRate", "10",
        "--City:Scorecard:Weights:OverdueRate", "10",
        "--City:Scorecard:AcceptanceNoticeWorkingDays", "0.05",
    ];

    private const string Figures = """
        { scorecards(dimension: DEPARTMENT, from: "2026-11-24", to: "2026-11-24") { subject counts { shouldDispose disposed disposedOnTime extended } compositeScore }
          hotlineKpis(from: "2026-11-24", to: "2026-11-24") { cases acceptanceNotifiedRate } }
        """;

    private sealed record Expected(int ShouldDispose, int Disposed, int Extended, int HotlineCases, int NotifiedInTime, CompositeWeights Weights)
    {
        public double Composite => Indicators.CompositeScore(new ScoreCounts
        {
            ShouldDispose = ShouldDispose, ShouldClose = ShouldDispose, Disposed = Disposed, DisposedOnTime = Disposed, Extended = Extended,
        }, Weights)!.Value;
    }

    private static async Task AssertFigures(CityCaseServer node, Expected expected, string when)
    {
        var response = await node.PostGraphQL(Figures, token: CityCaseServer.Token("analyst", "ann"));
        Assert.True(response.Errors is null, response.ToString());
        var d01 = response.Data!["scorecards"]!.AsArray().Single(s => s!["subject"]!.GetValue<string>() == "D01")!;
        var kpis = response.Data!["hotlineKpis"]!;
        var what = $"{when}: {response.Text}";
        Assert.True(expected.ShouldDispose == d01["counts"]!["shouldDispose"]!.GetValue<int>(), what);
        Assert.True(expected.Disposed == d01["counts"]!["disposedOnTime"]!.GetValue<int>(), what);
        Assert.True(expected.Extended == d01["counts"]!["extended"]!.GetValue<int>(), what);
        Assert.True(Math.Abs(expected.Composite - d01["compositeScore"]!.GetValue<double>()) < 1e-9, $"composite {expected.Composite}; {what}");
        Assert.True(expected.HotlineCases == kpis["cases"]!.GetValue<int>(), what);
        Assert.True(Math.Abs((double)expected.NotifiedInTime / expected.HotlineCases - kpis["acceptanceNotifiedRate"]!.GetValue<double>()) < 1e-9, what);
    }

    private static async Task<JsonNode> Versions(CityCaseServer node)
    {
        var response = await node.PostGraphQL("{ scorecardVersions { version stage sequence highWaterMark behind weights { disposalRate } } }",
            token: CityCaseServer.Token("supervisor", "sue"));
        Assert.True(response.Errors is null, response.ToString());
        return response.Data!["scorecardVersions"]!;
    }

    private static async Task<string?> StageOf(CityCaseServer node, int version) =>
        (await Versions(node)).AsArray().SingleOrDefault(v => v!["version"]!.GetValue<int>() == version)?["stage"]?.GetValue<string>();

    private static async Task<GraphQLResponse> Switch(CityCaseServer node, int version) =>
        await node.PostGraphQL("mutation($v: Int!) { switchScorecards(input: { version: $v }) { version stage behind } }", new { v = version },
            CityCaseServer.Token("admin", "root"));

    /// <summary>Rows of one version (its tenant) in the assessments and the buckets.</summary>
    private static async Task<long> RowsOf(string database, int version)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select (select count(*) from citycase.mt_doc_caseassessment where tenant_id = $1) + (select count(*) from citycase.mt_doc_scorebucket where tenant_id = $1)",
            connection) { Parameters = { new() { Value = ScorecardVersion.TenantOf(version) } } };
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<List<string>> SnapshotOf(string database, int version)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        var rows = new List<string>();
        foreach (var table in new[] { "mt_doc_caseassessment", "mt_doc_scorebucket" })
        {
            await using var command = new NpgsqlCommand($"select '{table} ' || id::text || ' ' || data::text from citycase.{table} where tenant_id = $1 order by id",
                connection) { Parameters = { new() { Value = ScorecardVersion.TenantOf(version) } } };
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) rows.Add(reader.GetString(0));
        }
        return rows;
    }

    /// <summary>Three hotline cases dispatched to D01 on version 1's node: A disposed on time and told in 10 minutes, B told after an hour, C extended.</summary>
    private static async Task PlayTheMorning(CityCaseServer node, FakeClock clock)
    {
        var client = new CaseClient(node);
        var d01 = CaseClient.Department("D01");
        object notify(string kind) => new { kind, channel = "SMS" };
        async Task<string> Report(int h, int m) { clock.Reset(At(h, m)); return (await client.Report(categoryCode: "1101")).Id; }
        async Task Step(int h, int m, string mutation, string token, string id, object? fields = null) { clock.Reset(At(h, m)); await client.Must(mutation, token, id, fields); }
        object accept = new { categoryCode = "1101", urgency = "NORMAL" };

        var a = await Report(9, 0);
        await Step(9, 5, "acceptCase", client.Agent, a, accept);
        await Step(9, 10, "notifyCitizen", client.Agent, a, notify("ACCEPTANCE"));
        var b = await Report(9, 15);
        await Step(9, 20, "acceptCase", client.Agent, b, accept);
        var c = await Report(9, 30);
        await Step(9, 35, "acceptCase", client.Agent, c, accept);
        foreach (var (id, minute) in new[] { (a, 40), (b, 41), (c, 42) })
        {
            await Step(9, minute, "dispatchCase", client.Dispatcher, id, new { departmentCode = "D01" });
            await Step(9, minute + 3, "signCase", d01, id);
        }
        await Step(10, 15, "notifyCitizen", client.Agent, b, notify("ACCEPTANCE")); // an hour: in time for version 1 only
        await Step(10, 20, "requestExtension", d01, c, new { extraWorkingHours = 2.0, reason = "Needs a sweeper truck" });
        await Step(10, 25, "decideExtension", client.Dispatcher, c, new { approve = true });
        await Step(10, 30, "reportDisposal", d01, a, new { result = "Swept" });
        await Step(10, 40, "verifyDisposal", client.Inspector, a, new { passed = true });
        await Step(10, 50, "closeCase", client.Dispatcher, a);
    }

    [Fact]
    public async Task A_new_rules_version_is_built_beside_the_old_one_and_the_reads_move_to_it_when_an_admin_switches()
    {
        var clock = new FakeClock(At(8, 45));
        var first = new CityCaseServer { Clock = clock, Arguments = ["--Sla:PollSeconds", "0"] };
        await first.InitializeAsync();
        var database = first.ConnectionString;
        var second = new CityCaseServer { Clock = clock, SharedDatabase = database, Arguments = ["--Sla:PollSeconds", "0", "--City:Scorecard:Switch", "Manual", .. Version2] };
        try
        {
            var client = new CaseClient(first);
            await PlayTheMorning(first, clock);
            await first.WaitForProjectionsAsync();
            // D01: A, B, C to dispose, A disposed on time, C extended: 30/3 + 20/3 + 20 + 20 + 10·2/3 = 63.33; A and B told in time.
            await AssertFigures(first, new Expected(3, 1, 1, 3, 2, V1Weights), "version 1 alone");

            // The node with version 2 builds it from the first event beside version 1, which the reads keep answering.
            await second.InitializeAsync();
            clock.Reset(At(11, 0));
            await client.Report("D: filed while version 2 is built", categoryCode: "1101");
            await Eventually.WaitUntil(async () => await StageOf(second, 2) == "READY", TimeSpan.FromSeconds(20), "version 2 caught up");
            await first.WaitForProjectionsAsync();
            foreach (var node in new[] { first, second })
                await AssertFigures(node, new Expected(3, 1, 1, 4, 2, V1Weights), "version 2 built, not switched");
            Assert.Equal("ACTIVE", await StageOf(first, 1));

            // Its shard paused (as if its node were busy), version 2 falls behind while cases keep coming: the switch is refused.
            var coordinator = second.Services.GetRequiredService<IProjectionCoordinator>();
            await coordinator.PauseAsync();
            clock.Reset(At(11, 10));
            var e = (await client.Report("E: filed while version 2 is paused", categoryCode: "1101")).Id;
            await client.Must("acceptCase", client.Agent, e, new { categoryCode = "1101", urgency = "NORMAL" });
            await client.Must("dispatchCase", client.Dispatcher, e, new { departmentCode = "D01" });
            await first.WaitForProjectionsAsync();
            await Eventually.WaitUntil(async () => await StageOf(second, 2) == "BUILDING", TimeSpan.FromSeconds(20), "version 2 seen behind");
            var refused = await Switch(first, 2);
            Assert.Equal("VALIDATION_FAILED", refused.FirstErrorCode);
            Assert.Contains("Scorecard version 2 is still being built", refused.FirstErrorMessage);
            Assert.Contains("The reads stay on version 1", refused.FirstErrorMessage);
            // A version being built does not make the nodes unready: readiness follows the version the reads answer from.
            Assert.Contains("projections are 0 events behind", await second.Http.GetStringAsync("/health/ready"));
            // Version 1 counted E: 30/4 + 20/4 + 20 + 20 + 10·3/4 = 60.
            foreach (var node in new[] { first, second })
                await AssertFigures(node, new Expected(4, 1, 1, 5, 2, V1Weights), "version 2 behind");

            await coordinator.ResumeAsync();
            await Eventually.WaitUntil(async () => await StageOf(second, 2) == "READY", TimeSpan.FromSeconds(20), "version 2 caught up again");
            var switched = await Switch(first, 2); // asked on the old node: the pointer is in PostgreSQL
            Assert.True(switched.Errors is null, switched.ToString());
            Assert.Equal("ACTIVE", switched.Data!["switchScorecards"]!["stage"]!.GetValue<string>());
            Assert.Equal("RETIRED", await StageOf(second, 1));
            var back = await Switch(second, 1);
            Assert.Equal("VALIDATION_FAILED", back.FirstErrorCode);
            Assert.Contains("the scorecards only move forward", back.FirstErrorMessage);

            // Both nodes answer version 2 at once: 50/4 + 10/4 + 20 + 10 + 10·3/4 = 52.5, and only A was told within 22.5 minutes.
            foreach (var node in new[] { first, second })
                await AssertFigures(node, new Expected(4, 1, 1, 5, 1, V2Weights), "switched to version 2");

            // A case filed on the old node after the switch counts in version 2; version 1's rows are gone and stay gone.
            clock.Reset(At(11, 30));
            var f = (await client.Report("F: filed after the switch", categoryCode: "1101")).Id;
            clock.Reset(At(11, 32));
            await client.Must("acceptCase", client.Agent, f, new { categoryCode = "1101", urgency = "NORMAL" });
            clock.Reset(At(11, 35));
            await client.Must("notifyCitizen", client.Agent, f, new { kind = "ACCEPTANCE", channel = "SMS" });
            await second.WaitForProjectionsAsync();
            await first.WaitForProjectionsAsync();
            await Eventually.WaitUntil(async () => await RowsOf(database, 1) == 0, TimeSpan.FromSeconds(15), "version 1's rows removed");
            foreach (var node in new[] { first, second })
                await AssertFigures(node, new Expected(4, 1, 1, 6, 2, V2Weights), "a case after the switch");
            Assert.Equal(0, await RowsOf(database, 1));
            Assert.True(await RowsOf(database, 2) > 0);

            // What was built online equals a rebuild from the events alone with version 2's rules.
            await second.DisposeAsync();
            await first.DisposeAsync();
            var online = await SnapshotOf(database, 2);
            // The rebuild verb's own code, in this process (RebuildTests run it as a process): the scorecards torn down and replayed.
            Assert.Equal(0, await RebuildVerb.RunAsync([ScorecardProjection.Name, "--environment", "Development", "--ConnectionStrings:Marten", database, .. Version2]));
            var rebuilt = await SnapshotOf(database, 2);
            Assert.Equal(online.Count, rebuilt.Count);
            Assert.Equal(online, rebuilt);
            Assert.Equal(0, await RowsOf(database, 1));
        }
        finally
        {
            await second.DisposeAsync();
            await first.DisposeAsync();
        }
    }

    /// <summary>Under HotCold each shard has its own advisory lock; under Wolverine's managed distribution, version 2's shard exists only on its node.</summary>
    [Theory]
    [InlineData("HotCold")]
    [InlineData("Wolverine")]
    public async Task A_node_with_newer_rules_switches_by_itself_once_caught_up_and_old_nodes_follow_without_going_back(string mode)
    {
        var clock = new FakeClock(At(8, 45));
        var first = new CityCaseServer { Clock = clock, Arguments = ["--Sla:PollSeconds", "0", "--City:ProjectionDaemon", mode] };
        await first.InitializeAsync();
        var database = first.ConnectionString;
        var second = new CityCaseServer { Clock = clock, SharedDatabase = database, Arguments = ["--Sla:PollSeconds", "0", "--City:ProjectionDaemon", mode, .. Version2] };
        try
        {
            await PlayTheMorning(first, clock);
            await first.WaitForProjectionsAsync();
            await AssertFigures(first, new Expected(3, 1, 1, 3, 2, V1Weights), "version 1 alone");

            // Changed rules under the same version would mix two sets of figures in one: such a node refuses to start.
            await using (var changed = await CityCaseApp.BuildAsync(["--environment", "Development", "--urls", "http://127.0.0.1:0",
                             "--ConnectionStrings:Marten", database, "--City:ProjectionDaemon", "Disabled", "--City:Scorecard:Weights:DisposalRate", "40",
                             "--City:Scorecard:Weights:ExtensionRate", "0"]))
            {
                var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => changed.StartAsync());
                Assert.Contains("differ from those recorded for City:Scorecard:RulesVersion 1", refused.Message);
                Assert.Contains("City:Scorecard:RulesVersion=2 or more", refused.Message);
            }

            // Version 2's node (Switch: Automatic, the default) builds it and moves every node's reads to it by itself.
            await second.InitializeAsync();
            await Eventually.WaitUntil(async () => await StageOf(first, 2) == "ACTIVE", TimeSpan.FromSeconds(30), "the automatic switch");
            foreach (var node in new[] { first, second })
                await AssertFigures(node, new Expected(3, 1, 1, 3, 1, V2Weights), "switched by itself");
            await Eventually.WaitUntil(async () => await RowsOf(database, 1) == 0, TimeSpan.FromSeconds(15), "version 1's rows removed");

            // An old node restarted after the switch (a rolling deploy going the other way) answers version 2's figures with
            // version 2's weights, does not move the pointer back, and writes no rows of its own version.
            await first.RestartAsync();
            var client = new CaseClient(first);
            clock.Reset(At(11, 0));
            await client.Report("Filed on the old node after the switch", categoryCode: "1101");
            await second.WaitForProjectionsAsync();
            await first.WaitForProjectionsAsync();
            foreach (var node in new[] { first, second })
                await AssertFigures(node, new Expected(3, 1, 1, 4, 1, V2Weights), "an old node back after the switch");
            Assert.Equal("ACTIVE", await StageOf(first, 2));
            Assert.Equal("RETIRED", await StageOf(first, 1));
            Assert.Equal(0, await RowsOf(database, 1));
        }
        finally
        {
            await second.DisposeAsync();
            await first.DisposeAsync();
        }
    }
}
