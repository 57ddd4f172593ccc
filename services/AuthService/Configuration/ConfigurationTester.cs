using System.Diagnostics;
using AuthService.Aws.SecretsManager;
using AuthService.Aws.Sts;
using AuthService.Secrets;
using Proto = AuthService.Api.V1;

namespace AuthService.Configuration;

/// <summary>
/// Tries a proposed configuration for real, step by step: validate, obtain credentials, STS
/// GetCallerIdentity, then Secrets Manager (DescribeSecret of a probe secret, or ListSecrets with MaxResults 1).
/// Each step reports its outcome and, on failure, the reason; later steps are skipped. Nothing is saved.
/// </summary>
public sealed class ConfigurationTester(AwsSecretStoreFactory stores, Credentials.ProfileStoreProvider profiles, HttpClient http, TimeProvider time)
{
    public async Task<Proto.TestConfigurationResponse> TestAsync(AuthConfiguration configuration, string? probeSecretId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var response = new Proto.TestConfigurationResponse();
        var failed = false;
        CredentialsFailureBoundary? credentials = null;

        async Task Step(string name, Func<Task<string>> run)
        {
            var step = new Proto.TestStep { Name = name };
            response.Steps.Add(step);
            if (failed)
            {
                step.Outcome = Proto.TestStep.Types.Outcome.Skipped;
                step.Detail = "skipped: an earlier step failed";
                return;
            }

            var watch = Stopwatch.StartNew();
            try
            {
                step.Detail = await run().ConfigureAwait(false);
                step.Outcome = Proto.TestStep.Types.Outcome.Passed;
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                failed = true;
                step.Outcome = Proto.TestStep.Types.Outcome.Failed;
                step.Detail = exception is SecretStoreException or CredentialsUnavailableException or InvalidOperationException
                    ? exception.Message
                    : $"{exception.GetType().Name}: {exception.Message}";
            }

            step.Elapsed = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(watch.Elapsed);
        }

        await Step("validate", () =>
        {
            var errors = ConfigurationValidator.Validate(configuration);
            return errors.Count == 0
                ? Task.FromResult("the configuration is well formed")
                : throw new InvalidOperationException(string.Join(" ", errors));
        }).ConfigureAwait(false);

        await Step("credentials", async () =>
        {
            // An operator tests right after editing .aws/credentials (the reference procedure's next step): read the
            // files now instead of testing the profiles of the last poll, up to one reload interval old.
            profiles.ReloadIfChanged();
            credentials = new CredentialsFailureBoundary(stores.Credentials(configuration), configuration.Name);
            var obtained = await credentials.GetCredentialsAsync(cancellationToken).ConfigureAwait(false);
            return obtained.Expiration is { } expiry
                ? $"obtained temporary credentials valid until {expiry:u}"
                : "obtained long-term credentials";
        }).ConfigureAwait(false);

        await Step("sts:GetCallerIdentity", async () =>
        {
            var endpoint = configuration.EndpointUrl is null ? null : new Uri(configuration.EndpointUrl);
            var sts = new StsClient(http, credentials!, time, configuration.Region, endpoint);
            var identity = await sts.GetCallerIdentityAsync(cancellationToken).ConfigureAwait(false);
            return $"caller is {identity.Arn} (account {identity.Account})";
        }).ConfigureAwait(false);

        var probe = string.IsNullOrWhiteSpace(probeSecretId) ? "secretsmanager:ListSecrets" : "secretsmanager:DescribeSecret";
        await Step(probe, async () =>
        {
            var client = new SecretsManagerClient(http, credentials!, time, new SecretsManagerClientOptions
            {
                Region = configuration.Region,
                Endpoint = configuration.EndpointUrl is null ? null : new Uri(configuration.EndpointUrl),
            });
            var store = new AwsSecretStore(client, credentials!);
            if (string.IsNullOrWhiteSpace(probeSecretId))
            {
                await AwsSecretStore.TranslateAsync(() => client.ListSecretsAsync(new ListSecretsRequest { MaxResults = 1 }, cancellationToken)).ConfigureAwait(false);
                return "Secrets Manager answered ListSecrets";
            }

            var described = await store.DescribeSecretAsync(probeSecretId, cancellationToken).ConfigureAwait(false);
            return $"found {described.Arn} (its value was not read)";
        }).ConfigureAwait(false);

        response.Ok = !failed;
        return response;
    }
}
