using CityCase.Engine.Sla;
using NodaTime;
using NodaTime.Testing;

namespace CityCase.IntegrationTests.Sla;

public sealed class AcceleratedClockTests
{
    [Fact]
    public void Simulated_time_runs_speed_times_faster_than_real_time()
    {
        var real = new FakeClock(Instant.FromUtc(2026, 11, 24, 1, 0));
        var clock = new AcceleratedClock(real, 60);

        real.Advance(Duration.FromSeconds(30));

        Assert.Equal(Instant.FromUtc(2026, 11, 24, 1, 30), clock.GetCurrentInstant());
    }

    [Fact]
    public void It_can_start_at_a_chosen_moment()
    {
        var real = new FakeClock(Instant.FromUtc(2026, 11, 24, 1, 0));
        var clock = new AcceleratedClock(real, 10, startAt: Instant.FromUtc(2026, 11, 27, 0, 0));
        real.Advance(Duration.FromMinutes(6));
        Assert.Equal(Instant.FromUtc(2026, 11, 27, 1, 0), clock.GetCurrentInstant());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(double.NaN)]
    public void A_speed_must_be_above_zero(double speed) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new AcceleratedClock(SystemClock.Instance, speed));
}
