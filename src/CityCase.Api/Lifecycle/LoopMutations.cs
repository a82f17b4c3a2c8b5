using CityCase.Api.Cases;
using CityCase.Api.GraphQL;
using CityCase.Domain.Cases;
using CityCase.Engine.Cases;
using GraphQL.Types;

namespace CityCase.Api.Lifecycle;

/// <summary>
/// The loop as cities run it (issue 16): the dispatcher's decisions on the department's requests, the city's review
/// before closing, the department's answer to supervision, reopening and notes. <c>returnCase</c> and
/// <c>superviseCase</c> stay in <see cref="LifecycleMutations"/>, under the names the contract gives them.
/// </summary>
public static class LoopMutations
{
    public static void AddLoopMutations(this ObjectGraphType mutation)
    {
        mutation.CaseMutation("decideReturn",
            "The dispatcher approves the department's pending return (回退: the case awaits dispatch again) or denies it (the case stays with the department).",
            Decision, (input, _) => new DecideReturn(input.Get<bool>("approve"), input.Get<string?>("note")));

        mutation.CaseMutation("requestSuspension", "The department asks to put its case on hold (挂账); the clocks run until a dispatcher approves.",
            LifecycleMutations.Reason, (input, _) => new RequestSuspension(input.Get<string>("reason")));

        mutation.CaseMutation("decideSuspension",
            "The dispatcher approves the department's pending suspension (its clocks stop) or denies it (they run on).",
            Decision, (input, _) => new DecideSuspension(input.Get<bool>("approve"), input.Get<string?>("note")));

        mutation.CaseMutation("reviewClosure",
            "The city's review before closing (结案审核) of a verified case whose category and urgency the catalogue marks (closeReview), by the role " +
            "the city chose (City:Loop:CloseReviewRole): approval lets it be closed; denial (with a note) sends it back to the department for rework.",
            Decision, (input, _) => new ReviewClosure(input.Get<bool>("approve"), input.Get<string?>("note")));

        mutation.CaseMutation("answerSupervision",
            "The department holding the case answers its open supervisions (督办回复), all at once; answers after a reply deadline count as late. " +
            "A case no department holds is answered by a dispatcher.",
            i => i.Field<NonNullGraphType<StringGraphType>>("reply"), (input, _) => new AnswerSupervision(input.Get<string>("reply")));

        mutation.CaseMutation("reopenCase",
            "The citizen says the problem persists: reopen a closed case (重办) to the department that disposed of it, with fresh disposal and " +
            "citizen clocks, within City:Loop:ReopenWithinDays of closing. A follow-up score of 1 or 2 (recordSatisfaction) does the same.",
            LifecycleMutations.Reason, (input, _) => new ReopenCase(input.Get<string>("reason")));

        mutation.CaseMutation("addCaseNote", "An internal note on the case, in its history; never shown to the citizen. Only on a case you may read.",
            i => i.Field<NonNullGraphType<StringGraphType>>("text"), (input, _) => new AddCaseNote(input.Get<string>("text")), requireScope: true);
    }

    private static void Decision(InputObjectGraphType input)
    {
        input.Field<NonNullGraphType<BooleanGraphType>>("approve");
        input.Field<StringGraphType>("note");
    }
}

public sealed class SupervisionLevelType : EnumerationGraphType<SupervisionLevel>
{
    public SupervisionLevelType()
    {
        Name = "SupervisionLevel";
        Description = "How strongly a case is supervised: REMINDER (催办), SUPERVISION (督办), PUBLIC_LISTING (挂牌督办).";
    }
}

public sealed class OpenSupervisionType : ObjectGraphType<OpenSupervision>
{
    public OpenSupervisionType()
    {
        Name = "OpenSupervision";
        Description = "A supervision of the case not answered yet.";
        Field(x => x.Number).Description("The supervision's number on the case (1 for the first).");
        Field<NonNullGraphType<SupervisionLevelType>>("level").Resolve(c => c.Source.Level);
        Field<InstantGraphType>("replyDueAt").Description("When the answer is due (none for supervisions recorded before deadlines existed).")
            .Resolve(c => c.Source.ReplyDueAt);
    }
}

/// <summary>The case's fields for the loop's approvals, supervision and reopening.</summary>
public static class LoopCaseFields
{
    public static void AddLoopFields(this ObjectGraphType<CaseView> type)
    {
        type.Field(x => x.PendingReturnReason, nullable: true).Description("The department's return request awaiting a dispatcher: its reason.");
        type.Field(x => x.PendingSuspensionReason, nullable: true).Description("The department's suspension request awaiting a dispatcher: its reason.");
        type.Field(x => x.Suspensions).Description("How many times the case was suspended (the city limits it: City:Loop:MaxSuspensions).");
        type.Field(x => x.ClosureApproved).Description("The city's review before closing (结案审核) approved the current disposal.");
        type.Field<NonNullGraphType<ListGraphType<NonNullGraphType<OpenSupervisionType>>>>("openSupervisions")
            .Description("The supervisions the department has not answered yet.").Resolve(c => c.Source.IsOpen ? c.Source.OpenSupervisions : []);
        type.Field<SupervisionLevelType>("supervisionLevel").Description("The highest level among the open supervisions.")
            .Resolve(c => c.Source.SupervisionLevel);
        type.Field(x => x.SupervisionsAnsweredLate).Description("Supervisions answered after their reply deadline.");
        type.Field(x => x.Reopenings).Description("How many times the closed case was reopened (重办).");
        type.Field(x => x.Notes).Description("How many internal notes the case has (their text is in its history).");
    }
}
