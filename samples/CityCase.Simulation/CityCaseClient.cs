using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CityCase.Domain.Cases;

namespace CityCase.Simulation;

/// <summary>A GraphQL call that came back with errors.</summary>
public sealed class GraphQLCallException(string message) : Exception(message);

/// <summary>
/// Plays journeys against a CityCase server over GraphQL-over-HTTP, the way the call-centre client,
/// dispatchers, departments and inspectors would: one mutation per step, each with its role's token.
/// </summary>
public sealed class CityCaseClient(HttpClient http, Func<StepActor, string> tokenFor)
{
    public static readonly StepActor Agent = new("agent");
    public static readonly StepActor Inspector = new("inspector");

    /// <summary>The token the client signs in with as <paramref name="actor"/>.</summary>
    public string TokenFor(StepActor actor) => tokenFor(actor);

    public async Task<JsonNode> PostAsync(string query, object? variables, string token, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "graphql")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { query, variables }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, ct);
        var body = JsonNode.Parse(await response.Content.ReadAsStreamAsync(ct))!;
        if (body["errors"] is JsonArray { Count: > 0 } errors)
            throw new GraphQLCallException($"{errors[0]!["message"]} ({errors[0]!["extensions"]?["code"]})");
        return body["data"]!;
    }

    /// <summary>Reports the case as the journey's source would (an agent files the call, an inspector the finding).</summary>
    public async Task<Guid> ReportAsync(CaseArrival arrival, CancellationToken ct = default)
    {
        var location = new { longitude = arrival.Location.Longitude, latitude = arrival.Location.Latitude };
        if (arrival.Source == CaseSource.Patrol)
        {
            var finding = await PostAsync("mutation($input: ReportPatrolFindingInput!) { reportPatrolFinding(input: $input) { case { id } } }",
                new { input = new { description = arrival.Description, location, categoryCode = arrival.CategoryCode } }, tokenFor(Inspector), ct);
            return Guid.Parse(finding["reportPatrolFinding"]!["case"]!["id"]!.GetValue<string>());
        }
        var complaint = await PostAsync("mutation($input: ReportComplaintInput!) { reportComplaint(input: $input) { case { id } } }",
            new
            {
                input = new
                {
                    description = arrival.Description, location, categoryCode = arrival.CategoryCode,
                    citizen = arrival.Citizen is { } c ? new { name = c.Name, phone = c.Phone } : null,
                },
            }, tokenFor(Agent), ct);
        return Guid.Parse(complaint["reportComplaint"]!["case"]!["id"]!.GetValue<string>());
    }

    /// <summary>Sends one step's command as its GraphQL mutation, e.g. <c>signCase(input: {caseId})</c>.</summary>
    public Task<JsonNode> PlayAsync(Guid caseId, JourneyStep step, CancellationToken ct = default)
    {
        var input = JsonSerializer.SerializeToNode(Fields(step.Command))!.AsObject();
        input["caseId"] = caseId.ToString();
        var name = step.Command.GetType().Name; // commands are named for their mutations: SignCase is signCase
        var mutation = char.ToLowerInvariant(name[0]) + name[1..];
        var inputType = name + "Input";
        return PostAsync($"mutation($input: {inputType}!) {{ {mutation}(input: $input) {{ case {{ id status version }} }} }}",
            new Dictionary<string, object> { ["input"] = input }, tokenFor(step.By), ct);
    }

    /// <summary>A whole journey, report to close; the steps follow each other at once (the day's delays are for simulated time).</summary>
    public async Task<Guid> PlayJourneyAsync(CaseJourney journey, CancellationToken ct = default)
    {
        var id = await ReportAsync(journey.Arrival, ct);
        foreach (var step in journey.Steps) await PlayAsync(id, step, ct);
        return id;
    }

    private static object Fields(CaseCommand command) => command switch
    {
        AcceptCase a => new { categoryCode = a.CategoryCode, urgency = a.Urgency.ToString().ToUpperInvariant(), note = a.Note },
        DispatchCase d => new { departmentCode = d.DepartmentCode },
        ReturnCase r => new { reason = r.Reason },
        RequestExtension x => new { extraWorkingHours = x.ExtraWorkingHours, reason = x.Reason },
        DecideExtension d => new { approve = d.Approve, note = d.Note },
        DecideReturn d => new { approve = d.Approve, note = d.Note },
        ReviewClosure r => new { approve = r.Approve, note = r.Note },
        ReportDisposal d => new { result = d.Result, photoUrls = d.PhotoUrls },
        VerifyDisposal v => new { passed = v.Passed, note = v.Note },
        NotifyCitizen n => new { kind = n.Kind.ToString().ToUpperInvariant(), channel = n.Channel },
        RecordSatisfaction s => new { score = s.Score, comment = s.Comment },
        SuspendCase s => new { reason = s.Reason },
        ResumeCase r => new { reason = r.Reason },
        _ => new { },
    };
}
