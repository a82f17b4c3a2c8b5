using System.Text.Json.Nodes;
using CityCase.Domain.Cases;
using CityCase.Domain.Evidence;
using CityCase.Domain.Reference;
using static CityCase.Domain.Tests.Cases.CaseScenario;
using static CityCase.Domain.Tests.Reference.ReferenceSample;

namespace CityCase.Domain.Tests.Evidence;

/// <summary>
/// Photos as evidence: who attaches which kind when, and the catalogue's required photos at the steps that need them
/// (road damage, 0201, requires after-disposal and verification photos here).
/// </summary>
public sealed class EvidenceTests
{
    private const string Validation = ErrorCodes.ValidationFailed;
    private const string Invalid = ErrorCodes.InvalidTransition;
    private const string Forbidden = ErrorCodes.Forbidden;

    /// <summary>The sample rules, with 0201 requiring after-disposal and verification photos.</summary>
    private sealed class PhotoRules : ICaseRules
    {
        private static readonly ICaseRules Sample = new SampleRules();
        public bool IsKnownCategory(string categoryCode) => Sample.IsKnownCategory(categoryCode);
        public bool IsKnownDepartment(string departmentCode) => Sample.IsKnownDepartment(departmentCode);
        public string? DepartmentFor(string categoryCode, string? streetCode) => Sample.DepartmentFor(categoryCode, streetCode);
        public CasePlace? PlaceAt(Location location) => Sample.PlaceAt(location);

        public IReadOnlySet<AttachmentKind> RequiredPhotos(string categoryCode) => categoryCode == "0201"
            ? new HashSet<AttachmentKind> { AttachmentKind.AfterDisposal, AttachmentKind.Verification }
            : new HashSet<AttachmentKind>();
    }

    private static readonly ICaseRules Photos = new PhotoRules();

    private static EvidencePhoto Photo(AttachmentKind kind, int n = 1) =>
        new(Guid.Parse($"0198a0c4-2222-7000-8000-00000000000{n}"), kind, new string((char)('a' + n), 64), "image/jpeg", 1000 + n);

    private static IReadOnlyList<object> Decide(object[] history, CaseCommand command, Actor by) =>
        CaseDecider.Decide(Case.From(history), command, by, Now, Photos);

    private static DomainException Refusal(object[] history, CaseCommand command, Actor by) =>
        Assert.ThrowsAny<DomainException>(() => Decide(history, command, by));

    [Fact]
    public void A_disposal_report_without_the_required_after_photo_is_refused_naming_the_photo_and_appends_nothing()
    {
        var refusal = Refusal(AtInProgress, new ReportDisposal("Patched", []), Roads);
        Assert.Equal(Validation, refusal.Code);
        Assert.Contains("category 0201 needs a AFTER_DISPOSAL photo", refusal.Message);
        Assert.Contains("attachmentIds", refusal.Message);
    }

    [Fact]
    public void A_disposal_report_with_its_after_photos_records_them_with_their_hashes_before_the_report()
    {
        var photos = new[] { Photo(AttachmentKind.AfterDisposal, 1), Photo(AttachmentKind.AfterDisposal, 2) };
        var events = Decide(AtInProgress, new ReportDisposal("Patched", [], photos), Roads);
        Assert.Equal(Describe(new EvidenceAttached(Id, AttachmentKind.AfterDisposal, photos, Roads, Now)), Describe(events[0]));
        Assert.IsType<DisposalReported>(events[1]);
        Assert.Contains(new string('b', 64), Describe(events[0])); // the hash is in the event: the audit chain covers it
    }

    [Fact]
    public void An_after_photo_attached_earlier_in_the_round_counts_but_not_once_verification_sent_the_work_back()
    {
        var attached = new EvidenceAttached(Id, AttachmentKind.AfterDisposal, [Photo(AttachmentKind.AfterDisposal)], Roads, T0);
        Assert.IsType<DisposalReported>(Assert.Single(Decide([.. AtInProgress, attached], new ReportDisposal("Patched", []), Roads)));

        object[] reworked =
        [
            .. AtInProgress, attached, new DisposalReported(Id, "D02", "Patched", [], Roads, T0),
            new EvidenceAttached(Id, AttachmentKind.Verification, [Photo(AttachmentKind.Verification)], Inspector, T0),
            new DisposalVerified(Id, false, "Edges crumbling", Inspector, T0),
        ];
        Assert.Equal(Validation, Refusal(reworked, new ReportDisposal("Re-laid", []), Roads).Code);
    }

    [Fact]
    public void A_verification_needs_a_verification_photo_of_this_round()
    {
        object[] atDisposed =
        [
            .. AtInProgress, new EvidenceAttached(Id, AttachmentKind.AfterDisposal, [Photo(AttachmentKind.AfterDisposal)], Roads, T0),
            new DisposalReported(Id, "D02", "Patched", [], Roads, T0),
        ];
        Assert.Contains("VERIFICATION photo", Refusal(atDisposed, new VerifyDisposal(true, null), Inspector).Message);
        var events = Decide(atDisposed, new VerifyDisposal(true, null, [Photo(AttachmentKind.Verification)]), Inspector);
        Assert.Equal([typeof(EvidenceAttached), typeof(DisposalVerified)], events.Select(e => e.GetType()));
    }

    [Fact]
    public void A_category_without_required_photos_needs_none() =>
        Assert.IsType<DisposalReported>(Assert.Single(
            CaseDecider.Decide(Case.From(AtInProgress), new ReportDisposal("Patched", []), Roads, Now, Rules)));

    [Fact]
    public void Photos_given_to_a_step_must_be_of_its_kind_and_each_upload_once()
    {
        Assert.Contains("of kind AFTER_DISPOSAL",
            Refusal(AtInProgress, new ReportDisposal("Patched", [], [Photo(AttachmentKind.Verification)]), Roads).Message);
        Assert.Contains("twice", Refusal(AtInProgress,
            new ReportDisposal("Patched", [], [Photo(AttachmentKind.AfterDisposal), Photo(AttachmentKind.AfterDisposal)]), Roads).Message);
    }

    [Fact]
    public void Each_kind_is_attached_by_the_roles_whose_work_it_records_in_its_steps()
    {
        Assert.IsType<EvidenceAttached>(Assert.Single(Decide(AtDispatched,
            new AttachEvidence(AttachmentKind.BeforeDisposal, [Photo(AttachmentKind.BeforeDisposal)]), Roads)));
        Assert.IsType<EvidenceAttached>(Assert.Single(Decide([Reported],
            new AttachEvidence(AttachmentKind.Report, [Photo(AttachmentKind.Report)]), Agent)));

        // Another department, an inspector with the department's kind, a department with the inspector's.
        Assert.Equal(Forbidden, Refusal(AtInProgress, new AttachEvidence(AttachmentKind.AfterDisposal, [Photo(AttachmentKind.AfterDisposal)]), Water).Code);
        Assert.Equal(Forbidden, Refusal(AtInProgress, new AttachEvidence(AttachmentKind.AfterDisposal, [Photo(AttachmentKind.AfterDisposal)]), Inspector).Code);
        Assert.Equal(Forbidden, Refusal(AtDisposed, new AttachEvidence(AttachmentKind.Verification, [Photo(AttachmentKind.Verification)]), Roads).Code);
        // Out of its step, and empty.
        Assert.Equal(Invalid, Refusal(AtClosed, new AttachEvidence(AttachmentKind.Verification, [Photo(AttachmentKind.Verification)]), Inspector).Code);
        Assert.Equal(Validation, Refusal(AtDisposed, new AttachEvidence(AttachmentKind.Verification, []), Inspector).Code);
    }

    [Fact]
    public void The_write_model_counts_photos_per_round()
    {
        var state = Case.From([.. AtInProgress, new EvidenceAttached(Id, AttachmentKind.AfterDisposal,
            [Photo(AttachmentKind.AfterDisposal, 1), Photo(AttachmentKind.AfterDisposal, 2)], Roads, T0)]);
        Assert.Equal(2, state.PhotosThisRound[AttachmentKind.AfterDisposal]);
    }

    // ---- the catalogue's field ----

    [Fact]
    public void The_sample_catalogue_requires_photos_for_traffic_signs_and_road_collapses_only() =>
        Assert.Equal(["0202", "1501"], Data.Categories.Where(c => c.RequiredPhotos.Count > 0).Select(c => c.Code));

    [Theory]
    [InlineData("[\"REPORT\"]", "requiredPhotos the text \"REPORT\" is not one of BEFORE_DISPOSAL, AFTER_DISPOSAL, VERIFICATION")]
    [InlineData("[\"AFTER\"]", "requiredPhotos the text \"AFTER\" is not one of")]
    [InlineData("[3]", "requiredPhotos the number 3 is not one of")]
    [InlineData("[\"VERIFICATION\", \"VERIFICATION\"]", "requiredPhotos names 'VERIFICATION' twice")]
    [InlineData("\"VERIFICATION\"", "'requiredPhotos' must be a list of photo kinds (BEFORE_DISPOSAL, AFTER_DISPOSAL, VERIFICATION), not the text \"VERIFICATION\"")]
    public void A_bad_required_photos_field_is_refused_naming_the_category(string value, string problem)
    {
        var files = With(ReferenceData.CategoriesFile, json => Category(json, "0101")["requiredPhotos"] = JsonNode.Parse(value));
        var error = Assert.Throws<ReferenceDataException>(() => ReferenceData.Parse(files));
        Assert.Equal("category 0101", error.Entry);
        Assert.Contains(problem, error.Problem);
    }
}
