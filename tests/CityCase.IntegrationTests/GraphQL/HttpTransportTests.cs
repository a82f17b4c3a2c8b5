using System.Net;
using CityCase.IntegrationTests.Infrastructure;
using static CityCase.IntegrationTests.Infrastructure.Samples;

namespace CityCase.IntegrationTests.GraphQL;

/// <summary>GraphQL over HTTP as the contract describes it: POST and GET, both media types, health.</summary>
public sealed class HttpTransportTests(CityCaseServer server) : IClassFixture<CityCaseServer>
{
    [Fact]
    public async Task A_query_over_GET_is_answered()
    {
        var token = CityCaseServer.Token("agent");
        var filed = await server.PostGraphQL(ReportComplaint, Complaint(), token);
        var number = filed.Data!["reportComplaint"]!["case"]!["number"]!.GetValue<string>();

        using var request = new HttpRequestMessage(HttpMethod.Get,
            $"/graphql?query={Uri.EscapeDataString("query($n: String) { case(number: $n) { number status } }")}" +
            $"&variables={Uri.EscapeDataString($$"""{"n":"{{number}}"}""")}");
        request.Headers.Authorization = new("Bearer", token);
        var response = await server.Send(request);

        Assert.Equal(200, response.Status);
        Assert.Equal("application/json", response.MediaType);
        Assert.Equal(number, response.Data!["case"]!["number"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_mutation_over_GET_is_not_allowed_and_appends_nothing()
    {
        var before = await server.CountEvents();
        using var request = new HttpRequestMessage(HttpMethod.Get,
            "/graphql?query=" + Uri.EscapeDataString(
                """mutation { reportComplaint(input: {description: "x", location: {longitude: 121.4, latitude: 31.2}}) { case { id } } }"""));
        request.Headers.Authorization = new("Bearer", CityCaseServer.Token("agent"));
        var response = await server.Send(request);

        Assert.Equal(405, response.Status);
        Assert.Equal("INVALID_REQUEST", response.FirstErrorCode);
        Assert.Equal(before, await server.CountEvents());
    }

    [Fact]
    public async Task The_graphql_response_media_type_is_honoured_with_spec_status_codes()
    {
        async Task<GraphQLResponse> Post(string body)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql")
            {
                Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.Accept.ParseAdd("application/graphql-response+json");
            return await server.Send(request);
        }

        var ok = await Post("""{"query":"{ __typename }"}""");
        Assert.Equal(200, ok.Status);
        Assert.Equal("application/graphql-response+json", ok.MediaType);
        Assert.Equal("Query", ok.Data!["__typename"]!.GetValue<string>());

        var syntax = await Post("""{"query":"{ case( "}""");
        Assert.Equal(400, syntax.Status);
        Assert.Equal("SYNTAX_ERROR", syntax.FirstErrorCode);

        var unknownField = await Post("""{"query":"{ noSuchField }"}""");
        Assert.Equal(400, unknownField.Status);
        Assert.NotNull(unknownField.FirstErrorCode);
    }

    [Fact]
    public async Task Without_the_json_content_type_a_post_is_refused_with_415()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql")
        {
            Content = new StringContent("""{"query":"{ __typename }"}""", System.Text.Encoding.UTF8, "text/plain"),
        };
        var response = await server.Send(request);
        Assert.Equal(415, response.Status);
    }

    [Fact]
    public async Task Health_is_200_while_postgresql_is_reachable()
    {
        var response = await server.Http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("Healthy", report["checks"]!["postgresql"]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_query_answered_from_the_document_cache_still_has_its_variables_checked_and_its_errors_reported()
    {
        var agent = CityCaseServer.Token("agent", "alice");
        var query = ReportComplaint + "# cache probe " + Guid.NewGuid(); // a text no other test sends
        Assert.Null((await server.PostGraphQL(query, Complaint(), agent)).Errors);
        var before = await server.CountEvents();

        // The same text again (now cached) with variables that do not fit, then with a value the domain refuses.
        var badVariables = await server.PostGraphQL(query, new { input = new { description = "x", location = new { longitude = "east" } } }, agent);
        Assert.Equal("INVALID_VALUE", badVariables.FirstErrorCode);
        var refused = await server.PostGraphQL(query, Complaint(description: " "), agent);
        Assert.Equal("VALIDATION_FAILED", refused.FirstErrorCode);
        Assert.Equal(before, await server.CountEvents());

        // And a query that failed validation is never cached: it fails the same way twice.
        for (var i = 0; i < 2; i++)
            Assert.Equal("FIELDS_ON_CORRECT_TYPE", (await server.PostGraphQL("{ case(number: \"x\") { noSuchField } }", null, agent)).FirstErrorCode);
    }
}
