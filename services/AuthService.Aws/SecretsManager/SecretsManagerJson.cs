using System.Text.Json;
using System.Text.Json.Serialization;

namespace AuthService.Aws.SecretsManager;

/// <summary>JSON settings of the awsJson1_1 protocol: model member names as is, absent members left out, timestamps as epoch seconds.</summary>
internal static class SecretsManagerJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new EpochSecondsConverter(), new JsonStringEnumConverter() },
    };

    /// <summary>awsJson timestamps are JSON numbers: epoch seconds, integer or fractional.</summary>
    private sealed class EpochSecondsConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var seconds = reader.TokenType == JsonTokenType.Number
                ? reader.GetDecimal()
                : throw new JsonException("A timestamp must be a JSON number of epoch seconds.");
            return DateTimeOffset.UnixEpoch.AddTicks((long)(seconds * TimeSpan.TicksPerSecond));
        }

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteNumberValue((decimal)(value - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerSecond);
    }
}
