using NodaTime;

namespace CityCase.Engine.Sla;

/// <summary>
/// Time that runs <see cref="Speed"/> times faster than the real clock from the moment it is made, for
/// simulations and demonstrations (development only): at 60, a 30-minute dispatch limit turns yellow
/// after 24 real seconds.
/// </summary>
public sealed class AcceleratedClock : IClock
{
    private readonly IClock _real;
    private readonly Instant _origin;

    public AcceleratedClock(IClock real, double speed, Instant? startAt = null)
    {
        if (!(speed > 0) || double.IsInfinity(speed)) throw new ArgumentOutOfRangeException(nameof(speed), speed, "clock speed must be above 0");
        _real = real;
        Speed = speed;
        _realOrigin = real.GetCurrentInstant();
        _origin = startAt ?? _realOrigin;
    }

    private readonly Instant _realOrigin;

    public double Speed { get; }

    public Instant GetCurrentInstant() =>
        _origin + Duration.FromTicks((long)((_real.GetCurrentInstant() - _realOrigin).BclCompatibleTicks * Speed));
}
