using AuthService.Access;

namespace AuthService.Tests.Access;

public sealed class AccessPolicyTests
{
    private static readonly CallerIdentity Unix1000 = new(["uid:1000", "gid:1000"]);
    private static readonly CallerIdentity TokenA = new(["tcp:127.0.0.1", "token:connector-a"]);
    private const string DbArn = "arn:aws:secretsmanager:us-east-1:111122223333:secret:app/db-AbCdEf";

    private static AccessPolicy Policy(params AccessRule[] rules) => AccessPolicy.From(new AccessSettings { Rules = rules });

    [Fact]
    public void CanRead_NoAccessSection_EveryoneAllowedAsNoPolicy()
    {
        var decision = AccessPolicy.Open.CanRead(TokenA, "prod", "anything");

        Assert.True(decision.Allowed);
        Assert.Equal(AccessPolicy.NoPolicyRule, decision.Rule);
        Assert.False(AccessPolicy.Open.Enforced);
    }

    [Fact]
    public void CanRead_PolicyWithoutMatchingRule_DefaultDeny()
    {
        var policy = Policy(new AccessRule { Name = "a", Callers = ["token:connector-a"], Secrets = ["app/*"] });

        var decision = policy.CanRead(Unix1000, "prod", "app/db");

        Assert.False(decision.Allowed);
        Assert.Equal(AccessPolicy.DefaultDenyRule, decision.Rule);
    }

    [Theory]
    [InlineData("uid:1000", true)]
    [InlineData("gid:1000", true)]
    [InlineData("uid:*", true)]
    [InlineData("*", true)]
    [InlineData("uid:1001", false)]
    [InlineData("tcp:*", false)]
    [InlineData("token:connector-a", false)]
    public void CanRead_CallerPatterns_MatchAnyIdentityOfTheCaller(string pattern, bool allowed)
    {
        var policy = Policy(new AccessRule { Name = "r", Callers = [pattern], Secrets = ["*"] });

        Assert.Equal(allowed, policy.CanRead(Unix1000, "prod", "app/db").Allowed);
    }

    [Fact]
    public void CanRead_DenyRuleMatches_WinsOverAllowAndIsNamed()
    {
        var policy = Policy(
            new AccessRule { Name = "all-local", Callers = ["uid:*"], Secrets = ["*"] },
            new AccessRule { Name = "no-prod-keys", Effect = AccessRule.Deny, Callers = ["*"], Configurations = ["prod"], Secrets = ["keys/*"] });

        var denied = policy.CanRead(Unix1000, "prod", "keys/signing");
        var otherConfiguration = policy.CanRead(Unix1000, "dev", "keys/signing");

        Assert.Equal(new AccessDecision(false, "no-prod-keys"), denied);
        Assert.Equal(new AccessDecision(true, "all-local"), otherConfiguration);
    }

    [Fact]
    public void CanRead_ConfigurationNotListed_Denied()
    {
        var policy = Policy(new AccessRule { Name = "r", Callers = ["*"], Configurations = ["dev"], Secrets = ["*"] });

        Assert.False(policy.CanRead(Unix1000, "prod", "app/db").Allowed);
        Assert.True(policy.CanRead(Unix1000, "dev", "app/db").Allowed);
    }

    [Theory]
    [InlineData("app/db", "app/db", true)]
    [InlineData("app/db", "app/db2", false)]
    [InlineData("app/*", "app/db/password", true)]
    [InlineData("app/*", "apps/db", false)]
    [InlineData("app/d?b", "app/d?b", true)]      // only '*' is special; '?' and '.' are literal
    [InlineData("app.db", "appXdb", false)]
    public void CanRead_SecretGlobs_OnlyStarIsAWildcard(string pattern, string secret, bool allowed)
    {
        var policy = Policy(new AccessRule { Name = "r", Callers = ["*"], Secrets = [pattern] });

        Assert.Equal(allowed, policy.CanRead(Unix1000, "prod", secret).Allowed);
    }

    [Fact]
    public void CanRead_ArnOfAllowedName_AllowedBeforeTheReadAndConfirmedAfter()
    {
        var policy = Policy(new AccessRule { Name = "r", Callers = ["*"], Secrets = ["app/db"] });

        Assert.True(policy.CanRead(Unix1000, "prod", DbArn).Allowed);
        Assert.True(policy.CanReadResolved(Unix1000, "prod", "app/db", DbArn).Allowed);
    }

    [Fact]
    public void CanReadResolved_ArnThatLookedLikeAnAllowedName_DeniedOnTheRealName()
    {
        // A partial ARN "…:secret:app/db-secret" could be the secret "app/db" with a suffix, so the request passes
        // the first check; the real name read from AWS settles it.
        var policy = Policy(new AccessRule { Name = "r", Callers = ["*"], Secrets = ["app/db"] });
        const string partial = "arn:aws:secretsmanager:us-east-1:111122223333:secret:app/db-secret";

        Assert.True(policy.CanRead(Unix1000, "prod", partial).Allowed);
        Assert.False(policy.CanReadResolved(Unix1000, "prod", "app/db-secret", partial + "-XyZ123").Allowed);
    }

    [Fact]
    public void CanRead_ArnPattern_MatchesArnsNotNames()
    {
        var policy = Policy(new AccessRule { Name = "r", Callers = ["*"], Secrets = ["arn:aws:secretsmanager:us-east-1:111122223333:secret:app/*"] });

        Assert.True(policy.CanRead(Unix1000, "prod", DbArn).Allowed);
        Assert.False(policy.CanRead(Unix1000, "prod", "app/db").Allowed);
        Assert.True(policy.CanReadResolved(Unix1000, "prod", "app/db", DbArn).Allowed);
    }

    [Fact]
    public void CanAdminister_OnlyRulesWithAdmin()
    {
        var policy = Policy(
            new AccessRule { Name = "reader", Callers = ["*"], Secrets = ["*"] },
            new AccessRule { Name = "operator", Callers = ["uid:0"], Admin = true });

        Assert.False(policy.CanAdminister(Unix1000).Allowed);
        Assert.Equal(new AccessDecision(true, "operator"), policy.CanAdminister(new CallerIdentity(["uid:0", "gid:0"])));
    }

    [Fact]
    public void Key_PrefersTokenThenCertificateThenUid()
    {
        Assert.Equal("token:connector-a", TokenA.Key);
        Assert.Equal("uid:1000", Unix1000.Key);
        Assert.Equal("cert-sha256:ab", new CallerIdentity(["tcp:::1", "cert:CN=x", "cert-sha256:ab"]).Key);
    }

    [Fact]
    public void Validate_EveryProblemAtOnce_EachWithItsFix()
    {
        var settings = new AccessSettings
        {
            Tokens = [new AccessTokenSettings { Name = "a b", File = "relative/path" }],
            Rules =
            [
                new AccessRule { Name = "r", Effect = "maybe", Callers = ["user:bob", "token:ghost"], Secrets = [] },
                new AccessRule { Name = "r", Callers = [], Secrets = ["*"], Configurations = [] },
            ],
        };

        var errors = AccessSettingsValidator.Validate(settings);

        Assert.Contains(errors, e => e.Contains("access.tokens[0]", StringComparison.Ordinal) && e.Contains("name must be", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("absolute path", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("effect 'maybe'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("caller 'user:bob'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'token:ghost' names no token", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("secrets is empty", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("used twice", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("callers is empty", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("configurations is empty", StringComparison.Ordinal));
    }
}
