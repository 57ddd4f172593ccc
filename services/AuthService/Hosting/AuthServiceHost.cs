using AuthService.Configuration;
using AuthService.Grpc.Server;
using AuthService.Secrets;

namespace AuthService.Hosting;

/// <summary>Builds the gRPC host: configuration, listeners, services.</summary>
public static class AuthServiceHost
{
    /// <summary>Environment variables with this prefix override configuration, e.g. AUTHSERVICE_Server__Tcp.</summary>
    public const string EnvironmentPrefix = "AUTHSERVICE_";

    public static WebApplication Build(string[] args, Action<ServerOptions>? overrides = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Configuration.AddEnvironmentVariables(EnvironmentPrefix);

        // Per-request framework logs would drown the service's own events; operators can raise them by config.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        var options = builder.Configuration.GetSection(ServerOptions.Section).Get<ServerOptions>() ?? new ServerOptions();
        overrides?.Invoke(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("The configuration is invalid:\n  - " + string.Join("\n  - ", errors));
        }

        builder.WebHost.UseAuthServiceEndpoints(options);
        builder.Services.AddAuthServiceGrpc(options);
        var app = builder.Build();
        app.UseGrpcServer();
        return app;
    }

    public static IServiceCollection AddAuthServiceGrpc(this IServiceCollection services, ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return services
            .AddGrpcServer(grpc => grpc.EnableDetailedErrors = options.DetailedErrors)
            .AddGrpcHealthAndReflection()
            .AddGrpcService<SecretsGrpcService>()
            .AddGrpcService<ConfigurationGrpcService>();
    }
}
