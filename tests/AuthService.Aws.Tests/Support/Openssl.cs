using System.Diagnostics;

namespace AuthService.Aws.Tests.Support;

/// <summary>Runs the openssl CLI (an independent producer of key files).</summary>
internal static class Openssl
{
    private static readonly Lazy<bool> Present = new(() =>
    {
        try
        {
            return Run(["version"], null).ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    });

    public static bool IsAvailable => Present.Value;

    /// <summary>Runs openssl; <paramref name="stdin"/> carries any password (never argv).</summary>
    public static (int ExitCode, string Stderr) Run(string[] args, string? stdin)
    {
        var start = new ProcessStartInfo("openssl") { RedirectStandardInput = true, RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
        }

        process.StandardInput.Close();
        process.WaitForExit(60_000);
        return (process.ExitCode, stderr.Result);
    }

    public static void MustRun(params string[] args)
    {
        var (code, stderr) = Run(args, null);
        if (code != 0)
        {
            throw new InvalidOperationException($"openssl {string.Join(' ', args)} failed: {stderr}");
        }
    }
}

/// <summary>A fact that needs the openssl CLI; skipped with the reason when it is missing.</summary>
public sealed class OpensslFactAttribute : FactAttribute
{
    public OpensslFactAttribute()
    {
        if (!Openssl.IsAvailable)
        {
            Skip = "openssl CLI not installed: run scripts/install-test-deps";
        }
    }
}
