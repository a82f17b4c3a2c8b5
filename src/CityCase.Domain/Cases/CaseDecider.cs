using CityCase.Domain.Evidence;
using CityCase.Domain.Notices;
using CityCase.Domain.Time;
using NodaTime;

namespace CityCase.Domain.Cases;

/// <summary>
/// The case decider: a pure function from (state, command, who, when) to the events that happen, or a
/// refusal. An illegal command is refused with INVALID_TRANSITION naming the current status and the
/// operation; bad input with VALIDATION_FAILED; a department acting on another department's case with
/// FORBIDDEN. A refusal appends nothing.
/// </summary>
public static class CaseDecider
{
    public const double MaxExtraWorkingHours = 24 * 30;

    /// <summary>
    /// The one path of every change to a case (intake, the loop, lights, merges): the decision, then the clocks
    /// it starts, stops or moves. A new case is decided on <see cref="Case.NotYetReported"/>.
    /// </summary>
    /// <remarks>With a notification gateway (<paramref name="notices"/>), the citizen's notices follow too.</remarks>
    public static IReadOnlyList<object> DecideAndFollow(Case state, CaseCommand command, Actor by, Instant now,
        ICaseRules rules, SlaPolicy sla, NoticePolicy? notices = null)
    {
        var events = Decide(state, command, by, now, rules, sla, notices);
        IReadOnlyList<object> decided = [.. events, .. CaseClocks.Follow(state, events, sla, now)];
        // A disposal clock that turned red raises the automatic supervision (its light is recorded once, so is this).
        // A reported disposal's verification goes to the beat's inspector. The citizen's notices follow the decision.
        return [.. decided, .. CaseSupervision.Follow(state, decided, sla, now), .. CaseWork.Follow(state, decided, sla, now),
            .. CitizenNotices.Follow(state, events, notices ?? NoticePolicy.Off, now)];
    }

    /// <summary>
    /// The decision alone, without the clocks that follow it (see <see cref="DecideAndFollow"/>). The loop's rules and
    /// the calendar come with <paramref name="policy"/>; without it the city's defaults apply, and a decision that counts
    /// working time (a supervision's reply deadline) cannot be made. <paramref name="notices"/>: the notification gateway.
    /// </summary>
    public static IReadOnlyList<object> Decide(Case state, CaseCommand command, Actor by, Instant now, ICaseRules rules,
        SlaPolicy? policy = null, NoticePolicy? notices = null)
    {
        var loop = policy?.Loop ?? LoopRules.Default;
        var id = state.Id;
        if (!state.Exists) return CaseIntake.Decide(state, command, by, now, rules);
        switch (command)
        {
            case ReportComplaint or ReportPatrolFinding or ReportServiceRequest:
                throw new InvalidOperationException($"case {state.Number} is already reported");
            case RecordSlaLight light:
                return CaseClocks.DecideLight(state, light.Clock, light.Light, now);
            case RecountProvisionalClocks recount: // suspended or not: the deadlines on record are counted again
                return CaseClocks.DecideRecount(state, recount, now);
            case RevealCitizenContact reveal: // whatever the case's status: it records who looked
                return [new CitizenContactRevealed(id, Required(reveal.Reason, "reason"), by, now)];
            case EraseCitizenData erase:
                return DecideErasure(state, erase, by, now);
            case AddCaseNote note: // whatever the case's status, by anyone who may act on it
                return CaseFollowUp.DecideNote(state, note, by, now);
            case EscalateSupervision escalate:
                return CaseSupervision.DecideEscalation(state, escalate, now, policy ?? throw NeedsPolicy(command));
            // The gateway's answers are facts, whatever the case's status; a notice already answered decides nothing more.
            case RecordNoticeDelivered delivered:
                return state.PendingNotices.TryGetValue(delivered.NoticeId, out var kind)
                    ? [new CitizenNotified(id, kind, TextLimits.Required(delivered.Channel, "channel", TextLimits.Channel), by, now, delivered.NoticeId)]
                    : [];
            case RecordNoticeFailed failed:
                return state.PendingNotices.TryGetValue(failed.NoticeId, out var failedKind)
                    ? [new CitizenNoticeFailed(id, failed.NoticeId, failedKind, TextLimits.Required(failed.Reason, "reason"), failed.Attempts, by, now)]
                    : [];
        }
        if (state.Suspended && command is not (ResumeCase or VoidCase or SuperviseCase or AnswerSupervision or NotifyCitizen
                or SendCitizenNotice or RecordMergedDuplicate))
            throw Refuse(state, command, "the case is suspended; resume it first");

        return command switch
        {
            AcceptCase c => Require(state, c, CaseStatus.Reported).Then(() =>
            {
                if (!CategoryCodes.IsWellFormed(c.CategoryCode))
                    throw new ValidationFailedException($"categoryCode must be 4 digits, major class then minor class (was '{c.CategoryCode}')");
                if (!rules.IsKnownCategory(c.CategoryCode))
                    throw new ValidationFailedException($"categoryCode '{c.CategoryCode}' is not in the category catalogue");
                return new CaseAccepted(id, c.CategoryCode, c.Urgency, TextLimits.Optional(c.Note, "note"), by, now);
            }),
            RejectCase c => Require(state, c, CaseStatus.Reported)
                .Then(() => new CaseRejected(id, Required(c.Reason, "reason"), by, now)),
            DispatchCase c => Require(state, c, CaseStatus.Accepted).Then(() => DecideDispatch(state, c, by, now, rules)),
            SignCase c => Require(state, c, CaseStatus.Dispatched).OwnedBy(by)
                .Then(() => new CaseSigned(id, state.DepartmentCode!, by, now)),
            ReturnCase c => Require(state, c, CaseStatus.Dispatched, CaseStatus.InProgress).OwnedBy(by)
                .Then(() => CaseApprovals.RequestReturn(state, c, by, now, loop)),
            DecideReturn c => Require(state, c, CaseStatus.Dispatched, CaseStatus.InProgress).ThenMany(() => CaseApprovals.DecideReturn(state, c, by, now)),
            RequestSuspension c => Require(state, c, CaseStatus.Dispatched, CaseStatus.InProgress).OwnedBy(by)
                .Then(() => CaseApprovals.RequestSuspension(state, c, by, now, loop)),
            DecideSuspension c => Require(state, c, CaseStatus.Dispatched, CaseStatus.InProgress)
                .ThenMany(() => CaseApprovals.DecideSuspension(state, c, by, now)),
            ReviewClosure c => Require(state, c, CaseStatus.Disposed).Then(() => CaseApprovals.ReviewClosure(state, c, by, now, rules, loop)),
            AnswerSupervision c => RequireOpen(state, c).Then(() => CaseSupervision.Answer(state, c, by, now)),
            ReopenCase c => Require(state, c, CaseStatus.Closed).Then(() => CaseFollowUp.Reopen(state, c.Reason, null, by, now, loop)),
            AssignVerification c => Require(state, c, CaseStatus.Disposed).Then(() => CaseWork.AssignVerification(state, c, by, now)),
            AssignCase c => Require(state, c, CaseStatus.Dispatched, CaseStatus.InProgress).OwnedBy(by).Then(() => CaseWork.Assign(state, c, by, now)),
            AddAssistingDepartment c => Require(state, c, CaseStatus.Dispatched, CaseStatus.InProgress)
                .Then(() => CaseWork.AddAssisting(state, c, by, now, rules)),
            RequestExtension c => Require(state, c, CaseStatus.InProgress).OwnedBy(by).Then(() =>
            {
                if (state.PendingExtension is not null)
                    throw Refuse(state, c, "an extension request is already awaiting a decision");
                if (!double.IsFinite(c.ExtraWorkingHours) || c.ExtraWorkingHours <= 0 || c.ExtraWorkingHours > MaxExtraWorkingHours)
                    throw new ValidationFailedException(
                        $"extraWorkingHours must be more than 0 and at most {MaxExtraWorkingHours} (was {c.ExtraWorkingHours})");
                return new ExtensionRequested(id, c.ExtraWorkingHours, Required(c.Reason, "reason"), by, now);
            }),
            DecideExtension c => Require(state, c, CaseStatus.InProgress).Then(() =>
                state.PendingExtension is { } pending
                    ? new ExtensionDecided(id, c.Approve, pending.ExtraWorkingHours, TextLimits.Optional(c.Note, "note"), by, now)
                    : throw Refuse(state, c, "no extension request is awaiting a decision")),
            SuspendCase c => Require(state, c, CaseStatus.Accepted, CaseStatus.Dispatched, CaseStatus.InProgress).Then(() =>
            {
                CaseApprovals.RequireSuspensionsLeft(state, c, loop);
                return new CaseSuspended(id, Required(c.Reason, "reason"), by, now);
            }),
            ResumeCase c => Require(state, c, CaseStatus.Accepted, CaseStatus.Dispatched, CaseStatus.InProgress).Then(() =>
                state.Suspended
                    ? new CaseResumed(id, Required(c.Reason, "reason"), by, now)
                    : throw Refuse(state, c, "the case is not suspended")),
            ReportDisposal c => Require(state, c, CaseStatus.InProgress).OwnedBy(by).ThenMany(() =>
            {
                var photos = WithRequiredPhotos(state, rules, AttachmentKind.AfterDisposal, c.Photos, AttachmentKind.BeforeDisposal);
                var report = new DisposalReported(id, state.DepartmentCode!, Required(c.Result, "result"), PhotoUrls(c.PhotoUrls), by, now);
                return [.. Attached(id, AttachmentKind.AfterDisposal, photos, by, now), report];
            }),
            VerifyDisposal c => Require(state, c, CaseStatus.Disposed).ThenMany(() =>
            {
                if (state.Verified) throw Refuse(state, c, "the disposal has already been verified; close the case");
                var photos = WithRequiredPhotos(state, rules, AttachmentKind.Verification, c.Photos);
                return [.. Attached(id, AttachmentKind.Verification, photos, by, now),
                    new DisposalVerified(id, c.Passed, TextLimits.Optional(c.Note, "note"), by, now)];
            }),
            AttachEvidence c => DecideAttachment(state, c, by, now),
            CloseCase c => Require(state, c, CaseStatus.Disposed).Then(() =>
                !state.Verified ? throw Refuse(state, c, "the disposal has not passed verification yet")
                : CaseApprovals.AwaitsClosureReview(state, rules) ? throw Refuse(state, c,
                    $"category {state.CategoryCode} needs the city's review before closing (结案审核) by a {loop.CloseReviewRole}: reviewClosure first")
                : new CaseClosed(id, by, now)),
            VoidCase c => RequireOpen(state, c).Then(() => new CaseVoided(id, Required(c.Reason, "reason"), by, now)),
            SuperviseCase c => RequireOpen(state, c).Then(() => CaseSupervision.Supervise(state, c, by, now, policy ?? throw NeedsPolicy(c))),
            NotifyCitizen c => DecideNotification(state, c, by, now),
            SendCitizenNotice c => DecideNoticeToSend(state, c, by, now, notices ?? NoticePolicy.Off),
            RecordSatisfaction c => Require(state, c, CaseStatus.Closed).ThenMany(() =>
            {
                if (!state.Source.IsCitizenReport())
                    throw new ValidationFailedException("only citizens' reports (hotline, Open311) have a citizen to ask for satisfaction");
                if (state.Satisfaction is not null)
                    throw Refuse(state, c, "satisfaction has already been recorded");
                if (c.Score is < 1 or > 5)
                    throw new ValidationFailedException($"score must be from 1 to 5 (was {c.Score})");
                var recorded = new SatisfactionRecorded(id, c.Score, TextLimits.Optional(c.Comment, "comment"), by, now);
                return [recorded, .. CaseFollowUp.ReopenOnLowScore(state, c.Score, by, now, loop)];
            }),
            // A repeat of the alarm while its case is open folds into that case.
            RaiseSensorAlarm c => RequireOpen(state, c).Then(() => new SensorAlarmRepeated(id, c.Severity.Trim(), by, now)),
            FoldSensorAlarms c => RequireOpen(state, c).Then(() =>
                state.Sensor is null ? throw new ValidationFailedException("the case was not raised by a sensor")
                : c.Count < 1 ? throw new ValidationFailedException($"a fold holds at least one alarm (was {c.Count})")
                : new SensorAlarmRepeated(id, c.Severity.Trim(), by, now, c.Count, c.IdempotencyKeys.Count == 0 ? null : c.IdempotencyKeys,
                    c.FirstReceivedAt)),
            ClearSensorAlarm => state.Sensor is null
                ? throw new ValidationFailedException("the case was not raised by a sensor")
                : state.SensorCleared
                    ? []
                    : [new SensorAlarmCleared(id, by, now)],
            MergeCase c => [DecideMerge(state, c, by, now)],
            RecordMergedDuplicate c => RequireOpen(state, c).Then(() =>
                new DuplicateMerged(id, c.Duplicate.Id, c.Duplicate.Number, c.Duplicate.ReportedBy, by, now)),
            _ => throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "not a case command"),
        };
    }

    /// <summary>
    /// Folds <paramref name="duplicate"/> into the command's original: the duplicate ends as MERGED (the original
    /// then records it with <see cref="RecordMergedDuplicate"/>). Only a case not yet dispatched can be a duplicate.
    /// </summary>
    private static CaseMerged DecideMerge(Case duplicate, MergeCase command, Actor by, Instant now)
    {
        var original = command.Into;
        if (duplicate.Id == original.Id)
            throw new ValidationFailedException("a case cannot be merged into itself");
        Require(duplicate, command, CaseStatus.Reported, CaseStatus.Accepted);
        if (duplicate.Suspended)
            throw Refuse(duplicate, command, "the case is suspended; resume it first");
        if (!original.IsOpen)
            throw new InvalidTransitionException(typeof(MergeCase), original.Number, original.Status, [],
                $"case {original.Number} is the one to merge into, and it is no longer open");
        return new CaseMerged(duplicate.Id, original.Id, by, now);
    }

    /// <summary>
    /// Erasure comes once the case is closed (or rejected, voided, merged): while it is open the department and the
    /// agents still need to reach the caller. Once erased, a repeat (an admin's retry, a second node's retention
    /// pass) decides nothing, so the erasure is recorded exactly once.
    /// </summary>
    private static IReadOnlyList<object> DecideErasure(Case state, EraseCitizenData c, Actor by, Instant now)
    {
        if (state.CitizenErased) return [];
        var reason = Required(c.Reason, "reason");
        if (state.IsOpen)
            throw Refuse(state, c, "the case is still open; a citizen's data is erased once the case is closed, rejected, voided or merged");
        if (state.ReportedBy is null)
            throw new ValidationFailedException($"case {state.Number} holds no citizen's personal data to erase");
        return [new CitizenDataErased(state.Id, reason, by, now)];
    }

    /// <summary>
    /// The photos a step brings (of <paramref name="kind"/>), checked, and the category's required photos: each kind the
    /// catalogue requires for this step (<paramref name="kind"/> and <paramref name="alsoRequired"/>) must be among them or
    /// attached earlier in this round.
    /// </summary>
    private static IReadOnlyList<EvidencePhoto> WithRequiredPhotos(Case state, ICaseRules rules, AttachmentKind kind,
        IReadOnlyList<EvidencePhoto>? given, params AttachmentKind[] alsoRequired)
    {
        var photos = EvidenceRules.Checked(kind, given, required: false);
        var required = state.CategoryCode is { } category ? rules.RequiredPhotos(category) : new HashSet<AttachmentKind>();
        foreach (var needed in alsoRequired.Prepend(kind).Where(required.Contains))
            if (state.PhotosThisRound.GetValueOrDefault(needed) + (needed == kind ? photos.Count : 0) == 0)
                throw new ValidationFailedException(
                    $"category {state.CategoryCode} needs a {Naming.ScreamingSnake(needed.ToString())} photo for this step: upload it " +
                    (needed == kind ? "(POST /attachments) and pass its id in attachmentIds" : "(POST /attachments) and attach it with attachEvidence first"));
        return photos;
    }

    private static IEnumerable<object> Attached(Guid id, AttachmentKind kind, IReadOnlyList<EvidencePhoto> photos, Actor by, Instant now) =>
        photos.Count == 0 ? [] : [new EvidenceAttached(id, kind, photos, by, now)];

    /// <summary>
    /// Photos on their own: each kind by the roles whose work it records, in the steps it belongs to; the department's only
    /// on its own case. A device's report photo goes only to a sensor's case.
    /// </summary>
    private static IReadOnlyList<object> DecideAttachment(Case state, AttachEvidence c, Actor by, Instant now)
    {
        var kind = Naming.ScreamingSnake(c.Kind.ToString());
        if (by.Role != Roles.Admin && !EvidenceRules.RolesFor(c.Kind).Contains(by.Role))
            throw new DomainException(ErrorCodes.Forbidden,
                $"{kind} photos are attached by {string.Join(", ", EvidenceRules.RolesFor(c.Kind))}; you are signed in as '{by.Role}'");
        if (by.Role == Roles.Device && state.Sensor is null)
            throw new DomainException(ErrorCodes.Forbidden, $"case {state.Number} was not raised by a sensor");
        var guard = Require(state, c, [.. EvidenceRules.StatusesFor(c.Kind)]);
        if (c.Kind is AttachmentKind.BeforeDisposal or AttachmentKind.AfterDisposal) guard.OwnedBy(by);
        return [new EvidenceAttached(state.Id, c.Kind, EvidenceRules.Checked(c.Kind, c.Photos, required: true), by, now)];
    }

    private static CaseDispatched DecideDispatch(Case state, DispatchCase c, Actor by, Instant now, ICaseRules rules)
    {
        if (!string.IsNullOrWhiteSpace(c.DepartmentCode))
        {
            var department = c.DepartmentCode.Trim();
            return rules.IsKnownDepartment(department)
                ? new CaseDispatched(state.Id, department, false, by, now)
                : throw new ValidationFailedException($"departmentCode '{department}' is not a known department");
        }
        var chosen = rules.DepartmentFor(state.CategoryCode!, state.Place?.StreetCode)
                     ?? throw new ValidationFailedException(
                         $"no dispatch rule covers category {state.CategoryCode}; name a departmentCode");
        return new CaseDispatched(state.Id, chosen, true, by, now);
    }

    private static IReadOnlyList<object> DecideNotification(Case state, NotifyCitizen c, Actor by, Instant now)
    {
        var channel = TextLimits.Required(c.Channel, "channel", TextLimits.Channel);
        RequireNoticeAllowed(state, c, c.Kind);
        return [new CitizenNotified(state.Id, c.Kind, channel, by, now)];
    }

    /// <summary>An agent's notice through the gateway: as an agent's own notice, and not while one of its kind is on its way.</summary>
    private static IReadOnlyList<object> DecideNoticeToSend(Case state, SendCitizenNotice c, Actor by, Instant now, NoticePolicy notices)
    {
        if (!notices.GatewayConfigured)
            throw new ValidationFailedException("no notification gateway is configured (Notices:WebhookUrl): tell the citizen yourself and record it with notifyCitizen");
        RequireNoticeAllowed(state, c, c.Kind);
        if (state.ReportedBy is null || state.CitizenErased)
            throw new ValidationFailedException($"case {state.Number} has no citizen's phone on record to send a notice to");
        if (state.PendingNotices.ContainsValue(c.Kind))
            throw Refuse(state, c, $"a {Naming.ScreamingSnake(c.Kind.ToString())} notice is already on its way");
        return CitizenNotices.Queue(state, [c.Kind], by, now);
    }

    /// <summary>What a notice of each kind needs: a hotline case, at the right step, not yet told.</summary>
    private static void RequireNoticeAllowed(Case state, CaseCommand c, NotificationKind kind)
    {
        if (!state.Source.IsCitizenReport())
            throw new ValidationFailedException("only citizens' reports (hotline, Open311) have a citizen to notify");
        if (kind == NotificationKind.Acceptance)
            Require(state, c, CaseStatus.Accepted, CaseStatus.Dispatched, CaseStatus.InProgress, CaseStatus.Disposed, CaseStatus.Closed);
        else
            Require(state, c, CaseStatus.Closed);
        if (state.Notified(kind))
            throw Refuse(state, c, kind switch
            {
                NotificationKind.Acceptance => "the citizen was already told of the acceptance",
                NotificationKind.Completion => "the citizen was already told of the completion",
                _ => "the citizen was already asked for the follow-up",
            });
    }

    private static InvalidOperationException NeedsPolicy(CaseCommand command) =>
        new($"{command.GetType().Name} counts working time: decide it with the city's SlaPolicy");

    internal static Guard Require(Case state, CaseCommand command, params CaseStatus[] allowed)
    {
        if (!allowed.Contains(state.Status))
            throw new InvalidTransitionException(command.GetType(), state.Number, state.Status, allowed);
        return new Guard(state, command);
    }

    internal static Guard RequireOpen(Case state, CaseCommand command) =>
        state.IsOpen
            ? new Guard(state, command)
            : throw new InvalidTransitionException(command.GetType(), state.Number, state.Status, [], "the case is no longer open");

    internal static InvalidTransitionException Refuse(Case state, CaseCommand command, string why) =>
        new(command.GetType(), state.Number, state.Status, [], why);

    internal static string Required(string? value, string field) => TextLimits.Required(value, field);

    private static IReadOnlyList<string> PhotoUrls(IReadOnlyList<string>? urls)
    {
        var list = (urls ?? []).Where(u => !string.IsNullOrWhiteSpace(u)).Select(u => u.Trim()).ToList();
        var problems = TextLimits.PhotoProblems(list).ToList();
        return problems.Count == 0 ? list : throw new ValidationFailedException(string.Join("; ", problems));
    }

    internal readonly record struct Guard(Case State, CaseCommand Command)
    {
        /// <summary>Only the department the case is with may act on it.</summary>
        public Guard OwnedBy(Actor by)
        {
            if (by.Role == Roles.Department && by.Department != State.DepartmentCode)
                throw new DomainException(ErrorCodes.Forbidden,
                    $"case {State.Number} is dispatched to department {State.DepartmentCode}, not to {by.Department ?? "yours"}");
            return this;
        }

        public IReadOnlyList<object> Then(Func<object> decide) => [decide()];

        public IReadOnlyList<object> ThenMany(Func<IReadOnlyList<object>> decide) => decide();
    }
}
