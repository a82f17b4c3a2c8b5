using CityCase.Api.Auth;
using CityCase.Api.GraphQL;
using CityCase.Domain;
using CityCase.Domain.Assessment;
using CityCase.Domain.Cases;
using CityCase.Engine.Cases;
using CityCase.Engine.Privacy;
using GraphQL;
using Marten;
using static CityCase.Domain.Roles;

namespace CityCase.Api.Access;

/// <summary>How much of a citizen's personal data a reader sees.</summary>
public enum Disclosure
{
    Full,
    Masked,
    Absent,
}

/// <summary>A citizen as a reader is shown it: in full, masked, or erased (name, phone and email null).</summary>
public sealed record ShownCitizen(string? Name, string? Phone, bool Erased, string? Email = null);

/// <summary>The scope and disclosure rules of <see cref="AccessPolicy"/>, applied to cases as resolvers read them.</summary>
public static class CaseAccess
{
    /// <summary>
    /// The citizen's name and phone: in full for agents (they take the calls), the department that holds the case
    /// now (it must reach the citizen) and admins; masked (138****0000) for other staff whose work touches the
    /// case; absent for analysts, devices and unknown roles (minimum necessary, PIPL).
    /// </summary>
    public static Disclosure DisclosureFor(Actor? actor, string? holdingDepartment) => actor?.Role switch
    {
        Agent or Admin => Disclosure.Full,
        Department when holdingDepartment is not null && actor.Department == holdingDepartment => Disclosure.Full,
        Dispatcher or Supervisor or Inspector or Auditor or Department => Disclosure.Masked,
        _ => Disclosure.Absent,
    };

    /// <summary>Whether the reader sees citizens at all (in full or masked, on some cases): the exports' citizen columns.</summary>
    public static bool SeesCitizens(Actor actor) => DisclosureFor(actor, actor.Department) != Disclosure.Absent;

    /// <summary>
    /// What the reader is shown of a citizen as it opened (<see cref="CitizenVault"/>): nothing when the disclosure is
    /// absent; erased when its key is gone, to every reader who may see citizens at all; else in full or masked.
    /// </summary>
    public static ShownCitizen? Disclose(CitizenReading? reading, Disclosure disclosure) => (reading, disclosure) switch
    {
        (null, _) or (_, Disclosure.Absent) => null,
        ({ Erased: true }, _) => new ShownCitizen(null, null, true),
        ({ Citizen: null }, _) => null,
        ({ Citizen: var c }, Disclosure.Full) => new ShownCitizen(c.Name, c.Phone, false, c.Email),
        ({ Citizen: var c }, _) => new ShownCitizen(MaskName(c.Name), MaskPhone(c.Phone), false, MaskEmail(c.Email)),
    };

    /// <summary>The case's own citizen, opened and disclosed as the reader may see it.</summary>
    public static async Task<ShownCitizen?> CitizenOf(this IResolveFieldContext context, CaseView view, Disclosure disclosure) =>
        disclosure == Disclosure.Absent || view.Citizen is null
            ? CitizenOf(view, disclosure, opened: null)
            : CitizenOf(view, disclosure, await context.Service<CitizenVault>().OpenAsync(view.Citizen, context.CancellationToken));

    /// <summary>The same, once the case's citizen has been opened (<paramref name="opened"/>; the exports open a page at once).</summary>
    public static ShownCitizen? CitizenOf(CaseView view, Disclosure disclosure, CitizenReading? opened)
    {
        if (disclosure == Disclosure.Absent) return null;
        if (view.Citizen is null) return view.CitizenErased ? Disclose(CitizenReading.WasErased, disclosure) : null;
        return Disclose(opened, disclosure);
    }

    /// <summary>The reporters of merged duplicates, each opened with its own case's key.</summary>
    public static async Task<IReadOnlyList<ShownCitizen>> LinkedReportersOf(this IResolveFieldContext context, CaseView view, Disclosure disclosure)
    {
        if (disclosure == Disclosure.Absent || view.LinkedReporters.Count == 0) return [];
        var opened = await context.Service<CitizenVault>().OpenManyAsync(view.LinkedReporters, context.CancellationToken);
        return view.LinkedReporters.Select(r => Disclose(opened.GetValueOrDefault(r), disclosure)).OfType<ShownCitizen>().ToList();
    }

    /// <summary>What the reader of <paramref name="context"/> sees of the citizens of <paramref name="view"/>.</summary>
    public static Disclosure DisclosureFor(this IResolveFieldContext context, CaseView view) =>
        DisclosureFor(context.User.ToActor(), view.DepartmentCode);

    /// <summary>m***@example.org: the first character of the mailbox and the domain (an Open311 citizen's email).</summary>
    public static string? MaskEmail(string? email) => email switch
    {
        null or "" => email,
        _ when email.LastIndexOf('@') is var at and > 0 => email[0] + "***" + email[at..],
        _ => "***",
    };

    /// <summary>138****0000: the first three and last four digits (a short number keeps only its last two).</summary>
    public static string? MaskPhone(string? phone) => phone switch
    {
        null or "" => phone,
        { Length: >= 11 } => phone[..3] + new string('*', phone.Length - 7) + phone[^4..],
        { Length: > 2 } => new string('*', phone.Length - 2) + phone[^2..],
        _ => new string('*', phone.Length),
    };

    /// <summary>李*: the first character and a star for the rest.</summary>
    public static string? MaskName(string? name) =>
        string.IsNullOrEmpty(name) ? name : name[..1] + new string('*', Math.Max(1, name.Length - 1));

    /// <summary>Refuses with FORBIDDEN unless the reader's scope reaches the case.</summary>
    public static void RequireScope(this IResolveFieldContext context, CaseView view)
    {
        var actor = context.RequireActor();
        if (!InScope(actor, view, context.Service<AssessmentRules>().InspectorOfGrid))
            throw new DomainException(ErrorCodes.Forbidden, AccessPolicy.ScopeOf(actor) switch
            {
                CaseScope.Department => $"case {view.Number} was never dispatched to department {actor.Department ?? "(none in your token)"}",
                CaseScope.Inspector => $"case {view.Number} is neither in your beat nor reported by you",
                _ => $"the role '{actor.Role}' reads no cases",
            });
    }

    public static bool InScope(Actor actor, CaseView view, IReadOnlyDictionary<string, string> inspectorOfGrid) =>
        AccessPolicy.ScopeOf(actor) switch
        {
            CaseScope.All => true,
            CaseScope.Department => actor.Department is { } d && view.Departments.Contains(d),
            CaseScope.Inspector => view.RecordedBy.UserId == actor.UserId
                                   || view.GridCode is { } grid && inspectorOfGrid.GetValueOrDefault(grid) == actor.UserId,
            _ => false,
        };

    /// <summary>A case query narrowed to the reader's scope, whatever its filter says.</summary>
    public static IQueryable<CaseView> InScope(this IQueryable<CaseView> cases, IResolveFieldContext context) =>
        cases.InScope(context.RequireActor(), context.Service<AssessmentRules>().InspectorOfGrid);

    /// <summary>The same for a reader outside GraphQL (the exports).</summary>
    public static IQueryable<CaseView> InScope(this IQueryable<CaseView> cases, Actor actor, IReadOnlyDictionary<string, string> inspectorOfGrid)
    {
        switch (AccessPolicy.ScopeOf(actor))
        {
            case CaseScope.All:
                return cases;
            case CaseScope.Department:
                var department = actor.Department ?? "";
                return cases.Where(v => v.Departments.Contains(department));
            case CaseScope.Inspector:
                var beat = inspectorOfGrid.Where(g => g.Value == actor.UserId).Select(g => g.Key).ToArray();
                var user = actor.UserId;
                return cases.Where(v => v.GridCode.IsOneOf(beat) || v.RecordedBy.UserId == user);
            default:
                return cases.Where(v => false);
        }
    }

    /// <summary>
    /// The department a per-department read (a board, an alert feed) is about: a department's own, whatever its
    /// <c>departmentCode</c> argument says; for other readers the argument (null: all departments).
    /// </summary>
    public static string? DepartmentInScope(this IResolveFieldContext context, Actor actor) =>
        actor.Role == Department ? actor.Department ?? "" : context.GetArgument<string?>("departmentCode");

    /// <summary>Loads a case the reader may read: null when there is none, FORBIDDEN outside the reader's scope.</summary>
    public static async Task<CaseView?> LoadInScope(this IResolveFieldContext context, Guid caseId)
    {
        var view = await context.Service<IQuerySession>().LoadAsync<CaseView>(caseId, context.CancellationToken);
        if (view is not null) context.RequireScope(view);
        return view;
    }
}
