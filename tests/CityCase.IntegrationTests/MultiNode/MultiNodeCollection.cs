namespace CityCase.IntegrationTests.MultiNode;

/// <summary>
/// The multi-node tests run one at a time: each starts two or three servers with their own connection pools, and
/// side by side they would crowd the test cluster's connections and the machine's two cores.
/// </summary>
public static class MultiNodeCollection
{
    public const string Name = "Several nodes on one PostgreSQL";
}
