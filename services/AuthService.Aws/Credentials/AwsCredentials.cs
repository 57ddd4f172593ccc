namespace AuthService.Aws.Credentials;

/// <summary>
/// AWS credentials: an access key pair, optionally temporary (with a session token and an expiry).
/// </summary>
/// <remarks>
/// The secret access key and session token are secrets: <see cref="ToString"/> redacts them, so a record that
/// ends up in a log line or an exception message never carries them.
/// </remarks>
/// <param name="AccessKeyId">The access key id (not secret: it appears in every signed request).</param>
/// <param name="SecretAccessKey">The secret access key.</param>
/// <param name="SessionToken">The session token of temporary credentials, or null for long-term keys.</param>
/// <param name="Expiration">When temporary credentials expire, or null when they do not.</param>
public sealed record AwsCredentials(
    string AccessKeyId,
    string SecretAccessKey,
    string? SessionToken = null,
    DateTimeOffset? Expiration = null)
{
    /// <summary>Whether the credentials are expired (or expire within <paramref name="margin"/>) at <paramref name="now"/>.</summary>
    public bool IsExpired(DateTimeOffset now, TimeSpan margin = default) =>
        Expiration is { } expiration && now + margin >= expiration;

    /// <summary>Describes the credentials without their secrets.</summary>
    public override string ToString() =>
        $"AwsCredentials {{ AccessKeyId = {AccessKeyId}, SecretAccessKey = (redacted), SessionToken = " +
        $"{(SessionToken is null ? "(none)" : "(redacted)")}, Expiration = " +
        $"{(Expiration is { } e ? e.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture) : "(none)")} }}";
}
