namespace CityCase.IntegrationTests.Infrastructure;

public static class Repository
{
    /// <summary>The repository's root: the folder holding CityCase.sln, above the test's bin folder.</summary>
    public static string Root { get; } = FindRoot();

    public static string PathTo(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CityCase.sln"))) return dir.FullName;
        throw new InvalidOperationException($"CityCase.sln not found above {AppContext.BaseDirectory}");
    }

    /// <summary>The built server assembly, next to the tests (the test project references it).</summary>
    public static string ApiAssembly => Path.Combine(AppContext.BaseDirectory, "CityCase.Api.dll");
}
