using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AwsEmulator.Tests.Support;

/// <summary>Runs Peers/botocore_peer.py with Debian's python3 (not a pyenv shim) and python3-botocore.</summary>
public static class Botocore
{
    public const string Python = "/usr/bin/python3";

    private static readonly Lazy<string?> Missing = new(Probe);

    /// <summary>Why botocore cannot run here, or null when it can.</summary>
    public static string? UnavailableReason => Missing.Value;

    public static Task<JsonObject> RunAsync(object job) => RunScriptAsync("botocore_peer.py", job);

    /// <summary>Runs a Peers/*.py script with Debian's python3, the job as JSON on stdin, JSON back on stdout.</summary>
    public static async Task<JsonObject> RunScriptAsync(string scriptName, object job)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Peers", scriptName);
        var start = new ProcessStartInfo(Python, [script])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // Keep the caller's AWS settings (profiles, env keys, IMDS probing) out of the peer: only the job counts.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(JsonSerializer.Serialize(job));
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{scriptName} failed ({process.ExitCode}): {await stderr}");
        }

        return JsonNode.Parse(await stdout)!.AsObject();
    }

    private static readonly Lazy<string?> MissingCryptography = new(() => ProbeModule("cryptography", "python3-cryptography"));

    /// <summary>Why python3-cryptography cannot run here, or null when it can.</summary>
    public static string? CryptographyUnavailableReason => MissingCryptography.Value;

    private static string? Probe() => ProbeModule("botocore", "python3-botocore");

    private static string? ProbeModule(string module, string package)
    {
        if (!File.Exists(Python))
        {
            return $"{Python} not found: run scripts/install-test-deps";
        }

        try
        {
            using var process = Process.Start(new ProcessStartInfo(Python, ["-c", "import " + module]) { RedirectStandardError = true, UseShellExecute = false })!;
            process.WaitForExit(30_000);
            return process.ExitCode == 0 ? null : $"{package} not installed: run scripts/install-test-deps";
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return $"{Python} cannot run ({ex.Message}): run scripts/install-test-deps";
        }
    }
}

/// <summary>A fact that needs botocore; skipped with the reason printed when it is absent.</summary>
public sealed class BotocoreFactAttribute : FactAttribute
{
    public BotocoreFactAttribute()
    {
        if (Botocore.UnavailableReason is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>A fact that needs python3-cryptography; skipped with the reason printed when it is absent.</summary>
public sealed class PythonCryptographyFactAttribute : FactAttribute
{
    public PythonCryptographyFactAttribute()
    {
        if (Botocore.CryptographyUnavailableReason is { } reason)
        {
            Skip = reason;
        }
    }
}
