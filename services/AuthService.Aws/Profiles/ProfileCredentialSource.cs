using AuthService.Aws.Credentials;

namespace AuthService.Aws.Profiles;

/// <summary>Where a profile's credentials come from, decided from its properties (in the SDKs' order: role_arn, static keys, credential_process).</summary>
public abstract record ProfileCredentialSource(string ProfileName);

/// <summary><c>aws_access_key_id</c> / <c>aws_secret_access_key</c> (/ <c>aws_session_token</c>).</summary>
/// <param name="ProfileName">The profile.</param>
/// <param name="Credentials">The keys (redacted in ToString).</param>
public sealed record StaticKeysSource(string ProfileName, AwsCredentials Credentials) : ProfileCredentialSource(ProfileName);

/// <summary>A generic <c>credential_process</c>, run as a child process.</summary>
/// <param name="ProfileName">The profile.</param>
/// <param name="CommandLine">The command line (may hold a PIN: redacted in ToString).</param>
public sealed record CredentialProcessSource(string ProfileName, string CommandLine) : ProfileCredentialSource(ProfileName)
{
    /// <summary>Describes the source with secrets redacted.</summary>
    public override string ToString() => $"CredentialProcessSource {{ ProfileName = {ProfileName}, CommandLine = {CommandLineRedactor.Redact(CommandLine)} }}";
}

/// <summary>An <c>aws_signing_helper credential-process</c> command, carried out in-process (IAM Roles Anywhere).</summary>
/// <param name="ProfileName">The profile.</param>
/// <param name="Command">The parsed flags (PIN and password redacted in ToString).</param>
/// <param name="EndpointUrl">The profile's Roles Anywhere endpoint_url, if any.</param>
public sealed record SigningHelperSource(string ProfileName, SigningHelperCommand Command, string? EndpointUrl) : ProfileCredentialSource(ProfileName);

/// <summary><c>role_arn</c> assumed with STS, using <c>source_profile</c>'s credentials or a <c>credential_source</c>.</summary>
/// <param name="ProfileName">The profile.</param>
/// <param name="RoleArn">The role.</param>
/// <param name="SourceProfile">The profile whose credentials call AssumeRole, or null.</param>
/// <param name="CredentialSource">Environment, Ec2InstanceMetadata or EcsContainer, or null.</param>
/// <param name="ExternalId">The external id, if any.</param>
/// <param name="RoleSessionName">The session name, if any.</param>
/// <param name="DurationSeconds">The session duration, if any.</param>
/// <param name="Region">The STS region (the profile's region), if any.</param>
public sealed record AssumeRoleSource(
    string ProfileName, string RoleArn, string? SourceProfile, string? CredentialSource, string? ExternalId, string? RoleSessionName,
    int? DurationSeconds, string? Region) : ProfileCredentialSource(ProfileName);

/// <summary>Resolves a profile's <see cref="ProfileCredentialSource"/>.</summary>
public static class ProfileCredentialSources
{
    private static readonly HashSet<string> CredentialSources = new(StringComparer.Ordinal) { "Environment", "Ec2InstanceMetadata", "EcsContainer" };

    /// <summary>Decides where <paramref name="profileName"/>'s credentials come from.</summary>
    /// <exception cref="AwsConfigFileException">The profile is missing, has no source, or its source is malformed.</exception>
    public static ProfileCredentialSource Resolve(AwsProfileStore store, string profileName)
    {
        ArgumentNullException.ThrowIfNull(store);
        var profile = store.Get(profileName);
        if (profile.RoleArn is { Length: > 0 } roleArn)
        {
            return ResolveAssumeRole(store, profile, roleArn);
        }

        if (profile.StaticCredentials is { } keys)
        {
            return new StaticKeysSource(profile.Name, keys);
        }

        if (profile.Get("aws_access_key_id") is { Length: > 0 } && profile.StaticCredentials is null)
        {
            throw new AwsConfigFileException($"Profile '{profile.Name}' has aws_access_key_id but no aws_secret_access_key: add it (in {store.Paths.CredentialsFile}).");
        }

        if (profile.CredentialProcess is { Length: > 0 } commandLine)
        {
            SigningHelperCommand? helper;
            try
            {
                helper = SigningHelperCommand.TryParseCommandLine(commandLine);
            }
            catch (FormatException e)
            {
                throw new AwsConfigFileException($"Profile '{profile.Name}': credential_process: {e.Message}", e);
            }

            return helper is null
                ? new CredentialProcessSource(profile.Name, commandLine)
                : new SigningHelperSource(profile.Name, helper, profile.EndpointUrlFor("rolesanywhere"));
        }

        throw new AwsConfigFileException(
            $"Profile '{profile.Name}' has no credentials: give it aws_access_key_id and aws_secret_access_key, a credential_process, or role_arn with source_profile or credential_source.");
    }

    private static AssumeRoleSource ResolveAssumeRole(AwsProfileStore store, AwsProfile profile, string roleArn)
    {
        var source = profile.SourceProfile;
        var credentialSource = profile.CredentialSource;
        if ((source is null) == (credentialSource is null))
        {
            throw new AwsConfigFileException($"Profile '{profile.Name}' has role_arn: give it exactly one of source_profile and credential_source.");
        }

        if (credentialSource is not null && !CredentialSources.Contains(credentialSource))
        {
            throw new AwsConfigFileException($"Profile '{profile.Name}': credential_source {AwsConfigFile.QuotedValue(credentialSource)} is not one of Environment, Ec2InstanceMetadata, EcsContainer.");
        }

        if (source is not null)
        {
            // Follow the chain now, so a loop or a missing profile is reported at start-up, not at the first call.
            // A profile may name itself when it also holds keys (the SDKs allow that).
            var visited = new List<string> { profile.Name };
            var current = profile;
            var next = source;
            while (next is not null && !(next == current.Name && current.StaticCredentials is not null))
            {
                if (visited.Contains(next))
                {
                    throw new AwsConfigFileException($"Profile '{profile.Name}': source_profile chain loops ({string.Join(" -> ", visited.Append(next))}): end it at a profile with keys.");
                }

                visited.Add(next);
                current = store.Get(next);
                next = current.RoleArn is not null ? current.SourceProfile : null;
            }
        }

        int? duration = null;
        if (profile.Get("duration_seconds") is { } durationText)
        {
            duration = int.TryParse(durationText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds is >= 900 and <= 43200
                ? seconds
                : throw new AwsConfigFileException($"Profile '{profile.Name}': duration_seconds {AwsConfigFile.QuotedValue(durationText)} must be a whole number in 900..43200.");
        }

        return new AssumeRoleSource(profile.Name, roleArn, source, credentialSource, profile.Get("external_id"), profile.Get("role_session_name"), duration, profile.Region);
    }
}
