namespace AuthService.Container.Tests;

/// <summary>
/// The demo walk-through of docs/operations.md ("Install"), run exactly as written from the repository root: the
/// production names (container `auth`, network `authservice-connectors`), the repository's .demo/ folders, the
/// operator CLI fed by pipes, and the Python connector's answer.
/// </summary>
[Collection(DockerTests.Name)]
public sealed class ComposeDemoTests : IAsyncLifetime
{
    private static readonly string[] DemoFolders = ["compose-auth", "compose-emulator"];

    private static readonly Dictionary<string, string> DemoEnvironment = new()
    {
        // compose/demo.yml's own defaults, whatever the test runner's environment holds.
        ["COMPOSE_FILE"] = "docker-compose.yml:compose/demo.yml",
        ["COMPOSE_PROJECT_NAME"] = "authservice-demo-test",
        ["AUTH_HOST_DIR"] = Path.Combine(Shell.RepoRoot, ".demo", "compose-auth"),
    };

    public Task InitializeAsync() => Task.CompletedTask;

    [DemoFact]
    public async Task DemoWalkthrough_AsWritten_ConnectorPrintsTheDemoSecretThenDownStopsEverything()
    {
        var block = OperationsDoc.Block("demo");
        var script = block.Replace("sudo ", "", StringComparison.Ordinal);

        var run = await Shell.BashAsync(script, new Dictionary<string, string> { ["COMPOSE_PROJECT_NAME"] = "authservice-demo-test" }, timeout: TimeSpan.FromMinutes(10));
        var left = await Shell.DockerAsync("ps", "-a", "--filter", "name=^auth$", "--format", "{{.Names}}");
        var token = Path.Combine(Shell.RepoRoot, ".demo", "compose-auth", "softhsm", "tokens");

        // The connector's JSON line: the secret's field, through the socket, from the emulator via Roles Anywhere.
        Assert.Matches("\\{\"value\": \"demo\"", run.Output);
        Assert.Contains("Initialized token 'roles-anywhere'", run.Output, StringComparison.Ordinal);
        Assert.Contains("Created the SoftHSM token directory", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("FAIL", run.Output, StringComparison.Ordinal);
        Assert.Equal("", left.Output.Trim());   // `docker-compose down` removed the container
        Assert.Single(Directory.GetFiles(token, "token.object", SearchOption.AllDirectories));   // the token stays on the mount
        Assert.DoesNotContain("demo-pin", run.All, StringComparison.Ordinal);
        Assert.DoesNotContain("demo-so-pin", run.All, StringComparison.Ordinal);
    }

    public async Task DisposeAsync()
    {
        if (DemoFactAttribute.Reason is not null)
        {
            return;   // skipped: nothing of ours to remove, and what is there belongs to someone's own demo
        }

        await Shell.RunAsync("docker-compose", ["down", "-v", "--remove-orphans", "-t", "5"], environment: DemoEnvironment, timeout: TimeSpan.FromMinutes(2));
        foreach (var folder in DemoFolders)
        {
            var path = Path.Combine(Shell.RepoRoot, ".demo", folder);
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
    }

    /// <summary>
    /// Skips, saying why, without an engine, or where the demo already lives on this machine (a container named
    /// `auth`, or the .demo folders): the walk-through uses the production names, and the test must not take over
    /// or delete someone's installation or demo.
    /// </summary>
    public sealed class DemoFactAttribute : FactAttribute
    {
        public static readonly string? Reason = FindReason();

        public DemoFactAttribute() => Skip = Reason;

        private static string? FindReason()
        {
            if (new DockerFactAttribute().Skip is { } noEngine)
            {
                return noEngine;
            }

            var existing = Shell.RunAsync("docker", ["ps", "-a", "--filter", "name=^auth$", "--format", "{{.Names}}"]).GetAwaiter().GetResult();
            if (existing.Output.Trim().Length > 0)
            {
                return "a container named `auth` exists on this engine (an installation or a demo): the walk-through would replace it";
            }

            return DemoFolders.Select(folder => Path.Combine(Shell.RepoRoot, ".demo", folder)).FirstOrDefault(Directory.Exists) is { } folder
                ? $"{folder} exists (someone's demo): the walk-through would reuse it and the test would delete it"
                : null;
        }
    }
}
