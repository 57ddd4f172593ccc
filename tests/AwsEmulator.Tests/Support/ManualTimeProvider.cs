namespace AwsEmulator.Tests.Support;

/// <summary>A clock tests set and move by hand (Microsoft.Extensions.TimeProvider.Testing does not restore here).</summary>
public sealed class ManualTimeProvider(DateTimeOffset now) : TimeProvider
{
    private DateTimeOffset _now = now;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;

    public void Set(DateTimeOffset value) => _now = value;
}
