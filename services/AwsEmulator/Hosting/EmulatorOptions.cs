namespace AwsEmulator.Hosting;

/// <summary>Where the emulator listens. Set from the command line: --bind, --port, --https-port, --ca-out, --tls-host.</summary>
internal sealed class EmulatorOptions
{
    /// <summary>Address to bind (default 127.0.0.1; 0.0.0.0 in a container).</summary>
    public string Bind { get; init; } = "127.0.0.1";

    /// <summary>Plain HTTP port (default 4599; 0 picks a free port).</summary>
    public int Port { get; init; } = 4599;

    /// <summary>HTTPS port with a certificate from a freshly generated test CA; null turns HTTPS off.</summary>
    public int? HttpsPort { get; init; }

    /// <summary>Where the test CA's PEM is written so clients can trust it (default aws-emulator-ca.pem in the working folder).</summary>
    public string? CaOutPath { get; init; }

    /// <summary>Names and addresses the HTTPS certificate covers.</summary>
    public IReadOnlyList<string> TlsHosts { get; init; } = ["localhost", "127.0.0.1"];
}
