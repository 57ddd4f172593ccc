using System.Text.RegularExpressions;

namespace AuthService.Access;

/// <summary>
/// The "access" section of the configurations file: who may read what (docs/security.md). Without it every
/// caller that can reach an endpoint may read every secret (the service warns at start); with it, a caller
/// gets nothing that a rule does not allow.
/// </summary>
public sealed record AccessSettings
{
    /// <summary>Bearer tokens callers may present ("authorization: Bearer ..."), each read from its own file.</summary>
    public IReadOnlyList<AccessTokenSettings> Tokens { get; init; } = [];

    /// <summary>Rules, all evaluated: a matching deny rule wins over any allow; no matching allow rule means deny.</summary>
    public IReadOnlyList<AccessRule> Rules { get; init; } = [];
}

/// <summary>One client's token: its name in rules ("token:NAME") and the file holding the token (one line).</summary>
public sealed record AccessTokenSettings
{
    public required string Name { get; init; }

    /// <summary>A file on the mount (mode 0600/0640) holding at least 32 characters; re-read when it changes.</summary>
    public required string File { get; init; }
}

/// <summary>A rule: these callers may (or, with effect deny, may not) read these secrets through these configurations.</summary>
public sealed record AccessRule
{
    public const string Allow = "allow";
    public const string Deny = "deny";

    /// <summary>Named in denials and in the audit log.</summary>
    public required string Name { get; init; }

    /// <summary>"allow" (default) or "deny".</summary>
    public string Effect { get; init; } = Allow;

    /// <summary>
    /// Caller identities: "uid:1000", "gid:1000", "uid:*" (any Unix-socket caller), "token:NAME", "cert:CN=..."
    /// (client certificate subject), "cert-sha256:HEX", "tcp:127.0.0.1" or "tcp:*", and "*" (anyone).
    /// </summary>
    public IReadOnlyList<string> Callers { get; init; } = [];

    /// <summary>Configuration names; "*" for all.</summary>
    public IReadOnlyList<string> Configurations { get; init; } = ["*"];

    /// <summary>Secret name or ARN patterns, '*' matching any run of characters ("app/db/*", "arn:aws:secretsmanager:*:*:secret:app/*").</summary>
    public IReadOnlyList<string> Secrets { get; init; } = [];

    /// <summary>Also allows (or denies) the ConfigurationService: listing and testing configurations.</summary>
    public bool Admin { get; init; }
}

/// <summary>Checks the access section; every problem at once, each with its fix.</summary>
public static partial class AccessSettingsValidator
{
    [GeneratedRegex("^(\\*|uid:(\\*|[0-9]+)|gid:[0-9]+|token:[A-Za-z0-9._-]+|cert:.+|cert-sha256:[0-9A-Fa-f]{64}|tcp:(\\*|[0-9A-Fa-f.:]+))$")]
    private static partial Regex CallerPattern();

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex NamePattern();

    public static IReadOnlyList<string> Validate(AccessSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var errors = new List<string>();
        var tokenNames = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < settings.Tokens.Count; i++)
        {
            var token = settings.Tokens[i];
            var where = $"access.tokens[{i}] ({token.Name})";
            if (!NamePattern().IsMatch(token.Name ?? string.Empty))
            {
                errors.Add($"{where}: name must be 1-64 letters, digits, '.', '_' or '-'.");
            }
            else if (!tokenNames.Add(token.Name!))
            {
                errors.Add($"{where}: the name is used twice; token names must be unique.");
            }

            if (string.IsNullOrWhiteSpace(token.File) || !Path.IsPathFullyQualified(token.File))
            {
                errors.Add($"{where}: file must be an absolute path to a file holding the token (e.g. /opt/alation/site/config/authserver/tokens/{token.Name}).");
            }
        }

        var ruleNames = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < settings.Rules.Count; i++)
        {
            var rule = settings.Rules[i];
            var where = $"access.rules[{i}] ({rule.Name})";
            if (!NamePattern().IsMatch(rule.Name ?? string.Empty))
            {
                errors.Add($"{where}: name must be 1-64 letters, digits, '.', '_' or '-'.");
            }
            else if (!ruleNames.Add(rule.Name!))
            {
                errors.Add($"{where}: the name is used twice; rule names must be unique (denials name the rule).");
            }

            if (rule.Effect is not (AccessRule.Allow or AccessRule.Deny))
            {
                errors.Add($"{where}: effect '{rule.Effect}' must be \"allow\" or \"deny\".");
            }

            if (rule.Callers.Count == 0)
            {
                errors.Add($"{where}: callers is empty; name at least one caller (e.g. \"uid:1000\", \"token:connector-a\", \"*\").");
            }

            foreach (var caller in rule.Callers.Where(c => !CallerPattern().IsMatch(c ?? string.Empty)))
            {
                errors.Add($"{where}: caller '{caller}' is not one of uid:N, uid:*, gid:N, token:NAME, cert:SUBJECT, cert-sha256:HEX, tcp:ADDRESS, tcp:* or *.");
            }

            foreach (var caller in rule.Callers.Where(c => c?.StartsWith("token:", StringComparison.Ordinal) == true && !tokenNames.Contains(c["token:".Length..])))
            {
                errors.Add($"{where}: caller '{caller}' names no token of access.tokens; add it there with the file that holds it.");
            }

            if (rule.Secrets.Count == 0 && !rule.Admin)
            {
                errors.Add($"{where}: secrets is empty, so the rule matches nothing; list secret patterns (\"app/*\", \"*\") or set admin.");
            }

            if (rule.Configurations.Count == 0)
            {
                errors.Add($"{where}: configurations is empty; list configuration names or \"*\".");
            }
        }

        return errors;
    }
}
