using CityCase.Domain;
using CityCase.Domain.Cases;
using CityCase.Domain.Evidence;
using CityCase.Domain.Reference;
using NodaTime;

namespace CityCase.Simulation;

/// <summary>Who acts on a journey step: a role, and for department staff the department.</summary>
public sealed record StepActor(string Role, string? Department = null)
{
    public Actor ToActor(string userId) => new(userId, userId, Role, Department);
}

/// <summary>One thing done to a case after it was reported, and how long after the previous step.</summary>
public sealed record JourneyStep(StepActor By, CaseCommand Command, Duration After);

/// <summary>How a case arrives: a citizen's call, or an inspector's patrol finding.</summary>
/// <remarks>A sensor's alarm (<see cref="CaseSource.Sensor"/>) names its sensor, alarm type and severity in <paramref name="Sensor"/>.</remarks>
public sealed record CaseArrival(CaseSource Source, string Description, Location Location, string CategoryCode, Citizen? Citizen,
    SensorAlarm? Sensor = null);

/// <summary>A case's whole life in the simulated day: when it arrives, and every step to its close.</summary>
/// <remarks><paramref name="Paths"/>: the paths of the loop this journey takes (the fuller day's; the classic day names none).</remarks>
public sealed record CaseJourney(int Index, Duration ArrivesAfterMidnight, CaseArrival Arrival, IReadOnlyList<JourneyStep> Steps,
    IReadOnlySet<DayPath>? Paths = null)
{
    public IReadOnlySet<DayPath> Paths { get; init; } = Paths ?? new HashSet<DayPath>();
}

/// <summary>
/// A realistic, repeatable day of a district's traffic: arrivals by hour (the hotline peaks mid-morning
/// and mid-afternoon, few calls at night), the category mix (street cleaning and rubbish far ahead of
/// manhole covers), departments with their own handling times, and some returns (5 %), extensions
/// (8 %) and failed verifications that send the work back (7 %). Seeded, so the same seed gives the
/// same day. <see cref="Journeys"/> is the classic day (every case reported to closed) the load benchmarks measure;
/// <see cref="FullDay"/> the fuller day with every path of the loop (SimulatedDay.Full.cs).
/// </summary>
public sealed partial class SimulatedDay(ReferenceData district, int seed = 20261124)
{
    /// <summary>Weight of each hour 00-23 in the day's hotline calls (a 12345 hotline's usual shape).</summary>
    public static readonly double[] HotlineHourlyShare =
        [0.3, 0.2, 0.1, 0.1, 0.1, 0.3, 1.0, 3.0, 6.5, 9.0, 9.5, 8.0, 5.0, 6.5, 8.5, 8.5, 7.0, 5.5, 4.0, 3.0, 2.5, 1.8, 1.2, 0.5];

    // Events (street cleaning, rubbish, vending...) make up most of the work; components fewer.
    private static double CategoryWeight(Category c) => c.Kind == CategoryKind.Event ? (c.MajorCode is "11" or "14" ? 6 : 3) : 1;

    // Typical working hours a department takes to dispose of a case (median); some are slower.
    private static double DepartmentHours(string department) => department switch
    {
        "D01" => 2, "D06" => 6, "D02" => 8, "D05" => 4, "D03" => 5, _ => 5,
    };

    private static readonly StepActor Agent = new(Roles.Agent);
    private static readonly StepActor Dispatcher = new(Roles.Dispatcher);
    private static readonly StepActor Inspector = new(Roles.Inspector);
    private static readonly StepActor Supervisor = new(Roles.Supervisor);

    public IEnumerable<CaseJourney> Journeys(int count)
    {
        var random = new Random(seed);
        var categories = district.Categories.ToList();
        var weights = categories.Select(CategoryWeight).ToArray();
        for (var i = 0; i < count; i++)
        {
            var category = categories[Pick(random, weights)];
            var hour = Pick(random, HotlineHourlyShare);
            var arrives = Duration.FromHours(hour) + Duration.FromSeconds(random.Next(3600));
            var (grid, location) = PlaceIn(random, district);
            var patrol = random.NextDouble() < 0.15;
            var arrival = new CaseArrival(patrol ? CaseSource.Patrol : CaseSource.Hotline,
                $"{category.NameEn} near {grid.Name}", location, category.Code,
                patrol ? null : new Citizen($"Caller {i}", $"139{random.Next(10_000_000, 99_999_999)}"));
            yield return new CaseJourney(i, arrives, arrival, Steps(random, i, category, patrol, district).ToList());
        }
    }

    private static IEnumerable<JourneyStep> Steps(Random random, int index, Category category, bool patrol, ReferenceData district)
    {
        Duration Minutes(double m) => Duration.FromSeconds(Math.Round(m * 60));
        var drawnUrgency = random.NextDouble() < 0.1 ? Urgency.Urgent : Urgency.Normal;
        // Only an acceptance sets urgency; a patrol finding is filed as it is reported, at normal urgency.
        var urgency = patrol ? Urgency.Normal : drawnUrgency;
        if (!patrol)
        {
            yield return new JourneyStep(Agent, new AcceptCase(category.Code, urgency, null), Minutes(2 + random.Next(10)));
            yield return new JourneyStep(Agent, new NotifyCitizen(NotificationKind.Acceptance, "SMS"), Minutes(1 + random.Next(5)));
        }
        var department = category.DefaultDepartmentCode;
        if (random.NextDouble() < 0.05)
        {
            // Sent first to the wrong department, which sends it back.
            var wrong = district.Departments.Select(d => d.Code).First(d => d != department);
            yield return new JourneyStep(Dispatcher, new DispatchCase(wrong), Minutes(5 + random.Next(20)));
            yield return new JourneyStep(new StepActor(Roles.Department, wrong), new ReturnCase("Not our responsibility"), Minutes(10 + random.Next(30)));
            yield return new JourneyStep(Dispatcher, new DecideReturn(true, null), Minutes(5 + random.Next(15)));
        }
        var staff = new StepActor(Roles.Department, department);
        yield return new JourneyStep(Dispatcher, new DispatchCase(department), Minutes(5 + random.Next(20)));
        yield return new JourneyStep(staff, new SignCase(), Minutes(5 + random.Next(40)));
        if (random.NextDouble() < 0.08)
        {
            yield return new JourneyStep(staff, new RequestExtension(4, "Waiting for parts"), Minutes(30 + random.Next(60)));
            yield return new JourneyStep(Dispatcher, new DecideExtension(true, null), Minutes(5 + random.Next(30)));
        }
        // Handling time: lognormal around the department's median.
        var hours = DepartmentHours(department) * Math.Exp(0.6 * Gaussian(random));
        // Photos only where the catalogue requires them (traffic signs, road collapses): the steps are refused without.
        var round = 0;
        EvidencePhoto[]? Required(AttachmentKind kind) => category.RequiredPhotos.Contains(kind) ? [Photo(kind, index, ++round)] : null;
        yield return new JourneyStep(staff, new ReportDisposal("Done", [], Required(AttachmentKind.AfterDisposal)), Minutes(hours * 60));
        if (random.NextDouble() < 0.07)
        {
            yield return new JourneyStep(Inspector, new VerifyDisposal(false, "Not done properly", Required(AttachmentKind.Verification)), Minutes(20 + random.Next(60)));
            yield return new JourneyStep(staff, new ReportDisposal("Done again", [], Required(AttachmentKind.AfterDisposal)), Minutes(60 + random.Next(120)));
        }
        yield return new JourneyStep(Inspector, new VerifyDisposal(true, null, Required(AttachmentKind.Verification)), Minutes(20 + random.Next(60)));
        if (category.NeedsCloseReview(urgency)) // 结案审核 (the sample city's reviewer is a supervisor)
            yield return new JourneyStep(Supervisor, new ReviewClosure(true, null), Minutes(10 + random.Next(60)));
        yield return new JourneyStep(Dispatcher, new CloseCase(), Minutes(5 + random.Next(30)));
        if (!patrol)
        {
            yield return new JourneyStep(Agent, new NotifyCitizen(NotificationKind.Completion, "SMS"), Minutes(5 + random.Next(30)));
            if (random.NextDouble() < 0.7)
                yield return new JourneyStep(Agent, new RecordSatisfaction(random.NextDouble() < 0.85 ? 5 : 2 + random.Next(3), null), Minutes(60 + random.Next(600)));
        }
    }

    /// <summary>A point well inside a grid drawn at random.</summary>
    private static (Grid Grid, Location Location) PlaceIn(Random random, ReferenceData district)
    {
        var grid = district.Grids[random.Next(district.Grids.Count)];
        var envelope = grid.Polygon.EnvelopeInternal;
        return (grid, new Location(
            Math.Round(envelope.MinX + envelope.Width * (0.1 + 0.8 * random.NextDouble()), 6),
            Math.Round(envelope.MinY + envelope.Height * (0.1 + 0.8 * random.NextDouble()), 6), null));
    }

    private static int Pick(Random random, double[] weights)
    {
        var x = random.NextDouble() * weights.Sum();
        for (var i = 0; i < weights.Length; i++)
            if ((x -= weights[i]) < 0) return i;
        return weights.Length - 1;
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
