using CityCase.Api.GraphQL;
using CityCase.IntegrationTests.Infrastructure;

namespace CityCase.IntegrationTests.GraphQL;

public sealed class SchemaSnapshotTests
{
    [Fact]
    public void The_committed_schema_is_the_one_the_code_serves()
    {
        var committed = File.ReadAllText(Repository.PathTo("schema", "citycase.graphql")).ReplaceLineEndings("\n");
        var generated = GraphQLRegistration.PrintSchema();

        Assert.True(committed == generated,
            "schema/citycase.graphql differs from the schema the code serves. If the change is intended, run\n" +
            "  dotnet run --project src/CityCase.Api -- schema --output schema/citycase.graphql\n" +
            "and commit the result.\n--- generated ---\n" + generated);
    }

    [Theory]
    [InlineData("reportComplaint(input: ReportComplaintInput!): CasePayload!")]
    [InlineData("case(id: ID, number: String): Case")]
    [InlineData("scalar Instant")]
    public void The_contract_names_are_in_the_schema(string line) =>
        Assert.Contains(line, GraphQLRegistration.PrintSchema());
}
