using CityCase.Api.Access;
using CityCase.Api.Cases;
using CityCase.Api.Evidence;
using CityCase.Api.GraphQL;
using CityCase.Domain;
using CityCase.Domain.Cases;
using CityCase.Domain.Evidence;
using CityCase.Engine.Lifecycle;
using GraphQL;
using GraphQL.Types;
using Wolverine;

namespace CityCase.Api.Lifecycle;

public sealed class NotificationKindType : EnumerationGraphType<NotificationKind>
{
    public NotificationKindType() => Name = "NotificationKind";
}

/// <summary>
/// The mutations that move a case along the loop. Each takes <c>input { caseId expectedVersion ... }</c>,
/// checks the caller's role, and sends one command to the case's aggregate handler.
/// </summary>
public static class LifecycleMutations
{
    public static void AddLifecycleMutations(this ObjectGraphType mutation)
    {
        mutation.CaseMutation("acceptCase", "File a reported case (立案) with its category and urgency.",
            i =>
            {
                i.Field<NonNullGraphType<StringGraphType>>("categoryCode");
                i.Field<NonNullGraphType<UrgencyType>>("urgency");
                i.Field<StringGraphType>("note");
            },
            (input, _) => new AcceptCase(input.Get<string>("categoryCode"), input.Get<Urgency>("urgency"), input.Get<string?>("note")));

        mutation.CaseMutation("rejectCase", "Decline to file a reported case (不予立案).", Reason, (input, _) => new RejectCase(input.Get<string>("reason")));

        mutation.CaseMutation("dispatchCase",
            "Send a filed case to a department (派遣); without departmentCode the dispatch rules choose.", i => i.Field<StringGraphType>("departmentCode"),
            (input, _) => new DispatchCase(input.Get<string?>("departmentCode")));

        mutation.CaseMutation("signCase", "The department signs for its case (签收).", _ => { }, (_, _) => new SignCase());

        mutation.CaseMutation("returnCase",
            "The department asks to send back a case that is not theirs (回退); the case stays with it until a dispatcher decides (decideReturn).", Reason, (input, _) => new ReturnCase(input.Get<string>("reason")));

        mutation.CaseMutation("requestExtension", "The department asks for more working hours (延期).",
            i =>
            {
                i.Field<NonNullGraphType<FloatGraphType>>("extraWorkingHours");
                i.Field<NonNullGraphType<StringGraphType>>("reason");
            },
            (input, _) => new RequestExtension(input.Get<double>("extraWorkingHours"), input.Get<string>("reason")));

        mutation.CaseMutation("decideExtension", "The dispatcher approves or refuses the pending extension.",
            i =>
            {
                i.Field<NonNullGraphType<BooleanGraphType>>("approve");
                i.Field<StringGraphType>("note");
            },
            (input, _) => new DecideExtension(input.Get<bool>("approve"), input.Get<string?>("note")));

        mutation.CaseMutation("suspendCase", "Put a case on hold (挂账); its clocks stop.", Reason, (input, _) => new SuspendCase(input.Get<string>("reason")));

        mutation.CaseMutation("resumeCase", "End a hold (恢复); its clocks run again.", Reason, (input, _) => new ResumeCase(input.Get<string>("reason")));

        mutation.CaseMutation("reportDisposal", "The department reports what it did (处置反馈), with its after-disposal photos.",
            i =>
            {
                i.Field<NonNullGraphType<StringGraphType>>("result");
                i.Field<ListGraphType<NonNullGraphType<StringGraphType>>>("photoUrls");
                i.AttachmentIdsField("after-disposal photos (AFTER_DISPOSAL); required when the category's catalogue entry says so");
            },
            async (input, actor, context) => new ReportDisposal(input.Get<string>("result"), input.GetList<string>("photoUrls"),
                await context.UploadedPhotos(input, AttachmentKind.AfterDisposal, actor)));

        mutation.CaseMutation("verifyDisposal", "An inspector checks the disposal on site (核查); a failure means rework (返工).",
            i =>
            {
                i.Field<NonNullGraphType<BooleanGraphType>>("passed");
                i.Field<StringGraphType>("note");
                i.AttachmentIdsField("verification photos (VERIFICATION); required when the category's catalogue entry says so");
            },
            async (input, actor, context) => new VerifyDisposal(input.Get<bool>("passed"), input.Get<string?>("note"),
                await context.UploadedPhotos(input, AttachmentKind.Verification, actor)));

        mutation.CaseMutation("closeCase", "Close a verified case (结案).", _ => { }, (_, _) => new CloseCase());

        mutation.CaseMutation("voidCase", "Void a case filed by mistake (作废).", Reason, (input, _) => new VoidCase(input.Get<string>("reason")));

        mutation.CaseMutation("mergeCase", "Fold this duplicate into the open case it duplicates (合并).", i => i.Field<NonNullGraphType<IdGraphType>>("intoCaseId"),
            (caseId, expectedVersion, input, actor) => new MergeCaseEnvelope(caseId,
                CaseQueries.ParseCaseId(input.Get<string>("intoCaseId"), "intoCaseId"), expectedVersion, actor));

        mutation.CaseMutation("superviseCase",
            "Supervise a case (督办) at a level (SUPERVISION when none is given); the department holding it must answer (answerSupervision) " +
            "within replyWorkingHours (City:Loop:SupervisionReplyWorkingHours when none is given).",
            i =>
            {
                i.Field<NonNullGraphType<StringGraphType>>("note");
                i.Field<SupervisionLevelType>("level");
                i.Field<FloatGraphType>("replyWorkingHours");
            },
            (input, _) => new SuperviseCase(input.Get<string>("note"), input.Get<SupervisionLevel?>("level"), input.Get<double?>("replyWorkingHours")));

        mutation.CaseMutation("notifyCitizen", "Record that the citizen was told of the acceptance or the completion.",
            i =>
            {
                i.Field<NonNullGraphType<NotificationKindType>>("kind");
                i.Field<NonNullGraphType<StringGraphType>>("channel");
            },
            (input, _) => new NotifyCitizen(input.Get<NotificationKind>("kind"), input.Get<string>("channel")));

        mutation.CaseMutation("recordSatisfaction", "Record the citizen's follow-up score (回访), 1 to 5.",
            i =>
            {
                i.Field<NonNullGraphType<IntGraphType>>("score");
                i.Field<StringGraphType>("comment");
            },
            (input, _) => new RecordSatisfaction(input.Get<int>("score"), input.Get<string?>("comment")));
    }

    internal static void Reason(InputObjectGraphType input) => input.Field<NonNullGraphType<StringGraphType>>("reason");

    /// <summary>Declares <c>name(input: NameInput!): CasePayload!</c> for one command on an existing case.</summary>
    /// <param name="requireScope">The caller must be able to read the case (AccessPolicy's scope), for commands the decider
    /// cannot scope itself (it does not know an inspector's beat).</param>
    internal static void CaseMutation(this ObjectGraphType mutation, string name, string description,
        Action<InputObjectGraphType> fields, Func<IDictionary<string, object?>, Actor, CaseCommand> command, bool requireScope = false) =>
        mutation.CaseMutation(name, description, fields,
            (caseId, expectedVersion, input, actor) => new CaseCommandEnvelope(caseId, expectedVersion, command(input, actor), actor), requireScope);

    /// <summary>The same, for a command whose input must be looked up first (uploaded photos named by id).</summary>
    internal static void CaseMutation(this ObjectGraphType mutation, string name, string description,
        Action<InputObjectGraphType> fields, Func<IDictionary<string, object?>, Actor, IResolveFieldContext, Task<CaseCommand>> command) =>
        mutation.CaseMutation(name, description, fields, async (caseId, expectedVersion, input, actor, context) =>
            new CaseCommandEnvelope(caseId, expectedVersion, await command(input, actor, context), actor));

    /// <summary>The same, for a message of its own (a merge writes two cases).</summary>
    private static void CaseMutation(this ObjectGraphType mutation, string name, string description,
        Action<InputObjectGraphType> fields, Func<Guid, int?, IDictionary<string, object?>, Actor, object> message, bool requireScope = false) =>
        mutation.CaseMutation(name, description, fields,
            (caseId, expectedVersion, input, actor, _) => Task.FromResult(message(caseId, expectedVersion, input, actor)), requireScope);

    private static void CaseMutation(this ObjectGraphType mutation, string name, string description,
        Action<InputObjectGraphType> fields, Func<Guid, int?, IDictionary<string, object?>, Actor, IResolveFieldContext, Task<object>> message,
        bool requireScope = false)
    {
        var inputType = new InputObjectGraphType { Name = char.ToUpperInvariant(name[0]) + name[1..] + "Input" };
        inputType.Field<NonNullGraphType<IdGraphType>>("caseId");
        inputType.Field<IntGraphType>("expectedVersion")
            .Description("The version you saw; if the case has moved on since, the command is refused with CONCURRENCY_CONFLICT.");
        fields(inputType);

        mutation.Field<NonNullGraphType<CasePayloadType>>(name)
            .Description($"{description} For: {string.Join(", ", AccessPolicy.Operations["Mutation." + name])}.")
            .Argument(new NonNullGraphType(inputType), "input")
            .ResolveAsync(async context =>
            {
                var actor = context.RequireActor();
                var input = context.GetArgument<Dictionary<string, object?>>("input");
                var caseId = CaseQueries.ParseCaseId(input.Get<string>("caseId"), "caseId");
                if (requireScope) await context.LoadInScope(caseId);
                await context.InvokeCommandAsync(await message(caseId, input.Get<int?>("expectedVersion"), input, actor, context));
                var changed = await CaseQueries.LoadCase(context, caseId);
                CityCase.Engine.Observability.CaseTrace.Tag(caseId, changed.Number);
                return new CasePayload(changed);
            });
    }

    internal static T Get<T>(this IDictionary<string, object?> input, string name) =>
        input.TryGetValue(name, out var value) && value is not null ? (T)value : default!;

    internal static IReadOnlyList<T> GetList<T>(this IDictionary<string, object?> input, string name) =>
        input.TryGetValue(name, out var value) && value is IEnumerable<object?> items ? [.. items.OfType<T>()] : [];
}
