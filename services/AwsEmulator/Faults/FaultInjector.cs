using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Nodes;
using AwsEmulator.Seed;

namespace AwsEmulator.Faults;

/// <summary>What the endpoint must do after faults are applied (latency has already been waited out).</summary>
internal enum FaultOutcome
{
    Proceed,
    Throttle,
    ServerError,
    Reset,
}

/// <summary>
/// Decides, per request and operation, whether a seeded or admin-set fault fires. Rules are checked in order;
/// latency rules add up and let the request go on, the first throttle/error/reset rule that fires ends it.
/// </summary>
internal sealed class FaultInjector
{
    private readonly Lock _sync = new();
    private readonly TimeProvider _time;
    private List<FaultRule> _rules;
    private Random _random;

    public FaultInjector(EmulatorModel model, TimeProvider time)
    {
        _time = time;
        _rules = [.. model.Faults.Select(f => new FaultRule(f))];
        _random = CreateRandom(model.FaultRandomSeed);
    }

    /// <summary>Replaces every rule (admin endpoint); a new random seed makes a run replayable.</summary>
    public void Set(IEnumerable<SeedFault> faults, int? randomSeed)
    {
        lock (_sync)
        {
            _rules = [.. faults.Select(f => new FaultRule(f))];
            _random = CreateRandom(randomSeed);
        }
    }

    public JsonArray ToJson()
    {
        lock (_sync)
        {
            return [.. _rules.Select(r => (JsonNode)new JsonObject
            {
                ["operation"] = r.Definition.Operation,
                ["kind"] = r.Definition.Kind.ToString().ToLowerInvariant(),
                ["probability"] = r.Definition.Probability,
                ["count"] = r.Definition.Count,
                ["remaining"] = r.Remaining,
                ["latencyMs"] = r.Definition.LatencyMs,
                ["status"] = r.Definition.Status,
                ["lifetimeSeconds"] = r.Definition.LifetimeSeconds,
            })];
        }
    }

    /// <summary>Applies the rules for <paramref name="operation"/>: waits any latency, then says how to answer.</summary>
    public async Task<(FaultOutcome Outcome, int Status)> ApplyAsync(string operation, CancellationToken cancellationToken)
    {
        var delay = 0;
        var outcome = (FaultOutcome.Proceed, 0);
        lock (_sync)
        {
            foreach (var rule in _rules)
            {
                if (rule.Definition.Kind == FaultKind.ShortLived || !rule.Applies(operation) || !Fires(rule.Definition.Probability))
                {
                    continue;
                }

                if (rule.Remaining is not null)
                {
                    rule.Remaining--;
                }

                if (rule.Definition.Kind == FaultKind.Latency)
                {
                    delay += rule.Definition.LatencyMs;
                    continue;
                }

                outcome = rule.Definition.Kind switch
                {
                    FaultKind.Throttle => (FaultOutcome.Throttle, 400),
                    FaultKind.Error => (FaultOutcome.ServerError, rule.Definition.Status),
                    _ => (FaultOutcome.Reset, 0),
                };
                break;
            }
        }

        if (delay > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(delay), _time, cancellationToken).ConfigureAwait(false);
        }

        return outcome;
    }

    /// <summary>The lifetime a shortLived rule imposes on the session being issued now, or null for the normal one.</summary>
    public int? SessionLifetimeSeconds(string operation)
    {
        lock (_sync)
        {
            foreach (var rule in _rules)
            {
                if (rule.Definition.Kind != FaultKind.ShortLived || !rule.Applies(operation) || !Fires(rule.Definition.Probability))
                {
                    continue;
                }

                if (rule.Remaining is not null)
                {
                    rule.Remaining--;
                }

                return rule.Definition.LifetimeSeconds;
            }
        }

        return null;
    }

    private bool Fires(double probability) => probability >= 1 || (probability > 0 && _random.NextDouble() < probability);

    [SuppressMessage("Security", "CA5394:Do not use insecure randomness", Justification = "Fault dice must be replayable from a seed; nothing secret depends on them.")]
    private static Random CreateRandom(int? seed) => seed is { } s ? new Random(s) : new Random();
}
