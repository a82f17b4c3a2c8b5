using System.Globalization;
using System.Text;

namespace CityCase.Benchmarks;

/// <summary>The results table: each figure, its target and whether it is met; headed by the machine it ran on.</summary>
public sealed class Report(Options options)
{
    private readonly List<(string Figure, string Value, string Target, bool? Met)> _rows = [];
    private readonly List<string> _notes = [];
    private string _machine = "";

    private static string F(double value, string format = "N0") => value.ToString(format, CultureInfo.InvariantCulture);

    private void Row(string figure, string value, string target = "", bool? met = null) => _rows.Add((figure, value, target, met));

    public void Machine(string postgresVersion)
    {
        var memory = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        _machine = $"{Environment.ProcessorCount} cores, {F(long.Parse(memory) / 1024.0 / 1024.0, "F1")} GiB memory, PostgreSQL {postgresVersion}, " +
                   $".NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; {options.Clients} clients, {options.Seconds} s per load run" +
                   (options.Quick ? " (quick run: figures indicative only)" : "");
    }

    public void Intake(LoadResult intake, double pgbenchTps, LoadResult bare, double peakMiB, int clients)
    {
        Row("1. Intake: reportComplaint over HTTP GraphQL", $"{F(intake.PerSecond)} cases/s ({intake.Failures} failed)");
        Row("   latency p50 / p95 / p99", $"{F(intake.Percentile(50), "F1")} / {F(intake.Percentile(95), "F1")} / {F(intake.Percentile(99), "F1")} ms",
            "p99 < 50 ms", intake.Percentile(99) < 50);
        Row("   pgbench, one-row insert per transaction", $"{F(pgbenchTps)} tps");
        Row("   bare Marten append (same events and inline projections)", $"{F(bare.PerSecond)} cases/s, p99 {F(bare.Percentile(99), "F1")} ms");
        Row("   intake / pgbench", $"{F(intake.PerSecond / pgbenchTps * 100, "F1")} %", ">= 50 %", intake.PerSecond / pgbenchTps >= 0.5);
        Row("   intake / bare Marten", $"{F(intake.PerSecond / bare.PerSecond * 100, "F1")} %");
        Row("6. Server peak resident memory (VmHWM) after (1)", $"{F(peakMiB)} MiB", "< 500 MB", peakMiB * 1.048576 < 500);
        if (intake.FirstFailure is { } f) _notes.Add("Intake failure: " + f);
    }

    public void TwoNodeIntake(LoadResult oneNode, LoadResult twoNodes)
    {
        Row("   intake on two nodes (two server processes, one PostgreSQL, same clients)",
            $"{F(twoNodes.PerSecond)} cases/s ({twoNodes.Failures} failed), p99 {F(twoNodes.Percentile(99), "F1")} ms; " +
            $"{F(twoNodes.PerSecond / oneNode.PerSecond, "F2")}x one node");
        if (twoNodes.FirstFailure is { } f) _notes.Add("Two-node intake failure: " + f);
    }

    public void WholeLoop(LoadResult loop, LoadResult bareLoop, double eventsPerCase)
    {
        var ratio = bareLoop.PerSecond / loop.PerSecond;
        Row("2. Whole loop, report to close, over HTTP GraphQL", $"{F(loop.PerSecond, "F1")} cases/s ({F(eventsPerCase, "F1")} events per case; {loop.Failures} failed)");
        Row("   the same loop appended by bare Marten", $"{F(bareLoop.PerSecond, "F1")} cases/s");
        Row("   cost per case, end to end / bare Marten", $"{F(ratio, "F2")}x", "<= 1.5x", ratio <= 1.5);
        if (loop.FirstFailure is { } f) _notes.Add("Whole-loop failure: " + f);
        if (bareLoop.FirstFailure is { } g) _notes.Add("Bare-loop failure: " + g);
    }

    public void Lag(LagResult lag)
    {
        var p99 = Load.Percentile(lag.ScorecardLagMs, 99);
        Row("3. Scorecard projection lag at half the intake rate", $"p50 {F(Load.Percentile(lag.ScorecardLagMs, 50), "F0")} ms, p99 {F(p99, "F0")} ms over {lag.ScorecardLagMs.Length} cases at {F(lag.Rate, "F0")}/s",
            "p99 < 500 ms", p99 < 500);
        Row("   dispatch queue (inline projection, same transaction)", $"visible on the first read after the answer in {lag.QueueVisibleAtOnce} of {lag.QueueChecks} dispatches: 0 ms",
            "p99 < 500 ms", lag.QueueChecks > 0 && lag.QueueVisibleAtOnce == lag.QueueChecks);
        Row("   intake latency at that steady half rate, p50 / p95 / p99",
            $"{F(Load.Percentile(lag.ReportLatencyMs, 50), "F1")} / {F(Load.Percentile(lag.ReportLatencyMs, 95), "F1")} / {F(Load.Percentile(lag.ReportLatencyMs, 99), "F1")} ms",
            "p99 < 50 ms", Load.Percentile(lag.ReportLatencyMs, 99) < 50);
        if (lag.Failure is { } f) _notes.Add("Lag-run failure: " + f);
    }

    public void Rebuild(long events, (long Rows, long Bytes, TimeSpan Elapsed) read, (TimeSpan Elapsed, string LastLine) rebuild)
    {
        var rate = events / rebuild.Elapsed.TotalSeconds;
        Row("4. Rebuild of every read model (`rebuild` verb, whole process)", $"{F(events)} events in {F(rebuild.Elapsed.TotalSeconds, "F1")} s = {F(rate)} events/s",
            ">= 20,000 events/s", rate >= 20_000);
        Row("   the verb's own report", rebuild.LastLine);
        Row("   plain sequential read of mt_events", $"{F(read.Rows / read.Elapsed.TotalSeconds)} events/s ({F(read.Bytes / 1048576.0, "F0")} MiB of JSON)");
        var share = rate / (read.Rows / read.Elapsed.TotalSeconds);
        Row("   rebuild / sequential read", $"{F(share * 100, "F1")} %", ">= 50 %", share >= 0.5);
    }

    public void Queries(long cases, IReadOnlyList<(string Query, double[] LatenciesMs)> results)
    {
        foreach (var (query, latencies) in results)
        {
            var p99 = Load.Percentile(latencies, 99);
            Row($"5. {query} with {F(cases)} cases stored", $"p50 {F(Load.Percentile(latencies, 50), "F2")} ms, p99 {F(p99, "F2")} ms", "p99 < 10 ms", p99 < 10);
        }
    }

    public void QueryMemory(long cases, double peakMiB) =>
        Row($"6. Server peak resident memory (VmHWM) through the reads on {F(cases)} cases", $"{F(peakMiB, "F0")} MiB", "< 500 MB", peakMiB * 1.048576 < 500);

    public void Export(Queries.ExportResult e) =>
        Row($"5. /exports/cases.csv{e.Query}, streamed (a dispatcher: every citizen opened and masked)",
            $"{F(e.Rows)} rows, {F(e.Bytes / 1048576.0, "F0")} MiB in {F(e.Elapsed.TotalSeconds, "F1")} s ({F(e.Rows / e.Elapsed.TotalSeconds)} rows/s); server resident {F(e.ResidentBeforeMiB, "F0")} MiB before, at most {F(e.PeakMiB, "F0")} MiB during, {F(e.ResidentAfterMiB, "F0")} MiB after");

    public void Failover(FailoverResult failover)
    {
        Row("7. Standby failover: primary killed (SIGKILL), standby promoted, under full intake",
            $"writes succeed again {F(failover.WritesBack.TotalSeconds, "F1")} s after the kill (the promotion itself {F(failover.Promotion.TotalSeconds, "F1")} s; {failover.Failed} filings failed meanwhile)");
        Row("   acknowledged cases on the promoted standby", $"{F(failover.Acknowledged - failover.Lost)} of {F(failover.Acknowledged)}",
            "all", failover.Lost == 0);
        Row("   intake before the kill, every commit also flushed by the standby", $"{F(failover.PerSecondBefore)} cases/s");
        if (failover.FirstFailure is { } f) _notes.Add("Failover: the first failed filing said: " + f);
    }

    public void Timekeeper(TimekeeperResult t)
    {
        double Median(double[] ms) => Load.Percentile(ms, 50);
        string Pass(TimekeeperPhase p) => $"median {F(Median(p.PassMs), "F2")} ms, p95 {F(Load.Percentile(p.PassMs, 95), "F2")} ms over {p.PassMs.Length} passes";
        string Plan(DuePlan p) => $"{F(p.Rows)} rows, {F(p.Buffers)} buffers, {F(p.ExecutionMs, "F3")} ms ({p.Scans})";
        var ratio = Median(t.With.PassMs) / Median(t.Without.PassMs);
        Row($"8. Timekeeper pass, {F(t.Running)} running cases and no suspended one", Pass(t.Without));
        Row($"   the same with {F(t.With.Suspended)} suspended overdue cases added (seeded in {F(t.Seeding.TotalSeconds, "F0")} s)", Pass(t.With));
        Row("   pass time with / without them", $"{F(ratio, "F2")}x", "flat (<= 1.5x)", ratio <= 1.5);
        Row("   due query without them (EXPLAIN ANALYZE)", Plan(t.Without.Plan));
        Row("   due query with them", Plan(t.With.Plan), "0 rows", t.With.Plan.Rows == 0);
        Row("   buffers the due query touches, with / without them", $"{F(t.With.Plan.Buffers)} / {F(t.Without.Plan.Buffers)}",
            "flat", t.With.Plan.Buffers <= t.Without.Plan.Buffers);
        Row("   the rule before timers slept (no pause), with them", Plan(t.OldRuleWith));
        Row("   fetching its rows through Marten, as each pass did", $"median {F(Median(t.OldRuleFetchMs), "F1")} ms over {t.OldRuleFetchMs.Length} fetches " +
            $"({F(Median(t.OldRuleFetchMs) / Median(t.Without.PassMs), "F0")}x a pass without them)");
    }

    public void IntakeProfile(IntakeProfileResult p)
    {
        foreach (var group in p.Variants.GroupBy(v => v.Name))
        {
            var runs = group.ToList();
            var trigger = runs.Where(r => r.TriggerCalls > 0).Select(r => r.TriggerMsPerEvent).DefaultIfEmpty().Average();
            Row($"bare append: {group.Key}",
                $"{string.Join(" and ", runs.Select(r => F(r.Load.PerSecond)))} cases/s (mean {F(runs.Average(r => r.Load.PerSecond))}), " +
                $"p99 {string.Join(" / ", runs.Select(r => F(r.Load.Percentile(99), "F1")))} ms" +
                (trigger > 0 ? $"; the trigger {F(trigger, "F3")} ms per event" : ""));
        }
        Row("deciding a report (decider, clocks, sealing), one thread", $"{F(p.DecideMicros, "F1")} µs per case ({F(p.EventsPerCase, "F1")} events)");
        Row("sealing a citizen alone (data key, two AES-GCM, HMAC of the phone)", $"{F(p.SealMicros, "F1")} µs");
    }

    public void Storm(StormResult storm)
    {
        var p99 = storm.AcceptMs.Length == 0 ? double.NaN : Load.Percentile(storm.AcceptMs, 99);
        Row("9. Sensor storm over MQTT: alarms offered / answered \"received\"",
            $"{F(storm.Offered)} / {F(storm.Accepted)} ({F(storm.OfferedPerSecond)}/s for {F(storm.StormTime.TotalSeconds, "F0")} s to {F(storm.Sensors)} sensors with open cases, " +
            $"{F(storm.Redeliveries)} of them redeliveries; {storm.RefusedOnArrival} refused)", "all", storm.Accepted == storm.Offered);
        Row("   acceptance latency (publish to \"received\") p50 / p99",
            $"{F(Load.Percentile(storm.AcceptMs, 50), "F1")} / {F(p99, "F1")} ms", "p99 < 1 s", p99 < 1000);
        Row("   new cases created / new alarms offered", $"{F(storm.CasesCreated)} / {F(storm.CasesExpected)}", "equal", storm.CasesCreated == storm.CasesExpected);
        Row("   repeats folded / repeats offered (each once)",
            $"{F(storm.RepeatsFolded)} / {F(storm.RepeatsExpected)} in {F(storm.FoldEvents)} events; {F(storm.Replayed)} redeliveries replayed",
            "equal", storm.RepeatsFolded == storm.RepeatsExpected);
        Row("   after the storm: inbox folded / scorecard lag back under 500 ms",
            $"{(storm.InboxDrained is { } d ? F(d.TotalSeconds, "F1") + " s" : "not within 3 min")} / " +
            $"{(storm.LagUnder500 is { } l ? F(l.TotalSeconds, "F1") + " s" : "not within 3 min")} (at most {F(storm.MaxInboxDepth)} signals waiting, " +
            $"scorecard lag at most {F(storm.MaxScorecardLagMs / 1000, "F1")} s during it)", "< 30 s", storm.LagUnder500 < TimeSpan.FromSeconds(30));
        Row("   server peak resident memory (VmHWM) over the storm", $"{F(storm.PeakResidentMiB)} MiB", "< 500 MB", storm.PeakResidentMiB * 1.048576 < 500);
        Row("   seeding: one alarm per sensor, each filing its case", $"{F(storm.Seeded)} cases in {F(storm.SeedTime.TotalSeconds, "F1")} s");
        if (storm.Failure is { } f) _notes.Add("Sensor storm: " + f);
    }

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine($"Machine: {_machine}").AppendLine();
        text.AppendLine("| figure | value | target | met |").AppendLine("| --- | --- | --- | --- |");
        foreach (var (figure, value, target, met) in _rows)
            text.AppendLine($"| {figure.Replace("|", "\\|")} | {value.Replace("|", "\\|")} | {target} | {(met is null ? "" : met.Value ? "yes" : "**no**")} |");
        foreach (var note in _notes) text.AppendLine().AppendLine("- " + note);
        return text.ToString();
    }
}
