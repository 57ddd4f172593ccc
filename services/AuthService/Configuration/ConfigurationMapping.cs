using Google.Protobuf.WellKnownTypes;
using Proto = AuthService.Api.V1;

namespace AuthService.Configuration;

/// <summary>Between the API's Configuration message and <see cref="AuthConfiguration"/>.</summary>
public static class ConfigurationMapping
{
    public static AuthConfiguration FromProto(Proto.Configuration message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var auth = message.AuthCase switch
        {
            Proto.Configuration.AuthOneofCase.Profile => new AuthSettings { Type = AuthSettings.ProfileType, Profile = message.Profile.Profile },
            Proto.Configuration.AuthOneofCase.StaticKeys => new AuthSettings { Type = AuthSettings.StaticKeysType, Profile = message.StaticKeys.Profile },
            Proto.Configuration.AuthOneofCase.InstanceProfile => new AuthSettings { Type = AuthSettings.InstanceProfileType },
            Proto.Configuration.AuthOneofCase.AssumeRole => new AuthSettings
            {
                Type = AuthSettings.AssumeRoleType,
                RoleArn = message.AssumeRole.RoleArn,
                SourceProfile = message.AssumeRole.SourceProfile,
                RoleSessionName = Empty(message.AssumeRole.RoleSessionName),
                ExternalId = Empty(message.AssumeRole.ExternalId),
                SessionDurationSeconds = Seconds(message.AssumeRole.Duration),
            },
            Proto.Configuration.AuthOneofCase.RolesAnywhere => new AuthSettings
            {
                Type = AuthSettings.RolesAnywhereType,
                Certificate = message.RolesAnywhere.Certificate,
                PrivateKey = Empty(message.RolesAnywhere.PrivateKey),
                Pkcs11Lib = Empty(message.RolesAnywhere.Pkcs11Lib),
                Intermediates = Empty(message.RolesAnywhere.Intermediates),
                TrustAnchorArn = message.RolesAnywhere.TrustAnchorArn,
                ProfileArn = message.RolesAnywhere.ProfileArn,
                RoleArn = message.RolesAnywhere.RoleArn,
                RoleSessionName = Empty(message.RolesAnywhere.RoleSessionName),
                SessionDurationSeconds = Seconds(message.RolesAnywhere.SessionDuration),
            },
            _ => new AuthSettings { Type = "(none)" },
        };
        return new AuthConfiguration
        {
            Name = message.Name,
            Method = string.IsNullOrEmpty(message.Method) ? AuthConfiguration.SecretsManagerMethod : message.Method,
            Region = message.Region,
            EndpointUrl = Empty(message.EndpointUrl),
            Auth = auth,
            Cache = message.Cache is null ? null : new CacheSettings
            {
                TtlSeconds = Seconds(message.Cache.Ttl),
                MaxStaleSeconds = Seconds(message.Cache.MaxStale),
                MaxEntries = message.Cache.MaxEntries == 0 ? null : message.Cache.MaxEntries,
                MaxBytes = message.Cache.MaxBytes == 0 ? null : message.Cache.MaxBytes,
            },
        };
    }

    public static Proto.Configuration ToProto(AuthConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var auth = configuration.Auth;
        var message = new Proto.Configuration
        {
            Name = configuration.Name,
            Method = configuration.Method,
            Region = configuration.Region,
            EndpointUrl = configuration.EndpointUrl ?? string.Empty,
        };
        switch (auth.Type)
        {
            case AuthSettings.ProfileType:
                message.Profile = new Proto.ProfileAuth { Profile = auth.Profile ?? string.Empty };
                break;
            case AuthSettings.StaticKeysType:
                message.StaticKeys = new Proto.StaticKeysAuth { Profile = auth.Profile ?? string.Empty };
                break;
            case AuthSettings.InstanceProfileType:
                message.InstanceProfile = new Proto.InstanceProfileAuth();
                break;
            case AuthSettings.AssumeRoleType:
                message.AssumeRole = new Proto.AssumeRoleAuth
                {
                    RoleArn = auth.RoleArn ?? string.Empty,
                    SourceProfile = auth.SourceProfile ?? string.Empty,
                    RoleSessionName = auth.RoleSessionName ?? string.Empty,
                    ExternalId = auth.ExternalId ?? string.Empty,
                    Duration = auth.SessionDurationSeconds is { } d ? Duration.FromTimeSpan(TimeSpan.FromSeconds(d)) : null,
                };
                break;
            case AuthSettings.RolesAnywhereType:
                message.RolesAnywhere = new Proto.RolesAnywhereAuth
                {
                    Certificate = auth.Certificate ?? string.Empty,
                    PrivateKey = auth.PrivateKey ?? string.Empty,
                    Pkcs11Lib = auth.Pkcs11Lib ?? string.Empty,
                    Intermediates = auth.Intermediates ?? string.Empty,
                    TrustAnchorArn = auth.TrustAnchorArn ?? string.Empty,
                    ProfileArn = auth.ProfileArn ?? string.Empty,
                    RoleArn = auth.RoleArn ?? string.Empty,
                    RoleSessionName = auth.RoleSessionName ?? string.Empty,
                    SessionDuration = auth.SessionDurationSeconds is { } s ? Duration.FromTimeSpan(TimeSpan.FromSeconds(s)) : null,
                };
                break;
        }

        var options = ConfigurationValidator.CacheOptions(configuration.Cache);
        message.Cache = new Proto.CacheSettings
        {
            Ttl = Duration.FromTimeSpan(options.Ttl),
            MaxStale = Duration.FromTimeSpan(options.MaxStale),
            MaxEntries = options.MaxEntries,
            MaxBytes = options.MaxBytes,
        };
        return message;
    }

    private static string? Empty(string value) => string.IsNullOrEmpty(value) ? null : value;

    private static int? Seconds(Duration? duration) => duration is null ? null : (int)duration.ToTimeSpan().TotalSeconds;
}
