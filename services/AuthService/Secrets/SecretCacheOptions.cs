namespace AuthService.Secrets;

/// <summary>Cache behaviour for one configuration. Defaults suit connectors that read a few hundred secrets.</summary>
public sealed class SecretCacheOptions
{
    /// <summary>How long a value is fresh. Default 300 s.</summary>
    public TimeSpan Ttl { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary>Fraction of the TTL after which a hit also starts a background refresh. Default 0.8.</summary>
    public double RefreshAheadFraction { get; set; } = 0.8;

    /// <summary>How long past its TTL a value may be served, flagged stale, while the store is throttling or failing. Default 1 h.</summary>
    public TimeSpan MaxStale { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Maximum number of cached values. Default 1000.</summary>
    public int MaxEntries { get; set; } = 1000;

    /// <summary>Maximum total size of cached values, in bytes. Default 64 MiB.</summary>
    public long MaxBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>First period a not-found or denied answer is remembered; doubles on each repeat. Default 5 s.</summary>
    public TimeSpan NegativeTtl { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest period a not-found or denied answer is remembered. Default 5 min.</summary>
    public TimeSpan MaxNegativeTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A force_refresh within this period of the last one is served from the cache. Default 10 s.</summary>
    public TimeSpan ForceRefreshInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Deadline of one fetch from the store (shared by every caller waiting on it). Default 15 s.</summary>
    public TimeSpan FetchTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Every problem with these options, each saying the valid range; empty when valid.</summary>
    public IReadOnlyList<string> Validate(string prefix)
    {
        var errors = new List<string>();
        if (Ttl < TimeSpan.FromSeconds(1) || Ttl > TimeSpan.FromDays(1))
        {
            errors.Add($"{prefix}Ttl {Ttl} is out of range: use 1 second to 1 day.");
        }

        if (RefreshAheadFraction is <= 0 or > 1)
        {
            errors.Add($"{prefix}RefreshAheadFraction {RefreshAheadFraction} is out of range: use a number above 0 and at most 1.");
        }

        if (MaxStale < TimeSpan.Zero || MaxStale > TimeSpan.FromDays(7))
        {
            errors.Add($"{prefix}MaxStale {MaxStale} is out of range: use 0 to 7 days (0 never serves stale values).");
        }

        if (MaxEntries < 1)
        {
            errors.Add($"{prefix}MaxEntries {MaxEntries} must be at least 1.");
        }

        if (MaxBytes < 1024)
        {
            errors.Add($"{prefix}MaxBytes {MaxBytes} must be at least 1024.");
        }

        if (NegativeTtl < TimeSpan.Zero || MaxNegativeTtl < NegativeTtl)
        {
            errors.Add($"{prefix}NegativeTtl must be at least 0 and no more than MaxNegativeTtl.");
        }

        if (FetchTimeout < TimeSpan.FromMilliseconds(100))
        {
            errors.Add($"{prefix}FetchTimeout {FetchTimeout} must be at least 100 ms.");
        }

        return errors;
    }
}
