// PLACEHOLDER (issue 5 not started): the emulator answers only its own health endpoint until the AWS
// endpoints land. It exists now so the solution has the layout of docs/DESIGN.md.
var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();
app.MapGet("/healthz", () => "ok");
app.Run();
