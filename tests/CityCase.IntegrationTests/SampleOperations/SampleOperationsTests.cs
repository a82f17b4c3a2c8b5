using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CityCase.Engine.Live;
using CityCase.IntegrationTests.Infrastructure;
using CityCase.IntegrationTests.Subscriptions;
using GraphQL;
using GraphQL.SystemTextJson;
using GraphQL.Types;
using GraphQL.Validation;
using GraphQLParser.AST;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace CityCase.IntegrationTests.SampleOperations;

/// <summary>
/// Every document under samples/operations, so that a sample can never rot: each is complete (a named operation, its
/// variables, the token that runs it), validates against the schema the server serves, and runs with its role's token
/// against a scripted day without errors, answering what the day guarantees; the supervisor's alert subscription over
/// the stock graphql-ws client. A new sample is found and covered by itself.
/// </summary>
public sealed partial class SampleOperationsTests(SampleOperationsTests.Fixture fixture) : IClassFixture<SampleOperationsTests.Fixture>
{
    private static readonly string Folder = Repository.PathTo("samples", "operations");

    /// <summary>The kinds of user issue 20 names; each has at least one document.</summary>
    private static readonly string[] Users = ["agent", "dispatcher", "department", "inspector", "supervisor", "auditor", "analyst"];

    /// <summary>Where in an answer the scripted day guarantees something (a non-empty list, a non-zero count, a text), besides every root field.</summary>
    private static readonly Dictionary<string, string[]> Guaranteed = new()
    {
        ["LookUpCase"] = ["case.citizen.phone"],
        ["FindCallerCases"] = ["casesByCallerPhone.0.citizen.phone"],
        ["DispatcherQueue"] = ["dispatchQueue.edges"],
        ["DepartmentQueue"] = ["dispatchQueue.edges"],
        ["MyInspectionTasks"] = ["myTasks.verifications", "myTasks.findings"],
        ["SupervisorBoard"] = ["slaBoard.cases", "slaBoard.red", "openSupervisions.groups"],
        ["CaseHistory"] = ["caseHistory.0.actor.userId"],
        ["CaseAsOf"] = ["caseAsOf.status"],
        ["AuditChain"] = ["auditChain.intact", "auditChain.checkedEvents"],
        ["RevealContact"] = ["revealCitizenContact.citizen.phone"],
        ["DepartmentScorecards"] = ["scorecards.0.counts.dispatched"],
        ["Hotspots"] = ["hotspots.0.cases"],
        ["HotlineFigures"] = ["hotlineKpis.cases", "hotlineKpis.closed"],
    };

    /// <summary>The only roles whose documents may ask for a citizen's contact: the agent on the phone, and a reveal that is recorded.</summary>
    private static bool MayAskForCitizen(Sample sample) => sample.User == "agent" || sample.Text.Contains("revealCitizenContact");

    /// <summary>Every .graphql file under samples/operations, as user/file.graphql.</summary>
    private static IEnumerable<string> Names =>
        Directory.EnumerateFiles(Folder, "*.graphql", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(Folder, path).Replace('\\', '/')).Order(StringComparer.Ordinal);

    public static TheoryData<string> Documents() => new(Names);

    public static TheoryData<string> Runnable() => new(Names.Where(n => Sample.Load(n).Operation.Operation != OperationType.Subscription));

    [Fact]
    public void Every_kind_of_user_has_documents_each_named_with_its_variables_and_token()
    {
        var samples = Names.Select(Sample.Load).ToList();
        foreach (var user in Users) Assert.True(samples.Any(s => s.User == user), $"no sample document for the {user} under samples/operations/{user}/");
        // Queries and mutations run by themselves; a subscription needs its own test (the supervisor's alerts have one below).
        var subscriptions = samples.Where(s => s.Operation.Operation == OperationType.Subscription).Select(s => s.Name).ToList();
        Assert.True(subscriptions.SequenceEqual(["supervisor/sla-alerts.graphql"]),
            $"subscription samples {string.Join(", ", subscriptions)}: each one needs a test that runs it, like the supervisor's alerts'");
        foreach (var sample in samples)
        {
            Assert.True(Users.Contains(sample.User), $"{sample.Name}: {sample.User} is not one of the kinds of user ({string.Join(", ", Users)})");
            Assert.True(File.Exists(sample.VariablesPath), $"{sample.Name}: no variables file {Path.GetFileName(sample.VariablesPath)} beside it");
            Assert.False(string.IsNullOrEmpty(sample.Operation.Name?.StringValue), $"{sample.Name}: its operation has no name (traces and metrics use it)");
            Assert.True(sample.Role == sample.User, $"{sample.Name}: its '# Token: --role {sample.User} --user …' line is missing or names another role ('{sample.Role}')");
            Assert.True(sample.Text.TrimStart().StartsWith('#'), $"{sample.Name}: say at the top what it is for and who runs it");
            Assert.True(MayAskForCitizen(sample) || !PersonalData().IsMatch(sample.Text),
                $"{sample.Name}: a {sample.User}'s work does not need the citizen's contact; leave it out");
            foreach (var placeholder in sample.Placeholders)
                Assert.True(Placeholders.ContainsKey(placeholder), $"{sample.Name}: unknown placeholder {placeholder} (known: {string.Join(", ", Placeholders.Keys)})");
        }
        var duplicates = samples.GroupBy(s => s.OperationName).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(duplicates.Count == 0, $"operation names used twice (metrics would mix them): {string.Join(", ", duplicates)}");
        Assert.Empty(Guaranteed.Keys.Except(samples.Select(s => s.OperationName))); // no expectation left for a document that is gone

        // The folder's README lists every document with its operation, and explains every placeholder.
        var readme = File.ReadAllText(Path.Combine(Folder, "README.md"));
        foreach (var sample in samples)
            Assert.True(readme.Contains($"`{sample.Name}`") && readme.Contains($"`{sample.OperationName}`"),
                $"samples/operations/README.md does not list {sample.Name} ({sample.OperationName})");
        foreach (var placeholder in Placeholders.Keys)
            Assert.True(readme.Contains($"`{placeholder}`"), $"samples/operations/README.md does not explain {placeholder}");
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public async Task The_document_validates_against_the_served_schema(string name)
    {
        var sample = Sample.Load(name);
        var variables = await ResolveAsync(sample.Variables); // a placeholder is no Instant: validate the values the day gives
        var schema = fixture.Server.Services.GetRequiredService<ISchema>();
        schema.Initialize();
        var result = await new DocumentValidator().ValidateAsync(new ValidationOptions
        {
            Schema = schema,
            Document = sample.Document,
            Operation = sample.Operation,
            Rules = DocumentValidator.CoreRules,
            Variables = new GraphQLSerializer().Deserialize<Inputs>(variables.ToJsonString()) ?? Inputs.Empty,
            Extensions = Inputs.Empty,
            RequestServices = fixture.Server.Services,
        });
        Assert.True(result.IsValid, $"{name}: {string.Join("; ", result.Errors.Select(e => e.Message))}");
    }

    [Theory]
    [MemberData(nameof(Runnable))]
    public async Task The_document_runs_with_its_role_against_the_scripted_day(string name)
    {
        var sample = Sample.Load(name);
        var variables = await ResolveAsync(sample.Variables);
        var response = await fixture.PostAsync(sample, variables);
        Assert.True(response.Errors is null && response.Status == 200, $"{name} as {sample.Role}: {response}");
        var data = response.Data!.AsObject();
        foreach (var (field, value) in data)
            Assert.True(value is not null && value is not JsonArray { Count: 0 }, $"{name}: {field} answered nothing: {response.Text}");
        foreach (var path in Guaranteed.GetValueOrDefault(sample.OperationName, []))
            Assert.True(Holds(At(data, path)), $"{name}: the scripted day guarantees {path}, but it answered {response.Text}");
    }

    [Fact]
    public async Task The_supervisors_alert_subscription_receives_an_alert_over_the_stock_graphql_ws_client()
    {
        var sample = Names.Select(Sample.Load)
            .Single(s => s.User == "supervisor" && s.Operation.Operation == OperationType.Subscription);
        await using var ws = await GraphQLWsClient.Start(fixture.Server.BaseAddress, sample.Token, sample.Text, sample.Variables, count: 1000);
        await ws.WaitFor("CONNECTED");
        await Eventually.Subscribed(fixture.Server, f => f.HasAlertSubscribers, () => ws.Output);

        // A fresh complaint nobody files: its filing clock turns yellow, then red, as the day's working time passes.
        var (id, number) = await fixture.Client.Report("Broken paving stone at the crossing, a cyclist fell", 121.4716, 31.2375);
        JsonNode? Ours() => ws.Output.Split('\n').Where(l => l.StartsWith("NEXT ", StringComparison.Ordinal))
            .Select(l => JsonNode.Parse(l["NEXT ".Length..])!).FirstOrDefault(n => n["data"]?["slaAlerts"]?["caseId"]?.GetValue<string>() == id);
        for (var step = 0; step < 64 && Ours() is null; step++)
        {
            fixture.Clock.Advance(Duration.FromMinutes(30));
            await fixture.Server.RunTimekeeperOnceAsync();
            for (var wait = 0; wait < 10 && Ours() is null; wait++) await Task.Delay(20);
        }
        for (var wait = 0; wait < 100 && Ours() is null; wait++) await Task.Delay(50);
        var alert = Ours()?["data"]!["slaAlerts"] ?? throw new Xunit.Sdk.XunitException($"no alert of case {number} arrived; graphql-ws printed:\n{ws.Output}");
        Assert.Equal(number, alert["caseNumber"]!.GetValue<string>());
        Assert.Equal("FILING", alert["stage"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(alert["cursor"]!.GetValue<string>()));
        Assert.DoesNotContain("\"errors\"", ws.Output); // nor in the alerts of other cases that turned meanwhile
    }

    // ---- the placeholders of the variables files: a case in the state the document needs, prepared fresh for each use ----

    private Dictionary<string, Func<Task<string>>> Placeholders => new()
    {
        ["<id of a case>"] = () => Task.FromResult(fixture.FirstCaseId),
        // Marten stamps events with the database's time, not the test's clock: the moment comes from the case's history.
        ["<the timestamp of an event in that case's history>"] = () => fixture.MomentInFirstCaseAsync(),
        ["<id of an ACCEPTED case>"] = () => fixture.PrepareAsync(Stage.Accepted),
        ["<id of a case dispatched to D01>"] = () => fixture.PrepareAsync(Stage.Dispatched),
        ["<id of a case D01 is handling>"] = () => fixture.PrepareAsync(Stage.Signed),
        ["<id of a case with an extension request>"] = () => fixture.PrepareAsync(Stage.ExtensionRequested),
        ["<id of a DISPOSED case>"] = () => fixture.PrepareAsync(Stage.Disposed),
        ["<id of a CLOSED case>"] = () => fixture.PrepareAsync(Stage.Closed),
    };

    /// <summary>How far <see cref="Fixture.PrepareAsync"/> takes a fresh case through the loop.</summary>
    public enum Stage { Accepted, Dispatched, Signed, ExtensionRequested, Disposed, Closed }

    private async Task<JsonNode> ResolveAsync(JsonNode node)
    {
        switch (node)
        {
            case JsonObject o:
                var resolved = new JsonObject();
                foreach (var (key, value) in o) resolved[key] = value is null ? null : await ResolveAsync(value);
                return resolved;
            case JsonArray a:
                var items = new JsonArray();
                foreach (var item in a) items.Add(item is null ? null : await ResolveAsync(item));
                return items;
            case JsonValue v when v.TryGetValue<string>(out var text) && Placeholder().IsMatch(text):
                return JsonValue.Create(await Placeholders[text]())!;
            default:
                return node.DeepClone();
        }
    }

    private static JsonNode? At(JsonNode? node, string path)
    {
        foreach (var part in path.Split('.'))
            node = node switch
            {
                JsonArray a when int.TryParse(part, out var i) => i < a.Count ? a[i] : null,
                JsonObject o => o[part],
                _ => null,
            };
        return node;
    }

    private static bool Holds(JsonNode? node) => node switch
    {
        JsonArray a => a.Count > 0,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        JsonValue v when v.TryGetValue<double>(out var d) => d != 0,
        JsonValue v when v.TryGetValue<string>(out var s) => !string.IsNullOrEmpty(s) && !s.Contains('*'), // not masked
        JsonObject => true,
        _ => false,
    };

    /// <summary>The selections that carry a citizen's name and phone (AccessPolicy.PersonalData).</summary>
    [GeneratedRegex(@"\b(citizen|linkedReporters)\s*\{")]
    private static partial Regex PersonalData();

    [GeneratedRegex("^<[^<>]+>$")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"^#\s*Token:\s*(?<args>.+)$", RegexOptions.Multiline)]
    private static partial Regex TokenLine();

    /// <summary>One document and what lies beside it.</summary>
    public sealed record Sample(string Name, string Text, GraphQLDocument Document, GraphQLOperationDefinition Operation, JsonNode Variables, string VariablesPath)
    {
        public string User => Name.Split('/')[0];
        public string OperationName => Operation.Name?.StringValue ?? "";
        private string Argument(string flag) =>
            Regex.Match(TokenLine().Match(Text).Groups["args"].Value, $@"--{flag}\s+(\S+)") is { Success: true } m ? m.Groups[1].Value : "";
        public string Role => Argument("role");
        public string Token => CityCaseServer.Token(Role, Argument("user"), Argument("department") is { Length: > 0 } d ? d : null);

        public IEnumerable<string> Placeholders => Strings(Variables).Where(s => Placeholder().IsMatch(s));

        private static IEnumerable<string> Strings(JsonNode? node) => node switch
        {
            JsonObject o => o.SelectMany(p => Strings(p.Value)),
            JsonArray a => a.SelectMany(Strings),
            JsonValue v when v.TryGetValue<string>(out var s) => [s],
            _ => [],
        };

        public static Sample Load(string name)
        {
            var path = Path.Combine(Folder, name);
            var text = File.ReadAllText(path);
            var document = GraphQLParser.Parser.Parse(text);
            var operations = document.Definitions.OfType<GraphQLOperationDefinition>().ToList();
            Assert.True(operations.Count == 1, $"{name}: one operation a document ({operations.Count} here)");
            var variablesPath = Path.ChangeExtension(path, ".variables.json");
            JsonObject? variables = null;
            if (File.Exists(variablesPath))
                Assert.True((variables = JsonNode.Parse(File.ReadAllText(variablesPath)) as JsonObject) is not null,
                    $"{name}: {Path.GetFileName(variablesPath)} must hold a JSON object of the variables ({{}} for none)");
            return new Sample(name, text, document, operations[0], variables ?? new JsonObject(), variablesPath);
        }
    }

    /// <summary>
    /// The scripted day: BusyDay's cases on a FakeClock, then what a day also holds that BusyDay does not script: a
    /// disposal awaiting insp-01's verification in their beat, a finding of insp-01's own, a supervision and a reveal.
    /// </summary>
    public sealed class Fixture : IAsyncLifetime
    {
        public FakeClock Clock { get; } = new(BusyDay.Start);
        public CityCaseServer Server { get; private set; } = null!;
        public CaseClient Client { get; private set; } = null!;
        public string FirstCaseId { get; private set; } = "";
        private readonly string _d01 = CaseClient.Department("D01");
        private readonly string _inspector = CityCaseServer.Token("inspector", "insp-01");

        public async Task InitializeAsync()
        {
            Server = CityCaseServer.OnClock(Clock);
            await Server.InitializeAsync();
            Client = new CaseClient(Server);
            await new BusyDay(Server, Clock).PlayAsync(22);

            FirstCaseId = await IdOfNumberAsync("20261124-00001");
            await PrepareAsync(Stage.Disposed); // awaiting insp-01's verification
            var finding = await Server.PostGraphQL("""
                mutation($input: ReportPatrolFindingInput!) { reportPatrolFinding(input: $input) { case { id } } }
                """, new { input = new { description = "Graffiti on the substation wall", categoryCode = "1104",
                    location = new { longitude = 121.4705, latitude = 31.2376 } } }, _inspector);
            Assert.True(finding.Errors is null, finding.ToString());
            var supervised = await PrepareAsync(Stage.Signed);
            await Client.Must("superviseCase", Client.Supervisor, supervised, new { note = "Residents have called three times" });
            var reveal = await Server.PostGraphQL("""
                mutation($input: RevealCitizenContactInput!) { revealCitizenContact(input: $input) { revealedAt } }
                """, new { input = new { caseId = FirstCaseId, reason = "Checking a complaint about the callback" } }, Client.Auditor);
            Assert.True(reveal.Errors is null, reveal.ToString());
            await Server.WaitForProjectionsAsync();
        }

        public Task DisposeAsync() => Server.DisposeAsync();

        /// <summary>The moment of the first case's second event (its acceptance or rejection): the case existed then.</summary>
        public async Task<string> MomentInFirstCaseAsync() =>
            (await Client.History(FirstCaseId))[1]!["timestamp"]!.GetValue<string>();

        private async Task<string> IdOfNumberAsync(string number)
        {
            var response = await Server.PostGraphQL("query($n: String) { case(number: $n) { id } }", new { n = number }, Client.Auditor);
            Assert.True(response.Errors is null && response.Data!["case"] is not null, response.ToString());
            return response.Data!["case"]!["id"]!.GetValue<string>();
        }

        /// <summary>
        /// A fresh complaint in insp-01's beat (grid 310101001001002; category 1102, exposed rubbish, D01's) taken
        /// through the loop as far as <paramref name="stage"/>.
        /// </summary>
        public async Task<string> PrepareAsync(Stage stage)
        {
            Clock.Advance(Duration.FromMinutes(1));
            var (id, _) = await Client.Report("Rubbish bags left by the kerb", 121.4716, 31.2375, "1102");
            await Client.Must("acceptCase", Client.Agent, id, new { categoryCode = "1102", urgency = "NORMAL" });
            if (stage >= Stage.Dispatched) await Client.Must("dispatchCase", Client.Dispatcher, id, new { departmentCode = "D01" });
            if (stage >= Stage.Signed) await Client.Must("signCase", _d01, id);
            if (stage == Stage.ExtensionRequested)
                await Client.Must("requestExtension", _d01, id, new { extraWorkingHours = 4.0, reason = "Waiting for a skip lorry" });
            if (stage >= Stage.Disposed) await Client.Must("reportDisposal", _d01, id, new { result = "Cleared" });
            if (stage >= Stage.Closed)
            {
                await Client.Must("verifyDisposal", _inspector, id, new { passed = true });
                await Client.Must("closeCase", Client.Dispatcher, id);
            }
            return id;
        }

        /// <summary>POSTs the document with its operation name, as a client would, with a token minted as its Token line says.</summary>
        public Task<GraphQLResponse> PostAsync(Sample sample, JsonNode variables) =>
            Server.PostGraphQL(sample.Text, variables, sample.Token, sample.OperationName);
    }
}
