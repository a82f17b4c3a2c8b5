using CityCase.Domain;
using CityCase.Domain.Cases;
using NodaTime;

namespace CityCase.Domain.Tests.Cases;

/// <summary>Given a complaint, when it is decided, then a CaseReported fact or a refusal.</summary>
public sealed class CaseIntakeTests
{
    private static readonly Actor Agent = new("alice", "Alice Wang", Roles.Agent);
    private static readonly Instant Now = Instant.FromUtc(2026, 11, 24, 8, 0);
    private static readonly Guid CaseId = Guid.CreateVersion7();
    private static readonly Actor Inspector = new("ivan", "Ivan", Roles.Inspector);
    private static readonly Actor Device = new("sensor-gw", "Sensor gateway", Roles.Device);

    private static readonly ICaseRules Rules = new CaseScenario.SampleRules();
    private static readonly CasePlace Place = CaseScenario.Reported.Place!;

    private static ReportComplaint Complaint(string description = "Street lamp out", double longitude = 121.47,
        double latitude = 31.23, string? category = "0101", Citizen? citizen = null, string? address = " 88 Jiefang Road ") =>
        new(description, new Location(longitude, latitude, address), category, citizen);

    /// <summary>Intake as the handlers decide it: the report on a case not yet reported, with the number intake gave it.</summary>
    private static IReadOnlyList<object> Decide(CaseCommand report, Actor by, string number) =>
        CaseDecider.Decide(Case.NotYetReported(CaseId, number), report, by, Now, Rules);

    private static void Validate(CaseCommand report) => CaseIntake.Validate(report, Rules);

    private static readonly SealedCitizen Sealed = new(CaseId, "bm9uY2U=", "c2VhbGVk");

    [Fact]
    public void A_valid_complaint_becomes_a_hotline_case_reported_by_the_citizen_as_sealed_and_recorded_by_the_agent()
    {
        var complaint = Complaint(citizen: new Citizen("Li Wei", "13800000000")) with { Sealed = Sealed };
        var reported = Decide(complaint, Agent, "20261124-00001").Single();

        Assert.Equal(new CaseReported(CaseId, "20261124-00001", CaseSource.Hotline, "Street lamp out",
            new Location(121.47, 31.23, "88 Jiefang Road"), "0101", Sealed, Agent, Now, Place),
            reported);
    }

    [Fact]
    public void A_citizen_not_sealed_under_the_new_cases_key_never_reaches_an_event()
    {
        var citizen = new Citizen("Li Wei", "13800000000");
        Assert.Throws<InvalidOperationException>(() => Decide(Complaint(citizen: citizen), Agent, "20261124-00001"));
        Assert.Throws<InvalidOperationException>(() =>
            Decide(Complaint(citizen: citizen) with { Sealed = Sealed with { KeyId = Guid.CreateVersion7() } }, Agent, "20261124-00001"));
    }

    [Fact]
    public void The_description_is_trimmed_and_an_anonymous_caller_is_no_citizen()
    {
        var reported = (CaseReported)Decide(Complaint("  Pothole \n", citizen: new Citizen("", null), address: "  "),
            Agent, "20261124-00002").Single();

        Assert.Equal("Pothole", reported.Description);
        Assert.Null(reported.ReportedBy);
        Assert.Null(reported.Location.Address);
    }

    [Theory]
    [InlineData("", 121.47, 31.23, "0101", "description must not be empty")]
    [InlineData("  \t ", 121.47, 31.23, "0101", "description must not be empty")]
    [InlineData("Lamp", 181, 31.23, "0101", "location.longitude must be between -180 and 180 (was 181)")]
    [InlineData("Lamp", 121.47, -90.01, "0101", "location.latitude must be between -90 and 90 (was -90.01)")]
    [InlineData("Lamp", double.NaN, 31.23, "0101", "location.longitude must be between -180 and 180")]
    [InlineData("Lamp", 121.47, 31.23, "101", "categoryCode must be 4 digits")]
    [InlineData("Lamp", 121.47, 31.23, "01a1", "categoryCode must be 4 digits")]
    public void An_invalid_complaint_is_refused_naming_the_problem(string description, double longitude,
        double latitude, string category, string problem)
    {
        var refusal = Assert.Throws<ValidationFailedException>(() =>
            Decide(Complaint(description, longitude, latitude, category), Agent, "20261124-00003"));

        Assert.Equal(ErrorCodes.ValidationFailed, refusal.Code);
        Assert.Contains(problem, refusal.Message);
    }

    [Fact]
    public void Every_problem_is_named_at_once()
    {
        var refusal = Assert.Throws<ValidationFailedException>(() => Validate(Complaint("", 200, 100)));

        Assert.Contains("description", refusal.Message);
        Assert.Contains("longitude", refusal.Message);
        Assert.Contains("latitude", refusal.Message);
    }

    [Fact]
    public void A_description_longer_than_the_limit_is_refused()
    {
        var refusal = Assert.Throws<ValidationFailedException>(() =>
            Validate(Complaint(new string('x', CaseIntake.MaxDescriptionLength + 1))));
        Assert.Contains($"at most {CaseIntake.MaxDescriptionLength}", refusal.Message);
    }

    [Theory]
    [InlineData(2026, 11, 24, 1, "20261124-00001")]
    [InlineData(2026, 1, 5, 42, "20260105-00042")]
    [InlineData(2026, 12, 31, 123456, "20261231-123456")]
    public void Case_numbers_are_the_local_date_and_the_daily_sequence(int year, int month, int day, long sequence,
        string expected) =>
        Assert.Equal(expected, CaseNumber.Format(new LocalDate(year, month, day), sequence));

    [Fact]
    public void A_location_outside_every_grid_is_refused()
    {
        var refusal = Assert.Throws<ValidationFailedException>(() => Decide(Complaint(longitude: 116.39, latitude: 39.9), Agent, "20261124-00004"));
        Assert.Contains("outside every unit grid", refusal.Message);
    }

    [Fact]
    public void A_category_not_in_the_catalogue_is_refused_on_intake()
    {
        var refusal = Assert.Throws<ValidationFailedException>(() =>
            Validate(Complaint(category: "9999")));
        Assert.Contains("'9999' is not in the category catalogue", refusal.Message);
    }

    [Fact]
    public void A_patrol_finding_is_filed_directly()
    {
        var events = Decide(new ReportPatrolFinding(" Broken kerb ", new Location(121.47, 31.23, null), "0201",
            ["https://photos.example/k.jpg"]), Inspector, "20261124-00005");

        var reported = Assert.IsType<CaseReported>(events[0]);
        Assert.Equal((CaseSource.Patrol, "Broken kerb", "0201", Inspector), (reported.Source, reported.Description, reported.CategoryCode, reported.RecordedBy));
        Assert.Equal(["https://photos.example/k.jpg"], reported.PhotoUrls!);
        var accepted = Assert.IsType<CaseAccepted>(events[1]);
        Assert.Equal(("0201", Urgency.Normal, Inspector), (accepted.CategoryCode, accepted.Urgency, accepted.By));
    }

    [Fact]
    public void A_patrol_finding_needs_a_category_and_real_photo_links()
    {
        var refusal = Assert.Throws<ValidationFailedException>(() => Validate(new ReportPatrolFinding("x",
            new Location(121.47, 31.23, null), "", ["ftp://x"])));
        Assert.Contains("categoryCode must not be empty", refusal.Message);
        Assert.Contains("photoUrls", refusal.Message);
    }

    [Fact]
    public void A_sensor_alarm_becomes_a_sensor_case()
    {
        var alarm = new RaiseSensorAlarm(" S-17 ", "WATER_LEVEL", new Location(121.47, 31.23, null), "HIGH");
        var reported = (CaseReported)Decide(alarm, Device, "20261124-00006").Single();

        Assert.Equal(CaseSource.Sensor, reported.Source);
        Assert.Equal(new SensorAlarm("S-17", "WATER_LEVEL", "HIGH"), reported.Sensor);
        Assert.Equal("S-17|WATER_LEVEL", CaseIntake.SensorKey(alarm));
    }

    [Fact]
    public void A_sensor_alarm_names_what_is_missing()
    {
        var refusal = Assert.Throws<ValidationFailedException>(() =>
            Validate(new RaiseSensorAlarm("", " ", new Location(500, 31.23, null), "")));
        Assert.Contains("sensorId", refusal.Message);
        Assert.Contains("alarmType", refusal.Message);
        Assert.Contains("severity", refusal.Message);
        Assert.Contains("longitude", refusal.Message);
    }

    [Fact]
    public void A_report_written_out_for_a_log_does_not_carry_the_callers_name_or_phone()
    {
        var text = Complaint(citizen: new Citizen("Li Wei", "13800000000")).ToString();
        Assert.Contains("Street lamp out", text);
        Assert.DoesNotContain("Li Wei", text);
        Assert.DoesNotContain("13800000000", text);
    }
}
