namespace CityCase.Api.Hosting;

/// <summary>The host-level switches (<c>--environment NAME</c>) that may stand anywhere in the arguments.</summary>
public static class HostSwitches
{
    private static readonly string[] Names = ["--environment", "-e"];

    public static string[] MoveToEnd(string[] args)
    {
        var rest = new List<string>();
        var switches = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (Names.Contains(args[i]) && i + 1 < args.Length) switches.AddRange([args[i], args[++i]]);
            else rest.Add(args[i]);
        }
        return [.. rest, .. switches];
    }

    /// <summary>CityCase's own switches, read as configuration (e.g. <c>--clock-speed 60</c>).</summary>
    private static readonly string[] Ours = ["--clock-speed"];

    public static string[] WithoutOurs(string[] args)
    {
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (Ours.Contains(args[i])) { i++; continue; }
            rest.Add(args[i]);
        }
        return [.. rest];
    }

    public static string[] Only(string[] args) =>
        MoveToEnd(args).SkipWhile(a => !Names.Contains(a)).Select(a => a == "-e" ? "--environment" : a).ToArray();
}
