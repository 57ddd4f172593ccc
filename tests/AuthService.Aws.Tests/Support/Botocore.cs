using System.Diagnostics;
using System.Text.Json.Nodes;

namespace AuthService.Aws.Tests.Support;

/// <summary>Runs Tools/botocore_sign.py with Debian's python3-botocore (an independent SigV4 implementation).</summary>
internal static class Botocore
{
    // The Debian interpreter: a pyenv python3 earlier on PATH does not see python3-botocore.
    private const string Python = "/usr/bin/python3";

    private static readonly Lazy<bool> Present = new(() =>
    {
        try
        {
            return File.Exists(Python) && Run(Python, ["-c", "import botocore.auth"], string.Empty).ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    });

    public static bool IsAvailable => Present.Value;

    /// <summary>Signs with botocore; every input (keys included) goes over stdin, never argv.</summary>
    public static JsonObject Sign(JsonObject spec)
    {
        var result = Run(Python, [TestPaths.Tool("botocore_sign.py")], spec.ToJsonString());
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"botocore_sign.py failed ({result.ExitCode}): {result.Stderr}");
        }

        return JsonNode.Parse(result.Stdout)!.AsObject();
    }

    private static (int ExitCode, string Stdout, string Stderr) Run(string file, string[] args, string stdin)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(stdin);
        process.StandardInput.Close();
        if (!process.WaitForExit(60_000))
        {
            process.Kill();
            throw new TimeoutException("python3 did not finish within 60 s");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}

/// <summary>A fact that needs python3-botocore; without it the test is skipped and says how to install it.</summary>
public sealed class BotocoreFactAttribute : FactAttribute
{
    public BotocoreFactAttribute()
    {
        if (!Botocore.IsAvailable)
        {
            Skip = "python3-botocore not installed (/usr/bin/python3 cannot import botocore): run scripts/install-test-deps";
        }
    }
}
