using AuthService.Aws.Credentials;
using AuthService.Aws.Profiles;
using AuthService.Aws.Tests.Support;

namespace AuthService.Aws.Tests.Profiles;

public class AwsProfileStoreTests
{
    private static AwsProfileStore Store(string config, string credentials) =>
        AwsProfileStore.FromSections(AwsConfigFile.Parse(config, "config"), AwsConfigFile.Parse(credentials, "credentials"), new AwsProfilePaths("config", "credentials"));

    [Fact]
    public void FromSections_ConfigAndCredentials_MergeWithCredentialsWinning()
    {
        // Arrange
        const string config = "[default]\nregion = eu-west-1\n[profile prod]\nregion = us-east-1\naws_access_key_id = FROMCONFIG\n[stray]\nregion = x\n";
        const string credentials = "[prod]\naws_access_key_id = AKIDPROD\naws_secret_access_key = secret-prod\n";

        // Act
        var store = Store(config, credentials);

        // Assert
        Assert.Equal(["default", "prod"], store.ProfileNames.Order(StringComparer.Ordinal));
        var prod = store.Get("prod");
        Assert.Equal("us-east-1", prod.Region);
        Assert.Equal("AKIDPROD", prod.StaticCredentials!.AccessKeyId);
        Assert.Null(store.Find("stray"));
    }

    [Fact]
    public void EndpointUrlFor_ServicesSection_WinsOverProfileEndpointUrl()
    {
        // Arrange
        const string config = "[profile dev]\nendpoint_url = http://global:1\nservices = local\n[services local]\nsecrets_manager =\n  endpoint_url = http://sm:2\n";

        // Act
        var profile = Store(config, "").Get("dev");

        // Assert
        Assert.Equal("http://sm:2", profile.EndpointUrlFor("secrets_manager"));
        Assert.Equal("http://global:1", profile.EndpointUrlFor("rolesanywhere"));
    }

    [Fact]
    public void Get_UnknownProfile_ListsTheProfilesThereAre()
    {
        // Arrange
        var store = Store("[default]\nregion = x-y-1\n", "[a]\naws_access_key_id = A\naws_secret_access_key = B\n");

        // Act
        var error = Assert.Throws<AwsConfigFileException>(() => store.Get("missing"));

        // Assert
        Assert.Contains("No profile 'missing'", error.Message, StringComparison.Ordinal);
        Assert.Contains("a, default", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromEnvironment_NoVariables_UsesTheAuthServerMount()
    {
        // Act
        var paths = AwsProfilePaths.FromEnvironment(_ => null);

        // Assert
        Assert.Equal("/opt/alation/site/config/authserver/.aws/config", paths.ConfigFile);
        Assert.Equal("/opt/alation/site/config/authserver/.aws/credentials", paths.CredentialsFile);
    }

    [Fact]
    public void FromEnvironment_Variables_WinAndTildeExpands()
    {
        // Arrange
        var environment = new Dictionary<string, string> { ["AWS_CONFIG_FILE"] = "~/cfg", ["AWS_SHARED_CREDENTIALS_FILE"] = "/etc/creds", ["HOME"] = "/home/svc" };

        // Act
        var paths = AwsProfilePaths.FromEnvironment(environment.GetValueOrDefault);

        // Assert
        Assert.Equal("/home/svc/cfg", paths.ConfigFile);
        Assert.Equal("/etc/creds", paths.CredentialsFile);
    }

    [Fact]
    public void Load_BothFilesMalformed_ReportsProblemsOfBoth()
    {
        // Arrange
        using var directory = new TempDirectory();
        var config = directory.File("config", "orphan = 1\n");
        var credentials = directory.File("credentials", "[x]\nnot a property\n");

        // Act
        var error = Assert.Throws<AwsConfigFileException>(() => AwsProfileStore.Load(new AwsProfilePaths(config, credentials)));

        // Assert
        Assert.Equal(2, error.Problems.Count);
        Assert.Contains(config + ":1", error.Message, StringComparison.Ordinal);
        Assert.Contains(credentials + ":2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ProfileToString_SecretsAndCommand_AreRedacted()
    {
        // Arrange
        var store = Store("", "[p]\naws_access_key_id = AKID\naws_secret_access_key = very-secret\naws_session_token = token-secret\ncredential_process = helper --pin 4321\n");

        // Act
        var text = store.Get("p").ToString();

        // Assert
        Assert.Contains("AKID", text, StringComparison.Ordinal);
        Assert.DoesNotContain("very-secret", text, StringComparison.Ordinal);
        Assert.DoesNotContain("token-secret", text, StringComparison.Ordinal);
        Assert.DoesNotContain("4321", text, StringComparison.Ordinal);
    }

    public static TheoryData<string, Type> Sources() => new()
    {
        { "[p]\naws_access_key_id = A\naws_secret_access_key = S\n", typeof(StaticKeysSource) },
        { "[p]\naws_access_key_id = A\naws_secret_access_key = S\naws_session_token = T\n", typeof(StaticKeysSource) },
        { "[p]\ncredential_process = /usr/bin/my-helper --flag\n", typeof(CredentialProcessSource) },
        { "[p]\ncredential_process = /usr/local/bin/aws_signing_helper credential-process --certificate /c.pem --private-key /k.pem --trust-anchor-arn a --profile-arn b --role-arn c\n", typeof(SigningHelperSource) },
        { "[p]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = base\n[base]\naws_access_key_id = A\naws_secret_access_key = S\n", typeof(AssumeRoleSource) },
        { "[p]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Ec2InstanceMetadata\n", typeof(AssumeRoleSource) },
        { "[p]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = p\naws_access_key_id = A\naws_secret_access_key = S\n", typeof(AssumeRoleSource) },
    };

    [Theory]
    [MemberData(nameof(Sources))]
    public void Resolve_Profile_PicksTheSdkSource(string credentials, Type expected)
    {
        // Act
        var source = ProfileCredentialSources.Resolve(Store("", credentials), "p");

        // Assert
        Assert.IsType(expected, source);
    }

    [Fact]
    public void Resolve_StaticKeysWithToken_CarriesToken()
    {
        // Act
        var source = ProfileCredentialSources.Resolve(Store("", "[p]\naws_access_key_id = A\naws_secret_access_key = S\naws_session_token = T\n"), "p");

        // Assert
        Assert.Equal(new AwsCredentials("A", "S", "T"), Assert.IsType<StaticKeysSource>(source).Credentials);
    }

    public static TheoryData<string, string> BadSources() => new()
    {
        { "[p]\nregion = us-east-1\n", "has no credentials" },
        { "[p]\naws_access_key_id = A\n", "no aws_secret_access_key" },
        { "[p]\nrole_arn = r\n", "exactly one of source_profile and credential_source" },
        { "[p]\nrole_arn = r\nsource_profile = q\ncredential_source = Environment\n", "exactly one of" },
        { "[p]\nrole_arn = r\ncredential_source = Laptop\n", "credential_source 'Laptop' is not one of Environment" },
        // Two lines joined (found by the fuzzer): the run-on value may hold the next line's secret, so it is not quoted.
        { "[p]\nrole_arn = r\ncredential_source = Environment aws_secret_access_key = wJalrXUtnFEMI/K7MDENG\n", "(value not shown: it is not one short word" },
        { "[p]\nrole_arn = r\ncredential_source = Environment\nduration_seconds = 3600 aws_session_token = FQoGZXIvYXdzE\n", "duration_seconds (value not shown" },
        { "[p]\nrole_arn = r\nsource_profile = q\n[q]\nrole_arn = r2\nsource_profile = p\n", "chain loops" },
        { "[p]\nrole_arn = r\nsource_profile = nowhere\n", "No profile 'nowhere'" },
        { "[p]\nrole_arn = r\nsource_profile = p\n", "chain loops" },
        { "[p]\nrole_arn = r\ncredential_source = Environment\nduration_seconds = 60\n", "900..43200" },
        { "[p]\ncredential_process = aws_signing_helper credential-process --certificate /c.pem\n", "--trust-anchor-arn is required" },
    };

    [Theory]
    [MemberData(nameof(BadSources))]
    public void Resolve_BadProfile_SaysWhatToFix(string credentials, string fragment)
    {
        // Act
        var error = Assert.Throws<AwsConfigFileException>(() => ProfileCredentialSources.Resolve(Store("", credentials), "p"));

        // Assert
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wJalrXUtnFEMI", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("FQoGZXIvYXdzE", error.Message, StringComparison.Ordinal);
    }
}
