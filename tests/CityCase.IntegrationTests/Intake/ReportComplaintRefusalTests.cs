using System.Text;
using CityCase.IntegrationTests.Infrastructure;
using static CityCase.IntegrationTests.Infrastructure.Samples;

namespace CityCase.IntegrationTests.Intake;

/// <summary>Bad input and bad credentials get a clear error, never a 500, and append nothing.</summary>
public sealed class ReportComplaintRefusalTests(CityCaseServer server) : IClassFixture<CityCaseServer>
{
    private readonly string _agent = CityCaseServer.Token("agent");

    private async Task AssertRefused(Func<Task<GraphQLResponse>> send, string code, string? mentions = null,
        int status = 200)
    {
        var before = await server.CountEvents();
        var response = await send();
        Assert.True(response.Status == status, response.ToString());
        Assert.True(code == response.FirstErrorCode, response.ToString());
        if (mentions is not null) Assert.Contains(mentions, response.FirstErrorMessage);
        Assert.Equal(before, await server.CountEvents());
    }

    [Fact]
    public Task An_empty_description_is_refused() =>
        AssertRefused(() => server.PostGraphQL(ReportComplaint, Complaint("   "), _agent), "VALIDATION_FAILED", "description");

    [Fact]
    public Task A_missing_description_is_refused_by_the_schema() =>
        AssertRefused(() => server.PostGraphQL(ReportComplaint,
            new { input = new { location = new { longitude = 121.47, latitude = 31.23 } } }, _agent),
            "INVALID_VALUE", "description");

    [Theory]
    [InlineData(121.47, 91.0, "latitude")]
    [InlineData(181.0, 31.23, "longitude")]
    [InlineData(-180.5, -90.5, "longitude")]
    public Task Coordinates_out_of_range_are_refused(double longitude, double latitude, string named) =>
        AssertRefused(() => server.PostGraphQL(ReportComplaint, Complaint("Broken bench", longitude, latitude), _agent),
            "VALIDATION_FAILED", named);

    [Fact]
    public Task A_malformed_category_code_is_refused() =>
        AssertRefused(() => server.PostGraphQL(ReportComplaint,
            new { input = new { description = "x", location = new { longitude = 121.47, latitude = 31.23 }, categoryCode = "1A" } },
            _agent), "VALIDATION_FAILED", "categoryCode");

    [Fact]
    public Task Unknown_input_fields_are_refused() =>
        AssertRefused(() => server.PostGraphQL(ReportComplaint,
            new { input = new { description = "x", location = new { longitude = 121.47, latitude = 31.23 }, urgency = "HIGH" } },
            _agent), "INVALID_VALUE", "urgency");

    [Fact]
    public Task A_malformed_query_is_refused() =>
        AssertRefused(() => server.PostGraphQL("mutation { reportComplaint(input: { description: ", token: _agent),
            "SYNTAX_ERROR");

    [Fact]
    public Task A_body_that_is_not_json_is_refused_with_400() =>
        AssertRefused(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql")
            {
                Content = new StringContent("{ query: mutation", Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new("Bearer", _agent);
            return await server.Send(request);
        }, "INVALID_REQUEST", "JSON", status: 400);

    [Fact]
    public Task A_body_without_a_query_is_refused_with_400() =>
        AssertRefused(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql")
            {
                Content = new StringContent("""{"variables": {}}""", Encoding.UTF8, "application/json"),
            };
            return await server.Send(request);
        }, "INVALID_REQUEST", "query", status: 400);

    [Fact]
    public Task Without_a_token_the_agent_is_unauthenticated() =>
        AssertRefused(() => server.PostGraphQL(ReportComplaint, Complaint()), "UNAUTHENTICATED", "Bearer");

    [Fact]
    public Task A_token_signed_with_another_key_is_refused() =>
        AssertRefused(() => server.PostGraphQL(ReportComplaint, Complaint(), ForgedToken()), "UNAUTHENTICATED", "signature");

    [Fact]
    public Task A_garbage_token_is_refused() =>
        AssertRefused(() => server.PostGraphQL(ReportComplaint, Complaint(), "not.a.jwt"), "UNAUTHENTICATED", "refused");

    [Fact]
    public Task An_inspector_may_not_file_a_hotline_complaint() =>
        AssertRefused(() => server.PostGraphQL(ReportComplaint, Complaint(), CityCaseServer.Token("inspector")),
            "FORBIDDEN", "agent");

    private static string ForgedToken()
    {
        var settings = new CityCase.Api.Auth.AuthSettings { SigningKey = "an-attacker's-key-that-is-long-enough-32b" };
        return CityCase.Api.Auth.JwtAuthentication.MintToken(settings, "mallory", "agent", null, null, TimeSpan.FromHours(1));
    }
}
