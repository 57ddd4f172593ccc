namespace AuthService.Container.Tests;

/// <summary>The compose files as both Compose generations read them (v1: Debian's docker-compose 1.29).</summary>
[Collection(DockerTests.Name)]
public sealed class ComposeFileTests
{
    public static TheoryData<string> Combinations => new()
    {
        "docker-compose.yml",
        "docker-compose.yml:compose/demo.yml",
        "docker-compose.yml:compose/test.yml",
        "docker-compose.yml:compose/demo.yml:compose/test.yml",
    };

    private static readonly Dictionary<string, string> NoOverrides = new()
    {
        // The defaults as an operator gets them, whatever the test runner's environment holds.
        ["AUTH_HOST_DIR"] = "/etc/hydra/auth",
        ["AUTH_IMAGE"] = Images.Service,
    };

    [DockerFact]
    public async Task ComposeV1Config_EveryFileCombination_Valid()
    {
        foreach (var files in Combinations)
        {
            var result = await Shell.RunAsync("docker-compose", ["config", "-q"], environment: new Dictionary<string, string>(NoOverrides) { ["COMPOSE_FILE"] = files });

            Assert.True(result.ExitCode == 0, $"docker-compose config rejects {files}: {result.All}");
        }
    }

    [DockerFact]
    public async Task ComposeV1Config_ProductionFile_HardenedNoHostPortSocketVolume()
    {
        var config = (await Shell.RunCheckedAsync("docker-compose", ["config"], environment: new Dictionary<string, string>(NoOverrides) { ["COMPOSE_FILE"] = "docker-compose.yml" })).Output;

        Assert.Contains("container_name: auth\n", config, StringComparison.Ordinal);
        Assert.Contains("read_only: true", config, StringComparison.Ordinal);
        Assert.Contains("- no-new-privileges:true", config, StringComparison.Ordinal);
        Assert.Contains("cap_drop:\n    - ALL", config, StringComparison.Ordinal);
        Assert.Contains("restart: unless-stopped", config, StringComparison.Ordinal);
        Assert.Contains("/etc/hydra/auth:/opt/alation/site/config/authserver", config, StringComparison.Ordinal);
        Assert.Contains("auth-socket:/run/authservice", config, StringComparison.Ordinal);
        Assert.Contains("internal: true", config, StringComparison.Ordinal);
        Assert.DoesNotContain("ports:", config, StringComparison.Ordinal);
    }

    [ComposeV2Fact]
    public async Task ComposeV2Config_EveryFileCombination_Valid()
    {
        foreach (var files in Combinations)
        {
            var result = await Shell.RunAsync("docker", ["compose", "config", "-q"], environment: new Dictionary<string, string>(NoOverrides) { ["COMPOSE_FILE"] = files });

            Assert.True(result.ExitCode == 0, $"docker compose config rejects {files}: {result.All}");
        }
    }
}

/// <summary>Skips, saying why, where Compose v2 (`docker compose`) is not installed: Debian 12 does not package it.</summary>
public sealed class ComposeV2FactAttribute : FactAttribute
{
    public ComposeV2FactAttribute()
    {
        var version = Shell.RunAsync("docker", ["compose", "version"], timeout: TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
        if (version.ExitCode != 0)
        {
            Skip = "Docker Compose v2 (`docker compose`) is not installed, and Debian 12 packages no docker-compose-plugin/-v2: the files are checked with docker-compose v1 only";
        }
    }
}
