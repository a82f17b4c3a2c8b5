using CityCase.Domain;
using static CityCase.Domain.Roles;

namespace CityCase.Api.Access;

/// <summary>How far a role's access to cases reaches, once its role may use an operation at all.</summary>
public enum CaseScope
{
    /// <summary>Every case (agents, dispatchers, supervisors, auditors, analysts, admins).</summary>
    All,

    /// <summary>A department: the cases dispatched to it, now or before.</summary>
    Department,

    /// <summary>An inspector: the cases in their beat (inspectors.json) and the cases they reported.</summary>
    Inspector,

    /// <summary>A device: no case beyond the answer to its own intake.</summary>
    None,
}

/// <summary>
/// Who may read and do what: one table, default deny. Every query, mutation and subscription has an entry naming
/// the roles that may use it (admin may use everything); an operation without an entry is refused, and a test
/// walks the served schema so that none ships without one. What a role may see of a case is
/// <see cref="ScopeOf"/>; what it may see of a citizen is <see cref="Disclosure"/>.
/// </summary>
public static class AccessPolicy
{
    private static readonly string[] Public = [];
    private static readonly string[] CaseReaders = [Agent, Dispatcher, Supervisor, Auditor, Department, Inspector];
    private static readonly string[] Staff = [Agent, Dispatcher, Supervisor, Auditor, Analyst, Department, Inspector];
    private static readonly string[] Uploaders = [Agent, Inspector, Department, Device];

    /// <summary>"Type.field" → the roles that may use it; an empty list means anyone, signed in or not.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> Operations = new Dictionary<string, IReadOnlyList<string>>
    {
        // Reading cases: each role within its scope; analysts only the list, without personal data.
        ["Query.case"] = CaseReaders,
        ["Query.caseHistory"] = CaseReaders,
        ["Query.caseAsOf"] = CaseReaders,
        ["Query.cases"] = [.. CaseReaders, Analyst],
        ["Query.duplicateCandidates"] = [Agent, Dispatcher, Department],
        ["Query.auditChain"] = [Auditor, Supervisor, Dispatcher],
        // The whole store's audit: re-hashing every event is the auditor's job, not a dashboard's.
        ["Query.verifyAudit"] = [Auditor],
        ["Query.auditAnchors"] = [Auditor, Supervisor],
        ["Query.dispatchQueue"] = [Dispatcher, Supervisor, Department],
        ["Query.slaBoard"] = [Dispatcher, Supervisor, Department],
        // Figures: no personal data in them.
        ["Query.scorecards"] = [Analyst, Supervisor, Auditor],
        ["Query.hotlineKpis"] = [Analyst, Supervisor, Auditor],
        ["Query.hotspots"] = [Analyst, Supervisor, Auditor, Dispatcher],
        ["Query.dailyIntake"] = [Analyst, Supervisor, Auditor, Dispatcher],
        // Which version of the scorecard rules the figures come from, and how far a newer one is built.
        ["Query.scorecardVersions"] = [Analyst, Supervisor, Auditor],
        // The district's reference data: public, for clients' pickers.
        ["Query.gridAt"] = Public,
        ["Query.grids"] = Public,
        ["Query.categories"] = Public,
        ["Query.departments"] = Public,
        ["Query.calendarHistory"] = Staff,
        ["Query.contactReveals"] = [Auditor],
        // Privacy: agents find a caller's earlier cases by a keyed hash of the phone; only an admin erases.
        ["Query.casesByCallerPhone"] = [Agent],
        ["Mutation.eraseCitizenData"] = [Admin],
        // Intake.
        ["Mutation.reportComplaint"] = [Agent],
        ["Mutation.reportPatrolFinding"] = [Inspector],
        ["Mutation.raiseSensorAlarm"] = [Device],
        ["Mutation.clearSensorAlarm"] = [Device],
        // The loop.
        ["Mutation.acceptCase"] = [Agent, Dispatcher],
        ["Mutation.rejectCase"] = [Agent, Dispatcher],
        ["Mutation.dispatchCase"] = [Dispatcher],
        ["Mutation.signCase"] = [Department],
        ["Mutation.returnCase"] = [Department],
        ["Mutation.requestExtension"] = [Department],
        ["Mutation.decideExtension"] = [Dispatcher],
        ["Mutation.suspendCase"] = [Dispatcher],
        ["Mutation.resumeCase"] = [Dispatcher],
        ["Mutation.reportDisposal"] = [Department],
        ["Mutation.verifyDisposal"] = [Inspector],
        ["Mutation.closeCase"] = [Dispatcher],
        ["Mutation.voidCase"] = [Dispatcher],
        ["Mutation.mergeCase"] = [Dispatcher, Agent],
        ["Mutation.superviseCase"] = [Supervisor],
        // The loop as cities run it (issue 16): the dispatcher decides the department's requests; the close review is
        // the role the city chose (City:Loop:CloseReviewRole, one of these; the decider checks which); the department
        // holding a case answers its supervision (a dispatcher, while no department holds it); notes by whoever acts on cases.
        ["Mutation.decideReturn"] = [Dispatcher],
        ["Mutation.requestSuspension"] = [Department],
        ["Mutation.decideSuspension"] = [Dispatcher],
        ["Mutation.reviewClosure"] = [Supervisor, Dispatcher, Auditor],
        ["Mutation.answerSupervision"] = [Department, Dispatcher],
        ["Mutation.reopenCase"] = [Agent],
        ["Mutation.addCaseNote"] = [Agent, Dispatcher, Supervisor, Department, Inspector],
        ["Query.openSupervisions"] = [Supervisor, Dispatcher, Department],
        // Work for named people: the dispatcher moves an inspector's task and names assisting departments (协办); the
        // department holding a case gives it to a worker; everyone who has tasks reads their own.
        ["Mutation.assignVerification"] = [Dispatcher],
        ["Mutation.assignCase"] = [Department],
        ["Mutation.addAssistingDepartment"] = [Dispatcher],
        ["Query.myTasks"] = [Inspector, Department],
        ["Mutation.notifyCitizen"] = [Agent],
        ["Mutation.sendCitizenNotice"] = [Agent],
        ["Mutation.recordSatisfaction"] = [Agent],
        ["Mutation.revealCitizenContact"] = [Auditor, Supervisor],
        ["Mutation.reloadCalendar"] = [Admin],
        // Moving the figures to new rules is part of deploying them: the operator's call, not a reader's.
        ["Mutation.switchScorecards"] = [Admin],
        ["Mutation.anchorAudit"] = [Admin],
        // Evidence: photos on their own; which kind each role may attach is the decider's (EvidenceRules).
        ["Mutation.attachEvidence"] = Uploaders,
        // Live.
        ["Subscription.slaAlerts"] = [Dispatcher, Supervisor, Department],
        ["Subscription.caseChanged"] = [Agent, Dispatcher, Supervisor, Department, Inspector],
    };

    /// <summary>
    /// The plain HTTP endpoints beside GraphQL that take a token, "METHOD path" → roles, under the same rules (every path beside
    /// GraphQL is described in <see cref="HttpEndpoints"/>). A photo's bytes are read with the
    /// case's own roles and then its scope (a department only its cases' photos).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> HttpRoles = new Dictionary<string, IReadOnlyList<string>>
    {
        ["POST /attachments"] = Uploaders,
        ["GET /cases/{caseId}/attachments/{attachmentId}"] = CaseReaders,
        // Exports answer what their GraphQL field would, so they take its roles (and its scope and disclosure).
        ["GET /exports/cases.csv"] = Operations["Query.cases"],
        ["GET /exports/scorecards.csv"] = Operations["Query.scorecards"],
        ["GET /exports/hotline-kpis.csv"] = Operations["Query.hotlineKpis"],
        ["GET /exports/scorecards.xlsx"] = Operations["Query.scorecards"],
    };

    /// <summary>
    /// The fields that carry a citizen's personal data, and the rule that decides what each role sees of them
    /// (<see cref="Disclosure"/>): the same rule in case views, histories, as-of replays and subscriptions.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> PersonalData = new Dictionary<string, string>
    {
        ["Case.citizen"] = "the caller: in full for agents, the department holding the case and admins; masked for other staff; absent for analysts and devices",
        ["Case.linkedReporters"] = "reporters of merged duplicates: as Case.citizen",
        ["Citizen.name"] = "as Case.citizen",
        ["Citizen.phone"] = "as Case.citizen",
        ["Citizen.email"] = "given through Open311 only; as Case.citizen (masked m***@example.org)",
        ["Citizen.erased"] = "the citizen's name and phone were erased (their key destroyed): both are null, for every reader who sees citizens at all",
        ["CaseHistoryEntry.data"] = "event data with the citizen disclosed as Case.citizen",
        ["CitizenContact.citizen"] = "revealContact's answer: in full, recorded on the case with who, when and why",
        ["CitizenContact.linkedReporters"] = "as CitizenContact.citizen",
    };

    /// <summary>
    /// HTTP paths outside GraphQL ("METHOD pattern" → who may use them, and why): the same default deny, for Open311
    /// (<c>Open311/Open311Endpoints.cs</c>), whose paths a test walks so that none is served without an entry here.
    /// GeoReport v2 makes reads public: they answer what a city publishes about its requests (status, service, place,
    /// times, the department) and never a citizen's name, phone or email; a description only where a partner filed it
    /// for publication. Filing takes a partner's api_key (configured as a hash; the partner is recorded on the case).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> HttpEndpoints = new Dictionary<string, string>
    {
        ["GET /open311/v2/discovery.{format}"] = "anyone: where the service is and which formats it speaks",
        ["GET /open311/v2/services.{format}"] = "anyone: the category catalogue (public like Query.categories)",
        ["GET /open311/v2/services/{code}.{format}"] = "anyone: a category's questions",
        ["POST /open311/v2/requests.{format}"] = "an Open311 partner with its api_key (403 otherwise); it files a case recorded by the partner",
        ["GET /open311/v2/requests.{format}"] = "anyone: requests without personal data",
        ["GET /open311/v2/requests/{id}.{format}"] = "anyone: one request without personal data",
        ["GET /open311/v2/tokens/{token}.{format}"] = "anyone: always 404, as no tokens are issued",
        // The board's pages are static files; what they show comes from GraphQL with the viewer's own token.
        ["GET /board"] = "anyone: the command centre's page (it shows nothing without a token)",
        ["GET /board/case/{number}"] = "anyone: the case replay page (it shows nothing without a token)",
        ["POST /board/dev-token"] = "anyone, in Development only (absent elsewhere): a supervisor's or auditor's development token",
        // Operations' figures like /health: counts and codes, no personal data, no case numbers (Telemetry:Prometheus=false turns it off).
        ["GET /metrics"] = "anyone: Prometheus's scrape of the node's metrics",
        // Photos: their roles are in HttpRoles, checked by the endpoints themselves.
        ["POST /attachments"] = "a token of a role that attaches evidence (HttpRoles): agent, inspector, department, device",
        ["GET /cases/{caseId}/attachments/{attachmentId}"] = "a token of a role that reads the case, within its scope (HttpRoles), as the case itself",
        // Exports: the roles, scope and disclosure of the GraphQL field each mirrors (HttpRoles).
        ["GET /exports/cases.csv"] = "a token of Query.cases's roles; the reader's scope; citizens as Case.citizen (no columns for analysts)",
        ["GET /exports/scorecards.csv"] = "a token of Query.scorecards's roles: figures, no personal data",
        ["GET /exports/hotline-kpis.csv"] = "a token of Query.hotlineKpis's roles: figures, no personal data",
        ["GET /exports/scorecards.xlsx"] = "a token of Query.scorecards's roles: a month's figures, no personal data",
    };

    /// <summary>Whether <paramref name="actor"/> (null: no valid token) may use the operation; null when allowed, else the refusal.</summary>
    public static DomainException? Refusal(string operation, Actor? actor, string? authenticationFailure) =>
        Operations.TryGetValue(operation, out var roles)
            ? Refusal(roles, operation.Split('.')[1], actor, authenticationFailure)
            : new DomainException(ErrorCodes.Forbidden, $"'{operation}' has no entry in the access policy, so nobody may use it.");

    /// <summary>The same for a plain HTTP endpoint that takes a token (<see cref="HttpRoles"/>).</summary>
    public static DomainException? HttpRefusal(string endpoint, Actor? actor, string? authenticationFailure) =>
        Refusal(HttpRoles[endpoint], endpoint, actor, authenticationFailure);

    private static DomainException? Refusal(IReadOnlyList<string> roles, string name, Actor? actor, string? authenticationFailure)
    {
        if (roles.Count == 0) return null;
        if (actor is null)
            return new DomainException(ErrorCodes.Unauthenticated, authenticationFailure is null
                ? "Sign in first: send 'Authorization: Bearer <token>'."
                : $"The bearer token was refused: {authenticationFailure}.");
        return actor.Role == Admin || roles.Contains(actor.Role)
            ? null
            : new DomainException(ErrorCodes.Forbidden,
                $"'{name}' is for the role(s) {string.Join(", ", roles)}; you are signed in as '{actor.Role}'.");
    }

    public static CaseScope ScopeOf(Actor actor) => actor.Role switch
    {
        Department => CaseScope.Department,
        Inspector => CaseScope.Inspector,
        Device => CaseScope.None,
        Agent or Dispatcher or Supervisor or Auditor or Analyst or Admin => CaseScope.All,
        _ => CaseScope.None,
    };
}
