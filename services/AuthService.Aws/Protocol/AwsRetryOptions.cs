namespace AuthService.Aws.Protocol;

/// <summary>The AWS "standard" retry mode settings, with the SDK defaults.</summary>
public sealed record AwsRetryOptions
{
    /// <summary>The defaults: 3 attempts, back-off base 1 s capped at 20 s, 10 s per attempt, 30 s in total.</summary>
    public static AwsRetryOptions Standard { get; } = new();

    /// <summary>Attempts in total, the first included (standard mode: 3). Range 1..10.</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>The back-off base: attempt n waits random(0..1) x min(base x 2^(n-1), <see cref="MaxBackoff"/>) ("full jitter").</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The back-off cap (standard mode: 20 s).</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>How long one attempt (send, and read the whole response) may take before it counts as a transient failure.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the call may take over all attempts and back-off.</summary>
    public TimeSpan TotalTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The retry quota (standard mode token bucket: 500; a retry costs 5, a retry after a timeout 10).</summary>
    public int RetryQuota { get; init; } = 500;

    /// <summary>Throws when a setting is out of range, naming the setting and its valid range.</summary>
    public void Validate()
    {
        if (MaxAttempts is < 1 or > 10)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxAttempts), MaxAttempts, "MaxAttempts must be 1..10 (AWS standard mode uses 3).");
        }

        if (AttemptTimeout <= TimeSpan.Zero || TotalTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(AttemptTimeout), "AttemptTimeout and TotalTimeout must be positive.");
        }

        if (BaseDelay < TimeSpan.Zero || MaxBackoff < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(BaseDelay), "BaseDelay and MaxBackoff must not be negative.");
        }
    }
}
