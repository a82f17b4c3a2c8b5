using CityCase.Engine;
using Npgsql;

namespace CityCase.IntegrationTests.Hosting;

/// <summary>How the server reads a connection string that lists a primary and its standby (no server is contacted).</summary>
public sealed class MultiHostConnectionStringTests
{
    private const string PrimaryAndStandby = "Host=127.0.0.1:5432,127.0.0.1:5433;Username=citycase;Password=secret;Database=citycase";

    [Fact]
    public void Several_hosts_give_a_multi_host_data_source_that_wants_the_primary_and_rechecks_roles_often()
    {
        using var dataSource = CityCaseDataSource.Build(PrimaryAndStandby);
        Assert.IsType<NpgsqlMultiHostDataSource>(dataSource);
        var settings = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        Assert.Equal("127.0.0.1:5432,127.0.0.1:5433", settings.Host);
        Assert.Equal("primary", settings.TargetSessionAttributes);
        Assert.Equal(CityCaseDataSource.DefaultHostRecheckSeconds, settings.HostRecheckSeconds);
        Assert.True(settings.TcpKeepAlive);
    }

    [Fact]
    public void What_the_string_says_is_kept_and_a_role_that_cannot_write_is_refused()
    {
        using var dataSource = CityCaseDataSource.Build(PrimaryAndStandby + ";Target Session Attributes=read-write;Host Recheck Seconds=7;Tcp Keepalive=false");
        var settings = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        Assert.Equal(("read-write", 7, false), (settings.TargetSessionAttributes, settings.HostRecheckSeconds, settings.TcpKeepAlive));

        var refused = Assert.Throws<InvalidOperationException>(() =>
            CityCaseDataSource.Build(PrimaryAndStandby + ";Target Session Attributes=prefer-standby"));
        Assert.Contains("primary", refused.Message);
    }
}
