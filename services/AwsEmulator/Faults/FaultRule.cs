using AwsEmulator.Seed;

namespace AwsEmulator.Faults;

/// <summary>A fault rule in force, with how many hits it has left.</summary>
internal sealed class FaultRule(SeedFault definition)
{
    public SeedFault Definition { get; } = definition;

    /// <summary>Remaining hits; null for unlimited.</summary>
    public int? Remaining { get; set; } = definition.Count;

    public bool Applies(string operation) =>
        (Definition.Operation == "*" || string.Equals(Definition.Operation, operation, StringComparison.OrdinalIgnoreCase))
        && Remaining is null or > 0;

    /// <summary>Every problem with a rule, worded with the fix.</summary>
    public static IEnumerable<string> Validate(SeedFault fault)
    {
        if (fault.Probability is < 0 or > 1)
        {
            yield return $"probability must be 0..1 (got {fault.Probability})";
        }

        if (fault.Count is < 0)
        {
            yield return $"count must be 0 or more, or absent for unlimited (got {fault.Count})";
        }

        if (fault.Kind == FaultKind.Latency && fault.LatencyMs is <= 0 or > 600_000)
        {
            yield return $"latencyMs must be 1..600000 for kind latency (got {fault.LatencyMs})";
        }

        if (fault.Kind == FaultKind.Error && fault.Status is < 500 or > 599)
        {
            yield return $"status must be a 5xx code for kind error (got {fault.Status})";
        }

        if (fault.Kind == FaultKind.ShortLived && fault.LifetimeSeconds is <= 0 or > 3600)
        {
            yield return $"lifetimeSeconds must be 1..3600 for kind shortLived (got {fault.LifetimeSeconds})";
        }

        if (fault.Kind == FaultKind.ShortLived && fault.Operation is not ("CreateSession" or "*"))
        {
            yield return $"kind shortLived applies to CreateSession only (got operation {fault.Operation})";
        }

        if (string.IsNullOrWhiteSpace(fault.Operation))
        {
            yield return "operation is required (an operation name such as GetSecretValue, or *)";
        }
    }
}
