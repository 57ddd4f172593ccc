using System.Globalization;
using AwsEmulator.Seed;

namespace AwsEmulator.Hosting;

/// <summary>Turns the command line into a model and listener options, reporting every problem before anything binds.</summary>
internal static class EmulatorStartup
{
    /// <summary>
    /// --seed FILE loads a seed; without it, --demo-dir DIR (default ./aws-emulator-demo) receives a generated demo seed
    /// (CA, client certificate and key, seed.json) the first time and is reused after.
    /// </summary>
    public static (EmulatorModel Model, EmulatorOptions Options) FromConfiguration(IConfiguration configuration, TimeProvider time)
    {
        var seedPath = configuration["seed"];
        if (seedPath is null)
        {
            var demoDirectory = configuration["demo-dir"] ?? "aws-emulator-demo";
            seedPath = DemoSeed.EnsureWritten(demoDirectory, time);
            Console.Error.WriteLine($"aws-emulator: using the demo seed {seedPath}");
        }

        var model = SeedLoader.LoadFile(seedPath);
        var options = new EmulatorOptions
        {
            Bind = configuration["bind"] ?? "127.0.0.1",
            Port = ParsePort(configuration["port"], 4599, "port"),
            HttpsPort = configuration["https-port"] is { } https ? ParsePort(https, 0, "https-port") : null,
            CaOutPath = configuration["ca-out"],
            TlsHosts = configuration["tls-host"]?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? ["localhost", "127.0.0.1"],
        };
        return (model, options);
    }

    private static int ParsePort(string? value, int fallback, string name)
    {
        if (value is null)
        {
            return fallback;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535
            ? port
            : throw new SeedException([$"--{name} must be a port number 0..65535 (got '{value}')"]);
    }
}
