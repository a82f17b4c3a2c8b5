using CityCase.IntegrationTests.Infrastructure;

namespace CityCase.IntegrationTests.Intake;

/// <summary>An idempotency key belongs to its caller and its kind of report, and to one request.</summary>
public sealed class IdempotencyKeyTests(CityCaseServer server) : IClassFixture<CityCaseServer>
{
    private static readonly string Alice = CityCaseServer.Token("agent", "alice");
    private static readonly string Bob = CityCaseServer.Token("agent", "bob");
    private static readonly string Ivan = CityCaseServer.Token("inspector", "ivan");

    private const string Report = """
        mutation($input: ReportComplaintInput!) { reportComplaint(input: $input) { case { id number description citizen { name phone } } } }
        """;

    private static object Complaint(string key, string description, string name, string phone) => new
    {
        input = new
        {
            description, idempotencyKey = key,
            location = new { longitude = 121.4737, latitude = 31.2304 },
            citizen = new { name, phone },
        },
    };

    [Fact]
    public async Task A_retry_of_the_same_request_gets_the_first_case_and_appends_nothing()
    {
        var key = Guid.NewGuid().ToString();
        var first = await server.PostGraphQL(Report, Complaint(key, "Lamp out", "Li Wei", "13800000000"), Alice);
        var events = await server.CountEvents();
        var retry = await server.PostGraphQL(Report, Complaint(key, "Lamp out", "Li Wei", "13800000000"), Alice);

        Assert.Equal((string)first.Data!["reportComplaint"]!["case"]!["id"]!, (string)retry.Data!["reportComplaint"]!["case"]!["id"]!);
        Assert.Equal(events, await server.CountEvents());
    }

    [Fact]
    public async Task Another_callers_same_key_files_their_own_complaint_and_never_sees_the_first()
    {
        var key = Guid.NewGuid().ToString();
        var alice = (await server.PostGraphQL(Report, Complaint(key, "Lamp out", "Li Wei", "13800000000"), Alice)).Data!["reportComplaint"]!["case"]!;
        var bob = await server.PostGraphQL(Report, Complaint(key, "Bin overflowing", "Wang Fang", "13700000000"), Bob);

        Assert.True(bob.Errors is null, bob.ToString());
        var bobs = bob.Data!["reportComplaint"]!["case"]!;
        Assert.NotEqual((string)alice["id"]!, (string)bobs["id"]!);
        Assert.Equal(("Bin overflowing", "13700000000"), ((string)bobs["description"]!, (string)bobs["citizen"]!["phone"]!));
        Assert.DoesNotContain("13800000000", bob.Text);

        var finding = await server.PostGraphQL("""
            mutation($input: ReportPatrolFindingInput!) { reportPatrolFinding(input: $input) { case { id source } } }
            """, new { input = new { description = "Broken kerb", categoryCode = "0201", idempotencyKey = key,
                location = new { longitude = 121.4737, latitude = 31.2304 } } }, Ivan);
        Assert.True(finding.Errors is null, finding.ToString());
        Assert.Equal("PATROL", (string)finding.Data!["reportPatrolFinding"]!["case"]!["source"]!);
    }

    [Fact]
    public async Task The_same_key_with_a_different_request_is_refused_naming_the_key_and_nothing_is_appended()
    {
        var key = Guid.NewGuid().ToString();
        await server.PostGraphQL(Report, Complaint(key, "Lamp out", "Li Wei", "13800000000"), Alice);
        var events = await server.CountEvents();

        var reused = await server.PostGraphQL(Report, Complaint(key, "A different problem", "Li Wei", "13800000000"), Alice);

        Assert.Equal("IDEMPOTENCY_KEY_REUSED", reused.FirstErrorCode);
        Assert.Contains(key, reused.FirstErrorMessage);
        Assert.Equal(events, await server.CountEvents());
    }
}
