namespace AuthService.Aws.Credentials;

/// <summary>A source of AWS credentials (static keys, a profile, Roles Anywhere, ...). Clients ask it before every attempt.</summary>
public interface IAwsCredentialsProvider
{
    /// <summary>Returns credentials that are valid now (a caching provider refreshes them ahead of expiry).</summary>
    ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken = default);
}

/// <summary>Always the same credentials (static keys).</summary>
/// <param name="credentials">The credentials to hand out.</param>
public sealed class StaticCredentialsProvider(AwsCredentials credentials) : IAwsCredentialsProvider
{
    /// <inheritdoc />
    public ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(credentials);

    /// <summary>Describes the provider without secrets.</summary>
    public override string ToString() => $"StaticCredentialsProvider {{ {credentials} }}";
}
