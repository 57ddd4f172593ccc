using AuthService.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace AuthService.Tests.Configuration;

public sealed class ConfigurationStoreTests : IDisposable
{
    private const string Valid = """
        {
          // comments are allowed
          "configurations": [
            { "name": "prod", "region": "us-east-1", "auth": { "type": "profile", "profile": "roles-anywhere" } },
            {
              "name": "direct", "method": "aws-secrets-manager", "region": "eu-west-2",
              "auth": {
                "type": "roles-anywhere",
                "certificate": "pkcs11:token=roles-anywhere;object=ra-cert;id=%01",
                "privateKey": "pkcs11:token=roles-anywhere;object=ra-key;id=%01?pin-source=/run/secrets/pin",
                "trustAnchorArn": "arn:aws:rolesanywhere:eu-west-2:111122223333:trust-anchor/0d1f3e5a-1111-2222-3333-444455556666",
                "profileArn": "arn:aws:rolesanywhere:eu-west-2:111122223333:profile/8e2f4a6b-1111-2222-3333-444455556666",
                "roleArn": "arn:aws:iam::111122223333:role/AlationAuthService",
                "sessionDurationSeconds": 3600
              },
              "cache": { "ttlSeconds": 60, "maxEntries": 50 }
            },
          ]
        }
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("authservice-config-").FullName;

    private string FilePath => Path.Combine(_directory, "configurations.json");

    private ConfigurationStore NewStore() =>
        new(new ConfigurationStoreOptions { File = FilePath }, NullLogger<ConfigurationStore>.Instance);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Load_ValidFile_AllConfigurationsByName()
    {
        File.WriteAllText(FilePath, Valid);
        var store = NewStore();

        var errors = store.Load();

        Assert.Empty(errors);
        Assert.Equal(["direct", "prod"], store.Current.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(60, store.Current["direct"].Configuration.Cache!.TtlSeconds);
        Assert.Equal(FilePath, store.Current["prod"].Source);
    }

    [Fact]
    public void Load_NoFile_NoConfigurationsNoErrors()
    {
        var store = NewStore();

        Assert.Empty(store.Load());
        Assert.Empty(store.Current);
    }

    [Fact]
    public void Load_UnknownKey_RejectedNamingIt()
    {
        File.WriteAllText(FilePath, """{ "configurations": [ { "name": "a", "region": "us-east-1", "regoin": "x", "auth": { "type": "instance-profile" } } ] }""");

        var errors = NewStore().Load();

        Assert.Contains("regoin", Assert.Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SeveralProblems_EveryOneReportedAtOnce()
    {
        File.WriteAllText(FilePath, """
            { "configurations": [
              { "name": "bad name!", "method": "vault", "region": "mars", "auth": { "type": "roles-anywhere", "certificate": "c.pem", "privateKey": "pkcs11:token=t;object=k?pin-value=1234" } },
              { "name": "dup", "region": "us-east-1", "auth": { "type": "profile" } },
              { "name": "dup", "region": "us-east-1", "auth": { "type": "telepathy" }, "cache": { "ttlSeconds": 0 } }
            ] }
            """);

        var errors = NewStore().Load();

        Assert.Contains(errors, e => e.Contains("name must be", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("method 'vault'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("region 'mars'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("pin-value", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("trustAnchorArn", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("auth.profile is required", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("used twice", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'telepathy'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Ttl", StringComparison.Ordinal));
        Assert.DoesNotContain(errors, e => e.Contains("1234", StringComparison.Ordinal));
    }

    [Fact]
    public void ReloadIfChanged_BrokenEdit_KeepsLastGoodAndReportsWhy()
    {
        File.WriteAllText(FilePath, Valid);
        var store = NewStore();
        store.Load();

        File.WriteAllText(FilePath, "{ \"configurations\": [ { \"name\": ");
        var errors = store.ReloadIfChanged();

        Assert.Contains("not a valid configurations document", Assert.Single(errors), StringComparison.Ordinal);
        Assert.Equal(2, store.Current.Count);
    }

    [Fact]
    public void ReloadIfChanged_FixedEdit_TakesEffectAndRaisesChanged()
    {
        File.WriteAllText(FilePath, Valid);
        var store = NewStore();
        store.Load();
        IReadOnlyDictionary<string, LoadedConfiguration>? seen = null;
        store.Changed += current => seen = current;

        File.WriteAllText(FilePath, """{ "configurations": [ { "name": "only", "region": "us-west-2", "auth": { "type": "instance-profile" } } ] }""");
        var errors = store.ReloadIfChanged();

        Assert.Empty(errors);
        Assert.Equal(["only"], store.Current.Keys);
        Assert.Same(store.Current, seen);
    }

    [Fact]
    public void ReloadIfChanged_SameContent_NoChangeEvent()
    {
        File.WriteAllText(FilePath, Valid);
        var store = NewStore();
        store.Load();
        var raised = false;
        store.Changed += _ => raised = true;

        File.WriteAllText(FilePath, Valid);
        store.ReloadIfChanged();

        Assert.False(raised);
    }
}
