using System.CommandLine;
using AuthService.Grpc.Client;

namespace AuthService.Cli;

/// <summary>
/// How a CLI command reaches the running service: --address, and --token-file for a bearer token of the
/// access section (read from a file so the token never sits in argv or shell history).
/// </summary>
internal sealed class ServiceConnection
{
    public Option<string> Address { get; } = new("--address")
    {
        Description = $"the service: http://host:port, https://host:port or unix:/path (default {AuthServiceCli.DefaultAddress})",
        DefaultValueFactory = _ => AuthServiceCli.DefaultAddress,
    };

    public Option<string?> TokenFile { get; } = new("--token-file") { Description = "a file holding a bearer token listed in access.tokens" };

    public void AddTo(Command command)
    {
        command.Options.Add(Address);
        command.Options.Add(TokenFile);
    }

    public GrpcClient Client(ParseResult parse) => GrpcClient.Create(parse.GetValue(Address)!);

    public CallOptions Call(ParseResult parse, TimeSpan? timeout, CancellationToken cancellationToken) => new()
    {
        Timeout = timeout,
        CancellationToken = cancellationToken,
        Headers = parse.GetValue(TokenFile) is { } file
            ? new Dictionary<string, string> { ["authorization"] = "Bearer " + File.ReadAllText(file).Trim() }
            : null,
    };
}
