using System.Text.Json.Nodes;

namespace AwsEmulator.SecretsManager;

/// <summary>ListSecrets/BatchGetSecretValue filters: values of one filter OR together, filters AND together, a
/// leading '!' negates. name, tag-key and tag-value are case-sensitive prefix matches, description is not.</summary>
internal static class SecretFilters
{
    public static bool Matches(SecretRecord secret, JsonArray filters) => filters.All(f => MatchesOne(secret, f as JsonObject));

    private static bool MatchesOne(SecretRecord secret, JsonObject? filter)
    {
        var key = filter?["Key"]?.GetValue<string>();
        var values = (filter?["Values"] as JsonArray)?.Select(v => v?.GetValue<string>() ?? "").ToList() ?? [];
        if (key is null || values.Count == 0)
        {
            return true;
        }

        return values.Any(raw =>
        {
            var negate = raw.StartsWith('!');
            var value = negate ? raw[1..] : raw;
            return Match(secret, key, value) != negate;
        });
    }

    private static bool Match(SecretRecord secret, string key, string value) => key switch
    {
        "name" => secret.Name.StartsWith(value, StringComparison.Ordinal),
        "description" => secret.Description?.StartsWith(value, StringComparison.OrdinalIgnoreCase) ?? false,
        "tag-key" => secret.Tags.Keys.Any(k => k.StartsWith(value, StringComparison.Ordinal)),
        "tag-value" => secret.Tags.Values.Any(v => v.StartsWith(value, StringComparison.Ordinal)),
        "all" => Match(secret, "name", value) || Match(secret, "description", value) || Match(secret, "tag-key", value) || Match(secret, "tag-value", value),
        _ => false,
    };
}
