using System.Threading.RateLimiting;
using AuthService.Hosting;

namespace AuthService.Access;

/// <summary>
/// A token bucket per caller (<see cref="CallerIdentity.Key"/>): one runaway connector cannot starve the others.
/// Off when <see cref="LimitsOptions.CallerRequestsPerSecond"/> is 0.
/// </summary>
public sealed class CallerRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string>? _limiter;

    public CallerRateLimiter(ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var limits = options.Limits;
        if (limits.CallerRequestsPerSecond <= 0)
        {
            return;
        }

        // Refilled ten times a second, so a caller at its rate never sees a whole second of refusals.
        var perTenth = Math.Max(1, limits.CallerRequestsPerSecond / 10);
        var burst = limits.CallerBurst > 0 ? limits.CallerBurst : limits.CallerRequestsPerSecond * 2;
        _limiter = PartitionedRateLimiter.Create<string, string>(caller => RateLimitPartition.GetTokenBucketLimiter(caller, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = perTenth,
            ReplenishmentPeriod = TimeSpan.FromMilliseconds(100),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
    }

    /// <summary>True when the caller may make one more call now.</summary>
    public bool TryAcquire(CallerIdentity caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (_limiter is null)
        {
            return true;
        }

        using var lease = _limiter.AttemptAcquire(caller.Key);
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter?.Dispose();
}
