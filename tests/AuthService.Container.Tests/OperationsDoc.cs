using System.Text.RegularExpressions;

namespace AuthService.Container.Tests;

/// <summary>
/// The command blocks of docs/operations.md, read from the file itself so the documentation cannot drift from
/// what the tests run. A block is the fenced code right after a <c>&lt;!-- test:NAME --&gt;</c> line.
/// </summary>
internal static partial class OperationsDoc
{
    public static string Block(string name)
    {
        var text = File.ReadAllText(Path.Combine(Shell.RepoRoot, "docs", "operations.md")).ReplaceLineEndings("\n");
        var match = Regex.Match(text, $"<!-- test:{Regex.Escape(name)} -->\n```[a-z]*\n(.*?)```", RegexOptions.Singleline);
        Assert.True(match.Success, $"docs/operations.md has no block marked <!-- test:{name} -->");
        return match.Groups[1].Value;
    }

    /// <summary>
    /// A host-side block as the tests run it: the host directory and the container name of this run, no sudo (the
    /// tests run as root), and the numeric test group in place of alationdocker.
    /// </summary>
    public static string ForHost(string block, string hostDirectory, string containerName, string filesGroup)
    {
        var script = block.Replace("sudo ", "", StringComparison.Ordinal)
            .Replace("/etc/hydra/auth", hostDirectory, StringComparison.Ordinal)
            .Replace(":alationdocker", ":" + filesGroup, StringComparison.Ordinal)
            .Replace("$(getent group alationdocker | cut -d: -f3)", filesGroup, StringComparison.Ordinal);
        // `auth` as a container (docker exec/inspect/restart/stop ... auth), not the compose service of
        // `docker-compose up -d auth`, which keeps its name.
        return ContainerArgument().Replace(script, match => match.Groups[1].Value + containerName);
    }

    /// <summary>Replaces a "-----BEGIN X-----\n&lt;paste ...&gt;\n-----END X-----" placeholder by a PEM file's content.</summary>
    public static string Paste(string block, string pemLabel, string pem)
    {
        var pattern = $"-----BEGIN {pemLabel}-----\n<paste[^\n]*>\n-----END {pemLabel}-----\n";
        Assert.Matches(pattern, block);
        return Regex.Replace(block, pattern, _ => pem.ReplaceLineEndings("\n").Trim() + "\n");
    }

    [GeneratedRegex(@"(\bdocker (?:exec(?: -it?)?|inspect --format '[^']*'|restart|stop|logs) )auth\b")]
    private static partial Regex ContainerArgument();
}
