using System.CommandLine;
using AuthService.Aws.Credentials;
using AuthService.Aws.Profiles;
using AuthService.Credentials;

namespace AuthService.Cli;

/// <summary>
/// `authservice credential-process ...`: the aws_signing_helper-compatible entry point (also reached as
/// /usr/local/bin/aws_signing_helper through the launcher in docker/). It performs the Roles Anywhere
/// exchange and prints the helper's exact JSON on stdout with no trailing newline; errors go to stderr with
/// exit code 1. The service itself never runs this: it carries such profiles out in-process.
/// </summary>
internal static class CredentialProcessCommand
{
    public static Command Build()
    {
        var command = new Command("credential-process", "Obtain temporary credentials through IAM Roles Anywhere, as aws_signing_helper credential-process does (same flags, same output).")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                var words = new List<string> { "authservice", "credential-process" };
                words.AddRange(parse.UnmatchedTokens);
                var signingHelper = SigningHelperCommand.Parse(words);
                using var http = new HttpClient();
                var factory = new ProfileCredentialsProviderFactory(
                    AwsProfileStore.FromSections([], [], AwsProfilePaths.FromEnvironment(Environment.GetEnvironmentVariable)),
                    http,
                    TimeProvider.System,
                    new ProfileCredentialsOptions { Pkcs11SignerFactory = Pkcs11X509Signer.Open });
                var credentials = await factory.RunSigningHelperAsync(signingHelper, null, cancellationToken).ConfigureAwait(false);
                await Console.Out.WriteAsync(CredentialProcessOutput.Format(credentials)).ConfigureAwait(false);
                await Console.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
                return 0;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // Messages from the AWS and PKCS#11 layers are sanitised: no PIN, key or credential.
                await Console.Error.WriteLineAsync(exception.Message).ConfigureAwait(false);
                return 1;
            }
        });
        return command;
    }
}
