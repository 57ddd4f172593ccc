using System.CommandLine;
using AuthService.Grpc;
using AuthService.Grpc.Client;
using AuthService.Hosting;
using Grpc.Health.V1;

namespace AuthService.Cli;

/// <summary>The command line: `authservice serve` runs the service; the other commands are operator tools.</summary>
public static class AuthServiceCli
{
    /// <summary>Where the CLI looks for the service unless --address says otherwise.</summary>
    public const string DefaultAddress = "http://127.0.0.1:50051";

    public static RootCommand Build()
    {
        var root = new RootCommand("AuthService: AWS Secrets Manager values for data connectors, through IAM Roles Anywhere and a PKCS#11 token.");
        root.Subcommands.Add(ServeCommand());
        root.Subcommands.Add(HealthCommand());
        root.Subcommands.Add(ConfigCommands.Build());
        root.Subcommands.Add(SecretCommands.Build());
        root.Subcommands.Add(CredentialProcessCommand.Build());
        root.Subcommands.Add(Operator.TokenCommands.Build());
        root.Subcommands.Add(Operator.CredentialsCommands.Build());
        root.Subcommands.Add(Operator.DoctorCommand.Build());
        return root;
    }

    private static Command ServeCommand()
    {
        var tcp = new Option<string?>("--tcp") { Description = "h2c endpoint host:port (default 127.0.0.1:50051; \"\" disables)" };
        var unix = new Option<string?>("--unix-socket") { Description = "also listen on this Unix domain socket path" };
        var command = new Command("serve", "Run the gRPC service until SIGTERM or Ctrl-C.") { tcp, unix };
        command.SetAction(async (parse, cancellationToken) =>
        {
            WebApplication app;
            try
            {
                app = AuthServiceHost.Build([], options =>
                {
                    if (parse.GetResult(tcp) is not null)
                    {
                        options.Tcp = parse.GetValue(tcp);
                    }

                    if (parse.GetValue(unix) is { } socket)
                    {
                        options.UnixSocket = socket;
                    }
                });
            }
            catch (InvalidOperationException exception)
            {
                await Console.Error.WriteLineAsync(exception.Message).ConfigureAwait(false);
                return 2;
            }

            await using (app.ConfigureAwait(false))
            {
                try
                {
                    await app.RunAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is IOException or System.Security.Cryptography.CryptographicException or UnauthorizedAccessException)
                {
                    // Start-up failures an operator can fix (port in use, unreadable or mismatched TLS files).
                    await Console.Error.WriteLineAsync($"authservice could not start: {exception.Message}").ConfigureAwait(false);
                    return 2;
                }
            }

            return 0;
        });
        return command;
    }

    private static Command HealthCommand()
    {
        var address = new Option<string>("--address") { Description = $"http://host:port, https://host:port or unix:/path (default {DefaultAddress})", DefaultValueFactory = _ => DefaultAddress };
        var service = new Option<string>("--service") { Description = "a service name; default: the whole server", DefaultValueFactory = _ => string.Empty };
        var timeout = new Option<double>("--timeout") { Description = "seconds to wait (default 5)", DefaultValueFactory = _ => 5 };
        var command = new Command("health", "Ask the service for its health (grpc.health.v1). Exit 0 when SERVING.") { address, service, timeout };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = GrpcClient.Create(parse.GetValue(address)!);
            try
            {
                var response = await client.UnaryAsync<HealthCheckRequest, HealthCheckResponse>(
                    HealthReflection.Descriptor.Services[0].FindMethodByName("Check"),
                    new HealthCheckRequest { Service = parse.GetValue(service)! },
                    new CallOptions { Timeout = TimeSpan.FromSeconds(parse.GetValue(timeout)), CancellationToken = cancellationToken }).ConfigureAwait(false);
                // The names of health.proto, as grpc_health_probe and grpcurl print them.
                Console.WriteLine(response.Status switch
                {
                    HealthCheckResponse.Types.ServingStatus.Serving => "SERVING",
                    HealthCheckResponse.Types.ServingStatus.NotServing => "NOT_SERVING",
                    HealthCheckResponse.Types.ServingStatus.ServiceUnknown => "SERVICE_UNKNOWN",
                    _ => "UNKNOWN",
                });
                return response.Status == HealthCheckResponse.Types.ServingStatus.Serving ? 0 : 1;
            }
            catch (GrpcException exception)
            {
                await Console.Error.WriteLineAsync($"health check failed: {exception.StatusCode}: {exception.Message}").ConfigureAwait(false);
                return 2;
            }
        });
        return command;
    }
}
