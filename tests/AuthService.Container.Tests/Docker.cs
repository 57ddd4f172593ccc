using System.Diagnostics;
using System.Text;

namespace AuthService.Container.Tests;

/// <summary>What a command printed and how it ended.</summary>
public sealed record CommandResult(int ExitCode, string Output, string Errors)
{
    public string All => Output + Errors;
}

/// <summary>
/// Runs the real command-line tools (docker, docker-compose, bash, openssl, the repository's scripts). The
/// container tests drive Docker this way on purpose: it is what operators type, and no Docker client library
/// restores here.
/// </summary>
internal static class Shell
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static async Task<CommandResult> RunAsync(
        string program,
        IEnumerable<string> arguments,
        string? stdin = null,
        IReadOnlyDictionary<string, string>? environment = null,
        string? workingDirectory = null,
        TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? RepoRoot,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', start.ArgumentList.Take(3))} did not finish within {timeout ?? TimeSpan.FromMinutes(5)}");
        }

        return new CommandResult(process.ExitCode, await output, await errors);
    }

    /// <summary>Runs and requires exit status 0, showing what was printed when not.</summary>
    public static async Task<CommandResult> RunCheckedAsync(
        string program,
        IEnumerable<string> arguments,
        string? stdin = null,
        IReadOnlyDictionary<string, string>? environment = null,
        string? workingDirectory = null,
        TimeSpan? timeout = null)
    {
        var list = arguments.ToList();
        var result = await RunAsync(program, list, stdin, environment, workingDirectory, timeout);
        Assert.True(result.ExitCode == 0, $"{program} {string.Join(' ', list.Take(4))} exited {result.ExitCode}:\n{result.Output}\n{result.Errors}");
        return result;
    }

    /// <summary>A bash script, as an operator would paste it into a terminal, stopping at the first failing command.</summary>
    public static Task<CommandResult> BashAsync(string script, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null, TimeSpan? timeout = null) =>
        RunCheckedAsync("bash", ["-e", "-o", "pipefail", "-c", script], null, environment, workingDirectory, timeout);

    public static Task<CommandResult> DockerAsync(params string[] arguments) => RunAsync("docker", arguments);

    public static Task<CommandResult> DockerCheckedAsync(params string[] arguments) => RunCheckedAsync("docker", arguments);

    /// <summary>SHA-256 of every file under a directory, by relative path (the upgrade's "nothing changed" proof).</summary>
    public static SortedDictionary<string, string> HashTree(string directory)
    {
        var sums = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            sums[Path.GetRelativePath(directory, file)] = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(file)));
        }

        return sums;
    }

    public static string Describe(SortedDictionary<string, string> sums)
    {
        var text = new StringBuilder();
        foreach (var (path, sum) in sums)
        {
            text.Append(path).Append(' ').AppendLine(sum[..16]);
        }

        return text.ToString();
    }

    private static string FindRepoRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "AuthService.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("AuthService.sln not found above the test directory");
    }
}

/// <summary>
/// Skips, saying why, only when no Docker engine answers. scripts/test runs scripts/docker-setup first, which
/// installs and starts one, so on CI these tests run; a skip there means the engine could not be started.
/// </summary>
public sealed class DockerFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> Unavailable = new(() =>
    {
        try
        {
            var info = Shell.RunAsync("docker", ["info", "--format", "{{.ServerVersion}}"], timeout: TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
            return info.ExitCode == 0 ? null : $"no Docker engine answers `docker info` ({info.Errors.Trim()}): run scripts/docker-setup";
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            return $"the docker CLI is not installed ({exception.Message}): run scripts/docker-setup";
        }
    });

    public DockerFactAttribute()
    {
        if (Unavailable.Value is { } reason)
        {
            Skip = reason;
        }
    }
}
