namespace AuthService.Aws.Tests;

public class SmokeTests
{
    [Fact]
    public void Assembly_Loads_HasName()
    {
        Assert.Equal("AuthService.Aws", typeof(SmokeTests).Assembly.GetName().Name!.Replace(".Tests", "", StringComparison.Ordinal));
    }
}
