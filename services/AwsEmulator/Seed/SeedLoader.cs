using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AwsEmulator.Seed;

/// <summary>The seed file was unusable; <see cref="Exception.Message"/> lists every problem at once.</summary>
internal sealed class SeedException(IReadOnlyList<string> errors)
    : Exception("The seed file is invalid:\n  - " + string.Join("\n  - ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}

/// <summary>Reads and validates a seed file, reporting every error in one go rather than one per restart.</summary>
internal static partial class SeedLoader
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>Options for writing seed files (the demo seed).</summary>
    public static JsonSerializerOptions WriteOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public static SeedDocument Parse(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<SeedDocument>(json, Options)
                ?? throw new SeedException(["the file holds JSON null"]);
        }
        catch (JsonException ex)
        {
            // Unknown keys land here too, so a typo is reported rather than silently ignored.
            throw new SeedException([$"not a valid seed: {ex.Message}"]);
        }
    }

    public static EmulatorModel LoadFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new SeedException([$"seed file '{path}' does not exist (pass --seed <file>, or --demo-dir <dir> to generate one)"]);
        }

        var document = Parse(File.ReadAllText(path));
        return Resolve(document, Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".");
    }

    /// <summary>Validates the document and builds the runtime model; file references resolve against <paramref name="baseDirectory"/>.</summary>
    public static EmulatorModel Resolve(SeedDocument seed, string baseDirectory)
    {
        var errors = new List<string>();
        if (!AccountPattern().IsMatch(seed.AccountId))
        {
            errors.Add($"accountId '{seed.AccountId}' must be 12 digits");
        }

        if (!RegionPattern().IsMatch(seed.Region))
        {
            errors.Add($"region '{seed.Region}' is not a region name such as us-east-1");
        }

        var anchors = new List<TrustAnchor>();
        foreach (var (anchor, i) in seed.TrustAnchors.Select((a, i) => (a, i)))
        {
            var where = $"trustAnchors[{i}]";
            if (string.IsNullOrWhiteSpace(anchor.Id))
            {
                errors.Add($"{where}.id is required (the UUID at the end of the trust anchor ARN)");
                continue;
            }

            var certificates = LoadCertificates(anchor.CertificatePem, anchor.CertificateFile, baseDirectory, where, errors);
            if (certificates.Count == 0)
            {
                continue;
            }

            var region = anchor.Region ?? seed.Region;
            anchors.Add(new TrustAnchor(
                $"arn:aws:rolesanywhere:{region}:{seed.AccountId}:trust-anchor/{anchor.Id}", region, anchor.Enabled, certificates));
        }

        var roles = new Dictionary<string, RoleDefinition>(StringComparer.Ordinal);
        foreach (var (role, i) in seed.Roles.Select((r, i) => (r, i)))
        {
            if (!RoleNamePattern().IsMatch(role.Name))
            {
                errors.Add($"roles[{i}].name '{role.Name}' is not a valid role name");
                continue;
            }

            if (role.MaxSessionDurationSeconds is < 3600 or > 43200)
            {
                errors.Add($"roles[{i}].maxSessionDurationSeconds must be 3600..43200 (got {role.MaxSessionDurationSeconds})");
            }

            var arn = $"arn:aws:iam::{seed.AccountId}:role/{role.Name}";
            if (!roles.TryAdd(arn, new RoleDefinition(role.Name, arn, role.ReadSecrets, role.WriteSecrets, role.MaxSessionDurationSeconds)))
            {
                errors.Add($"roles[{i}].name '{role.Name}' is listed twice");
            }
        }

        var profiles = new List<ProfileDefinition>();
        foreach (var (profile, i) in seed.Profiles.Select((p, i) => (p, i)))
        {
            var where = $"profiles[{i}]";
            if (string.IsNullOrWhiteSpace(profile.Id))
            {
                errors.Add($"{where}.id is required (the UUID at the end of the profile ARN)");
                continue;
            }

            if (profile.DurationSeconds is < 900 or > 43200)
            {
                errors.Add($"{where}.durationSeconds must be 900..43200 (got {profile.DurationSeconds})");
            }

            // A profile may list roles the emulator does not know: CreateSession then fails like AWS would when
            // the role cannot be assumed, which is a case worth seeding on purpose.
            var region = profile.Region ?? seed.Region;
            profiles.Add(new ProfileDefinition(
                $"arn:aws:rolesanywhere:{region}:{seed.AccountId}:profile/{profile.Id}", region, profile.RoleArns,
                profile.DurationSeconds, profile.AcceptRoleSessionName, profile.Enabled));
        }

        var users = new List<UserDefinition>();
        foreach (var (user, i) in seed.Users.Select((u, i) => (u, i)))
        {
            var where = $"users[{i}]";
            if (!RoleNamePattern().IsMatch(user.Name))
            {
                errors.Add($"{where}.name '{user.Name}' is not a valid user name");
            }

            if (!AccessKeyPattern().IsMatch(user.AccessKeyId))
            {
                errors.Add($"{where}.accessKeyId must be 'AKIA' and 16 upper-case letters or digits");
            }

            if (user.SecretAccessKey.Length < 16)
            {
                errors.Add($"{where}.secretAccessKey must be at least 16 characters");
            }

            if (users.Any(u => u.AccessKeyId == user.AccessKeyId))
            {
                errors.Add($"{where}.accessKeyId is used twice");
            }

            users.Add(new UserDefinition(user.Name, $"arn:aws:iam::{seed.AccountId}:user/{user.Name}", user.AccessKeyId,
                user.SecretAccessKey, user.ReadSecrets, user.WriteSecrets, user.AssumableRoles));
        }

        var secrets = new List<SecretDefinition>();
        foreach (var (secret, i) in seed.Secrets.Select((s, i) => (s, i)))
        {
            var definition = ResolveSecret(seed, secret, $"secrets[{i}]", errors);
            if (definition is not null)
            {
                if (secrets.Any(s => s.Name == definition.Name))
                {
                    errors.Add($"secrets[{i}].name '{definition.Name}' is listed twice");
                }

                secrets.Add(definition);
            }
        }

        if (seed.Imds is not null && !roles.ContainsKey($"arn:aws:iam::{seed.AccountId}:role/{seed.Imds.RoleName}"))
        {
            errors.Add($"imds.roleName '{seed.Imds.RoleName}' is not one of roles[].name");
        }

        foreach (var (fault, i) in seed.Faults.Select((f, i) => (f, i)))
        {
            errors.AddRange(Faults.FaultRule.Validate(fault).Select(e => $"faults[{i}]: {e}"));
        }

        if (errors.Count > 0)
        {
            throw new SeedException(errors);
        }

        return new EmulatorModel(seed.AccountId, seed.Region, anchors, profiles, roles, users, secrets,
            seed.Imds?.RoleName, seed.Faults, seed.FaultRandomSeed, seed.IgnoreCertificateValidityTimes);
    }

    private static SecretDefinition? ResolveSecret(SeedDocument seed, SeedSecret secret, string where, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(secret.Name) || secret.Name.Length > 256 || !SecretNamePattern().IsMatch(secret.Name))
        {
            errors.Add($"{where}.name '{secret.Name}' must be 1..256 characters of letters, digits and /_+=.@-");
            return null;
        }

        var suffix = secret.ArnSuffix ?? DeriveSuffix(secret.Name);
        if (suffix.Length != 6)
        {
            errors.Add($"{where}.arnSuffix must be 6 characters");
        }

        var created = secret.CreatedDate ?? DateTimeOffset.UnixEpoch.AddSeconds(1_700_000_000);
        var versions = new List<SecretVersionDefinition>();
        var stagesSeen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (version, j) in secret.Versions.Select((v, j) => (v, j)))
        {
            var at = $"{where}.versions[{j}]";
            var given = (version.SecretString is null ? 0 : 1) + (version.SecretJson is null ? 0 : 1) + (version.SecretBinary is null ? 0 : 1);
            if (given != 1)
            {
                errors.Add($"{at} needs exactly one of secretString, secretJson, secretBinary");
                continue;
            }

            byte[]? binary = null;
            if (version.SecretBinary is not null)
            {
                try
                {
                    binary = Convert.FromBase64String(version.SecretBinary);
                }
                catch (FormatException)
                {
                    errors.Add($"{at}.secretBinary is not standard base64");
                    continue;
                }
            }

            var text = version.SecretString ?? (version.SecretJson is { } json ? JsonSerializer.Serialize(json) : null);
            var versionId = version.VersionId ?? DeriveVersionId(secret.Name, j);
            if (versionId.Length is < 32 or > 64)
            {
                errors.Add($"{at}.versionId must be 32..64 characters");
            }

            foreach (var stage in version.Stages)
            {
                if (!stagesSeen.Add(stage))
                {
                    errors.Add($"{at}: stage '{stage}' is already attached to another version (a label sits on one version)");
                }
            }

            versions.Add(new SecretVersionDefinition(versionId, text, binary, version.Stages, version.CreatedDate ?? created));
        }

        if (versions.Count > 0 && !stagesSeen.Contains("AWSCURRENT"))
        {
            errors.Add($"{where}: one version must carry the AWSCURRENT stage");
        }

        return new SecretDefinition(secret.Name,
            $"arn:aws:secretsmanager:{seed.Region}:{seed.AccountId}:secret:{secret.Name}-{suffix}",
            secret.Description, secret.Tags, created, versions);
    }

    private static List<X509Certificate2> LoadCertificates(string? pem, string? file, string baseDirectory, string where, List<string> errors)
    {
        if ((pem is null) == (file is null))
        {
            errors.Add($"{where} needs exactly one of certificatePem, certificateFile");
            return [];
        }

        if (file is not null)
        {
            var path = Path.Combine(baseDirectory, file);
            if (!File.Exists(path))
            {
                errors.Add($"{where}.certificateFile '{path}' does not exist");
                return [];
            }

            pem = File.ReadAllText(path);
        }

        try
        {
            var collection = new X509Certificate2Collection();
            collection.ImportFromPem(pem!);
            if (collection.Count == 0)
            {
                errors.Add($"{where}: no PEM certificate found");
            }

            return [.. collection];
        }
        catch (CryptographicException ex)
        {
            errors.Add($"{where}: the certificate PEM does not parse ({ex.Message})");
            return [];
        }
    }

    /// <summary>AWS appends six random characters; deriving them from the name keeps a seed's ARNs stable across runs.</summary>
    internal static string DeriveSuffix(string name)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(name));
        var chars = new char[6];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = alphabet[hash[i] % alphabet.Length];
        }

        return new string(chars);
    }

    private static string DeriveVersionId(string name, int index)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{name}\n{index}"));
        return new Guid(hash.AsSpan(0, 16)).ToString();
    }

    [GeneratedRegex("^[0-9]{12}$")]
    private static partial Regex AccountPattern();

    [GeneratedRegex("^([a-z]+-)+[0-9]+$")]
    private static partial Regex RegionPattern();

    [GeneratedRegex(@"^[\w+=,.@-]{1,64}$")]
    private static partial Regex RoleNamePattern();

    [GeneratedRegex("^AKIA[A-Z0-9]{16}$")]
    private static partial Regex AccessKeyPattern();

    [GeneratedRegex(@"^[A-Za-z0-9/_+=.@-]+$")]
    private static partial Regex SecretNamePattern();
}
