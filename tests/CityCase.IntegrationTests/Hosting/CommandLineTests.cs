using CityCase.IntegrationTests.Infrastructure;

namespace CityCase.IntegrationTests.Hosting;

/// <summary>The command-line verbs, run as real processes.</summary>
public sealed class CommandLineTests(CityCaseServer server) : IClassFixture<CityCaseServer>
{
    [Fact]
    public async Task The_token_verb_prints_a_token_alone_on_stdout_that_the_server_accepts()
    {
        var (exitCode, stdout, stderr) = await ServerProcess.RunToEnd("token", "--role", "agent", "--user", "alice");

        Assert.True(exitCode == 0, stderr);
        var token = stdout.TrimEnd('\n');
        Assert.DoesNotContain('\n', token);
        Assert.Matches(@"^[\w-]+\.[\w-]+\.[\w-]+$", token);

        var reported = await server.PostGraphQL(Samples.ReportComplaint, Samples.Complaint(), token);
        Assert.Null(reported.Errors);
    }

    [Theory]
    [InlineData("token", "--user", "alice")]
    [InlineData("token", "--role", "mayor", "--user", "alice")]
    [InlineData("token", "--role", "department", "--user", "bob")]
    public async Task The_token_verb_refuses_incomplete_or_unknown_roles(params string[] args)
    {
        var (exitCode, stdout, stderr) = await ServerProcess.RunToEnd(args);

        Assert.Equal(2, exitCode);
        Assert.Empty(stdout);
        Assert.NotEmpty(stderr);
    }

    [Fact]
    public async Task The_schema_verb_prints_the_committed_schema()
    {
        var (exitCode, stdout, _) = await ServerProcess.RunToEnd("schema");

        Assert.Equal(0, exitCode);
        Assert.Equal(File.ReadAllText(Repository.PathTo("schema", "citycase.graphql")).ReplaceLineEndings("\n"), stdout);
    }
}
