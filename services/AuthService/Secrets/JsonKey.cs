using System.Text.Json;

namespace AuthService.Secrets;

/// <summary>Picks one top-level key out of a JSON secret string. Errors never quote the secret.</summary>
public static class JsonKey
{
    /// <summary>The key's value: strings as they are; numbers, booleans, objects and arrays as JSON text.</summary>
    public static string Extract(SecretRecord record, string key)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.SecretString is null)
        {
            throw new SecretStoreException(
                SecretFailureKind.InvalidRequest,
                $"Secret {record.Name} is binary; json_key only applies to secrets stored as a JSON string. Omit json_key to get the bytes.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(record.SecretString);
        }
        catch (JsonException)
        {
            // The parser's own message quotes the offending text, which is part of the secret: not repeated.
            throw new SecretStoreException(
                SecretFailureKind.InvalidRequest,
                $"Secret {record.Name} is not JSON, so json_key '{key}' cannot be read from it. Omit json_key to get the whole value.");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new SecretStoreException(
                    SecretFailureKind.InvalidRequest,
                    $"Secret {record.Name} is JSON but not an object, so it has no key '{key}'. Omit json_key to get the whole value.");
            }

            if (!document.RootElement.TryGetProperty(key, out var value))
            {
                var keys = string.Join(", ", document.RootElement.EnumerateObject().Select(p => p.Name).Take(20));
                throw new SecretStoreException(SecretFailureKind.NotFound, $"Secret {record.Name} has no key '{key}'; its keys are: {keys}.");
            }

            return value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
        }
    }
}
