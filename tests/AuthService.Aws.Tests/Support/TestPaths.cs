namespace AuthService.Aws.Tests.Support;

/// <summary>Locates test data copied next to the test assembly.</summary>
internal static class TestPaths
{
    public static string Vectors(params string[] parts) =>
        Path.Combine([AppContext.BaseDirectory, "Vectors", .. parts]);

    public static string Tool(string name) => Path.Combine(AppContext.BaseDirectory, "Tools", name);

    public static string ProfileData(string name) => Path.Combine(AppContext.BaseDirectory, "Profiles", "Data", name);
}
