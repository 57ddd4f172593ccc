using AuthService.Grpc;

namespace AuthService.Tests.Faults;

/// <summary>Fault tests serialised with each other: they time expiry in seconds and share two CPU cores.</summary>
[CollectionDefinition(Name)]
public sealed class SerialFaults
{
    public const string Name = "Faults (serial)";
}

/// <summary>Skips, saying why, when the token fault tests cannot run (see <see cref="TokenFaultService.SkipReason"/>).</summary>
public sealed class TokenFaultFactAttribute : FactAttribute
{
    public TokenFaultFactAttribute()
    {
        if (TokenFaultService.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>
/// The token and the credentials file changing under a running service that signs with a SoftHSM2 key: token
/// files unreadable, the PIN changed, the credentials file broken or too open. Each test restores what it broke.
/// Roles Anywhere sessions last 4 s here, so every few seconds the service signs again with the token.
/// </summary>
[Collection(SerialFaults.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class TokenFaultTests : IClassFixture<TokenFaultService>
{
    private readonly TokenFaultService _service;

    public TokenFaultTests(TokenFaultService service) => _service = service;

    private static void AssertNoPin(string text)
    {
        Assert.DoesNotContain(TokenFaultService.Pin, text, StringComparison.Ordinal);
        Assert.DoesNotContain(TokenFaultService.NewPin, text, StringComparison.Ordinal);
    }

    [TokenFaultFact]
    public async Task GetSecret_TokenFilesUnreadable_ClearFailedPreconditionThenRecoversWhenRestored()
    {
        await _service.RecoveredAsync("token", "demo/database");
        var modes = _service.TokenFiles.ToDictionary(f => f, File.GetUnixFileMode);
        (List<Api.V1.GetSecretResponse> Served, GrpcException Failure) outcome;
        try
        {
            foreach (var file in modes.Keys)
            {
                File.SetUnixFileMode(file, UnixFileMode.None);
            }

            outcome = await _service.UntilFailureAsync("token", "demo/database");
        }
        finally
        {
            foreach (var (file, mode) in modes)
            {
                File.SetUnixFileMode(file, mode);
            }
        }

        var recovered = await _service.RecoveredAsync("token", "demo/database");

        Assert.Equal(StatusCode.FailedPrecondition, outcome.Failure.StatusCode);
        Assert.Contains("token", outcome.Failure.Message, StringComparison.Ordinal);
        // SoftHSM shows an unreadable token directory as no token at all; the message points at the permissions.
        Assert.True(outcome.Failure.Message.Contains("can read and write the files of the token directory", StringComparison.Ordinal), outcome.Failure.Message);
        AssertNoPin(outcome.Failure.Message);
        Assert.Equal("demo/database", recovered.Name);
    }

    [TokenFaultFact]
    public async Task GetSecret_PinChangedThenProfileUpdated_NewPinSignsWithoutRestartAndTheOldOneIsRefusedNamingThePin()
    {
        await _service.RecoveredAsync("token", "demo/api-token");
        Api.V1.GetSecretResponse recovered;
        int signedWithNewPin;
        GrpcException failure;
        await _service.ChangePinAsync(TokenFaultService.Pin, TokenFaultService.NewPin);
        try
        {
            // The operator changes the PIN, then updates both URIs of the profile; the service re-reads the file.
            await _service.WriteProfileAsync(TokenFaultService.NewPin);
            await WaitForLogAsync("\"EventId\":2010");
            var before = await _service.EmulatorCountAsync("CreateSession");
            await Task.Delay(TimeSpan.FromSeconds(TokenFaultService.SessionLifetimeSeconds + 1));
            recovered = await _service.RecoveredAsync("token", "demo/api-token");
            signedWithNewPin = await _service.EmulatorCountAsync("CreateSession") - before;

            // A profile still holding the old PIN is refused, with the fix named and no PIN shown.
            await _service.WriteProfileAsync(TokenFaultService.Pin, "# old pin");
            failure = (await _service.UntilFailureAsync("token", "demo/api-token")).Failure;
        }
        finally
        {
            await _service.ChangePinAsync(TokenFaultService.NewPin, TokenFaultService.Pin);
            await _service.WriteProfileAsync(TokenFaultService.Pin);
        }

        Assert.Equal("token-v2", recovered.SecretString);
        Assert.True(signedWithNewPin > 0, "no CreateSession was signed with the new PIN");
        Assert.Equal(StatusCode.FailedPrecondition, failure.StatusCode);
        Assert.True(failure.Message.Contains("CKR_PIN_INCORRECT", StringComparison.Ordinal) && failure.Message.Contains("pin-value", StringComparison.Ordinal), failure.Message);
        AssertNoPin(failure.Message);
        AssertNoPin(_service.Logs);
        await _service.RecoveredAsync("token", "demo/api-token");
    }

    [TokenFaultFact]
    public async Task CredentialsFile_GarbageThenFixed_RejectionLoggedLastGoodProfileKeepsSigningThenReloaded()
    {
        await _service.RecoveredAsync("token", "demo/keystore");
        var original = await File.ReadAllTextAsync(_service.CredentialsFile);
        var signedBefore = await _service.EmulatorCountAsync("CreateSession");
        Api.V1.GetSecretResponse duringGarbage;
        int signedDuringGarbage;
        try
        {
            // Garbage that carries the PIN, as a half-pasted profile would: the rejection must not echo it.
            await File.WriteAllTextAsync(_service.CredentialsFile, $"[iam_roles_anywhere_profile\npin-value={TokenFaultService.Pin}\n\u0000\u00ff garbage\n");
            await WaitForLogAsync("\"EventId\":2011");

            // Sessions last 4 s: waiting past one makes the service sign again, with the last good profile.
            await Task.Delay(TimeSpan.FromSeconds(TokenFaultService.SessionLifetimeSeconds + 1));
            duringGarbage = await _service.RecoveredAsync("token", "demo/keystore");
            signedDuringGarbage = await _service.EmulatorCountAsync("CreateSession") - signedBefore;
        }
        finally
        {
            await File.WriteAllTextAsync(_service.CredentialsFile, original + "\n# fixed\n");
        }

        await WaitForLogAsync("\"EventId\":2010");
        var afterFix = await _service.RecoveredAsync("token", "demo/keystore");

        Assert.False(duringGarbage.Cache.Stale);
        Assert.True(signedDuringGarbage > 0, "no CreateSession was signed while the file was broken");
        Assert.Contains("last good profiles stay in force", _service.Logs, StringComparison.Ordinal);
        AssertNoPin(_service.Logs);
        Assert.Equal(duringGarbage.SecretBinary, afterFix.SecretBinary);
    }

    [TokenFaultFact]
    public async Task CredentialsFile_WorldReadableThenGroupWritable_WarningEachLoadWithModeNotContent()
    {
        // The fixture wrote the file with the default umask: 0644.
        var atStart = LooseWarnings().Count;
        var original = await File.ReadAllTextAsync(_service.CredentialsFile);
        try
        {
            File.SetUnixFileMode(_service.CredentialsFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
            await File.WriteAllTextAsync(_service.CredentialsFile, original + "\n# group-writable\n");
            await WaitForLogAsync("has mode 660", LooseWarnings);
        }
        finally
        {
            File.SetUnixFileMode(_service.CredentialsFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            await File.WriteAllTextAsync(_service.CredentialsFile, original);
        }

        Assert.True(atStart >= 1, "no warning at start for a 0644 credentials file");
        Assert.Contains(LooseWarnings(), w => w.Contains("has mode 644", StringComparison.Ordinal));
        Assert.All(LooseWarnings(), w => Assert.Contains(_service.CredentialsFile, w, StringComparison.Ordinal));
        Assert.All(LooseWarnings(), w => Assert.Contains("chmod 600", w, StringComparison.Ordinal));
        AssertNoPin(string.Join("\n", LooseWarnings()));
    }

    [TokenFaultFact]
    public async Task ServiceProcessTree_WhileSigningWithTheToken_PinInNoArgvOrEnvironment()
    {
        var signedBefore = await _service.EmulatorCountAsync("CreateSession");
        var seen = new HashSet<int>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(TokenFaultService.SessionLifetimeSeconds * 2 + 1);
        while (DateTime.UtcNow < deadline)
        {
            // Reads keep the secret in use, so credentials are re-signed as each 4 s session runs out.
            var read = _service.GetAsync("token", "demo/database");
            foreach (var pid in ProcessTree(_service.Service.Id))
            {
                seen.Add(pid);
                foreach (var part in new[] { "cmdline", "environ" })
                {
                    string text;
                    try
                    {
                        text = (await File.ReadAllTextAsync($"/proc/{pid}/{part}")).Replace('\0', ' ');
                    }
                    catch (IOException)
                    {
                        continue;   // the process ended between the listing and the read
                    }

                    Assert.False(text.Contains(TokenFaultService.Pin, StringComparison.Ordinal), $"the PIN is in /proc/{pid}/{part}");
                    Assert.DoesNotContain("pin-value", text, StringComparison.Ordinal);
                }
            }

            await read;
            await Task.Delay(50);
        }

        Assert.True(await _service.EmulatorCountAsync("CreateSession") - signedBefore >= 1, "nothing was signed while the processes were watched");
        Assert.Contains(_service.Service.Id, seen);
        // The reference procedure's aws_signing_helper line is run in-process: no child ever holds the PIN.
        Assert.Equal([_service.Service.Id], seen);
    }

    /// <summary>A process and its descendants, from /proc/PID/stat's parent field.</summary>
    private static List<int> ProcessTree(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var pid))
            {
                try
                {
                    var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                    parents[pid] = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
                }
                catch (IOException)
                {
                }
            }
        }

        var tree = new List<int> { root };
        for (var i = 0; i < tree.Count; i++)
        {
            tree.AddRange(parents.Where(p => p.Value == tree[i]).Select(p => p.Key));
        }

        return tree;
    }

    private List<string> LooseWarnings() =>
        _service.Logs.Split('\n').Where(l => l.Contains("\"EventId\":2012", StringComparison.Ordinal)).ToList();

    private async Task WaitForLogAsync(string text, Func<List<string>>? lines = null)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (lines is null ? _service.Logs.Contains(text, StringComparison.Ordinal) : lines().Any(l => l.Contains(text, StringComparison.Ordinal)))
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException($"the service did not log '{text}' within 10 s");
    }
}
