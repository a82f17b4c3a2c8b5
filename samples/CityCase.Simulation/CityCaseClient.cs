using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CityCase.Domain;
using CityCase.Domain.Cases;
using CityCase.Domain.Evidence;

namespace CityCase.Simulation;

/// <summary>A GraphQL call that came back with errors.</summary>
public sealed class GraphQLCallException(string message) : Exception(message);

/// <summary>
/// What a played day did, as the server answered: the case of each journey (merges find their originals here), how
/// many answers showed each status, and how many times each mutation was played. Safe to share between clients.
/// </summary>
public sealed class PlayedDay
{
    public ConcurrentDictionary<int, Guid> Cases { get; } = new();
    public ConcurrentDictionary<CaseStatus, int> StatusesSeen { get; } = new();
    public ConcurrentDictionary<string, int> Mutations { get; } = new();
    /// <summary>Sensor alarms the server folded into their open case (<c>deduplicated: true</c>).</summary>
    public int FoldedRepeats => _folded;
    private int _folded;

    internal void Saw(JsonNode? @case, string mutation)
    {
        Mutations.AddOrUpdate(mutation, 1, (_, n) => n + 1);
        if (@case?["status"]?.GetValue<string>() is { } status)
            StatusesSeen.AddOrUpdate(Enum.Parse<CaseStatus>(status.Replace("_", ""), ignoreCase: true), 1, (_, n) => n + 1);
    }

    internal void Folded() => Interlocked.Increment(ref _folded);
}

/// <summary>
/// Plays journeys against a CityCase server over GraphQL-over-HTTP, the way the call-centre client,
/// dispatchers, departments and inspectors would: one mutation per step, each with its role's token.
/// </summary>
public sealed class CityCaseClient(HttpClient http, Func<StepActor, string> tokenFor)
{
    public static readonly StepActor Agent = new("agent");
    public static readonly StepActor Inspector = new("inspector");
    public static readonly StepActor Device = new("device");

    /// <summary>
    /// Put before every sensor id, so that a day played again against the same server raises new alarms rather than
    /// folding into the open cases of the last play.
    /// </summary>
    public string SensorTag { get; init; } = "";

    // The smallest PNG (1x1): what the photo steps upload; the server reads its type from these bytes.
    private static readonly byte[] Png = Convert.FromHexString(
        "89504E470D0A1A0A0000000D49484452000000010000000108060000001F15C4890000000A49444154789C63000100000500010D0A2DB40000000049454E44AE426082");

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
    public Task<Guid> ReportAsync(CaseArrival arrival, CancellationToken ct = default) => ReportAsync(arrival, null, ct);

    private async Task<Guid> ReportAsync(CaseArrival arrival, PlayedDay? day, CancellationToken ct)
    {
        var location = new { longitude = arrival.Location.Longitude, latitude = arrival.Location.Latitude };
        if (arrival.Source == CaseSource.Sensor)
        {
            var alarm = arrival.Sensor ?? throw new ArgumentException("a sensor's arrival names its alarm", nameof(arrival));
            var raised = (await PostAsync("mutation($input: RaiseSensorAlarmInput!) { raiseSensorAlarm(input: $input) { case { id status } deduplicated } }",
                new { input = new { sensorId = SensorTag + alarm.SensorId, alarmType = alarm.AlarmType, severity = alarm.Severity, location } },
                tokenFor(Device), ct))["raiseSensorAlarm"]!;
            day?.Saw(raised["case"], "raiseSensorAlarm");
            return Guid.Parse(raised["case"]!["id"]!.GetValue<string>());
        }
        if (arrival.Source == CaseSource.Patrol)
        {
            var finding = await PostAsync("mutation($input: ReportPatrolFindingInput!) { reportPatrolFinding(input: $input) { case { id status } } }",
                new { input = new { description = arrival.Description, location, categoryCode = arrival.CategoryCode } }, tokenFor(Inspector), ct);
            day?.Saw(finding["reportPatrolFinding"]!["case"], "reportPatrolFinding");
            return Guid.Parse(finding["reportPatrolFinding"]!["case"]!["id"]!.GetValue<string>());
        }
        var complaint = await PostAsync("mutation($input: ReportComplaintInput!) { reportComplaint(input: $input) { case { id status } } }",
            new
            {
                input = new
                {
                    description = arrival.Description, location, categoryCode = arrival.CategoryCode,
                    citizen = arrival.Citizen is { } c ? new { name = c.Name, phone = c.Phone } : null,
                },
            }, tokenFor(Agent), ct);
        day?.Saw(complaint["reportComplaint"]!["case"], "reportComplaint");
        return Guid.Parse(complaint["reportComplaint"]!["case"]!["id"]!.GetValue<string>());
    }

    /// <summary>Sends one step's command as its GraphQL mutation, e.g. <c>signCase(input: {caseId})</c>.</summary>
    public Task<JsonNode> PlayAsync(Guid caseId, JourneyStep step, CancellationToken ct = default) => PlayAsync(caseId, step, null, ct);

    private async Task<JsonNode> PlayAsync(Guid caseId, JourneyStep step, PlayedDay? day, CancellationToken ct)
    {
        var token = tokenFor(step.By);
        switch (step.Command)
        {
            case RaiseSensorAlarm repeat: // the sensor raises its alarm again while its case is open: folded into it
                var raised = (await PostAsync("mutation($input: RaiseSensorAlarmInput!) { raiseSensorAlarm(input: $input) { case { id status version } deduplicated } }",
                    new { input = new { sensorId = SensorTag + repeat.SensorId, alarmType = repeat.AlarmType, severity = repeat.Severity,
                        location = new { longitude = repeat.Location.Longitude, latitude = repeat.Location.Latitude } } }, token, ct))["raiseSensorAlarm"]!;
                if (raised["deduplicated"]!.GetValue<bool>()) day?.Folded();
                day?.Saw(raised["case"], "raiseSensorAlarm");
                return raised;
            case ClearSensorAlarm clear:
                var cleared = (await PostAsync("mutation($input: ClearSensorAlarmInput!) { clearSensorAlarm(input: $input) { case { id status version } } }",
                    new { input = new { sensorId = SensorTag + clear.SensorId, alarmType = clear.AlarmType } }, token, ct))["clearSensorAlarm"]!;
                day?.Saw(cleared["case"], "clearSensorAlarm");
                return cleared;
        }
        var input = JsonSerializer.SerializeToNode(Fields(step.Command))!.AsObject();
        input["caseId"] = caseId.ToString();
        if (PhotosOf(step.Command) is { Count: > 0 } photos) // uploaded first, by whoever attaches them
        {
            var ids = new JsonArray();
            foreach (var _ in photos) ids.Add(await UploadPhotoAsync(token, ct));
            input["attachmentIds"] = ids;
        }
        if (step.Command is MergeIntoJourney merge)
            input["intoCaseId"] = (day ?? throw new InvalidOperationException("a merge is played within a day (PlayDayAsync)"))
                .Cases[merge.OriginalIndex].ToString();
        var name = step.Command is MergeIntoJourney ? nameof(MergeCase) : step.Command.GetType().Name; // commands are named for their mutations: SignCase is signCase
        var mutation = char.ToLowerInvariant(name[0]) + name[1..];
        var inputType = name + "Input";
        var answer = (await PostAsync($"mutation($input: {inputType}!) {{ {mutation}(input: $input) {{ case {{ id status version }} }} }}",
            new Dictionary<string, object> { ["input"] = input }, token, ct))[mutation]!;
        day?.Saw(answer["case"], mutation);
        return answer;
    }

    /// <summary>Uploads a photo (<c>POST /attachments</c>) as the one who will attach it; answers its id.</summary>
    public async Task<string> UploadPhotoAsync(string token, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "attachments") { Content = new ByteArrayContent(Png) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode) throw new GraphQLCallException($"upload refused: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!["id"]!.GetValue<string>();
    }

    /// <summary>A whole journey, report to close; the steps follow each other at once (the day's delays are for simulated time).</summary>
    public Task<Guid> PlayJourneyAsync(CaseJourney journey, CancellationToken ct = default) => PlayJourneyAsync(journey, null, null, ct);

    /// <summary>
    /// A journey within a day: its case is recorded in <paramref name="day"/> (a later duplicate is merged into it), and
    /// <paramref name="beforeStep"/> runs before each step (a test moves its clock there).
    /// </summary>
    public async Task<Guid> PlayJourneyAsync(CaseJourney journey, PlayedDay? day, Func<JourneyStep, Task>? beforeStep, CancellationToken ct = default)
    {
        var id = await ReportAsync(journey.Arrival, day, ct);
        day?.Cases.TryAdd(journey.Index, id);
        foreach (var step in journey.Steps)
        {
            if (beforeStep is not null) await beforeStep(step);
            try { await PlayAsync(id, step, day, ct); }
            catch (GraphQLCallException e)
            {
                throw new GraphQLCallException($"journey {journey.Index}, {step.Command.GetType().Name} by {step.By.Role}{step.By.Department}: {e.Message}");
            }
        }
        return id;
    }

    /// <summary>A day's journeys one after the other, in order of arrival (a duplicate's original comes before it).</summary>
    public async Task<PlayedDay> PlayDayAsync(IEnumerable<CaseJourney> journeys, Func<JourneyStep, Task>? beforeStep = null,
        Action<int>? played = null, CancellationToken ct = default)
    {
        var day = new PlayedDay();
        var n = 0;
        foreach (var journey in journeys)
        {
            await PlayJourneyAsync(journey, day, beforeStep, ct);
            played?.Invoke(++n);
        }
        return day;
    }

    private static IReadOnlyList<EvidencePhoto>? PhotosOf(CaseCommand command) => command switch
    {
        ReportDisposal d => d.Photos,
        VerifyDisposal v => v.Photos,
        AttachEvidence a => a.Photos,
        _ => null,
    };

    private static string Graph(Enum value) => Naming.ScreamingSnake(value.ToString());

    private static object Fields(CaseCommand command) => command switch
    {
        AcceptCase a => new { categoryCode = a.CategoryCode, urgency = Graph(a.Urgency), note = a.Note },
        RejectCase r => new { reason = r.Reason },
        VoidCase v => new { reason = v.Reason },
        DispatchCase d => new { departmentCode = d.DepartmentCode },
        ReturnCase r => new { reason = r.Reason },
        RequestExtension x => new { extraWorkingHours = x.ExtraWorkingHours, reason = x.Reason },
        DecideExtension d => new { approve = d.Approve, note = d.Note },
        DecideReturn d => new { approve = d.Approve, note = d.Note },
        ReviewClosure r => new { approve = r.Approve, note = r.Note },
        ReportDisposal d => new { result = d.Result, photoUrls = d.PhotoUrls },
        VerifyDisposal v => new { passed = v.Passed, note = v.Note },
        NotifyCitizen n => new { kind = Graph(n.Kind), channel = n.Channel },
        RecordSatisfaction s => new { score = s.Score, comment = s.Comment },
        SuspendCase s => new { reason = s.Reason },
        ResumeCase r => new { reason = r.Reason },
        RequestSuspension r => new { reason = r.Reason },
        DecideSuspension d => new { approve = d.Approve, note = d.Note },
        SuperviseCase s => new { note = s.Note, level = s.Level is { } level ? Graph(level) : null, replyWorkingHours = s.ReplyWorkingHours },
        AnswerSupervision a => new { reply = a.Reply },
        ReopenCase r => new { reason = r.Reason },
        AddCaseNote n => new { text = n.Text },
        AssignVerification a => new { inspectorUserId = a.InspectorUserId },
        AssignCase a => new { assigneeUserId = a.AssigneeUserId, assigneeName = a.AssigneeName },
        AddAssistingDepartment a => new { departmentCode = a.DepartmentCode },
        AttachEvidence a => new { kind = Graph(a.Kind) },
        MergeIntoJourney => new { },
        SignCase or CloseCase => new { },
        _ => throw new NotSupportedException($"{command.GetType().Name} has no GraphQL step here"),
    };
}
