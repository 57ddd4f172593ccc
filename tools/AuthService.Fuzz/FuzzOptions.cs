using System.Globalization;

namespace AuthService.Fuzz;

/// <summary>Command-line options of the fuzzer.</summary>
internal sealed record FuzzOptions(double Seconds, int Seed, string Target, Uri? Address, (string Target, byte[] Input)? Replay)
{
    private static readonly string[] Targets = ["all", "profiles", "pkcs11-uri", "pem", "grpc", "http2"];

    public bool NeedsService => Replay is { } replay ? replay.Target is "grpc" or "http2" : Target is "all" or "grpc" or "http2";

    /// <summary>The options, or null when they are invalid. The default seed changes daily and is always printed.</summary>
    public static FuzzOptions? Parse(string[] args)
    {
        var seconds = 60.0;
        var seed = int.Parse(DateTime.UtcNow.ToString("yyyyMMdd", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var target = "all";
        Uri? address = null;
        (string, byte[])? replay = null;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--seconds" when double.TryParse(value, CultureInfo.InvariantCulture, out seconds) && seconds > 0:
                case "--seed" when int.TryParse(value, CultureInfo.InvariantCulture, out seed):
                case "--target" when Targets.Contains(value):
                case "--address" when Uri.TryCreate(value, UriKind.Absolute, out address):
                    if (args[i] == "--target")
                    {
                        target = value!;
                    }

                    i++;
                    break;
                case "--replay" when value?.Split(':', 2) is [var name, var hex] && Targets.Contains(name) && name != "all":
                    try
                    {
                        replay = (name, Convert.FromHexString(hex));
                    }
                    catch (FormatException)
                    {
                        return null;
                    }

                    i++;
                    break;
                default:
                    return null;
            }
        }

        return new FuzzOptions(seconds, seed, target, address, replay);
    }
}
