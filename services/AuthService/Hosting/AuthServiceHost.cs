using AuthService.Access;
using AuthService.Aws.Credentials;
using AuthService.Configuration;
using AuthService.Credentials;
using AuthService.Grpc.Server;
using AuthService.Secrets;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Serilog;

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

        // Per-request framework logs (Microsoft.AspNetCore) would drown the service's own events: Warning and up only.
        builder.Logging.AddAuthServiceLogging(builder.Configuration);
        var options = builder.Configuration.GetSection(ServerOptions.Section).Get<ServerOptions>() ?? new ServerOptions();
        overrides?.Invoke(options);
        var storeOptions = builder.Configuration.GetSection(ConfigurationStoreOptions.Section).Get<ConfigurationStoreOptions>() ?? new ConfigurationStoreOptions();

        builder.WebHost.UseAuthServiceEndpoints(options);
        builder.Services.AddAuthServiceGrpc(options).AddSecrets(storeOptions).AddAccessControl(options);
        var app = builder.Build();

        // Access tokens follow the configurations file they are listed in.
        var store = app.Services.GetRequiredService<ConfigurationStore>();
        var tokens = app.Services.GetRequiredService<AccessTokens>();
        store.Changed += _ => tokens.Configure(store.AccessSettings?.Tokens ?? []);

        // Every start-up problem at once: endpoints and configurations together.
        var errors = options.Validate().Concat(store.Load()).ToList();
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("The configuration is invalid:\n  - " + string.Join("\n  - ", errors));
        }

        var secrets = app.Services.GetRequiredService<SecretService>();
        app.Services.GetRequiredService<ProfileStoreProvider>().Changed += secrets.ResetCredentials;
        app.Lifetime.ApplicationStarted.Register(() => KestrelEndpoints.ApplyUnixSocketMode(options));
        app.UseGrpcServer();
        return app;
    }

    /// <summary>
    /// Serilog, one JSON object per line on stdout (<see cref="JsonLogFormatter"/>): structured fields (event id,
    /// caller, ARN, outcome) for log shippers. Events are written by a background worker, so a request never
    /// waits on formatting or on stdout; at shutdown the queue is flushed.
    /// </summary>
    public static ILoggingBuilder AddAuthServiceLogging(this ILoggingBuilder logging, IConfiguration configuration)
    {
        // Information unless AUTHSERVICE_Logging__LogLevel__Default says otherwise (Serilog decides, not the framework filters).
        var level = Enum.TryParse<LogLevel>(configuration["Logging:LogLevel:Default"], ignoreCase: true, out var configured) ? configured : LogLevel.Information;
        var logger = new Serilog.LoggerConfiguration()
            .MinimumLevel.Is((Serilog.Events.LogEventLevel)(int)level)
            .MinimumLevel.Override("Microsoft.AspNetCore", Serilog.Events.LogEventLevel.Warning)
            // Off, so ASP.NET Core opens no per-request log scope (RequestId, RequestPath, ConnectionId): the audit
            // event names the caller itself, and copying six scope fields into every event cost a fifth of the
            // cached-read throughput (docs/benchmarks.md).
            .MinimumLevel.Override("Microsoft.AspNetCore.Hosting.Diagnostics", Serilog.Events.LevelAlias.Off)
            .WriteTo.Async(sink => sink.Console(new JsonLogFormatter()), bufferSize: 100_000, blockWhenFull: true)
            .CreateLogger();
        logging.ClearProviders();
        logging.Configure(options => options.ActivityTrackingOptions = ActivityTrackingOptions.None);
        return logging.AddSerilog(logger, dispose: true);
    }

    public static IServiceCollection AddAuthServiceGrpc(this IServiceCollection services, ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return services
            .AddGrpcServer(grpc =>
            {
                grpc.EnableDetailedErrors = options.DetailedErrors;
                grpc.MaxReceiveMessageSize = options.Limits.MaxRequestBytes;
            })
            .AddGrpcHealthAndReflection()
            .AddGrpcService<SecretsGrpcService>()
            .AddGrpcService<ConfigurationGrpcService>();
    }

    /// <summary>Caller identity, the access policy and per-caller rate limits (docs/security.md).</summary>
    public static IServiceCollection AddAccessControl(this IServiceCollection services, ServerOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<AccessTokens>();
        services.AddSingleton<CallerResolver>();
        services.AddSingleton<CallerRateLimiter>();
        services.AddSingleton<AccessGate>();
        return services;
    }

    /// <summary>Configurations (hot-reloaded), the per-configuration secret caches and their AWS stores.</summary>
    public static IServiceCollection AddSecrets(this IServiceCollection services, ConfigurationStoreOptions storeOptions)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(storeOptions);
        services.AddSingleton<ConfigurationStore>();
        services.AddHostedService<ConfigurationWatcher>();
        // PKCS#11 is touched only when a profile names a pkcs11: URI: with none, no module is ever loaded.
        services.AddSingleton(new ProfileCredentialsOptions { Pkcs11SignerFactory = Pkcs11X509Signer.Open });
        services.AddSingleton(new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan });
        services.AddSingleton(provider => new AwsSecretStoreFactory(
            provider.GetRequiredService<HttpClient>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ProfileCredentialsOptions>(),
            // The last good profiles, re-read by the watcher when the mounted files change.
            () => provider.GetRequiredService<ProfileStoreProvider>().Current));
        services.AddSingleton<ProfileStoreProvider>();
        services.AddSingleton<ISecretStoreFactory>(provider => provider.GetRequiredService<AwsSecretStoreFactory>());
        services.AddSingleton<ConfigurationTester>();
        services.AddSingleton<SecretService>();
        services.AddHostedService<SecretRefresher>();
        services.AddHostedService<ReadinessMonitor>();
        return services;
    }
}
