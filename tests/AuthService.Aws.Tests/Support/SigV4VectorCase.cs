using System.Text;
using System.Text.Json;
using AuthService.Aws.Credentials;
using AuthService.Aws.Signing;

namespace AuthService.Aws.Tests.Support;

/// <summary>One case of the aws-c-auth SigV4 suite (Vectors/sigv4/&lt;case&gt;): its inputs parsed, its outputs read.</summary>
internal sealed class SigV4VectorCase
{
    private readonly string _directory;

    private SigV4VectorCase(string name)
    {
        Name = name;
        _directory = TestPaths.Vectors("sigv4", name);
        using var context = JsonDocument.Parse(File.ReadAllText(Path.Combine(_directory, "context.json")));
        var root = context.RootElement;
        var credentials = root.GetProperty("credentials");
        Credentials = new AwsCredentials(
            credentials.GetProperty("access_key_id").GetString()!,
            credentials.GetProperty("secret_access_key").GetString()!,
            credentials.TryGetProperty("token", out var token) ? token.GetString() : null);
        Region = root.GetProperty("region").GetString()!;
        Service = root.GetProperty("service").GetString()!;
        Time = DateTimeOffset.Parse(root.GetProperty("timestamp").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        ExpiresIn = TimeSpan.FromSeconds(root.GetProperty("expiration_in_seconds").GetInt32());
        Options = new SigV4SigningOptions
        {
            NormalizePath = root.GetProperty("normalize").GetBoolean(),
            AddContentSha256Header = root.GetProperty("sign_body").GetBoolean(),
            SignSessionToken = !(root.TryGetProperty("omit_session_token", out var omit) && omit.GetBoolean()),
        };
        Request = ParseRequest(File.ReadAllText(Path.Combine(_directory, "request.txt"), Encoding.UTF8));
    }

    public string Name { get; }

    public AwsCredentials Credentials { get; }

    public string Region { get; }

    public string Service { get; }

    public DateTimeOffset Time { get; }

    public TimeSpan ExpiresIn { get; }

    public SigV4SigningOptions Options { get; }

    public SigV4Request Request { get; }

    public static IEnumerable<string> Names() =>
        Directory.GetDirectories(TestPaths.Vectors("sigv4")).Select(Path.GetFileName).Order(StringComparer.Ordinal)!;

    public static SigV4VectorCase Load(string name) => new(name);

    /// <summary>An expected output, e.g. "header-signature.txt" (the files have no trailing newline).</summary>
    public string Expected(string file) => File.ReadAllText(Path.Combine(_directory, file), Encoding.UTF8);

    // request.txt: "METHOD PATH HTTP/1.1", then "Name:value" lines (a line starting with whitespace continues the
    // previous value), an empty line, then the body. The path may hold spaces, so it ends at the last " HTTP/".
    private static SigV4Request ParseRequest(string text)
    {
        var separator = text.IndexOf("\n\n", StringComparison.Ordinal);
        var head = separator < 0 ? text.TrimEnd('\n') : text[..separator];
        var body = separator < 0 ? string.Empty : text[(separator + 2)..];
        var lines = head.Split('\n');
        var requestLine = lines[0];
        var method = requestLine[..requestLine.IndexOf(' ', StringComparison.Ordinal)];
        var target = requestLine[(method.Length + 1)..requestLine.LastIndexOf(" HTTP/", StringComparison.Ordinal)];
        var question = target.IndexOf('?', StringComparison.Ordinal);
        var path = question < 0 ? target : target[..question];
        var query = question < 0 ? string.Empty : target[(question + 1)..];

        var headers = new List<KeyValuePair<string, string>>();
        foreach (var line in lines.Skip(1))
        {
            if (line.Length > 0 && char.IsWhiteSpace(line[0]) && headers.Count > 0)
            {
                var last = headers[^1];
                headers[^1] = new(last.Key, last.Value + " " + line.Trim());
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers.Add(new(line[..colon], line[(colon + 1)..]));
        }

        return new SigV4Request
        {
            Method = method,
            Path = path,
            Query = SigV4.ParseQuery(query),
            Headers = headers,
            Body = Encoding.UTF8.GetBytes(body),
        };
    }
}
