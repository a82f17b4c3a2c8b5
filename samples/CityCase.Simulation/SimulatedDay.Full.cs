using CityCase.Domain;
using CityCase.Domain.Cases;
using CityCase.Domain.Evidence;
using CityCase.Domain.Reference;
using NodaTime;

namespace CityCase.Simulation;

/// <summary>A path of the loop a journey of the fuller day takes (a journey takes several).</summary>
public enum DayPath
{
    // How it came in, and how it ended the day.
    HotlineCall, PatrolFinding, SensorAlarm, SensorRepeat, SensorClear, Urgent,
    Rejected, Voided, FalseAlarmVoided, Merged, Closed, LeftOpen,
    // On the way (shares of the closed cases).
    WrongDepartmentReturned, ReturnDenied, AssistingDepartment, NamedWorker, Note,
    BeforeDisposalPhotos, AfterDisposalPhotos, VerificationPhotos,
    SuspensionApproved, SuspensionDenied, DispatcherHold, Extension, ExtensionDenied,
    Reminder, Supervision, PublicListing, Rework, ClosureReviewed, ReviewDenied, VerificationReassigned,
    // The citizen's side of hotline cases.
    AcceptanceNotice, CompletionNotice, FollowUpCall, ReopenedOnLowScore, ReopenedOnComplaint,
}

/// <summary>
/// A journey step that is not a command on its case alone: fold this duplicate into the case of an earlier journey
/// of the same day (the client knows that journey's case id; the decider's <see cref="MergeCase"/> needs the case itself).
/// </summary>
public sealed record MergeIntoJourney(int OriginalIndex) : CaseCommand;

public sealed partial class SimulatedDay
{
    /// <summary>The fuller day's channels: share of the day's arrivals.</summary>
    public static readonly IReadOnlyList<(CaseSource Channel, double Share)> ChannelShares =
        [(CaseSource.Hotline, 0.70), (CaseSource.Patrol, 0.20), (CaseSource.Sensor, 0.10)];

    /// <summary>Inspectors patrol in the day shifts (08-12, 13-18), busiest mid-morning and mid-afternoon; per cent per hour.</summary>
    public static readonly double[] PatrolHourlyShare =
        [0, 0, 0, 0, 0, 0, 0, 2, 8, 13, 13, 10, 3, 8, 12, 12, 10, 6, 3, 0, 0, 0, 0, 0];

    /// <summary>Sensors alarm around the clock, a little more in the morning rush (lids knocked, lamps failing at dawn); per cent per hour.</summary>
    public static readonly double[] SensorHourlyShare =
        [3, 3, 3, 3, 3, 4, 6, 6, 6, 5, 4, 4, 4, 4, 4, 4, 5, 6, 5, 4, 4, 3, 3, 4];

    /// <summary>How each channel's cases end the day: share of that channel's arrivals.</summary>
    public static readonly IReadOnlyDictionary<CaseSource, (DayPath Fate, double Share)[]> Fates = new Dictionary<CaseSource, (DayPath, double)[]>
    {
        [CaseSource.Hotline] = [(DayPath.Rejected, 0.06), (DayPath.Voided, 0.02), (DayPath.Merged, 0.05), (DayPath.LeftOpen, 0.15), (DayPath.Closed, 0.72)],
        [CaseSource.Patrol] = [(DayPath.Voided, 0.02), (DayPath.LeftOpen, 0.15), (DayPath.Closed, 0.83)],
        [CaseSource.Sensor] = [(DayPath.FalseAlarmVoided, 0.30), (DayPath.LeftOpen, 0.20), (DayPath.Closed, 0.50)],
    };

    /// <summary>
    /// Paths on the way, each a share of the cases it can happen to: the closed cases (from dispatch to close), the
    /// closed hotline cases (the citizen's side), the filed hotline cases (acceptance notice), the sensors' cases (repeats),
    /// the filed cases (urgent), the cases whose category needs the city's review before closing (review denied).
    /// </summary>
    public static readonly IReadOnlyList<(DayPath Path, double Share, string Of)> WayShares =
    [
        (DayPath.Urgent, 0.10, "filed cases"),
        (DayPath.SensorRepeat, 0.60, "sensor alarms (1 to 3 repeats, severity rising)"),
        (DayPath.AcceptanceNotice, 0.90, "filed hotline cases"),
        (DayPath.WrongDepartmentReturned, 0.04, "closed cases"),
        (DayPath.ReturnDenied, 0.01, "closed cases"),
        (DayPath.AssistingDepartment, 0.03, "closed cases"),
        (DayPath.NamedWorker, 0.40, "closed cases"),
        (DayPath.Note, 0.10, "closed cases"),
        (DayPath.BeforeDisposalPhotos, 0.10, "closed cases"),
        (DayPath.AfterDisposalPhotos, 0.25, "closed cases (and always where the catalogue requires them)"),
        (DayPath.VerificationPhotos, 0.15, "closed cases (and always where the catalogue requires them)"),
        (DayPath.SuspensionApproved, 0.03, "closed cases"),
        (DayPath.SuspensionDenied, 0.01, "closed cases"),
        (DayPath.DispatcherHold, 0.02, "closed cases"),
        (DayPath.Extension, 0.08, "closed cases"),
        (DayPath.ExtensionDenied, 0.02, "closed cases"),
        (DayPath.Reminder, 0.025, "closed cases"),
        (DayPath.Supervision, 0.015, "closed cases"),
        (DayPath.PublicListing, 0.01, "closed cases"),
        (DayPath.Rework, 0.07, "closed cases"),
        (DayPath.VerificationReassigned, 0.03, "closed cases"),
        (DayPath.ReviewDenied, 0.15, "closed cases the catalogue sends to review (one at least: a short day may turn one case into an illegal structure or a gas leak)"),
        (DayPath.CompletionNotice, 0.95, "closed hotline cases"),
        (DayPath.FollowUpCall, 0.70, "closed hotline cases"),
        (DayPath.ReopenedOnLowScore, 0.08, "follow-up calls (a score of 1 or 2)"),
        (DayPath.ReopenedOnComplaint, 0.02, "closed hotline cases"),
    ];

    /// <summary>How the open cases stand at the day's end: share of the cases left open.</summary>
    public static readonly IReadOnlyList<(CaseStatus Stage, bool OnHold, double Share)> OpenStages =
        [(CaseStatus.Accepted, false, 0.10), (CaseStatus.Dispatched, false, 0.20), (CaseStatus.InProgress, false, 0.40),
         (CaseStatus.Disposed, false, 0.20), (CaseStatus.InProgress, true, 0.10)];

    /// <summary>What sensors report, and the category a dispatcher files it under.</summary>
    private static readonly (string AlarmType, string CategoryCode, string[] Severities)[] SensorKinds =
    [
        ("TILT", "0102", ["MEDIUM", "HIGH", "CRITICAL"]),        // a manhole cover lifted or tilted
        ("WATER_LEVEL", "1502", ["MEDIUM", "HIGH", "CRITICAL"]), // a flooded underpass
        ("LAMP_FAULT", "0105", ["LOW", "MEDIUM", "HIGH"]),       // a street lamp out
        ("FILL_LEVEL", "0302", ["LOW", "MEDIUM", "HIGH"]),       // a litter bin full
    ];

    private static readonly StepActor Device = new(Roles.Device);

    /// <summary>
    /// The fuller day: hotline calls, patrol findings and sensor alarms arriving by their own hours, and every path of the
    /// loop in its share (<see cref="Fates"/>, <see cref="WayShares"/>, <see cref="OpenStages"/>). Shares are dealt, not
    /// drawn: a path with share p happens to round(p × n) of its n possible cases and to at least one, so a short day (about
    /// 40 cases or more) still takes every path. Journeys come in order of arrival; seeded, so a seed gives the same day.
    /// </summary>
    public IReadOnlyList<CaseJourney> FullDay(int count)
    {
        var random = new Random(seed);
        var categories = district.Categories.ToList();
        var weights = categories.Select(CategoryWeight).ToArray();

        // Who calls when: each channel's arrivals spread over its hours, then the day in order of arrival.
        var channels = Deal(random, count, ChannelShares.Select(c => (c.Channel, c.Share)).ToArray());
        var arrivals = channels.Select(channel => (Channel: channel, At: Duration.FromHours(Pick(random, channel switch
        {
            CaseSource.Patrol => PatrolHourlyShare,
            CaseSource.Sensor => SensorHourlyShare,
            _ => HotlineHourlyShare,
        })) + Duration.FromSeconds(random.Next(3600)))).OrderBy(a => a.At).ToList();

        var drafts = arrivals.Select((a, i) => new Draft(i, a.Channel, a.At)).ToList();
        foreach (var d in drafts)
        {
            if (d.Channel == CaseSource.Sensor)
            {
                d.Sensor = SensorKinds[random.Next(SensorKinds.Length)];
                d.Category = district.Categories.First(c => c.Code == d.Sensor.Value.CategoryCode);
            }
            else d.Category = categories[Pick(random, weights)];
            (d.Grid, d.Location) = PlaceIn(random, district);
        }

        // How each case ends the day, per channel.
        foreach (var (channel, _) in ChannelShares) // a list: its order, hence the day, is fixed
        {
            var ofChannel = drafts.Where(d => d.Channel == channel).ToList();
            var fates = Deal(random, ofChannel.Count, Fates[channel]);
            for (var i = 0; i < ofChannel.Count; i++) ofChannel[i].Fate = fates[i];
        }
        MergeIntoEarlierOpenCases(drafts);
        var open = drafts.Where(d => d.Fate == DayPath.LeftOpen).ToList();
        var stages = Deal(random, open.Count, OpenStages.Select(s => ((s.Stage, s.OnHold), s.Share)).ToArray());
        for (var i = 0; i < open.Count; i++) open[i].OpenStage = stages[i];

        // The paths on the way, each dealt over the cases it can happen to.
        var filed = drafts.Where(d => d.Fate is not (DayPath.Rejected or DayPath.FalseAlarmVoided)).ToList();
        var closed = drafts.Where(d => d.Fate == DayPath.Closed).ToList();
        var closedHotline = closed.Where(d => d.Channel == CaseSource.Hotline).ToList();
        foreach (var (path, share, _) in WayShares)
        {
            List<Draft> among = path switch
            {
                DayPath.Urgent => filed.Where(d => d.Channel != CaseSource.Patrol).ToList(), // findings are filed as normal
                DayPath.SensorRepeat => drafts.Where(d => d.Channel == CaseSource.Sensor).ToList(),
                DayPath.AcceptanceNotice => filed.Where(d => d.Channel == CaseSource.Hotline && d.Fate != DayPath.Merged).ToList(),
                DayPath.CompletionNotice or DayPath.FollowUpCall => closedHotline,
                DayPath.ReopenedOnLowScore => closedHotline.Where(d => d.Paths.Contains(DayPath.FollowUpCall)).ToList(),
                DayPath.ReopenedOnComplaint => closedHotline.Where(d => !d.Paths.Contains(DayPath.ReopenedOnLowScore)).ToList(),
                DayPath.ReviewDenied => closed.Where(d => d.Channel != CaseSource.Sensor).ToList(),
                _ => closed,
            };
            if (path == DayPath.ReviewDenied)
            {
                among = among.Where(d => d.Category!.NeedsCloseReview(d.Paths.Contains(DayPath.Urgent) ? Urgency.Urgent : Urgency.Normal)).ToList();
                if (among.Count == 0 && closed.FirstOrDefault(d => d.Channel != CaseSource.Sensor) is { } stand)
                {
                    // A short day may have no case the city reviews: one of them becomes an illegal structure or a gas leak.
                    var reviewed = district.Categories.Where(c => c.NeedsCloseReview(Urgency.Normal)).ToList();
                    stand.Category = reviewed[random.Next(reviewed.Count)];
                    among = [stand];
                }
            }
            foreach (var d in Choose(random, among, Count(share, among.Count))) d.Paths.Add(path);
        }

        return [.. drafts.Select(d => Build(random, d))];
    }

    /// <summary>A duplicate is folded into a case still open when it is called in: the latest earlier one left open.</summary>
    private static void MergeIntoEarlierOpenCases(List<Draft> drafts)
    {
        foreach (var d in drafts.Where(d => d.Fate == DayPath.Merged))
        {
            var original = drafts.Take(d.Index).LastOrDefault(o => o.Fate == DayPath.LeftOpen);
            if (original is null)
            {
                // Too early in the day for a duplicate: swap fates with the first later closed hotline call that has one.
                var later = drafts.Skip(d.Index + 1).FirstOrDefault(l => l.Channel == CaseSource.Hotline && l.Fate == DayPath.Closed
                    && drafts.Take(l.Index).Any(o => o.Fate == DayPath.LeftOpen));
                d.Fate = DayPath.Closed;
                if (later is null) continue;
                later.Fate = DayPath.Merged;
                original = drafts.Take(later.Index).Last(o => o.Fate == DayPath.LeftOpen);
                later.MergeInto = original;
                continue;
            }
            d.MergeInto = original;
        }
    }

    private CaseJourney Build(Random random, Draft d)
    {
        var steps = new List<JourneyStep>();
        var paths = d.Paths;
        paths.Add(d.Fate);
        paths.Add(d.Channel switch { CaseSource.Patrol => DayPath.PatrolFinding, CaseSource.Sensor => DayPath.SensorAlarm, _ => DayPath.HotlineCall });
        var category = d.Category!;
        if (d.MergeInto is { } original) // a second caller about the same problem, in the same place
        {
            category = original.Category!;
            d.Location = original.Location;
        }
        var urgency = paths.Contains(DayPath.Urgent) ? Urgency.Urgent : Urgency.Normal;
        void Step(StepActor by, CaseCommand command, double minutes) => steps.Add(new JourneyStep(by, command, Duration.FromSeconds(Math.Round(minutes * 60))));

        SensorAlarm? alarm = null;
        if (d.Channel == CaseSource.Sensor)
        {
            var kind = d.Sensor!.Value;
            alarm = new SensorAlarm($"{kind.AlarmType.ToLowerInvariant()}-{d.Grid!.Code}-{d.Index}", kind.AlarmType, kind.Severities[0]);
            var repeats = paths.Contains(DayPath.SensorRepeat) ? 1 + random.Next(3) : 0;
            for (var r = 1; r <= repeats; r++)
                    Step(Device, new RaiseSensorAlarm(alarm.SensorId, alarm.AlarmType, d.Location!, kind.Severities[Math.Min(r, 2)]), 5 + random.Next(25));
        }
        var arrival = new CaseArrival(d.Channel,
            d.Channel == CaseSource.Sensor ? $"Sensor alarm {alarm!.AlarmType} near {d.Grid!.Name}" : $"{category.NameEn} near {d.Grid!.Name}",
            d.Location!, category.Code, d.Channel == CaseSource.Hotline ? new Citizen($"Caller {d.Index}", $"139{random.Next(10_000_000, 99_999_999)}") : null,
            alarm);

        // Filing (立案): the agent files a call, the dispatcher a sensor's alarm; a patrol finding is filed as it is reported.
        switch (d.Fate)
        {
            case DayPath.Rejected:
                Step(Agent, new RejectCase("Not a city matter: referred to the property management company"), 2 + random.Next(8));
                return Journey();
            case DayPath.FalseAlarmVoided:
                Step(Device, new ClearSensorAlarm(alarm!.SensorId, alarm.AlarmType), 5 + random.Next(30));
                paths.Add(DayPath.SensorClear);
                Step(Dispatcher, new VoidCase("The alarm cleared by itself; nothing found on site"), 5 + random.Next(20));
                return Journey();
        }
        if (d.Channel == CaseSource.Hotline) Step(Agent, new AcceptCase(category.Code, urgency, null), 2 + random.Next(10));
        if (d.Channel == CaseSource.Sensor) Step(Dispatcher, new AcceptCase(category.Code, urgency, "Filed from the sensor's alarm"), 3 + random.Next(15));
        if (d.Fate == DayPath.Merged)
        {
            Step(Agent, new MergeIntoJourney(d.MergeInto!.Index), 1 + random.Next(5));
            return Journey();
        }
        if (paths.Contains(DayPath.AcceptanceNotice)) Step(Agent, new NotifyCitizen(NotificationKind.Acceptance, "SMS"), 1 + random.Next(5));
        if (d.Fate == DayPath.Voided)
        {
            Step(Dispatcher, new VoidCase("Filed twice by mistake"), 5 + random.Next(30));
            return Journey();
        }
        if (d.OpenStage is (CaseStatus.Accepted, _)) return Journey();

        // Dispatch (派遣), perhaps first to the wrong department, which asks to send it back.
        var department = category.DefaultDepartmentCode;
        var others = district.Departments.Select(x => x.Code).Where(x => x != department).ToList();
        var staff = new StepActor(Roles.Department, department);
        if (paths.Contains(DayPath.WrongDepartmentReturned))
        {
            var wrong = others[random.Next(others.Count)];
            Step(Dispatcher, new DispatchCase(wrong), 5 + random.Next(20));
            Step(new StepActor(Roles.Department, wrong), new ReturnCase("Not our responsibility"), 10 + random.Next(30));
            Step(Dispatcher, new DecideReturn(true, null), 5 + random.Next(15));
        }
        Step(Dispatcher, new DispatchCase(department), 5 + random.Next(20));
        if (paths.Contains(DayPath.AssistingDepartment))
        {
            var assisting = others[random.Next(others.Count)];
            Step(Dispatcher, new AddAssistingDepartment(assisting), 5 + random.Next(20));
            Step(new StepActor(Roles.Department, assisting), new AddCaseNote("We will close the lane while the work is done"), 10 + random.Next(30));
        }
        if (d.OpenStage is (CaseStatus.Dispatched, _)) return Journey();
        Step(staff, new SignCase(), 5 + random.Next(40));
        if (paths.Contains(DayPath.NamedWorker))
        {
            var worker = 1 + random.Next(4);
            Step(staff, new AssignCase($"worker-{department}-{worker}", $"Worker {worker} of {department}"), 2 + random.Next(15));
        }
        if (paths.Contains(DayPath.ReturnDenied))
        {
            Step(staff, new ReturnCase("We think the street office should handle it"), 20 + random.Next(40));
            Step(Dispatcher, new DecideReturn(false, "It is yours: see the dispatch rules"), 5 + random.Next(20));
        }
        if (paths.Contains(DayPath.Note)) Step(random.Next(2) == 0 ? Dispatcher : staff, new AddCaseNote("Caller says it is worst in the evening"), 5 + random.Next(60));
        if (paths.Contains(DayPath.BeforeDisposalPhotos))
            Step(staff, new AttachEvidence(AttachmentKind.BeforeDisposal, [Photo(AttachmentKind.BeforeDisposal, d.Index, 0)]), 20 + random.Next(60));
        if (paths.Contains(DayPath.SuspensionApproved) || d.OpenStage is (_, true))
        {
            Step(staff, new RequestSuspension("Waiting for the owner to be reached"), 30 + random.Next(60));
            Step(Dispatcher, new DecideSuspension(true, null), 5 + random.Next(30));
            if (d.OpenStage is (_, true)) return Journey();
            Step(Dispatcher, new ResumeCase("Owner reached"), 60 + random.Next(240));
        }
        if (paths.Contains(DayPath.SuspensionDenied))
        {
            Step(staff, new RequestSuspension("Waiting for the weather to clear"), 30 + random.Next(60));
            Step(Dispatcher, new DecideSuspension(false, "Work around it"), 5 + random.Next(30));
        }
        if (paths.Contains(DayPath.DispatcherHold))
        {
            Step(Dispatcher, new SuspendCase("Road closed for a public event"), 30 + random.Next(60));
            Step(Dispatcher, new ResumeCase("Road open again"), 120 + random.Next(240));
        }
        if (paths.Contains(DayPath.Extension) || paths.Contains(DayPath.ExtensionDenied))
        {
            Step(staff, new RequestExtension(4, "Waiting for parts"), 30 + random.Next(60));
            Step(Dispatcher, new DecideExtension(!paths.Contains(DayPath.ExtensionDenied), null), 5 + random.Next(30));
        }
        foreach (var (path, level) in (ReadOnlySpan<(DayPath, SupervisionLevel)>)
                 [(DayPath.Reminder, SupervisionLevel.Reminder), (DayPath.Supervision, SupervisionLevel.Supervision), (DayPath.PublicListing, SupervisionLevel.PublicListing)])
        {
            if (!paths.Contains(path)) continue;
            Step(Supervisor, new SuperviseCase("Residents keep calling about it", level), 30 + random.Next(120));
            Step(staff, new AnswerSupervision("A crew is on site this afternoon"), 20 + random.Next(120));
        }
        if (d.OpenStage is (CaseStatus.InProgress, _)) return Journey();

        // Disposal (处置), verification (核查), the city's review (结案审核) and closing (结案).
        var hours = DepartmentHours(department) * Math.Exp(0.6 * Gaussian(random));
        var round = 0;
        void Dispose(string result, double minutes)
        {
            var photos = paths.Contains(DayPath.AfterDisposalPhotos) || category.RequiredPhotos.Contains(AttachmentKind.AfterDisposal)
                ? new[] { Photo(AttachmentKind.AfterDisposal, d.Index, ++round) } : null;
            Step(staff, new ReportDisposal(result, [], photos), minutes);
        }
        void Verify(bool passed, string? note)
        {
            var photos = paths.Contains(DayPath.VerificationPhotos) || category.RequiredPhotos.Contains(AttachmentKind.Verification)
                ? new[] { Photo(AttachmentKind.Verification, d.Index, ++round) } : null;
            Step(Inspector, new VerifyDisposal(passed, note, photos), 20 + random.Next(60));
        }
        Dispose("Done", hours * 60);
        if (d.Channel == CaseSource.Sensor) // the fix ends the alarm
        {
            Step(Device, new ClearSensorAlarm(alarm!.SensorId, alarm.AlarmType), 1 + random.Next(10));
            paths.Add(DayPath.SensorClear);
        }
        if (d.OpenStage is (CaseStatus.Disposed, _)) return Journey();
        if (paths.Contains(DayPath.VerificationReassigned)) Step(Dispatcher, new AssignVerification("inspector-relief"), 5 + random.Next(20));
        if (paths.Contains(DayPath.Rework))
        {
            Verify(false, "Not done properly");
            Dispose("Done again", 60 + random.Next(120));
        }
        void VerifyReviewClose(bool denyReview)
        {
            Verify(true, null);
            if (category.NeedsCloseReview(urgency))
            {
                paths.Add(DayPath.ClosureReviewed);
                if (denyReview)
                {
                    Step(Supervisor, new ReviewClosure(false, "The site is not fenced off yet"), 10 + random.Next(60));
                    Dispose("Fenced off and done", 60 + random.Next(120));
                    Verify(true, null);
                }
                Step(Supervisor, new ReviewClosure(true, null), 10 + random.Next(60));
            }
            Step(Dispatcher, new CloseCase(), 5 + random.Next(30));
        }
        VerifyReviewClose(paths.Contains(DayPath.ReviewDenied));
        if (d.Channel != CaseSource.Hotline) return Journey();

        // The citizen's side (回访): told of the completion, asked by phone; a low score or a complaint reopens (重办).
        if (paths.Contains(DayPath.CompletionNotice)) Step(Agent, new NotifyCitizen(NotificationKind.Completion, "SMS"), 5 + random.Next(30));
        if (paths.Contains(DayPath.FollowUpCall))
        {
            Step(Agent, new NotifyCitizen(NotificationKind.FollowUp, "Phone"), 60 + random.Next(600));
            var score = paths.Contains(DayPath.ReopenedOnLowScore) ? 1 + random.Next(2) : random.NextDouble() < 0.85 ? 5 : 3 + random.Next(2);
            Step(Agent, new RecordSatisfaction(score, score < 3 ? "Nothing has changed" : null), 1 + random.Next(5));
        }
        if (paths.Contains(DayPath.ReopenedOnComplaint))
            Step(Agent, new ReopenCase("The caller says the problem is back"), 120 + random.Next(600));
        if (paths.Contains(DayPath.ReopenedOnLowScore) || paths.Contains(DayPath.ReopenedOnComplaint))
        {
            Dispose("Done again after the citizen's complaint", 60 + random.Next(240));
            VerifyReviewClose(false);
            Step(Agent, new NotifyCitizen(NotificationKind.Completion, "SMS"), 5 + random.Next(30));
            Step(Agent, new RecordSatisfaction(4 + random.Next(2), null), 60 + random.Next(600));
        }
        return Journey();

        CaseJourney Journey() => new(d.Index, d.ArrivesAt, arrival, steps, paths);
    }

    /// <summary>
    /// A photo a step brings: the client uploads one (POST /attachments) and passes its id; a benchmark deciding directly
    /// uses it as it is (an id, hash and size of a photo that is not stored).
    /// </summary>
    public static EvidencePhoto Photo(AttachmentKind kind, int journey, int round) =>
        new(new Guid(journey, (short)kind, (short)round, 0, 0, 0, 0, 0, 0, 0, 1), kind,
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(journey * 1000 + round * 10 + (int)kind))),
            "image/png", 67);

    private static int Count(double share, int among) => among == 0 ? 0 : Math.Clamp((int)Math.Round(share * among), 1, among);

    /// <summary><paramref name="count"/> of <paramref name="among"/>, chosen at random.</summary>
    private static List<Draft> Choose(Random random, List<Draft> among, int count) =>
        [.. among.OrderBy(_ => random.Next()).Take(Math.Min(count, among.Count))];

    /// <summary>
    /// <paramref name="n"/> values in the shares given, each at least once when there are enough (the largest share takes
    /// what rounding leaves), in random order.
    /// </summary>
    private static T[] Deal<T>(Random random, int n, (T Value, double Share)[] shares)
    {
        if (n == 0) return [];
        var counts = shares.Select(s => n >= shares.Length ? Math.Max(1, (int)Math.Round(s.Share * n)) : (int)Math.Round(s.Share * n)).ToArray();
        var largest = Array.IndexOf(counts, counts.Max());
        counts[largest] += n - counts.Sum();
        while (counts[largest] < 0) // a tiny day: take back from the others
        {
            var other = Array.FindIndex(counts, c => c > 1);
            counts[other]--;
            counts[largest]++;
        }
        var dealt = shares.SelectMany((s, i) => Enumerable.Repeat(s.Value, counts[i])).ToArray();
        random.Shuffle(dealt);
        return dealt;
    }

    private sealed class Draft(int index, CaseSource channel, Duration arrivesAt)
    {
        public int Index { get; } = index;
        public CaseSource Channel { get; } = channel;
        public Duration ArrivesAt { get; } = arrivesAt;
        public Category? Category { get; set; }
        public Grid? Grid { get; set; }
        public Location? Location { get; set; }
        public (string AlarmType, string CategoryCode, string[] Severities)? Sensor { get; set; }
        public DayPath Fate { get; set; } = DayPath.Closed;
        public (CaseStatus Stage, bool OnHold)? OpenStage { get; set; }
        public Draft? MergeInto { get; set; }
        public HashSet<DayPath> Paths { get; } = [];
    }
}
