namespace AuthService.Aws.Credentials;

/// <summary>Credentials from <c>AWS_ACCESS_KEY_ID</c>, <c>AWS_SECRET_ACCESS_KEY</c> and optional <c>AWS_SESSION_TOKEN</c> (read on every call).</summary>
/// <param name="environment">Reads an environment variable.</param>
public sealed class EnvironmentCredentialsProvider(Func<string, string?> environment) : IAwsCredentialsProvider
{
    /// <inheritdoc />
    public ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken = default)
    {
        var id = environment("AWS_ACCESS_KEY_ID");
        var secret = environment("AWS_SECRET_ACCESS_KEY");
        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(secret))
        {
            throw new CredentialProcessException("credential_source = Environment, but AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set: set them in the service's environment.");
        }

        var token = environment("AWS_SESSION_TOKEN");
        return ValueTask.FromResult(new AwsCredentials(id, secret, string.IsNullOrEmpty(token) ? null : token));
    }
}
