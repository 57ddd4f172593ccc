using System.Text.RegularExpressions;

namespace AuthService.Access;

/// <summary>The outcome of a policy check: allowed or not, and the rule that decided (named in denials and audits).</summary>
public readonly record struct AccessDecision(bool Allowed, string Rule);

/// <summary>
/// The access rules in force. With no "access" section, every caller may do everything (<see cref="Open"/>);
/// with one, deny rules win, then any allow rule, and anything else is denied by "default-deny".
/// </summary>
public sealed class AccessPolicy
{
    public const string NoPolicyRule = "no-policy";
    public const string DefaultDenyRule = "default-deny";

    private readonly IReadOnlyList<CompiledRule> _rules;

    private AccessPolicy(IReadOnlyList<CompiledRule> rules, bool enforced)
    {
        _rules = rules;
        Enforced = enforced;
    }

    /// <summary>No policy: the service trusts whoever can reach its endpoints.</summary>
    public static AccessPolicy Open { get; } = new([], enforced: false);

    /// <summary>False when no access section is configured.</summary>
    public bool Enforced { get; }

    public static AccessPolicy From(AccessSettings? settings) =>
        settings is null ? Open : new AccessPolicy([.. settings.Rules.Select(r => new CompiledRule(r))], enforced: true);

    /// <summary>
    /// Before the read: may <paramref name="caller"/> ask for <paramref name="secretId"/> (a name or an ARN) through
    /// <paramref name="configuration"/>? For an ARN, a name pattern is tried on the name with and without the
    /// suffix Secrets Manager appends; <see cref="CanReadResolved"/> then settles it on the real name.
    /// </summary>
    public AccessDecision CanRead(CallerIdentity caller, string configuration, string secretId) =>
        Decide(caller, rule => rule.MatchesConfiguration(configuration) && rule.MatchesRequest(secretId));

    /// <summary>After the read, before the value leaves: the same question on the secret's real name and ARN.</summary>
    public AccessDecision CanReadResolved(CallerIdentity caller, string configuration, string name, string arn) =>
        Decide(caller, rule => rule.MatchesConfiguration(configuration) && rule.MatchesResolved(name, arn));

    /// <summary>May <paramref name="caller"/> use the ConfigurationService (list and test configurations)?</summary>
    public AccessDecision CanAdminister(CallerIdentity caller) => Decide(caller, rule => rule.Rule.Admin);

    private AccessDecision Decide(CallerIdentity caller, Func<CompiledRule, bool> applies)
    {
        if (!Enforced)
        {
            return new AccessDecision(true, NoPolicyRule);
        }

        var matching = _rules.Where(r => r.MatchesCaller(caller) && applies(r)).ToList();
        if (matching.FirstOrDefault(r => r.Rule.Effect == AccessRule.Deny) is { } deny)
        {
            return new AccessDecision(false, deny.Rule.Name);
        }

        return matching.FirstOrDefault() is { } allow ? new AccessDecision(true, allow.Rule.Name) : new AccessDecision(false, DefaultDenyRule);
    }

    private sealed class CompiledRule(AccessRule rule)
    {
        private readonly Regex[] _secrets = [.. rule.Secrets.Select(Glob)];

        public AccessRule Rule { get; } = rule;

        public bool MatchesCaller(CallerIdentity caller) => Rule.Callers.Any(pattern =>
            pattern == "*"
            || (pattern == "uid:*" && caller.Identities.Any(i => i.StartsWith("uid:", StringComparison.Ordinal)))
            || (pattern == "tcp:*" && caller.Identities.Any(i => i.StartsWith("tcp:", StringComparison.Ordinal)))
            || caller.Identities.Contains(pattern, StringComparer.Ordinal));

        public bool MatchesConfiguration(string configuration) =>
            Rule.Configurations.Any(c => c == "*" || string.Equals(c, configuration, StringComparison.Ordinal));

        public bool MatchesRequest(string secretId)
        {
            if (!secretId.StartsWith("arn:", StringComparison.Ordinal))
            {
                return Matches(secretId, arn: null);
            }

            const string marker = ":secret:";
            var at = secretId.IndexOf(marker, StringComparison.Ordinal);
            var name = at < 0 ? secretId : secretId[(at + marker.Length)..];
            // A full ARN ends in "-" and six random characters, a partial one does not: either may be the name.
            return Matches(name, secretId) || (name.Length > 7 && name[^7] == '-' && Matches(name[..^7], secretId));
        }

        public bool MatchesResolved(string name, string arn) => Matches(name, arn);

        /// <summary>Name patterns match the name; ARN patterns ("arn:...") match the ARN, when there is one.</summary>
        private bool Matches(string name, string? arn)
        {
            for (var i = 0; i < _secrets.Length; i++)
            {
                var target = Rule.Secrets[i].StartsWith("arn:", StringComparison.Ordinal) ? arn : name;
                if (target is not null && _secrets[i].IsMatch(target))
                {
                    return true;
                }
            }

            return false;
        }

        private static Regex Glob(string pattern) =>
            new("^" + string.Join(".*", pattern.Split('*').Select(Regex.Escape)) + "$", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
    }
}
