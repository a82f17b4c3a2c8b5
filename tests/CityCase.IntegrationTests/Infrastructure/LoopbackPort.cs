using System.Net;
using System.Net.Sockets;

namespace CityCase.IntegrationTests.Infrastructure;

public static class LoopbackPort
{
    /// <summary>A loopback port free now, for a server a test starts on a fixed port (a broker, or one the browser reconnects to).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
