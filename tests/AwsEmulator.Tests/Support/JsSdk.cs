using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AwsEmulator.Tests.Support;

/// <summary>Runs Peers/node/js_sdk_peer.mjs: the AWS JavaScript SDK v3 Secrets Manager client.</summary>
public static class JsSdk
{
    private static readonly Lazy<string?> Missing = new(Probe);

    public static string Directory => typeof(JsSdk).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .First(a => a.Key == "NodePeerDirectory").Value!;

    /// <summary>Why the SDK cannot run here, or null when it can.</summary>
    public static string? UnavailableReason => Missing.Value;

    public static async Task<JsonArray> RunAsync(object job)
    {
        var start = new ProcessStartInfo("node", ["js_sdk_peer.mjs"])
        {
            WorkingDirectory = Directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(JsonSerializer.Serialize(job));
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"JS SDK peer failed ({process.ExitCode}): {await stderr}");
        }

        return JsonNode.Parse(await stdout)!["results"]!.AsArray();
    }

    private static string? Probe()
    {
        if (!File.Exists(Path.Combine(Directory, "node_modules", "@aws-sdk", "client-secrets-manager", "package.json")))
        {
            return "@aws-sdk/client-secrets-manager not installed: run (cd tests/AwsEmulator.Tests/Peers/node && npm ci)";
        }

        try
        {
            using var process = Process.Start(new ProcessStartInfo("node", ["--version"]) { RedirectStandardOutput = true, UseShellExecute = false })!;
            process.WaitForExit(30_000);
            return process.ExitCode == 0 ? null : "node does not run: install Node.js (Debian nodejs)";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "node not found: install Node.js (Debian nodejs) and run npm ci in tests/AwsEmulator.Tests/Peers/node";
        }
    }
}

/// <summary>A fact that needs the AWS JavaScript SDK; skipped with the reason printed when it is absent.</summary>
public sealed class JsSdkFactAttribute : FactAttribute
{
    public JsSdkFactAttribute()
    {
        if (JsSdk.UnavailableReason is { } reason)
        {
            Skip = reason;
        }
    }
}
