using System.Text.Json;
using System.Text.Json.Nodes;
using AwsEmulator.Faults;
using AwsEmulator.Hosting;
using AwsEmulator.Seed;

namespace AwsEmulator.Admin;

/// <summary>
/// /admin: request counters and fault rules at runtime. Unauthenticated on purpose: the emulator is a local test
/// peer; bind it to loopback (the default) when that matters.
/// </summary>
internal sealed class AdminEndpoints(RequestCounters counters, FaultInjector faults, ILogger<AdminEndpoints> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    public IResult Counters() => Results.Text(counters.ToJson().ToJsonString(), "application/json");

    public IResult ResetCounters()
    {
        counters.Reset();
        return Results.NoContent();
    }

    public IResult Faults() => Results.Text(new JsonObject { ["faults"] = faults.ToJson() }.ToJsonString(), "application/json");

    /// <summary>PUT /admin/faults {"faults":[...], "randomSeed": 7}: replaces every rule; 400 lists every problem.</summary>
    public async Task<IResult> SetFaultsAsync(HttpContext context)
    {
        FaultsUpdate? update;
        try
        {
            update = await JsonSerializer.DeserializeAsync<FaultsUpdate>(context.Request.Body, Json, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            return Results.BadRequest(new { errors = new[] { ex.Message } });
        }

        var rules = update?.Faults ?? [];
        var errors = rules.SelectMany((f, i) => FaultRule.Validate(f).Select(e => $"faults[{i}]: {e}")).ToList();
        if (errors.Count > 0)
        {
            return Results.BadRequest(new { errors });
        }

        faults.Set(rules, update?.RandomSeed);
        Log.FaultsReplaced(logger, rules.Count);
        return Faults();
    }

    public IResult ClearFaults()
    {
        faults.Set([], null);
        Log.FaultsReplaced(logger, 0);
        return Results.NoContent();
    }

    /// <summary>The body of PUT /admin/faults.</summary>
    internal sealed class FaultsUpdate
    {
        public List<SeedFault> Faults { get; set; } = [];

        public int? RandomSeed { get; set; }
    }
}

/// <summary>Route table of /admin.</summary>
internal static class AdminRoutes
{
    public static void MapAdmin(this WebApplication app)
    {
        var admin = app.Services.GetRequiredService<AdminEndpoints>();
        app.MapGet("/admin/counters", admin.Counters);
        app.MapPost("/admin/counters/reset", admin.ResetCounters);
        app.MapGet("/admin/faults", admin.Faults);
        app.MapPut("/admin/faults", (Delegate)admin.SetFaultsAsync);
        app.MapDelete("/admin/faults", admin.ClearFaults);
    }
}
