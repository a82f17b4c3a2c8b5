using System.Text.Json.Nodes;
using CityCase.Domain.Cases;
using CityCase.Domain.Reference;
using CityCase.Domain.Time;
using CityCase.Domain.Tests.Reference;
using NodaTime;
using static CityCase.Domain.Tests.Reference.ReferenceSample;

namespace CityCase.Domain.Tests.Cases;

/// <summary>
/// Given an Open311 request (on the shipped sample district, whose catalogue asks questions), when intake decides it,
/// then a case reported exactly as a hotline complaint is (grid, clocks), sourced OPEN311 and recorded by the partner;
/// or a refusal naming each problem in the partner's own field names.
/// </summary>
public sealed class ServiceRequestIntakeTests
{
    private static readonly Actor Partner = new("open311:fixmystreet", "FixMyStreet", "open311-partner");
    private static readonly Instant Now = Instant.FromUtc(2026, 11, 24, 2, 0); // 10:00 in Shanghai, a Tuesday
    private static readonly Guid CaseId = Guid.CreateVersion7();
    private static readonly SealedCitizen Sealed = new(CaseId, "bm9uY2U=", "c2VhbGVk");
    private static readonly ReferenceData Rules = ReferenceSample.Data;

    private static ReportServiceRequest Request(string serviceCode = "0101", string description = " Cover missing ",
        Citizen? citizen = null, string? mediaUrl = null, params AttributeAnswer[] attributes) =>
        new(description, new Location(121.4737, 31.2304, "88 Jiefang Road"), serviceCode, citizen, mediaUrl,
            attributes.Length == 0 && serviceCode is "0101" or "0102" ? [new("COVER_STATE", ["MISSING"])] : attributes);

    private static IReadOnlyList<object> Decide(CaseCommand request) =>
        CaseDecider.Decide(Case.NotYetReported(CaseId, "20261124-00001"), request, Partner, Now, Rules);

    private static string Refusal(CaseCommand request) =>
        Assert.Throws<ValidationFailedException>(() => CaseIntake.Validate(request, Rules)).Message;

    [Fact]
    public void A_request_becomes_an_open311_case_in_its_grid_recorded_by_the_partner_with_its_media_and_answers()
    {
        var request = Request(citizen: new Citizen("Li Wei", null, "li@example.org"), mediaUrl: " https://img.example.org/1.jpg ",
            attributes: [new("ON_CARRIAGEWAY", ["YES"]), new("COVER_STATE", [" MISSING "])]) with { Sealed = Sealed };

        var reported = Assert.IsType<CaseReported>(Decide(request).Single());

        Assert.Equal(CaseSource.Open311, reported.Source);
        Assert.Equal("Cover missing", reported.Description);
        Assert.Equal("0101", reported.CategoryCode);
        Assert.Equal(Partner, reported.RecordedBy);
        Assert.Equal(Sealed, reported.ReportedBy);
        Assert.Equal(Rules.PlaceAt(request.Location), reported.Place);
        Assert.Equal("https://img.example.org/1.jpg", reported.MediaUrl);
        // Trimmed, and in the catalogue's order of the questions.
        Assert.Equal(["COVER_STATE=MISSING", "ON_CARRIAGEWAY=YES"], reported.Attributes!.Select(a => $"{a.Code}={string.Join("|", a.Values)}"));
    }

    [Fact]
    public void Its_clocks_are_a_hotline_complaints_filing_and_citizen_clocks()
    {
        var policy = new SlaPolicy(BusinessCalendar.Parse(File.ReadAllText(Path.Combine(Folder, "calendar.json"))),
            (_, _) => new Limit(1, LimitUnit.WorkingDays));
        var request = Request();
        var complaint = new ReportComplaint(request.Description, request.Location, "0101", null);
        var blank = Case.NotYetReported(CaseId, "20261124-00001");

        var fromOpen311 = CaseDecider.DecideAndFollow(blank, request, Partner, Now, Rules, policy).OfType<ClockStarted>().ToList();
        var fromHotline = CaseDecider.DecideAndFollow(blank, complaint, Partner, Now, Rules, policy).OfType<ClockStarted>().ToList();

        Assert.Equal([ClockKind.Filing, ClockKind.Citizen], fromOpen311.Select(c => c.Clock));
        Assert.Equal(fromHotline, fromOpen311);
    }

    [Fact]
    public void A_citizen_not_sealed_under_the_new_cases_key_never_reaches_an_event() =>
        Assert.Throws<InvalidOperationException>(() => Decide(Request(citizen: new Citizen(null, null, "li@example.org"))));

    [Fact]
    public void Every_problem_is_named_with_the_partners_field_names()
    {
        var message = Refusal(Request("9999", description: " ", mediaUrl: "ftp://x") with
        {
            Location = new Location(0, 0, null),
            Citizen = new Citizen(null, null, new string('e', 300)),
        });

        Assert.Contains("description must not be empty", message);
        Assert.Contains("service_code '9999' is not in the category catalogue", message);
        Assert.Contains("outside every unit grid", message);
        Assert.Contains("citizen.email must be at most 254 characters", message);
        Assert.Contains("media_url must be an http(s) URL", message);
        Assert.Contains("service_code must not be empty", Refusal(Request(" ")));
        Assert.Contains("service_code must be 4 digits", Refusal(Request("lamp")));
    }

    [Theory]
    [InlineData("ON_CARRIAGEWAY", "MAYBE", "attribute[ON_CARRIAGEWAY] 'MAYBE' is not one of its values (YES, NO)")]
    [InlineData("COVER_STATE", "GONE", "attribute[COVER_STATE] is given twice")]
    [InlineData("COLOUR", "RED", "attribute[COLOUR] is not a question of category 0101 (they are COVER_STATE, ON_CARRIAGEWAY)")]
    public void Answers_are_checked_against_the_categorys_questions(string code, string value, string problem) =>
        Assert.Contains(problem, Refusal(Request(attributes: [new("COVER_STATE", ["BROKEN"]), new(code, [value])])));

    [Fact]
    public void A_required_question_must_be_answered_and_each_datatype_takes_its_kind_of_value()
    {
        Assert.Contains("attribute[COVER_STATE] is required", Refusal(Request(attributes: [new("ON_CARRIAGEWAY", ["NO"])])));
        Assert.Contains("attribute[COVER_STATE] takes one value (was 2)",
            Refusal(Request(attributes: [new("COVER_STATE", ["BROKEN", "MISSING"])])));
        Assert.Contains("attribute[LAMPS_OUT] must be a number", Refusal(Request("0106", attributes: [new("LAMPS_OUT", ["three"])])));
        Assert.Contains("attribute[NOISE_SINCE] must be a w3c date-time",
            Refusal(Request("1302", attributes: [new("NOISE_SINCE", ["yesterday"])])));
        Assert.Contains("attribute[WATER_DEPTH] is required", Refusal(Request("1502", attributes: [new("BLOCKING", ["CARS", "BUSES"])])));
        Assert.Contains("attribute[SITE_NAME]: category 1101 asks no questions",
            Refusal(Request("1101", attributes: [new("SITE_NAME", ["x"])])));

        // Each datatype's good value passes; a multi-value list takes several keys.
        CaseIntake.Validate(Request("1502", attributes: [new("WATER_DEPTH", ["KNEE"]), new("BLOCKING", ["CARS", "BUSES"])]), Rules);
        CaseIntake.Validate(Request("1302", attributes:
            [new("NOISE_SINCE", ["2026-11-23T22:00:00+08:00"]), new("SITE_NAME", ["Site 7"]), new("NOISE_PATTERN", ["Every night"])]), Rules);
        CaseIntake.Validate(Request("0106", attributes: [new("LAMPS_OUT", ["4"])]), Rules);
    }

    [Fact]
    public void The_notices_and_satisfaction_of_a_citizens_report_apply_to_open311_cases_too()
    {
        Assert.True(CaseSource.Open311.IsCitizenReport());
        Assert.True(CaseSource.Hotline.IsCitizenReport());
        Assert.False(CaseSource.Patrol.IsCitizenReport());
        Assert.False(CaseSource.Sensor.IsCitizenReport());
    }
}

/// <summary>The catalogue's questions (Open311 attributes): read from categories.json and refused when malformed.</summary>
public sealed class CatalogueAttributesTests
{
    private static void Refused(Action<JsonObject> change, string entry, string problem)
    {
        var error = Assert.Throws<ReferenceDataException>(() => ReferenceData.Parse(With(ReferenceData.CategoriesFile,
            json => change(Category(json, "0101")))));
        Assert.Equal(entry.Length == 0 ? "category 0101" : $"category 0101 {entry}", error.Entry);
        Assert.Contains(problem, error.Problem);
    }

    private static JsonObject First(JsonObject category) => category["attributes"]![0]!.AsObject();

    [Fact]
    public void The_sample_asks_urgency_questions_of_covers_lamps_noise_and_floods()
    {
        var cover = ReferenceSample.Data.CategoriesByCode["0102"].Attributes;
        Assert.Equal(["COVER_STATE", "ON_CARRIAGEWAY"], cover.Select(a => a.Code));
        Assert.Equal(AttributeDatatype.SingleValueList, cover[0].Datatype);
        Assert.True(cover[0].Required);
        Assert.Equal(["MISSING", "BROKEN", "DISPLACED"], cover[0].Values.Select(v => v.Key));
        Assert.Equal(AttributeDatatype.Number, ReferenceSample.Data.CategoriesByCode["0106"].Attributes.Single().Datatype);
        Assert.Empty(ReferenceSample.Data.CategoriesByCode["1101"].Attributes);
    }

    [Fact]
    public void Malformed_questions_are_refused_naming_the_question()
    {
        Refused(c => First(c)["datatype"] = "COLOUR", "attributes[0]", "datatype 'COLOUR' is not one of STRING, NUMBER, DATETIME, TEXT, SINGLE_VALUE_LIST, MULTI_VALUE_LIST");
        Refused(c => First(c)["code"] = "cover state", "attributes[0]", "code 'cover state' must be 1 to 50 letters, digits");
        Refused(c => c["attributes"]![1]!["code"] = "COVER_STATE", "attributes[1]", "code 'COVER_STATE' is used twice");
        Refused(c => First(c).Remove("values"), "attributes[0]", "a SINGLE_VALUE_LIST needs 'values'");
        Refused(c => First(c)["datatype"] = "STRING", "attributes[0]", "only SINGLE_VALUE_LIST and MULTI_VALUE_LIST take 'values'");
        Refused(c => First(c)["required"] = "yes", "attributes[0]", "'required' must be true or false");
        Refused(c => First(c)["question"] = "?", "attributes[0]", "unknown field 'question'");
        Refused(c => First(c).Remove("description"), "attributes[0]", "'description' is missing");
        Refused(c => First(c)["values"]![1]!["key"] = "MISSING", "attributes[0].values[1]", "key 'MISSING' is used twice");
        Refused(c => c["attributes"] = "COVER_STATE", "", "'attributes' must be a list");
    }
}
