using System.Security.Cryptography;
using System.Text.Json.Nodes;
using CityCase.Engine;
using CityCase.Engine.Audit;
using CityCase.IntegrationTests.Hosting;
using CityCase.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace CityCase.IntegrationTests.Audit;

/// <summary>
/// The whole store against its signed anchors: a server signing with a key of the test's own, anchors only on demand
/// (so their numbers are the test's), files written for the auditor, and the database owner rewriting it with SQL.
/// </summary>
public sealed class AuditAnchorTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("citycase-audit-").FullName;
    private string PrivateKeyFile => Path.Combine(_folder, "signing-key.pem");
    private string PublicKeyFile => Path.Combine(_folder, "signing-key.pub.pem");
    private string AnchorDirectory => Path.Combine(_folder, "anchors");
    private CityCaseServer _server = null!;
    private CaseClient _client = null!;
    private static readonly string Admin = CityCaseServer.Token("admin", "root");

    public async Task InitializeAsync()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await File.WriteAllTextAsync(PrivateKeyFile, key.ExportPkcs8PrivateKeyPem());
        await File.WriteAllTextAsync(PublicKeyFile, key.ExportSubjectPublicKeyInfoPem());
        _server = new CityCaseServer
        {
            Arguments = ["--City:Audit:SigningKeyFile", PrivateKeyFile, "--City:Audit:AnchorDirectory", AnchorDirectory,
                         "--City:Audit:AnchorInterval", "00:00:00"],
        };
        await _server.InitializeAsync();
        _client = new CaseClient(_server);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private async Task<JsonNode> Anchor()
    {
        var response = await _server.PostGraphQL("mutation { anchorAudit { anchor { number headsMoved keyId } refusal } }", null, Admin);
        Assert.True(response.Errors is null, response.ToString());
        return response.Data!["anchorAudit"]!;
    }

    private async Task<JsonNode> VerifyOverHttp()
    {
        var response = await _server.PostGraphQL(
            "{ verifyAudit { intact checkedEvents checkedCases checkedAnchors problems { caseId version anchor problem } } }", null, _client.Auditor);
        Assert.True(response.Errors is null, response.ToString());
        return response.Data!["verifyAudit"]!;
    }

    private Task<(int ExitCode, string Stdout, string Stderr)> VerifyByVerb(string publicKeyFile) =>
        ServerProcess.RunToEnd("verify-audit", "--public-key", publicKeyFile, "--anchors", AnchorDirectory,
            "--ConnectionStrings:Marten", _server.ConnectionString);

    private async Task Sql(string sql)
    {
        await using var connection = new NpgsqlConnection(_server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static JsonNode? ProblemOf(JsonNode report, string caseId) =>
        report["problems"]!.AsArray().FirstOrDefault(p => p!["caseId"]?.GetValue<string>() == caseId);

    [Fact]
    public async Task Deleting_a_last_event_or_a_case_or_rewriting_a_chain_after_an_anchor_is_found_with_the_public_key_alone()
    {
        var (lastEventDeleted, _) = await _client.Report("Street sign missing");
        var (caseDeleted, _) = await _client.Report("Flooded underpass");
        var (chainRewritten, _) = await _client.Report("Noise from a building site at night");
        foreach (var id in new[] { lastEventDeleted, caseDeleted })
        {
            await _client.Must("acceptCase", _client.Dispatcher, id, new { categoryCode = "1104", urgency = "NORMAL" });
            await _client.Must("dispatchCase", _client.Dispatcher, id);
        }
        var first = await Anchor();
        Assert.Equal(1, first["anchor"]!["number"]!.GetValue<long>());
        Assert.Equal(4, first["anchor"]!["headsMoved"]!.GetValue<long>()); // the three cases and the calendar's stream
        await _client.Must("acceptCase", _client.Dispatcher, chainRewritten, new { categoryCode = "1104", urgency = "NORMAL" });
        var second = await Anchor();
        Assert.Equal(1, second["anchor"]!["headsMoved"]!.GetValue<long>()); // only the case accepted since
        await _client.Must("dispatchCase", _client.Dispatcher, chainRewritten);

        // Intact: over HTTP, and by the verb with the public key and the auditor's copies of the anchor files.
        var intact = await VerifyOverHttp();
        Assert.True(intact["intact"]!.GetValue<bool>(), intact.ToJsonString());
        Assert.Equal(2, intact["checkedAnchors"]!.GetValue<long>());
        Assert.Equal(await _server.CountEvents(), intact["checkedEvents"]!.GetValue<long>());
        Assert.Equal(2, Directory.GetFiles(AnchorDirectory, "anchor-*.txt").Length);
        var (exitCode, stdout, stderr) = await VerifyByVerb(PublicKeyFile);
        Assert.True(exitCode == 0, stdout + stderr);
        Assert.Contains("Audit trail intact", stdout);
        Assert.Contains("2 kept copies matched", stdout);

        // Another key cannot vouch for these anchors.
        var strangerKey = Path.Combine(_folder, "stranger.pub.pem");
        using (var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256))
            await File.WriteAllTextAsync(strangerKey, stranger.ExportSubjectPublicKeyInfoPem());
        var (strangerExit, strangerOut, _) = await VerifyByVerb(strangerKey);
        Assert.Equal(1, strangerExit);
        Assert.Contains("not among the public keys given", strangerOut);

        // The database owner covers their tracks with SQL: links, mt_streams and the chain all made to agree.
        var lastVersion = await _client.EventsOf(lastEventDeleted);
        await Sql($"""
            delete from citycase.mt_events where stream_id = '{lastEventDeleted}' and version = {lastVersion};
            delete from citycase.cc_event_chain where stream_id = '{lastEventDeleted}' and version = {lastVersion};
            update citycase.mt_streams set version = {lastVersion - 1} where id = '{lastEventDeleted}';
            delete from citycase.mt_events where stream_id = '{caseDeleted}';
            delete from citycase.cc_event_chain where stream_id = '{caseDeleted}';
            delete from citycase.mt_streams where id = '{caseDeleted}';
            update citycase.mt_events set data = jsonb_set(data, array['urgency'], '"Urgent"') where stream_id = '{chainRewritten}' and version = 4;
            do $$
            declare e record; previous text;
            begin
              for e in select * from citycase.mt_events where stream_id = '{chainRewritten}' order by version loop
                previous := citycase.cc_audit_link(previous, e.stream_id, e.version, e.seq_id, e.type, e.timestamp, e.correlation_id, e.causation_id, e.data);
                update citycase.cc_event_chain set hash = previous where stream_id = e.stream_id and version = e.version;
              end loop;
            end $$;
            """);

        var broken = await VerifyOverHttp();
        Assert.False(broken["intact"]!.GetValue<bool>());
        Assert.Equal(3, broken["problems"]!.AsArray().Count);
        Assert.Equal(lastVersion, ProblemOf(broken, lastEventDeleted)!["version"]!.GetValue<long>());
        Assert.Contains("anchor 1 signed the case up to version", ProblemOf(broken, lastEventDeleted)!["problem"]!.GetValue<string>());
        Assert.Equal(1, ProblemOf(broken, caseDeleted)!["version"]!.GetValue<long>());
        Assert.Contains("every event of the case was deleted", ProblemOf(broken, caseDeleted)!["problem"]!.GetValue<string>());
        Assert.Equal(4, ProblemOf(broken, chainRewritten)!["version"]!.GetValue<long>());
        Assert.Contains("anchor 2", ProblemOf(broken, chainRewritten)!["problem"]!.GetValue<string>());

        // The deleted case's own audit says so too, rather than "not found".
        var deletedCase = await _server.PostGraphQL("query($id: ID!) { auditChain(caseId: $id) { intact firstBrokenVersion } }",
            new { id = caseDeleted }, _client.Auditor);
        Assert.True(deletedCase.Errors is null, deletedCase.ToString());
        Assert.False(deletedCase.Data!["auditChain"]!["intact"]!.GetValue<bool>());

        // A broken store is never signed: the rewrite cannot be made official by the next anchor.
        var refused = await Anchor();
        Assert.Null(refused["anchor"]);
        Assert.Contains("broken", refused["refusal"]!.GetValue<string>());

        // The owner deletes the anchor that catches the rewrite, and alters the heads of the one before: the database
        // alone no longer shows the rewrite, but the auditor's copy of anchor 2 and the signature of anchor 1 do.
        await Sql($"""
            delete from citycase.cc_audit_anchor_head where anchor = 2;
            delete from citycase.cc_audit_anchor where number = 2;
            update citycase.cc_audit_anchor_head set version = 2 where anchor = 1 and stream_id = '{lastEventDeleted}';
            """);
        var (brokenExit, brokenOut, brokenErr) = await VerifyByVerb(PublicKeyFile);
        Assert.True(brokenExit == 1, brokenOut + brokenErr);
        Assert.Contains("anchor 2: it was deleted from the database", brokenOut);
        Assert.Contains("anchor 1: its heads in cc_audit_anchor_head are not those it signed", brokenOut);
        Assert.Contains($"case {caseDeleted} version 1: every event of the case was deleted", brokenOut);
    }

}

/// <summary>The scheduled anchor is signed once per interval, whichever of several nodes gets there first; never with a key in the database.</summary>
public sealed class AuditAnchorScheduleTests
{
    [Fact]
    public void Outside_Development_a_signing_key_must_be_configured()
    {
        var key = new AuditSigningKey(new CitySettings(), new HostingEnvironment { EnvironmentName = "Production" },
            NullLogger<AuditSigningKey>.Instance);
        var refusal = Assert.Throws<InvalidOperationException>(() => key.Id);
        Assert.Contains("City:Audit:SigningKeyFile", refusal.Message);
    }

    [Fact]
    public async Task Two_nodes_sign_one_anchor_per_interval_and_number_on_demand_anchors_after_it()
    {
        var database = await TestPostgres.CreateDatabaseAsync("anchors");
        string[] soon = ["--City:Audit:FirstPassDelay", "00:00:00"];
        var nodes = new[] { new CityCaseServer { SharedDatabase = database, Arguments = soon }, new CityCaseServer { SharedDatabase = database, Arguments = soon } };
        await nodes[0].InitializeAsync();
        try
        {
            await nodes[1].InitializeAsync();
            await using var connection = new NpgsqlConnection(database);
            await connection.OpenAsync();
            async Task<long> Count(string where)
            {
                await using var command = new NpgsqlCommand($"select count(*) from citycase.cc_audit_anchor where {where}", connection);
                return (long)(await command.ExecuteScalarAsync())!;
            }
            // Each node makes a pass at start-up; wait until both have had time to.
            for (var i = 0; i < 100 && await Count("period is not null") == 0; i++) await Task.Delay(100);
            await Task.Delay(1000);
            Assert.Equal(1, await Count("period is not null"));

            var response = await nodes[1].PostGraphQL("mutation { anchorAudit { anchor { number } } }", null, CityCaseServer.Token("admin", "root"));
            Assert.True(response.Errors is null, response.ToString());
            Assert.Equal(2, response.Data!["anchorAudit"]!["anchor"]!["number"]!.GetValue<long>());
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
        }
    }
}
