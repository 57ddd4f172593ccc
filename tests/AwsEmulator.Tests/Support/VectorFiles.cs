using System.Text;
using AwsEmulator.SigV4;

namespace AwsEmulator.Tests.Support;

/// <summary>Reads the copied known-answer vectors (see Vectors/*/SOURCE.md).</summary>
public static class VectorFiles
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "Vectors");

    public static string Read(params string[] parts) => File.ReadAllText(Path.Combine([Root, .. parts]));

    /// <summary>Parses a vector's HTTP text ("Name:value" headers, indented continuation lines, blank line, body).</summary>
    internal static WireRequest ParseRequest(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var requestLine = lines[0];
        var method = requestLine[..requestLine.IndexOf(' ', StringComparison.Ordinal)];
        var target = requestLine[(method.Length + 1)..requestLine.LastIndexOf(" HTTP/", StringComparison.Ordinal)];
        var headers = new List<KeyValuePair<string, string>>();
        var i = 1;
        for (; i < lines.Length && lines[i].Length > 0; i++)
        {
            if (lines[i][0] is ' ' or '\t')
            {
                // A folded line continues the previous header's value.
                var last = headers[^1];
                headers[^1] = new(last.Key, last.Value + " " + lines[i].Trim());
                continue;
            }

            var colon = lines[i].IndexOf(':', StringComparison.Ordinal);
            headers.Add(new(lines[i][..colon], lines[i][(colon + 1)..]));
        }

        var body = string.Join('\n', lines.Skip(i + 1)).TrimEnd('\n');
        return new WireRequest(method, target, headers, Encoding.UTF8.GetBytes(body));
    }
}
