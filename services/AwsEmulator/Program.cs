using AwsEmulator.Hosting;

// Local Roles Anywhere, STS, Secrets Manager and IMDSv2 endpoints that verify every signature (docs/aws-emulator.md).
var builder = WebApplication.CreateBuilder(args);
var (model, options) = EmulatorStartup.FromConfiguration(builder.Configuration, TimeProvider.System);
builder.AddAwsEmulator(model, options, TimeProvider.System);
var app = builder.Build();
app.MapAwsEmulator();
await app.RunAsync().ConfigureAwait(false);
