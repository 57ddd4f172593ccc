namespace AuthService.Container.Tests;

/// <summary>
/// The images, built once per test run by the project's own script (scripts/docker-build, which reuses the layer
/// cache: seconds when scripts/test already built them): the service, the AwsEmulator and the Python connector.
/// </summary>
public sealed class Images : IAsyncLifetime
{
    public const string Service = "authservice:latest";

    /// <summary>The version label of <see cref="Service"/>.</summary>
    public string Version { get; private set; } = "";

    public async Task InitializeAsync()
    {
        if (await Shell.RunAsync("docker", ["info", "--format", "{{.ServerVersion}}"]) is not { ExitCode: 0 })
        {
            return;   // every test skips (DockerFact); nothing to build
        }

        await Shell.RunCheckedAsync(Path.Combine(Shell.RepoRoot, "scripts", "docker-build"), ["--emulator", "--connector"], timeout: TimeSpan.FromMinutes(15));
        Version = (await Shell.DockerCheckedAsync("image", "inspect", Service, "--format", "{{index .Config.Labels \"org.opencontainers.image.version\"}}")).Output.Trim();
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

/// <summary>One engine, one set of images, and tests that run one after another (the machine has two cores).</summary>
[CollectionDefinition(Name)]
public sealed class DockerTests : ICollectionFixture<Images>
{
    public const string Name = "docker";
}
