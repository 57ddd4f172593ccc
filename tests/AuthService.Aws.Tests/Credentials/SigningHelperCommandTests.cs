using AuthService.Aws.Credentials;

namespace AuthService.Aws.Tests.Credentials;

public class SigningHelperCommandTests
{
    private const string Base = "/usr/local/bin/aws_signing_helper credential-process --certificate /c.pem --private-key /k.pem --trust-anchor-arn arn:aws:rolesanywhere:eu-west-1:1:trust-anchor/t --profile-arn arn:aws:rolesanywhere:eu-west-1:1:profile/p --role-arn arn:aws:iam::1:role/r";

    [Fact]
    public void TryParseCommandLine_EveryFlag_IsParsed()
    {
        // Arrange
        const string line = "aws_signing_helper credential-process --certificate \"pkcs11:token=roles-anywhere;object=ra-cert;id=%01?pin-value=1234\" " +
            "--private-key 'pkcs11:token=roles-anywhere;object=ra-key;id=%01' --trust-anchor-arn=TA --profile-arn PA --role-arn RA " +
            "--session-duration 900 --region eu-central-1 --endpoint rolesanywhere.example --intermediates /chain.pem " +
            "--pkcs11-lib /usr/lib/softhsm/libsofthsm2.so --role-session-name svc@host --pkcs8-password p8 --reuse-pin --no-verify-ssl --with-proxy --debug";

        // Act
        var command = SigningHelperCommand.TryParseCommandLine(line)!;

        // Assert
        Assert.Equal("pkcs11:token=roles-anywhere;object=ra-cert;id=%01?pin-value=1234", command.Certificate);
        Assert.Equal("pkcs11:token=roles-anywhere;object=ra-key;id=%01", command.PrivateKey);
        Assert.Equal(("TA", "PA", "RA"), (command.TrustAnchorArn, command.ProfileArn, command.RoleArn));
        Assert.Equal(900, command.SessionDuration);
        Assert.Equal("eu-central-1", command.Region);
        Assert.Equal(new Uri("https://rolesanywhere.example"), command.Endpoint);
        Assert.Equal("/chain.pem", command.Intermediates);
        Assert.Equal("/usr/lib/softhsm/libsofthsm2.so", command.Pkcs11Library);
        Assert.Equal("svc@host", command.RoleSessionName);
        Assert.Equal("p8", command.Pkcs8Password);
        Assert.True(command.ReusePin && command.NoVerifySsl && command.WithProxy && command.Debug);
        Assert.True(command.CertificateIsPkcs11 && command.PrivateKeyIsPkcs11);
    }

    [Fact]
    public void TryParseCommandLine_OtherProgram_ReturnsNull()
    {
        // Act
        var command = SigningHelperCommand.TryParseCommandLine("/usr/bin/aws-vault exec prod --json");

        // Assert
        Assert.Null(command);
    }

    [Theory]
    [InlineData("aws_signing_helper")]
    [InlineData("/usr/local/bin/aws_signing_helper")]
    [InlineData("./aws_signing_helper")]
    [InlineData("/usr/local/bin/authservice")]
    public void IsSigningHelper_ProgramPaths_AreRecognised(string program)
    {
        // Act
        var recognised = SigningHelperCommand.IsSigningHelper([program, "credential-process"]);

        // Assert
        Assert.True(recognised);
    }

    [Fact]
    public void IsSigningHelper_OtherSubcommand_IsNotRecognised()
    {
        // Act
        var recognised = SigningHelperCommand.IsSigningHelper(["aws_signing_helper", "serve"]);

        // Assert
        Assert.False(recognised);
    }

    [Theory]
    [InlineData(" --bogus x", "--bogus is not a flag")]
    [InlineData(" --region \"\"", "--region is empty")]
    [InlineData(" --region", "--region needs a value")]
    [InlineData(" --region a --region b", "--region is given twice")]
    [InlineData(" --session-duration 60", "900..43200")]
    [InlineData(" --session-duration 1h", "900..43200")]
    [InlineData(" --cert-selector Key=x", "does not have")]
    [InlineData(" stray", "'stray' is not a flag")]
    [InlineData(" --endpoint ftp://x", "--endpoint")]
    public void Parse_BadFlag_ExplainsWhatToFix(string suffix, string fragment)
    {
        // Act
        var error = Assert.Throws<FormatException>(() => SigningHelperCommand.TryParseCommandLine(Base + suffix));

        // Assert
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MissingRequiredFlags_ListsEveryOne()
    {
        // Act
        var error = Assert.Throws<FormatException>(() => SigningHelperCommand.TryParseCommandLine("aws_signing_helper credential-process --region eu-west-1"));

        // Assert
        foreach (var flag in new[] { "--certificate", "--trust-anchor-arn", "--profile-arn", "--role-arn" })
        {
            Assert.Contains(flag + " is required", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ToString_PinAndPassword_AreRedacted()
    {
        // Arrange
        var command = SigningHelperCommand.TryParseCommandLine(
            "aws_signing_helper credential-process --certificate \"pkcs11:token=t;object=c?pin-value=556677\" --trust-anchor-arn a --profile-arn b --role-arn c --pkcs8-password s3cr3t")!;

        // Act
        var text = command.ToString();

        // Assert
        Assert.DoesNotContain("556677", text, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", text, StringComparison.Ordinal);
        Assert.Contains("pin-value=(redacted)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ErrorAboutValue_DoesNotEchoPin()
    {
        // Act
        var error = Assert.Throws<FormatException>(() => SigningHelperCommand.TryParseCommandLine(Base + " \"pkcs11:object=k?pin-value=424242\""));

        // Assert
        Assert.DoesNotContain("424242", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToSessionRequest_Flags_MapOntoCreateSessionInputs()
    {
        // Arrange
        var command = SigningHelperCommand.TryParseCommandLine(Base + " --session-duration 7200 --role-session-name s1 --region eu-west-1 --endpoint https://ra.example:8443")!;

        // Act
        var request = command.ToSessionRequest([], "https://from-profile.example");

        // Assert
        Assert.Equal(7200, request.DurationSeconds);
        Assert.Equal("s1", request.RoleSessionName);
        Assert.Equal("eu-west-1", request.SigningRegion);
        Assert.Equal(new Uri("https://ra.example:8443"), request.Endpoint);
        Assert.Equal("https://from-profile.example", request.ProfileEndpointUrl);
        Assert.Empty(request.Validate());
    }
}
