namespace AuthService.Aws.Protocol;

/// <summary>What every AWS client here shares: the retry settings and where environment variables come from.</summary>
public sealed record AwsClientOptions
{
    /// <summary>The defaults: standard retry mode, the process environment.</summary>
    public static AwsClientOptions Default { get; } = new();

    /// <summary>The retry settings.</summary>
    public AwsRetryOptions Retry { get; init; } = AwsRetryOptions.Standard;

    /// <summary>Reads an environment variable (endpoint overrides such as <c>AWS_ENDPOINT_URL_SECRETS_MANAGER</c>).</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;
}
