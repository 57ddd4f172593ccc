using System.Globalization;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Json;
using Serilog.Parsing;

namespace AuthService.Hosting;

/// <summary>
/// One JSON object per line: {"Timestamp", "Level", "EventId", "Category", "Message", then every structured field
/// (Caller, Configuration, SecretArn, Outcome, ...) at the top level}. Flat, so log shippers and `grep
/// '"EventId":4000'` find audit events without knowing Serilog's nesting. Values are JSON-escaped by Serilog.
/// </summary>
public sealed class JsonLogFormatter : ITextFormatter
{
    private static readonly JsonValueFormatter Values = new(typeTagName: null);

    public void Format(LogEvent logEvent, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        ArgumentNullException.ThrowIfNull(output);
        output.Write("{\"Timestamp\":\"");
        output.Write(logEvent.Timestamp.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
        output.Write("\",\"Level\":\"");
        output.Write(logEvent.Level.ToString());
        output.Write('"');
        if (logEvent.Properties.TryGetValue("EventId", out var eventId) && eventId is StructureValue structure
            && structure.Properties.FirstOrDefault(p => p.Name == "Id")?.Value is ScalarValue { Value: int id })
        {
            output.Write(",\"EventId\":");
            output.Write(id.ToString(CultureInfo.InvariantCulture));
        }

        if (logEvent.Properties.TryGetValue("SourceContext", out var category))
        {
            output.Write(",\"Category\":");
            Values.Format(category, output);
        }

        output.Write(",\"Message\":");
        JsonValueFormatter.WriteQuotedJsonString(Render(logEvent), output);
        foreach (var (name, value) in logEvent.Properties)
        {
            if (name is "EventId" or "SourceContext")
            {
                continue;
            }

            output.Write(',');
            JsonValueFormatter.WriteQuotedJsonString(name, output);
            output.Write(':');
            Values.Format(value, output);
        }

        if (logEvent.Exception is { } exception)
        {
            output.Write(",\"Exception\":");
            JsonValueFormatter.WriteQuotedJsonString(exception.ToString(), output);
        }

        output.Write('}');
        output.Write('\n');
    }

    /// <summary>The message with its fields filled in, strings unquoted (as the framework's loggers render them).</summary>
    private static string Render(LogEvent logEvent)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        foreach (var token in logEvent.MessageTemplate.Tokens)
        {
            if (token is PropertyToken property && logEvent.Properties.TryGetValue(property.PropertyName, out var value) && value is ScalarValue { Value: string raw })
            {
                text.Write(raw);
            }
            else
            {
                token.Render(logEvent.Properties, text, CultureInfo.InvariantCulture);
            }
        }

        return text.ToString();
    }
}
