using System.Text.Json;
using AuthService.Hosting;
using Microsoft.Extensions.Logging;
using Serilog.Extensions.Logging;

namespace AuthService.Tests;

public sealed partial class JsonLogFormatterTests
{
    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Secret read by {Caller}: outcome {Outcome}, {ElapsedMs:0.0} ms")]
    private static partial void Read(ILogger logger, string caller, string outcome, double elapsedMs);

    private static JsonElement LogOneLine(Action<ILogger> log)
    {
        var output = new StringWriter();
        using (var serilog = new Serilog.LoggerConfiguration().WriteTo.Sink(new FormattingSink(output)).CreateLogger())
        using (var provider = new SerilogLoggerProvider(serilog))
        {
            log(provider.CreateLogger("AuthService.Secrets.SecretsGrpcService"));
        }

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        return JsonDocument.Parse(lines[0]).RootElement;
    }

    private sealed class FormattingSink(TextWriter output) : Serilog.Core.ILogEventSink
    {
        private readonly JsonLogFormatter _formatter = new();

        public void Emit(Serilog.Events.LogEvent logEvent) => _formatter.Format(logEvent, output);
    }

    [Fact]
    public void Format_LoggerMessageEvent_FlatJsonWithNumericEventIdAndFields()
    {
        var line = LogOneLine(logger => Read(logger, "uid:1000 gid:1000", "OK", 1.5));

        Assert.Equal(4000, line.GetProperty("EventId").GetInt32());
        Assert.Equal("Information", line.GetProperty("Level").GetString());
        Assert.Equal("AuthService.Secrets.SecretsGrpcService", line.GetProperty("Category").GetString());
        Assert.Equal("uid:1000 gid:1000", line.GetProperty("Caller").GetString());
        Assert.Equal("OK", line.GetProperty("Outcome").GetString());
        Assert.Equal("Secret read by uid:1000 gid:1000: outcome OK, 1.5 ms", line.GetProperty("Message").GetString());
        Assert.EndsWith("Z", line.GetProperty("Timestamp").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Format_QuotesAndNewlinesInValues_StayOneValidJsonLine()
    {
        var line = LogOneLine(logger => Read(logger, "a\"b\nc", "x", 0));

        Assert.Equal("a\"b\nc", line.GetProperty("Caller").GetString());
    }
}
