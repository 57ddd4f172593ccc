using System.Net;
using AuthService.Grpc.Server;
using Microsoft.AspNetCore.Server.Kestrel.Core;

// Usage: GrpcBenchServer raw|grpc PORT [UNIX_SOCKET|-] [REPLY_FILE]
// Both modes answer POST /grpc.health.v1.Health/Check with SERVING on h2c; only the machinery differs.
// raw with REPLY_FILE answers any path with that file's bytes (a gRPC-framed message): the baseline for a
// service benchmark replays the real service's reply, so both sides send the same bytes.
var mode = args.Length > 0 ? args[0] : "grpc";
var port = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 50090;
var unixSocket = args.Length > 2 && args[2] != "-" ? args[2] : null;

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.Listen(IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http2);
    if (unixSocket is not null)
    {
        File.Delete(unixSocket);
        kestrel.ListenUnixSocket(unixSocket, listen => listen.Protocols = HttpProtocols.Http2);
    }
});
if (mode == "grpc")
{
    builder.Services.AddGrpcServer().AddGrpcHealthAndReflection();
}

var app = builder.Build();
if (mode == "grpc")
{
    app.UseGrpcServer();
}
else
{
    // The baseline: a length-prefixed HealthCheckResponse{status: SERVING} and a grpc-status trailer, nothing else.
    byte[] reply = args.Length > 3 ? File.ReadAllBytes(args[3]) : [0, 0, 0, 0, 2, 0x08, 0x01];
    app.Run(async context =>
    {
        await context.Request.Body.CopyToAsync(Stream.Null);
        context.Response.ContentType = "application/grpc";
        await context.Response.Body.WriteAsync(reply);
        context.Response.AppendTrailer("grpc-status", "0");
    });
}

Console.WriteLine($"GrpcBenchServer {mode} listening on 127.0.0.1:{port}");
await app.RunAsync();
