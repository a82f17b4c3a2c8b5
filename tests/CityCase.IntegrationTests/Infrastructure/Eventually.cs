using System.Diagnostics;

namespace CityCase.IntegrationTests.Infrastructure;

/// <summary>Waiting for something another process or node does, with a bound and a failure that says what did not happen.</summary>
public static class Eventually
{
    public static async Task WaitUntil(Func<Task<bool>> condition, TimeSpan timeout, string what, int pollMilliseconds = 100)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > timeout) throw new Xunit.Sdk.XunitException($"{what} did not happen within {timeout.TotalSeconds} s");
            await Task.Delay(pollMilliseconds);
        }
    }
}
