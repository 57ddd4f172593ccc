using System.Net;
using AwsEmulator.Admin;
using AwsEmulator.Faults;
using AwsEmulator.Identity;
using AwsEmulator.Imds;
using AwsEmulator.Sts;
using AwsEmulator.RolesAnywhere;
using AwsEmulator.SecretsManager;
using AwsEmulator.Seed;
using AwsEmulator.SigV4;
using AwsEmulator.Tls;
using AwsEmulator.Wire;

namespace AwsEmulator.Hosting;

/// <summary>The emulator's wiring: services, listeners and routes.</summary>
internal static class EmulatorHost
{
    /// <summary>Registers the emulator's state and endpoints, and configures Kestrel's listeners.</summary>
    public static WebApplicationBuilder AddAwsEmulator(this WebApplicationBuilder builder, EmulatorModel model, EmulatorOptions options, TimeProvider time)
    {
        var services = builder.Services;
        services.AddSingleton(model);
        services.AddSingleton(options);
        services.AddSingleton(time);
        services.AddSingleton<CredentialStore>();
        services.AddSingleton(sp => new SigV4Verifier(sp.GetRequiredService<CredentialStore>().Find, time, model.Region));
        services.AddSingleton<SecretStore>();
        services.AddSingleton<RequestCounters>();
        services.AddSingleton<FaultInjector>();
        services.AddSingleton<SecretsManagerService>();
        services.AddSingleton<SecretsManagerEndpoint>();
        services.AddSingleton<AdminEndpoints>();
        services.AddSingleton(new X509RequestVerifier(time, model.IgnoreCertificateValidityTimes));
        services.AddSingleton<CreateSessionEndpoint>();
        services.AddSingleton<StsEndpoint>();
        services.AddSingleton<ImdsEndpoint>();
        builder.AddListeners(options, time);

        // Per-request framework lines would cost more than the requests; the emulator logs its own decisions.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        return builder;
    }

    /// <summary>Maps every route. One port serves all services, told apart the way AWS's hosts would tell them apart.</summary>
    public static WebApplication MapAwsEmulator(this WebApplication app)
    {
        app.MapGet("/healthz", () => "ok");
        app.MapPost("/", RootAsync);
        app.MapPost("/sessions", (HttpContext context) => context.RequestServices.GetRequiredService<CreateSessionEndpoint>().HandleAsync(context));
        app.MapGet("/", RootAsync);
        var imds = app.Services.GetRequiredService<ImdsEndpoint>();
        app.MapPut("/latest/api/token", (Delegate)imds.TokenAsync);
        app.MapGet("/latest/meta-data/iam/security-credentials/{role?}", imds.CredentialsAsync);
        app.MapAdmin();
        var logger = app.Services.GetRequiredService<ILogger<EmulatorModel>>();
        var model = app.Services.GetRequiredService<EmulatorModel>();
        Log.SeedLoaded(logger, model.Secrets.Count, model.RolesByArn.Count, model.Users.Count, model.TrustAnchors.Count, model.Profiles.Count, model.Region);
        return app;
    }

    /// <summary>POST / and GET /: awsJson services carry X-Amz-Target; everything else is the STS query protocol.</summary>
    private static async Task RootAsync(HttpContext context)
    {
        WireRequest request;
        try
        {
            request = await HttpWire.ReadAsync(context).ConfigureAwait(false);
        }
        catch (AwsErrorException ex)
        {
            await HttpWire.WriteJsonErrorAsync(context, ex.Error).ConfigureAwait(false);
            return;
        }

        if (request.Header("X-Amz-Target") is not null)
        {
            await context.RequestServices.GetRequiredService<SecretsManagerEndpoint>().HandleAsync(context, request).ConfigureAwait(false);
            return;
        }

        await context.RequestServices.GetRequiredService<StsEndpoint>().HandleAsync(context, request).ConfigureAwait(false);
    }

    private static void AddListeners(this WebApplicationBuilder builder, EmulatorOptions options, TimeProvider time)
    {
        var address = IPAddress.Parse(options.Bind);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(address, options.Port);
            if (options.HttpsPort is { } httpsPort)
            {
                var authority = TestCertificateAuthority.Create("AwsEmulator Test CA", time);
                var caPath = options.CaOutPath ?? Path.Combine(Directory.GetCurrentDirectory(), "aws-emulator-ca.pem");
                File.WriteAllText(caPath, authority.CertificatePem);
                var certificate = authority.IssueServerCertificate(options.TlsHosts, time);
                kestrel.Listen(address, httpsPort, listen => listen.UseHttps(certificate));
            }
        });
    }
}
