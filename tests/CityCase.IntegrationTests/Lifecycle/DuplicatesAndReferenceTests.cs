using CityCase.IntegrationTests.Infrastructure;

namespace CityCase.IntegrationTests.Lifecycle;

public sealed class DuplicatesAndReferenceTests(CityCaseServer server) : IClassFixture<CityCaseServer>
{
    private readonly CaseClient _client = new(server);

    [Fact]
    public async Task Open_cases_of_the_same_category_within_a_kilometre_are_candidates_nearest_first_and_a_duplicate_merges()
    {
        // A unique category per run keeps other tests' cases out of the picture.
        const string category = "0601";
        async Task<string> Filed(double longitude, double latitude)
        {
            var (id, _) = await _client.Report("Broken exercise machine", longitude, latitude);
            await _client.Must("acceptCase", _client.Dispatcher, id, new { categoryCode = category, urgency = "NORMAL" });
            return id;
        }

        var subject = await Filed(121.4705, 31.2375);     // the district's north-west corner
        var near = await Filed(121.4707, 31.2376);        // ~22 m
        var farther = await Filed(121.4725, 31.2370);     // ~200 m
        await Filed(121.4770, 31.2340);                   // ~730 m
        await Filed(121.4760, 31.2330);                   // ~720 m
        var tooFar = await Filed(121.4820, 31.2302);      // ~1,360 m: the south-east corner
        var closed = await Filed(121.4706, 31.2375);
        await _client.Must("voidCase", _client.Dispatcher, closed, new { reason = "test" });

        var response = await server.PostGraphQL("query($id: ID!) { duplicateCandidates(caseId: $id) { distanceMeters case { id } } }",
            new { id = subject }, _client.Agent);
        Assert.True(response.Errors is null, response.ToString());
        var candidates = response.Data!["duplicateCandidates"]!.AsArray();
        var ids = candidates.Select(c => c!["case"]!["id"]!.GetValue<string>()).ToList();
        var distances = candidates.Select(c => c!["distanceMeters"]!.GetValue<double>()).ToList();

        Assert.True(ids.Count <= 5);
        Assert.Equal([near, farther], ids.Take(2));
        Assert.Equal(distances.Order(), distances);
        Assert.All(distances, d => Assert.True(d <= 1000));
        Assert.DoesNotContain(tooFar, ids);
        Assert.DoesNotContain(closed, ids);
        Assert.DoesNotContain(subject, ids);

        var (duplicate, duplicateNumber) = await _client.Report("Same machine again", 121.4706, 31.2376);
        await _client.Must("mergeCase", _client.Agent, duplicate, new { intoCaseId = subject });
        Assert.Equal("MERGED", (await _client.Case(duplicate, "status"))["status"]!.GetValue<string>());
        var original = await _client.Case(subject, "linkedReporters { name } version");
        Assert.Equal("Z********", original["linkedReporters"]![0]!["name"]!.GetValue<string>()); // an auditor sees it masked
        var asAgent = await server.PostGraphQL("query($id: ID) { case(id: $id) { linkedReporters { name } } }", new { id = subject }, _client.Agent);
        Assert.Equal("Zhang San", asAgent.Data!["case"]!["linkedReporters"]![0]!["name"]!.GetValue<string>());
        var history = await _client.History(subject);
        Assert.Contains(history, e => e!["type"]!.GetValue<string>() == "DuplicateMerged" && e["data"]!.GetValue<string>().Contains(duplicateNumber));

        var again = await _client.Do("mergeCase", _client.Agent, duplicate, new { intoCaseId = subject });
        Assert.Equal("INVALID_TRANSITION", again.FirstErrorCode);
    }

    [Fact]
    public async Task An_inspectors_patrol_finding_is_filed_directly_in_its_grid()
    {
        var response = await server.PostGraphQL("""
            mutation($input: ReportPatrolFindingInput!) {
              reportPatrolFinding(input: $input) { case { status source categoryCode gridCode photoUrls recordedBy { role } } }
            }
            """, new
        {
            input = new
            {
                description = "Overflowing litter bin", categoryCode = "0302", location = new { longitude = 121.4712, latitude = 31.2366 },
                photoUrls = new[] { "https://photos.example/bin.jpg" },
            },
        }, _client.Inspector);

        Assert.True(response.Errors is null, response.ToString());
        var c = response.Data!["reportPatrolFinding"]!["case"]!;
        Assert.Equal(("ACCEPTED", "PATROL", "0302", "310101001001006", "inspector"), (c["status"]!.GetValue<string>(),
            c["source"]!.GetValue<string>(), c["categoryCode"]!.GetValue<string>(), c["gridCode"]!.GetValue<string>(),
            c["recordedBy"]!["role"]!.GetValue<string>()));
        Assert.Equal("https://photos.example/bin.jpg", c["photoUrls"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task The_district_is_queryable()
    {
        var response = await server.PostGraphQL("""
            {
              gridAt(longitude: 121.4789, latitude: 31.2375) { code name streetCode communityCode centroid { longitude latitude } }
              outside: gridAt(longitude: 116.4, latitude: 39.9) { code }
              grids { code }
              street: grids(streetCode: "310101002") { code }
              categories { code name kind defaultDepartmentCode normalDisposalLimit { amount unit } }
              departments { code name }
            }
            """);

        Assert.Null(response.Errors);
        var grid = response.Data!["gridAt"]!;
        Assert.Equal(("310101003001001", "310101003", "310101003001"), (grid["code"]!.GetValue<string>(),
            grid["streetCode"]!.GetValue<string>(), grid["communityCode"]!.GetValue<string>()));
        Assert.Null(response.Data["outside"]);
        Assert.Equal(108, response.Data["grids"]!.AsArray().Count);
        Assert.Equal(36, response.Data["street"]!.AsArray().Count);
        Assert.True(response.Data["categories"]!.AsArray().Count >= 30);
        Assert.Contains(response.Data["categories"]!.AsArray(), c => c!["code"]!.GetValue<string>() == "1301"
            && c["normalDisposalLimit"]!["amount"]!.GetValue<int>() == 15 && c["normalDisposalLimit"]!["unit"]!.GetValue<string>() == "WORKING_DAYS");
        Assert.True(response.Data["departments"]!.AsArray().Count >= 8);
    }

    [Fact]
    public async Task The_reference_data_is_stored_for_analysts_once_however_often_the_server_starts()
    {
        await using var connection = new Npgsql.NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("select count(*) from citycase.mt_doc_griddocument", connection);
        Assert.Equal(108L, await command.ExecuteScalarAsync());
    }
}
