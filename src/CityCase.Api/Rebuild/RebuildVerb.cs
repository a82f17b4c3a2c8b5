using System.Globalization;
using CityCase.Api.Hosting;
using CityCase.Api.LocalPostgres;
using CityCase.Engine.Rebuild;
using Marten;

namespace CityCase.Api.Rebuild;

/// <summary>
/// <c>rebuild</c>: replays every event into every read model (case views, SLA timers, scorecards),
/// printing progress, against the same database the server would use. Stop the server first.
/// </summary>
public static class RebuildVerb
{
    public static async Task<int> RunAsync(string[] args)
    {
        // `rebuild [ReadModel...] [--setting value...]`: the names before the first switch choose read models (default: all).
        var only = args.TakeWhile(a => !a.StartsWith('-')).ToList();
        var app = await CityCaseApp.BuildAsync([.. args.Skip(only.Count), "--Logging:LogLevel:Default", "Warning"]);
        try
        {
            var store = app.Services.GetRequiredService<IDocumentStore>();
            var console = new Lock(); // the read models report from their own tasks
            var summary = await ReadModelRebuilder.RebuildAllAsync(store, app.Services.GetRequiredService<CityCase.Domain.Assessment.AssessmentRules>(),
                app.Services.GetRequiredService<CityCase.Engine.CitySettings>().Scorecard.RulesVersion, p =>
            {
                var percent = p.HighWaterMark == 0 ? 100 : 100.0 * p.Sequence / p.HighWaterMark;
                lock (console)
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{p.ReadModel} {p.Sequence,12:N0} / {p.HighWaterMark:N0} events ({percent,5:F1} %)  {p.Elapsed.TotalSeconds,7:F1} s"));
            }, only: only);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"The pass read its last event after {summary.ReadDone.TotalSeconds:F1} s, folded its last stream after {summary.FoldDone.TotalSeconds:F1} s and wrote its last document after {summary.WriteDone.TotalSeconds:F1} s"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Rebuilt {summary.Events:N0} events into {summary.ReadModels} read models in {summary.Elapsed.TotalSeconds:F1} s ({summary.EventsPerSecond:N0} events/s; this process used {System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:F1} s of CPU)"));
            return 0;
        }
        finally
        {
            if (app.Services.GetService<LocalPostgresCluster>() is { } cluster) await cluster.DisposeAsync();
            await app.DisposeAsync();
        }
    }
}
