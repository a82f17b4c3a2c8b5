namespace CityCase.Benchmarks;

/// <summary>The command line: <c>[run] [--quick] [--clients N] [--seconds N] [--seed-cases N] [--queries N]</c>, <c>failover [--clients N]</c>, <c>seed [--seed-cases N]</c>, <c>rebuild</c>, <c>queries</c>, <c>timekeeper</c>, <c>intake-profile [--clients N]</c>, <c>storm [--storm-sensors N] [--storm-rate N] [--storm-seconds N]</c> or <c>play [--cases N] [--url U] [--seed N] [--classic]</c>.</summary>
public sealed record Options(string Verb, bool Quick, int Clients, int Seconds, int SeedCases, int QuerySamples, int Cases, string Url,
    int StormSensors = 5_000, int StormRate = 1_000, int StormSeconds = 60, string[]? ServerExtra = null, int Seed = 20261124, bool Classic = false)
{
    public static Options Parse(string[] args)
    {
        string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        int Number(string name, int fallback) => Value(name) is { } v ? int.Parse(v) : fallback;
        var quick = args.Contains("--quick");
        return new Options(
            args.FirstOrDefault(a => !a.StartsWith("--") && a is "run" or "play" or "seed" or "failover" or "rebuild" or "queries" or "timekeeper" or "intake-profile" or "storm") ?? "run",
            quick,
            Number("--clients", 16),
            Number("--seconds", quick ? 3 : 20),
            Number("--seed-cases", quick ? 20_000 : 1_000_000),
            Number("--queries", quick ? 50 : 500),
            Number("--cases", 100),
            Value("--url") ?? "http://127.0.0.1:5080/")
        {
            StormSensors = Number("--storm-sensors", 5_000),
            StormRate = Number("--storm-rate", 1_000),
            StormSeconds = Number("--storm-seconds", 60),
            // play: the fuller day by default; --classic plays the load benchmark's day (every case reported to closed).
            Seed = Number("--seed", 20261124),
            Classic = args.Contains("--classic"),
            // Extra settings for the storm's server, e.g. --server-arg --Logging:LogLevel:CityCase.Engine.Intake --server-arg Debug.
            ServerExtra = [.. args.Select((a, i) => (a, i)).Where(x => x.i > 0 && args[x.i - 1] == "--server-arg").Select(x => x.a)],
        };
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CityCase.sln"))) return dir.FullName;
        throw new InvalidOperationException("CityCase.sln not found above " + AppContext.BaseDirectory);
    }
}
