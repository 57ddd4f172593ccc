namespace AuthService.Aws.Tests.Support;

/// <summary>
/// A manual clock: time moves only when a test calls <see cref="Advance"/>, and timers created through it fire
/// then (so retry back-off and timeouts are tested without sleeping).
/// </summary>
public sealed class FakeTimeProvider(DateTimeOffset start) : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<FakeTimer> _timers = [];
    private DateTimeOffset _now = start;

    public FakeTimeProvider()
        : this(new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero))
    {
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public void SetUtcNow(DateTimeOffset now)
    {
        lock (_lock)
        {
            _now = now;
        }

        FireDue();
    }

    public void Advance(TimeSpan by) => SetUtcNow(GetUtcNow() + by);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new FakeTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private void FireDue()
    {
        List<FakeTimer> due;
        lock (_lock)
        {
            due = _timers.Where(t => t.DueAt is { } at && at <= _now).ToList();
            foreach (var timer in due)
            {
                timer.DueAt = timer.Period > TimeSpan.Zero ? _now + timer.Period : null;
            }
        }

        foreach (var timer in due)
        {
            timer.Fire();
        }
    }

    private sealed class FakeTimer(FakeTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset? DueAt { get; set; }

        public TimeSpan Period { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._lock)
            {
                Period = period == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : period;
                DueAt = dueTime == Timeout.InfiniteTimeSpan ? null : owner._now + dueTime;
                if (!owner._timers.Contains(this))
                {
                    owner._timers.Add(this);
                }
            }

            if (dueTime == TimeSpan.Zero)
            {
                owner.FireDue();
            }

            return true;
        }

        public void Fire() => callback(state);

        public void Dispose()
        {
            lock (owner._lock)
            {
                owner._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
