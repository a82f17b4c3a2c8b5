using System.Text.Json.Nodes;
using CityCase.IntegrationTests.Infrastructure;
using Npgsql;

namespace CityCase.IntegrationTests.Privacy;

/// <summary>
/// Crypto-shredding through HTTP and SQL on a real server: no table holds a citizen in clear text, an admin's
/// erasure destroys the case's key so the events, the view, the history and the phone lookup no longer reveal
/// them, and every other fact of the case stays.
/// </summary>
public sealed class CitizenErasureTests(CityCaseServer server) : IClassFixture<CityCaseServer>
{
    private readonly CaseClient _client = new(server);
    private static readonly string Admin = CityCaseServer.Token("admin", "root");

    private const string Erase = "mutation($input: EraseCitizenDataInput!) { eraseCitizenData(input: $input) { case { id status } } }";
    private const string Lookup = "query($phone: String!) { casesByCallerPhone(phone: $phone) { id number status } }";

    /// <summary>A caller of the test's own, so no other test's case shares the name or the phone.</summary>
    private static (string Name, string Phone) NewCaller() =>
        ($"Qian{Random.Shared.Next(100_000, 999_999)}", $"137{Random.Shared.Next(10_000_000, 99_999_999)}");

    private async Task<string> Report((string Name, string Phone) caller)
    {
        var response = await server.PostGraphQL(Samples.ReportComplaint, new
        {
            input = new
            {
                description = "Rubbish left by the bus stop", location = new { longitude = 121.4737, latitude = 31.2304 },
                citizen = new { name = caller.Name, phone = caller.Phone },
            },
        }, _client.Agent);
        Assert.True(response.Errors is null, response.ToString());
        return (string)response.Data!["reportComplaint"]!["case"]!["id"]!;
    }

    /// <summary>Rows of every table in the city's schema (events, read models, keys, idempotency, chain...) whose text holds <paramref name="text"/>.</summary>
    private async Task<List<string>> TablesHolding(string text)
    {
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand(
                         "select table_name from information_schema.tables where table_schema = 'citycase' and table_type = 'BASE TABLE'", connection))
        await using (var reader = await list.ExecuteReaderAsync())
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        var holding = new List<string>();
        foreach (var table in tables)
        {
            await using var scan = new NpgsqlCommand($"select count(*) from citycase.\"{table}\" t where t::text like '%' || $1 || '%'", connection)
            { Parameters = { new() { Value = text } } };
            if ((long)(await scan.ExecuteScalarAsync())! > 0) holding.Add(table);
        }
        Assert.True(tables.Count >= 8, string.Join(", ", tables));
        return holding;
    }

    private async Task<JsonNode> CaseAs(string token, string id)
    {
        var response = await server.PostGraphQL(
            "query($id: ID) { case(id: $id) { status categoryCode citizenErased citizen { name phone erased } timeline { reportedAt acceptedAt voidedAt } } }",
            new { id }, token);
        Assert.True(response.Errors is null, response.ToString());
        return response.Data!["case"]!;
    }

    private async Task<List<string>> FoundByPhone(string phone)
    {
        var response = await server.PostGraphQL(Lookup, new { phone }, _client.Agent);
        Assert.True(response.Errors is null, response.ToString());
        return response.Data!["casesByCallerPhone"]!.AsArray().Select(c => (string)c!["id"]!).ToList();
    }

    [Fact]
    public async Task No_table_holds_a_citizen_in_clear_text_yet_those_allowed_see_them_and_agents_find_earlier_cases_by_phone()
    {
        var caller = NewCaller();
        var first = await Report(caller);
        var second = await Report(caller);
        await _client.Must("acceptCase", _client.Dispatcher, second, new { categoryCode = "0101", urgency = "NORMAL" });

        Assert.Empty(await TablesHolding(caller.Name));
        Assert.Empty(await TablesHolding(caller.Phone));
        Assert.Empty(await TablesHolding(caller.Phone[3..])); // not even the digits the mask shows

        Assert.Equal(caller.Phone, (string?)(await CaseAs(_client.Agent, first))["citizen"]!["phone"]);
        Assert.Equal(caller.Phone[..3] + "****" + caller.Phone[^4..], (string?)(await CaseAs(_client.Dispatcher, first))["citizen"]!["phone"]);
        Assert.Equal([second, first], await FoundByPhone(caller.Phone));
        Assert.Equal([second, first], await FoundByPhone($"+86 {caller.Phone[..3]}-{caller.Phone[3..7]}-{caller.Phone[7..]}"));
        Assert.Empty(await FoundByPhone("13000000001"));
        Assert.Equal("FORBIDDEN", (await server.PostGraphQL(Lookup, new { phone = caller.Phone }, _client.Dispatcher)).FirstErrorCode);
    }

    [Fact]
    public async Task An_admin_erases_a_closed_cases_citizen_everywhere_once_and_every_other_fact_stays()
    {
        var caller = NewCaller();
        var id = await Report(caller);
        var other = await Report(caller); // the same caller's other case keeps its own key
        await _client.Must("acceptCase", _client.Dispatcher, id, new { categoryCode = "0101", urgency = "NORMAL" });
        var beforeErasure = DateTime.UtcNow.ToString("O");

        var open = await server.PostGraphQL(Erase, new { input = new { caseId = id, reason = "citizen asked, ticket 12" } }, Admin);
        Assert.Equal("INVALID_TRANSITION", open.FirstErrorCode);
        Assert.Contains("still open", open.FirstErrorMessage);
        Assert.DoesNotContain(caller.Phone, open.Text);
        await _client.Must("voidCase", _client.Dispatcher, id, new { reason = "duplicate call" });
        Assert.Equal("FORBIDDEN", (await server.PostGraphQL(Erase, new { input = new { caseId = id, reason = "x" } }, _client.Agent)).FirstErrorCode);

        var erased = await server.PostGraphQL(Erase, new { input = new { caseId = id, reason = "citizen asked, ticket 12" } }, Admin);
        Assert.True(erased.Errors is null, erased.ToString());
        var again = await server.PostGraphQL(Erase, new { input = new { caseId = id, reason = "citizen asked again" } }, Admin);
        Assert.True(again.Errors is null, again.ToString());
        Assert.Equal(1, await _client.EventsOf(id, "citizen_data_erased"));

        // The case view: erased for every reader who sees citizens; the rest of the case as it was.
        var view = await CaseAs(_client.Agent, id);
        Assert.Equal("VOIDED", (string?)view["status"]);
        Assert.Equal("0101", (string?)view["categoryCode"]);
        Assert.True((bool)view["citizenErased"]!);
        Assert.NotNull((string?)view["timeline"]!["acceptedAt"]);
        Assert.NotNull((string?)view["timeline"]!["voidedAt"]);
        Assert.Equal("""{"name":null,"phone":null,"erased":true}""", view["citizen"]!.ToJsonString());
        Assert.True((bool)(await CaseAs(_client.Auditor, id))["citizen"]!["erased"]!);

        // The history and the case as it stood before: erased, never an error; the erasure itself is on the record.
        var history = await server.PostGraphQL("query($id: ID!) { caseHistory(id: $id) { type actor { userId } data } }", new { id }, _client.Agent);
        Assert.True(history.Errors is null, history.ToString());
        Assert.DoesNotContain(caller.Phone, history.Text);
        Assert.DoesNotContain(caller.Name, history.Text);
        var entries = history.Data!["caseHistory"]!.AsArray();
        Assert.Contains("\"erased\":true", (string)entries[0]!["data"]!);
        var erasure = entries.Single(e => (string)e!["type"]! == "CitizenDataErased")!;
        Assert.Equal("root", (string?)erasure["actor"]!["userId"]);
        Assert.Contains("citizen asked, ticket 12", (string)erasure["data"]!);
        var asOf = await server.PostGraphQL("query($id: ID!, $at: Instant!) { caseAsOf(id: $id, at: $at) { status citizen { name phone erased } } }",
            new { id, at = beforeErasure }, _client.Agent);
        Assert.True(asOf.Errors is null, asOf.ToString());
        Assert.Equal("ACCEPTED", (string?)asOf.Data!["caseAsOf"]!["status"]);
        Assert.True((bool)asOf.Data!["caseAsOf"]!["citizen"]!["erased"]!);

        // SQL: the key and the phone's hash are gone; the events still hold only the sealed form, which no longer opens.
        await using (var connection = new NpgsqlConnection(server.ConnectionString))
        {
            await connection.OpenAsync();
            await using var keys = new NpgsqlCommand("select count(*) from citycase.mt_doc_citizenkey where id = $1", connection)
            { Parameters = { new() { Value = Guid.Parse(id) } } };
            Assert.Equal(0L, await keys.ExecuteScalarAsync());
            await using var viewRow = new NpgsqlCommand("select data->'citizen' is null or jsonb_typeof(data->'citizen') = 'null' from citycase.mt_doc_caseview where id = $1", connection)
            { Parameters = { new() { Value = Guid.Parse(id) } } };
            Assert.Equal(true, await viewRow.ExecuteScalarAsync());
        }
        Assert.Empty(await TablesHolding(caller.Name));
        Assert.Empty(await TablesHolding(caller.Phone));

        // The lookup no longer finds the erased case; the caller's other case is untouched.
        Assert.Equal([other], await FoundByPhone(caller.Phone));
        Assert.Equal(caller.Phone, (string?)(await CaseAs(_client.Agent, other))["citizen"]!["phone"]);
    }

    [Fact]
    public async Task A_merged_duplicates_reporter_stays_sealed_under_its_own_key_and_is_erased_with_it()
    {
        var (original, duplicate) = (await Report(NewCaller()), NewCaller());
        var duplicateId = await Report(duplicate);
        await _client.Must("mergeCase", _client.Dispatcher, duplicateId, new { intoCaseId = original });
        const string linked = "query($id: ID) { case(id: $id) { linkedReporters { phone erased } } }";

        var before = await server.PostGraphQL(linked, new { id = original }, _client.Agent);
        Assert.Equal(duplicate.Phone, (string?)before.Data!["case"]!["linkedReporters"]![0]!["phone"]);

        var erased = await server.PostGraphQL(Erase, new { input = new { caseId = duplicateId, reason = "citizen asked" } }, Admin);
        Assert.True(erased.Errors is null, erased.ToString());
        var after = await server.PostGraphQL(linked, new { id = original }, _client.Agent);
        Assert.Equal("""[{"phone":null,"erased":true}]""", after.Data!["case"]!["linkedReporters"]!.ToJsonString());
        Assert.Empty(await FoundByPhone(duplicate.Phone));
    }
}
