using System.Globalization;
using System.Net;

namespace AuthService.Hosting;

/// <summary>Parses "host:port" and "[v6]:port" endpoint strings.</summary>
public static class EndpointParser
{
    public static bool TryParse(string? value, out IPEndPoint endpoint)
    {
        endpoint = new IPEndPoint(IPAddress.Loopback, 0);
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        var colon = value.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            return false;
        }

        var host = value[..colon].Trim('[', ']');
        if (host is "localhost")
        {
            endpoint = new IPEndPoint(IPAddress.Loopback, port);
            return true;
        }

        if (host is "*" or "+")
        {
            endpoint = new IPEndPoint(IPAddress.Any, port);
            return true;
        }

        if (!IPAddress.TryParse(host, out var address))
        {
            return false;
        }

        endpoint = new IPEndPoint(address, port);
        return true;
    }
}
