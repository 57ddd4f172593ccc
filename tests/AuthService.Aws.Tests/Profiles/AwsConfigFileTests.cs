using AuthService.Aws.Credentials;
using AuthService.Aws.Profiles;
using AuthService.Aws.Tests.Support;

namespace AuthService.Aws.Tests.Profiles;

/// <summary>Table tests of the shared config/credentials file dialect, the reference file verbatim, and malformed files.</summary>
public class AwsConfigFileTests
{
    [Fact]
    public void Load_ReferenceCredentialsFile_ParsesAsSigningHelperProfileWithPkcs11Uris()
    {
        // Arrange
        var path = TestPaths.ProfileData("reference-credentials.txt");

        // Act
        var store = AwsProfileStore.Load(new AwsProfilePaths("/nonexistent/config", path));
        var source = ProfileCredentialSources.Resolve(store, "<profile-name>");

        // Assert
        var helper = Assert.IsType<SigningHelperSource>(source).Command;
        Assert.Equal("pkcs11:token=roles-anywhere;object=ra-cert;id=%01?pin-value=<USER_PIN>", helper.Certificate);
        Assert.Equal("pkcs11:token=roles-anywhere;object=ra-key;id=%01?pin-value=<USER_PIN>", helper.PrivateKey);
        Assert.Equal("/usr/lib/softhsm/libsofthsm2.so", helper.Pkcs11Library);
        Assert.Equal("<trust-anchor-arn>", helper.TrustAnchorArn);
        Assert.Equal("<profile-arn>", helper.ProfileArn);
        Assert.Equal("<role-arn>", helper.RoleArn);
        Assert.True(helper.CertificateIsPkcs11);
        Assert.True(helper.PrivateKeyIsPkcs11);
    }

    [Fact]
    public void Load_ReferenceFlattenedOntoOneLine_ParsesTheSameProfile()
    {
        // Arrange
        var path = TestPaths.ProfileData("reference-credentials-one-line.txt");

        // Act
        var store = AwsProfileStore.Load(new AwsProfilePaths("/nonexistent/config", path));

        // Assert
        var helper = Assert.IsType<SigningHelperSource>(ProfileCredentialSources.Resolve(store, "<profile-name>")).Command;
        Assert.Equal("<role-arn>", helper.RoleArn);
    }

    public static TheoryData<string, string, string, string> ValidFiles() => new()
    {
        // text, section header, key, expected value
        { "[default]\naws_access_key_id = AKID\n", "default", "aws_access_key_id", "AKID" },
        { "# comment\n; other comment\n[default]\nregion=eu-west-1\n", "default", "region", "eu-west-1" },
        { "[default]   # trailing comment\nregion = us-east-1\n", "default", "region", "us-east-1" },
        { "[ profile   prod ]\nregion = us-east-1\n", "profile prod", "region", "us-east-1" },
        { "[default]\r\nregion = ap-south-1\r\n", "default", "region", "ap-south-1" },
        { "[default]\ncredential_process = cmd --x \"a;b#c\" ; not a comment\n", "default", "credential_process", "cmd --x \"a;b#c\" ; not a comment" },
        { "[default]\nREGION = eu-north-1\n", "default", "region", "eu-north-1" },
        { "[default]\nregion = us-east-1\n[default]\nregion = us-west-2\n", "default", "region", "us-west-2" },
        { "[default]\nempty =\n", "default", "empty", "" },
        { "[default]\nurl = https://x.example/?a=b\n", "default", "url", "https://x.example/?a=b" },
    };

    [Theory]
    [MemberData(nameof(ValidFiles))]
    public void Parse_ValidFile_YieldsProperty(string text, string header, string key, string expected)
    {
        // Act
        var sections = AwsConfigFile.Parse(text, "test");

        // Assert
        var section = Assert.Single(sections, s => s.Header == header);
        Assert.Equal(expected, section.Properties[key]);
    }

    [Fact]
    public void Parse_NestedProperties_AreReadUnderTheirParent()
    {
        // Arrange
        const string text = "[services local]\nsecrets_manager =\n  endpoint_url = http://127.0.0.1:4566\n";

        // Act
        var section = Assert.Single(AwsConfigFile.Parse(text, "test"));

        // Assert
        Assert.Equal("http://127.0.0.1:4566", section.SubProperties["secrets_manager"]["endpoint_url"]);
    }

    public static TheoryData<string, string, string> MalformedFiles() => new()
    {
        // text, expected fragment, expected location
        { "[default]\ncredential_process = /usr/local/bin/aws_signing_helper credential-process\n  --certificate /c.pem\n", "must be on a single line", "test:3" },
        { "[default]\ncredential_process = /usr/local/bin/aws_signing_helper credential-process --certificate \"pkcs11:token=t;object=c?pin-value=1234\"\n--private-key \"pkcs11:token=t;object=k?pin-value=1234\"\n", "must be on a single line", "test:3" },
        { "region = us-east-1\n[default]\n", "before any [section]", "test:1" },
        { "[default\nregion = us-east-1\n", "not a section header", "test:1" },
        // A credential_process line pasted inside the brackets (found by the fuzzer): the name would carry the PIN.
        { "[p credential_process = x --certificate \"pkcs11:token=t;object=c?pin-value=1234\"]\nregion = us-east-1\n", "header holds a pin-value", "test:1" },
        { "[profile p --key-password 1234]\nregion = us-east-1\n", "header holds a pin-value", "test:1" },
        { "[default]\njust some words\n", "is not 'key = value'", "test:2" },
        { "[default]\nregion = us-east-1\n  more = text\n", "already has a value", "test:3" },
    };

    [Theory]
    [MemberData(nameof(MalformedFiles))]
    public void Parse_MalformedFile_ThrowsWithLineAndFix(string text, string fragment, string location)
    {
        // Act
        var error = Assert.Throws<AwsConfigFileException>(() => AwsConfigFile.Parse(text, "test"));

        // Assert
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        Assert.Contains(location + ":", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("1234", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n[default]\n")]
    [InlineData("[default]\nwJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n")]
    [InlineData("[default\nwJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n")]
    public void Parse_SecretPastedOnAStrayLine_ErrorNeverQuotesIt(string text)
    {
        var error = Assert.Throws<AwsConfigFileException>(() => AwsConfigFile.Parse(text, "credentials"));

        Assert.DoesNotContain("wJalrXUtnFEMI", error.Message, StringComparison.Ordinal);
        Assert.Contains("credentials", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SeveralProblems_ReportsAllAtOnce()
    {
        // Arrange
        const string text = "orphan = 1\n[ok]\nbroken line\n[bad\n";

        // Act
        var error = Assert.Throws<AwsConfigFileException>(() => AwsConfigFile.Parse(text, "creds"));

        // Assert
        Assert.Equal(3, error.Problems.Count);
        Assert.Contains("creds:1", error.Problems[0], StringComparison.Ordinal);
        Assert.Contains("creds:3", error.Problems[1], StringComparison.Ordinal);
        Assert.Contains("creds:4", error.Problems[2], StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFile_IsEmpty()
    {
        // Act
        var sections = AwsConfigFile.Load(Path.Combine(Path.GetTempPath(), "no-such-aws-config-" + Guid.NewGuid().ToString("N")));

        // Assert
        Assert.Empty(sections);
    }

    [Fact]
    public void CommandLineRedactor_PinAndPassword_AreRedacted()
    {
        // Arrange
        const string line = "aws_signing_helper credential-process --certificate \"pkcs11:token=t;object=c?pin-value=98765\" --pkcs8-password hunter2 --pkcs8-password=\"x y\"";

        // Act
        var redacted = CommandLineRedactor.Redact(line);

        // Assert
        Assert.DoesNotContain("98765", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("x y", redacted, StringComparison.Ordinal);
        Assert.Contains("pin-value=(redacted)", redacted, StringComparison.Ordinal);
    }
}
