namespace CityCase.Benchmarks;

/// <summary>The command line: <c>[run] [--quick] [--clients N] [--seconds N] [--seed-cases N] [--queries N]</c>, <c>failover [--clients N]</c>, <c>seed [--seed-cases N]</c>, <c>rebuild</c>, <c>timekeeper</c>, <c>intake-profile [--clients N]</c> or <c>play --cases N --url U</c>.</summary>
public sealed record Options(string Verb, bool Quick, int Clients, int Seconds, int SeedCases, int QuerySamples, int Cases, string Url)
{
    public static Options Parse(string[] args)
    {
        string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        int Number(string name, int fallback) => Value(name) is { } v ? int.Parse(v) : fallback;
        var quick = args.Contains("--quick");
        return new Options(
            args.FirstOrDefault(a => !a.StartsWith("--") && a is "run" or "play" or "seed" or "failover" or "rebuild" or "timekeeper" or "intake-profile") ?? "run",
            quick,
            Number("--clients", 16),
            Number("--seconds", quick ? 3 : 20),
            Number("--seed-cases", quick ? 20_000 : 1_000_000),
            Number("--queries", quick ? 50 : 500),
            Number("--cases", 100),
            Value("--url") ?? "http://127.0.0.1:5080/");
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CityCase.sln"))) return dir.FullName;
        throw new InvalidOperationException("CityCase.sln not found above " + AppContext.BaseDirectory);
    }
}
