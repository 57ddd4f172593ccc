using System.Text;
using System.Text.Json.Nodes;
using AwsEmulator.Admin;
using AwsEmulator.Identity;
using AwsEmulator.Wire;

namespace AwsEmulator.SecretsManager;

/// <summary>
/// The Secrets Manager operations (awsJson1_1, API version 2017-10-17) on the emulator's store, with per-principal
/// permissions. Members and errors follow the botocore service model.
/// </summary>
internal sealed class SecretsManagerService(SecretStore store, RequestCounters counters)
{
    private const int MaxValueBytes = 65536;

    public JsonObject Invoke(string operation, Principal principal, JsonObject body) => operation switch
    {
        "GetSecretValue" => GetSecretValue(principal, body),
        "BatchGetSecretValue" => BatchGetSecretValue(principal, body),
        "DescribeSecret" => DescribeSecret(principal, body),
        "ListSecrets" => ListSecrets(body),
        "ListSecretVersionIds" => ListSecretVersionIds(principal, body),
        "PutSecretValue" => PutSecretValue(principal, body),
        "UpdateSecretVersionStage" => UpdateSecretVersionStage(principal, body),
        _ => throw new AwsErrorException(new AwsError("UnknownOperationException", 400, $"Operation {operation} is not supported by this emulator.", true)),
    };

    private JsonObject GetSecretValue(Principal principal, JsonObject body)
    {
        var secretId = RequiredString(body, "SecretId");
        var versionId = OptionalString(body, "VersionId");
        var stage = OptionalString(body, "VersionStage");
        lock (store.Sync)
        {
            var secret = Authorize(principal, "GetSecretValue", secretId, write: false);
            var version = SecretStore.SelectVersion(secret, versionId, stage);
            store.MarkAccessed(secret, version);
            return ValueEntry(secret, version);
        }
    }

    private JsonObject BatchGetSecretValue(Principal principal, JsonObject body)
    {
        var ids = body["SecretIdList"] as JsonArray;
        var filters = body["Filters"] as JsonArray;
        if ((ids is null) == (filters is null))
        {
            throw InvalidParameter("Either SecretIdList or Filters must be provided, but not both.");
        }

        if (ids is not null && body["MaxResults"] is not null)
        {
            throw InvalidParameter("MaxResults can only be used together with Filters.");
        }

        var values = new JsonArray();
        var errors = new JsonArray();
        string? nextToken = null;
        lock (store.Sync)
        {
            IEnumerable<string> selected;
            if (ids is not null)
            {
                if (ids.Count is < 1 or > 20)
                {
                    throw InvalidParameter("SecretIdList must hold 1 to 20 secret ids.");
                }

                selected = ids.Select(n => n?.GetValue<string>() ?? "");
            }
            else
            {
                var matching = store.All.Where(s => SecretFilters.Matches(s, filters!)).ToList();
                var page = Page(matching, body, maxLimit: 20, defaultLimit: 20, out nextToken);
                selected = page.Select(s => s.Arn);
            }

            foreach (var id in selected)
            {
                try
                {
                    var secret = Authorize(principal, "GetSecretValue", id, write: false, countAs: "BatchGetSecretValue");
                    var version = SecretStore.SelectVersion(secret, null, null);
                    store.MarkAccessed(secret, version);
                    values.Add(ValueEntry(secret, version));
                }
                catch (AwsErrorException ex)
                {
                    // Per-secret failures travel inside a 200, as APIErrorType entries.
                    errors.Add(new JsonObject { ["SecretId"] = id, ["ErrorCode"] = ex.Error.Code, ["Message"] = ex.Error.Message });
                }
            }
        }

        var result = new JsonObject { ["SecretValues"] = values, ["Errors"] = errors };
        if (nextToken is not null)
        {
            result["NextToken"] = nextToken;
        }

        return result;
    }

    private JsonObject DescribeSecret(Principal principal, JsonObject body)
    {
        var secretId = RequiredString(body, "SecretId");
        lock (store.Sync)
        {
            var secret = Authorize(principal, "DescribeSecret", secretId, write: false);
            var result = Summary(secret);
            result["VersionIdsToStages"] = StagesMap(secret);
            return result;
        }
    }

    private JsonObject ListSecrets(JsonObject body)
    {
        var filters = body["Filters"] as JsonArray;
        var descending = OptionalString(body, "SortOrder") switch
        {
            null or "asc" => false,
            "desc" => true,
            var other => throw InvalidParameter($"SortOrder must be asc or desc, not '{other}'."),
        };
        lock (store.Sync)
        {
            var matching = store.All.Where(s => filters is null || SecretFilters.Matches(s, filters)).ToList();
            if (descending)
            {
                matching.Reverse();
            }

            var page = Page(matching, body, maxLimit: 100, defaultLimit: 100, out var nextToken);
            var list = new JsonArray();
            foreach (var secret in page)
            {
                var entry = Summary(secret);
                entry["SecretVersionsToStages"] = StagesMap(secret);
                list.Add(entry);
            }

            var result = new JsonObject { ["SecretList"] = list };
            if (nextToken is not null)
            {
                result["NextToken"] = nextToken;
            }

            return result;
        }
    }

    private JsonObject ListSecretVersionIds(Principal principal, JsonObject body)
    {
        var secretId = RequiredString(body, "SecretId");
        var includeDeprecated = body["IncludeDeprecated"]?.GetValue<bool>() ?? false;
        lock (store.Sync)
        {
            var secret = Authorize(principal, "ListSecretVersionIds", secretId, write: false);
            var versions = secret.Versions.Where(v => includeDeprecated || v.Stages.Count > 0).ToList();
            var page = Page(versions, body, maxLimit: 100, defaultLimit: 100, out var nextToken);
            var list = new JsonArray();
            foreach (var version in page)
            {
                var entry = new JsonObject
                {
                    ["VersionId"] = version.VersionId,
                    ["VersionStages"] = new JsonArray([.. version.Stages.Order(StringComparer.Ordinal).Select(s => (JsonNode)s)]),
                    ["CreatedDate"] = HttpWire.EpochSeconds(version.CreatedDate),
                };
                if (version.LastAccessedDate is { } accessed)
                {
                    entry["LastAccessedDate"] = HttpWire.EpochSeconds(accessed);
                }

                list.Add(entry);
            }

            var result = new JsonObject { ["Versions"] = list, ["ARN"] = secret.Arn, ["Name"] = secret.Name };
            if (nextToken is not null)
            {
                result["NextToken"] = nextToken;
            }

            return result;
        }
    }

    private JsonObject PutSecretValue(Principal principal, JsonObject body)
    {
        var secretId = RequiredString(body, "SecretId");
        var token = OptionalString(body, "ClientRequestToken");
        var text = OptionalString(body, "SecretString");
        var binaryText = OptionalString(body, "SecretBinary");
        if (token is not null && token.Length is < 32 or > 64)
        {
            throw InvalidParameter("ClientRequestToken must be 32 to 64 characters.");
        }

        if (text is not null && binaryText is not null)
        {
            throw InvalidParameter("You can't specify both SecretString and SecretBinary in the same request.");
        }

        if (text is null && binaryText is null)
        {
            throw new AwsErrorException(new AwsError("InvalidRequestException", 400, "You must provide either SecretString or SecretBinary."));
        }

        byte[]? binary = null;
        if (binaryText is not null)
        {
            try
            {
                binary = Convert.FromBase64String(binaryText);
            }
            catch (FormatException)
            {
                throw new AwsErrorException(new AwsError("SerializationException", 400, "SecretBinary is not valid base64.", true));
            }
        }

        if ((text is not null ? Encoding.UTF8.GetByteCount(text) : binary!.Length) is 0 or > MaxValueBytes)
        {
            throw InvalidParameter("The secret value must be 1 to 65536 bytes.");
        }

        var stages = (body["VersionStages"] as JsonArray)?.Select(n => n?.GetValue<string>() ?? "").ToList();
        lock (store.Sync)
        {
            var secret = Authorize(principal, "PutSecretValue", secretId, write: true);
            var version = store.PutValue(secret, token, text, binary, stages);
            return new JsonObject
            {
                ["ARN"] = secret.Arn,
                ["Name"] = secret.Name,
                ["VersionId"] = version.VersionId,
                ["VersionStages"] = new JsonArray([.. version.Stages.Order(StringComparer.Ordinal).Select(s => (JsonNode)s)]),
            };
        }
    }

    private JsonObject UpdateSecretVersionStage(Principal principal, JsonObject body)
    {
        var secretId = RequiredString(body, "SecretId");
        var stage = RequiredString(body, "VersionStage");
        var moveTo = OptionalString(body, "MoveToVersionId");
        var removeFrom = OptionalString(body, "RemoveFromVersionId");
        lock (store.Sync)
        {
            var secret = Authorize(principal, "UpdateSecretVersionStage", secretId, write: true);
            store.UpdateStage(secret, stage, moveTo, removeFrom);
            return new JsonObject { ["ARN"] = secret.Arn, ["Name"] = secret.Name };
        }
    }

    /// <summary>
    /// Permission first, existence second, as IAM evaluates before the service looks: a caller without rights learns
    /// nothing about whether a secret exists. Counts the request against the secret under <paramref name="countAs"/>
    /// (the operation the client called; BatchGetSecretValue checks GetSecretValue per secret). Hold the store lock.
    /// </summary>
    private SecretRecord Authorize(Principal principal, string action, string secretId, bool write, string? countAs = null)
    {
        var secret = store.Find(secretId);
        counters.CountSecret(secret?.Name ?? secretId, countAs ?? action);
        var patterns = write ? principal.WriteSecrets : principal.ReadSecrets;
        var allowed = secret is null
            ? patterns.Any(p => SecretPattern.Matches(p, secretId))
            : SecretPattern.Allows(patterns, secret.Name, secret.Arn);
        if (!allowed)
        {
            throw new AwsErrorException(new AwsError("AccessDeniedException", 400,
                $"User: {principal.Arn} is not authorized to perform: secretsmanager:{action} on resource: {secret?.Arn ?? secretId} because no identity-based policy allows the secretsmanager:{action} action",
                LowerCaseMessage: true));
        }

        return secret ?? throw new AwsErrorException(new AwsError("ResourceNotFoundException", 400, SecretStore.NotFoundMessage));
    }

    private static JsonObject ValueEntry(SecretRecord secret, VersionRecord version)
    {
        var entry = new JsonObject { ["ARN"] = secret.Arn, ["Name"] = secret.Name, ["VersionId"] = version.VersionId };
        if (version.SecretBinary is not null)
        {
            entry["SecretBinary"] = Convert.ToBase64String(version.SecretBinary);
        }
        else
        {
            entry["SecretString"] = version.SecretString;
        }

        entry["VersionStages"] = new JsonArray([.. version.Stages.Order(StringComparer.Ordinal).Select(s => (JsonNode)s)]);
        entry["CreatedDate"] = HttpWire.EpochSeconds(version.CreatedDate);
        return entry;
    }

    private static JsonObject Summary(SecretRecord secret)
    {
        var entry = new JsonObject { ["ARN"] = secret.Arn, ["Name"] = secret.Name };
        if (secret.Description is not null)
        {
            entry["Description"] = secret.Description;
        }

        entry["LastChangedDate"] = HttpWire.EpochSeconds(secret.LastChangedDate);
        if (secret.LastAccessedDate is { } accessed)
        {
            entry["LastAccessedDate"] = HttpWire.EpochSeconds(accessed);
        }

        if (secret.Tags.Count > 0)
        {
            entry["Tags"] = new JsonArray([.. secret.Tags.Select(t => (JsonNode)new JsonObject { ["Key"] = t.Key, ["Value"] = t.Value })]);
        }

        entry["CreatedDate"] = HttpWire.EpochSeconds(secret.CreatedDate);
        return entry;
    }

    private static JsonObject StagesMap(SecretRecord secret)
    {
        var map = new JsonObject();
        foreach (var version in secret.Versions.Where(v => v.Stages.Count > 0))
        {
            map[version.VersionId] = new JsonArray([.. version.Stages.Order(StringComparer.Ordinal).Select(s => (JsonNode)s)]);
        }

        return map;
    }

    /// <summary>NextToken is the decimal offset, base64-wrapped so clients treat it as opaque.</summary>
    private static List<T> Page<T>(List<T> items, JsonObject body, int maxLimit, int defaultLimit, out string? nextToken)
    {
        var limit = body["MaxResults"]?.GetValue<int>() ?? defaultLimit;
        if (limit < 1 || limit > maxLimit)
        {
            throw InvalidParameter($"MaxResults must be between 1 and {maxLimit}.");
        }

        var offset = 0;
        if (OptionalString(body, "NextToken") is { } token)
        {
            try
            {
                offset = int.Parse(Encoding.ASCII.GetString(Convert.FromBase64String(token)), System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (FormatException)
            {
                throw new AwsErrorException(new AwsError("InvalidNextTokenException", 400, "The NextToken value is invalid."));
            }

            if (offset < 0 || offset > items.Count)
            {
                throw new AwsErrorException(new AwsError("InvalidNextTokenException", 400, "The NextToken value is invalid."));
            }
        }

        var page = items.Skip(offset).Take(limit).ToList();
        nextToken = offset + page.Count < items.Count
            ? Convert.ToBase64String(Encoding.ASCII.GetBytes((offset + page.Count).ToString(System.Globalization.CultureInfo.InvariantCulture)))
            : null;
        return page;
    }

    private static string RequiredString(JsonObject body, string member) =>
        OptionalString(body, member) is { Length: > 0 } value
            ? value
            : throw InvalidParameter($"Invalid parameter: {member} is required and must be a non-empty string.");

    private static string? OptionalString(JsonObject body, string member)
    {
        var node = body[member];
        if (node is null)
        {
            return null;
        }

        return node is JsonValue value && value.TryGetValue<string>(out var text)
            ? text
            : throw new AwsErrorException(new AwsError("SerializationException", 400, $"{member} must be a string.", true));
    }

    private static AwsErrorException InvalidParameter(string message) => new(new AwsError("InvalidParameterException", 400, message));
}
