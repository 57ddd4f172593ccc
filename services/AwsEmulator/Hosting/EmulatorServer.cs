using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using AwsEmulator.Seed;

namespace AwsEmulator.Hosting;

/// <summary>A running emulator inside the current process, on free loopback ports: what tests and embedders start.</summary>
internal sealed class EmulatorServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EmulatorServer(WebApplication app, Uri http, Uri? https)
    {
        _app = app;
        HttpAddress = http;
        HttpsAddress = https;
    }

    public Uri HttpAddress { get; }

    public Uri? HttpsAddress { get; }

    public IServiceProvider Services => _app.Services;

    public T Get<T>()
        where T : notnull => _app.Services.GetRequiredService<T>();

    /// <summary>Starts on 127.0.0.1 with port 0 (and an HTTPS port 0 when <paramref name="caOutPath"/> is given).</summary>
    public static async Task<EmulatorServer> StartAsync(EmulatorModel model, TimeProvider? time = null, string? caOutPath = null, Action<ILoggingBuilder>? logging = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        var options = new EmulatorOptions { Port = 0, HttpsPort = caOutPath is null ? null : 0, CaOutPath = caOutPath };
        builder.AddAwsEmulator(model, options, time ?? TimeProvider.System);
        var app = builder.Build();
        app.MapAwsEmulator();
        await app.StartAsync().ConfigureAwait(false);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        var http = addresses.Select(a => new Uri(a)).First(u => u.Scheme == "http");
        var https = addresses.Select(a => new Uri(a)).FirstOrDefault(u => u.Scheme == "https");
        return new EmulatorServer(app, http, https);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
