using CityCase.Api.Hosting;
using CityCase.Api.LocalPostgres;
using CityCase.Engine;
using CityCase.Engine.Audit;
using Npgsql;

namespace CityCase.Api.Audit;

/// <summary>
/// <c>verify-audit --public-key FILE [--public-key FILE...] [--anchors DIR] [--case ID]</c>: checks the database (the
/// one the server would use) against the signed anchors with public keys only, and, given the auditor's own copies
/// of the anchor files, that none was deleted or replaced. Prints the first bad version of each broken case; exit
/// code 0 when intact, 1 when not, 2 when it could not check.
/// </summary>
public static class VerifyAuditVerb
{
    private static readonly string[] Switches = ["--public-key", "--anchors", "--case"];

    public static async Task<int> RunAsync(string[] args)
    {
        var options = args.Select((a, i) => (a, i)).Where(p => Switches.Contains(p.a) && p.i + 1 < args.Length)
            .Select(p => (Name: p.a, Value: args[p.i + 1])).ToList();
        var rest = args.Where((a, i) => !Switches.Contains(a) && (i == 0 || !Switches.Contains(args[i - 1]))).ToArray();
        var keyFiles = options.Where(o => o.Name == "--public-key").Select(o => o.Value).ToList();
        if (keyFiles.Count == 0)
        {
            Console.Error.WriteLine("verify-audit needs --public-key FILE: the PEM public key the anchors were signed with.");
            return 2;
        }
        Guid? onlyCase = null;
        if (options.FirstOrDefault(o => o.Name == "--case").Value is { } caseText)
        {
            if (!Guid.TryParse(caseText, out var id)) { Console.Error.WriteLine($"--case '{caseText}' is not a case id."); return 2; }
            onlyCase = id;
        }
        var keys = keyFiles.Select(f => AuditPublicKey.FromPem(File.ReadAllText(f))).ToList();
        var kept = options.FirstOrDefault(o => o.Name == "--anchors").Value is { } directory
            ? Directory.GetFiles(directory, "anchor-*.txt").Order().Select(f => AuditAnchor.FromFile(File.ReadAllText(f))).ToList()
            : [];

        var app = await CityCaseApp.BuildAsync([.. rest, "--Logging:LogLevel:Default", "Warning"]);
        try
        {
            var schema = app.Services.GetRequiredService<CitySettings>().Schema;
            await using var connection = await app.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
            // One snapshot, so that a server appending meanwhile cannot make the store look torn.
            await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);
            var report = await AuditVerifier.VerifyAsync(connection, schema, keys, onlyCase, CancellationToken.None, transaction);
            var problems = report.Problems.ToList();
            if (kept.Count > 0)
                problems.InsertRange(0, AuditAnchors.Compare(kept, await AuditAnchors.ReadAsync(connection, transaction, schema, null, CancellationToken.None), keys));

            if (problems.Count == 0)
            {
                Console.WriteLine($"Audit trail intact: {report.CheckedEvents:N0} events in {report.CheckedCases:N0} cases, " +
                                  $"{report.CheckedAnchors:N0} signed anchors checked{(kept.Count > 0 ? $" ({kept.Count} kept copies matched)" : "")}.");
                return 0;
            }
            Console.WriteLine($"Audit trail BROKEN: {problems.Count} problem(s) ({report.CheckedEvents:N0} events in {report.CheckedCases:N0} cases, {report.CheckedAnchors:N0} anchors checked)");
            foreach (var problem in problems) Console.WriteLine($"  {problem}");
            return 1;
        }
        finally
        {
            if (app.Services.GetService<LocalPostgresCluster>() is { } cluster) await cluster.DisposeAsync();
            await app.DisposeAsync();
        }
    }
}
