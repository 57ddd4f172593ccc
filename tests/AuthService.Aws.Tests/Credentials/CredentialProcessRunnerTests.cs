using AuthService.Aws.Credentials;
using AuthService.Aws.Tests.Support;

namespace AuthService.Aws.Tests.Credentials;

/// <summary>Real child processes (/bin/sh), as a credential_process runs.</summary>
public class CredentialProcessRunnerTests
{
    private static readonly DateTimeOffset Now = new(2025, 12, 11, 15, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task RunAsync_HelperPrintsVersion1Json_ReturnsCredentialsWithExpiration()
    {
        // Arrange
        var runner = new CredentialProcessRunner(new FakeTimeProvider(Now));
        const string line = """/bin/sh -c 'printf "%s" "{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\",\"SessionToken\":\"T\",\"Expiration\":\"2025-12-11T16:00:00Z\"}"'""";

        // Act
        var credentials = await runner.RunAsync(line);

        // Assert
        Assert.Equal(new AwsCredentials("A", "S", "T", new DateTimeOffset(2025, 12, 11, 16, 0, 0, TimeSpan.Zero)), credentials);
    }

    [Fact]
    public async Task RunAsync_QuotedArgumentsWithSemicolons_ReachTheProgramAsSeparateWords()
    {
        // Arrange: the program echoes its 2nd argument back as the access key id.
        var runner = new CredentialProcessRunner(new FakeTimeProvider(Now));
        const string line = """/bin/sh -c 'printf "{\"Version\":1,\"AccessKeyId\":\"%s\",\"SecretAccessKey\":\"S\"}" "$1"' sh "pkcs11:token=a;object=b" """;

        // Act
        var credentials = await runner.RunAsync(line);

        // Assert
        Assert.Equal("pkcs11:token=a;object=b", credentials.AccessKeyId);
        Assert.Null(credentials.Expiration);
    }

    [Fact]
    public async Task RunAsync_NonZeroExit_ReportsCodeAndRedactedStderr()
    {
        // Arrange
        var runner = new CredentialProcessRunner(new FakeTimeProvider(Now));
        const string line = """/bin/sh -c 'echo "token pkcs11:token=t?pin-value=9999 not found" >&2; exit 3'""";

        // Act
        var error = await Assert.ThrowsAsync<CredentialProcessException>(() => runner.RunAsync(line));

        // Assert
        Assert.Contains("exited with code 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("not found", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("9999", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_AlreadyExpired_IsAnError()
    {
        // Arrange
        var runner = new CredentialProcessRunner(new FakeTimeProvider(Now));
        const string line = """/bin/sh -c 'printf "{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\",\"Expiration\":\"2025-12-11T14:00:00Z\"}"'""";

        // Act
        var error = await Assert.ThrowsAsync<CredentialProcessException>(() => runner.RunAsync(line));

        // Assert
        Assert.Contains("expired", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_MissingProgram_SaysToCheckThePath()
    {
        // Arrange
        var runner = new CredentialProcessRunner(new FakeTimeProvider(Now));

        // Act
        var error = await Assert.ThrowsAsync<CredentialProcessException>(() => runner.RunAsync("/nonexistent/helper --x"));

        // Assert
        Assert.Contains("/nonexistent/helper", error.Message, StringComparison.Ordinal);
        Assert.Contains("check the path", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ProcessHangs_IsStoppedAtTheTimeout()
    {
        // Arrange: the clock is fake, so the 60 s timeout passes when the test says so.
        var time = new FakeTimeProvider(Now);
        var runner = new CredentialProcessRunner(time, TimeSpan.FromSeconds(60));

        // Act
        var run = runner.RunAsync("/bin/sh -c 'exec sleep 300'");
        while (!run.IsCompleted)
        {
            time.Advance(TimeSpan.FromSeconds(61));
            await Task.WhenAny(run, Task.Delay(20));
        }

        var error = await Assert.ThrowsAsync<CredentialProcessException>(() => run);

        // Assert
        Assert.Contains("did not finish within 60 s", error.Message, StringComparison.Ordinal);
    }
}
