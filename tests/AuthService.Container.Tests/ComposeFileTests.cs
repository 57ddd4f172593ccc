using Xunit.Abstractions;

namespace AuthService.Container.Tests;

/// <summary>
/// The compose files as both Compose generations read them: v1 is Debian's docker-compose 1.29 itself; v2 is
/// `docker compose` where installed, and everywhere compose-go's own schema applied the way compose-go applies it.
/// </summary>
[Collection(DockerTests.Name)]
public sealed class ComposeFileTests(ITestOutputHelper output)
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

    [ComposeSpecSchemaFact]
    public async Task ComposeSpecSchema_EveryFileCombination_ValidAsComposeV2ReadsIt()
    {
        foreach (var files in Combinations)
        {
            var result = await ValidateAsComposeV2Async(files.Split(':'));

            output.WriteLine($"COMPOSE_FILE={files}\n{result.All.TrimEnd()}");
            Assert.True(result.ExitCode == 0, $"compose-go's schema rejects {files}:\n{result.All}");
        }
    }

    [ComposeSpecSchemaFact]
    public Task ComposeSpecSchema_MisspelledServiceKey_RejectedNamingItsPath() =>
        // The production file with one typo: the validator must reject it, and say where and by which rule.
        AssertProductionFileRejectedWithAsync(
            "container_name:",
            "contianer_name:",
            "invalid: <stdin>: $.services.auth: 'contianer_name' does not match any of the regexes",
            "schema rule #/$defs/service/additionalProperties");

    [ComposeSpecSchemaFact]
    public Task ComposeSpecSchema_ReadOnlyNotBoolean_RejectedNamingItsPath() =>
        // The schema itself admits any string for read_only (it may hold a variable); Compose v2 refuses the file
        // when the interpolated string is no boolean. The validator must do that step too.
        AssertProductionFileRejectedWithAsync(
            "read_only: true",
            "read_only: \"yes please\"",
            "invalid: <stdin>: $.services.auth.read_only: failed to cast to expected type: invalid boolean: yes please");

    [ComposeV2Fact]
    public async Task ComposeV2Config_EveryFileCombination_Valid()
    {
        foreach (var files in Combinations)
        {
            var result = await Shell.RunAsync("docker", ["compose", "config", "-q"], environment: new Dictionary<string, string>(NoOverrides) { ["COMPOSE_FILE"] = files });

            Assert.True(result.ExitCode == 0, $"docker compose config rejects {files}: {result.All}");
        }
    }

    /// <summary>docker-compose.yml with one edit, fed to the validator: it must exit 1 and print each expected text.</summary>
    private async Task AssertProductionFileRejectedWithAsync(string original, string replacement, params string[] expected)
    {
        var text = await File.ReadAllTextAsync(Path.Combine(Shell.RepoRoot, "docker-compose.yml"));
        Assert.Contains(original, text, StringComparison.Ordinal);

        var result = await ValidateAsComposeV2Async(["-"], text.Replace(original, replacement, StringComparison.Ordinal));

        output.WriteLine(result.All.TrimEnd());
        Assert.Equal(1, result.ExitCode);
        foreach (var line in expected)
        {
            Assert.Contains(line, result.Output, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// compose-spec/validate.py: loads, interpolates (with <see cref="NoOverrides"/> and nothing else set), merges
    /// and validates the files in order against compose-go's compose-spec.json, as Compose v2 does. "-" is stdin.
    /// </summary>
    private static Task<CommandResult> ValidateAsComposeV2Async(IEnumerable<string> files, string? stdin = null)
    {
        List<string> arguments = [Path.Combine(ComposeSpecSchemaFactAttribute.Folder, "validate.py"), "--schema", Path.Combine(ComposeSpecSchemaFactAttribute.Folder, "compose-spec.json")];
        foreach (var (name, value) in NoOverrides)
        {
            arguments.AddRange(["--env", $"{name}={value}"]);
        }

        arguments.AddRange(files);
        return Shell.RunAsync(ComposeSpecSchemaFactAttribute.Python, arguments, stdin, timeout: TimeSpan.FromMinutes(1));
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
            Skip = "Docker Compose v2 (`docker compose`) is not installed, and Debian 12 packages no docker-compose-plugin/-v2: "
                + "ComposeSpecSchema_EveryFileCombination_ValidAsComposeV2ReadsIt checks the files against compose-go's schema instead, loaded as v2 loads them";
        }
    }
}

/// <summary>
/// Skips, saying why, where Debian's python3-yaml and python3-jsonschema are missing. They are docker-compose v1's
/// own dependencies (and scripts/docker-setup installs them by name), so wherever v1 is checked this runs too. No
/// Docker engine is needed.
/// </summary>
public sealed class ComposeSpecSchemaFactAttribute : FactAttribute
{
    /// <summary>Debian's interpreter: a pyenv python3 earlier on PATH need not see Debian's modules.</summary>
    public const string Python = "/usr/bin/python3";

    /// <summary>compose-go's schema with its SOURCE.md and licence, and the validator script.</summary>
    public static string Folder { get; } = Path.Combine(Shell.RepoRoot, "tests", "AuthService.Container.Tests", "compose-spec");

    private static readonly Lazy<string?> Unavailable = new(() =>
    {
        try
        {
            // The draft compose-go's schema names (2020-12) needs python3-jsonschema 4.0 or later: Debian 12 has 4.10.
            var probe = Shell.RunAsync(Python, ["-c", "import yaml, jsonschema; jsonschema.Draft202012Validator"], timeout: TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
            return probe.ExitCode == 0 ? null : $"{Python} cannot import yaml and jsonschema.Draft202012Validator ({probe.Errors.Trim()}): run scripts/docker-setup, which installs python3-yaml and python3-jsonschema";
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            return $"{Python} is not installed ({exception.Message}): run scripts/docker-setup";
        }
    });

    public ComposeSpecSchemaFactAttribute()
    {
        if (Unavailable.Value is { } reason)
        {
            Skip = reason;
        }
    }
}
