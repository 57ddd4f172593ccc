namespace AuthService.Tests.OperatorCli;

/// <summary>The prompts of `docker exec -it`: PINs typed on a real pseudo-terminal with echo off.</summary>
[Collection(OperatorTestGroup.Name)]
public sealed class TerminalPromptTests : IDisposable
{
    private readonly OperatorHarness _h = new();

    public void Dispose() => _h.Dispose();

    [SoftHsmFact]
    public async Task Init_OnATerminal_PromptsTwiceForEachPinWithEchoOffAndTheUserPinWorks()
    {
        Assert.True(Terminal.Available, "util-linux 'script' is missing");

        var init = await Terminal.RunAsync(_h,
            [("Security Officer PIN: ", OperatorHarness.SoPin), ("Repeat to confirm: ", OperatorHarness.SoPin), ("User PIN: ", OperatorHarness.Pin), ("Repeat to confirm: ", OperatorHarness.Pin)],
            "token", "init", "--label", "roles-anywhere");
        var login = _h.Tool("pkcs11-tool", null, "--module", OperatorHarness.Module, "--token-label", "roles-anywhere", "--login", "--pin", OperatorHarness.Pin, "--list-objects");

        init.AssertExit(0);
        Assert.Contains("Initialized token 'roles-anywhere'", init.Output, StringComparison.Ordinal);
        // Everything the terminal showed: had echo been on, the typed PINs would be on the screen.
        Assert.DoesNotContain(OperatorHarness.Pin, init.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(OperatorHarness.SoPin, init.Output, StringComparison.Ordinal);
        Assert.Equal(0, login.Exit);
    }

    [SoftHsmFact]
    public async Task Init_OnATerminal_ConfirmationDiffers_Exit2AndNoToken()
    {
        var init = await Terminal.RunAsync(_h,
            [("Security Officer PIN: ", OperatorHarness.SoPin), ("Repeat to confirm: ", "something-else")],
            "token", "init", "--label", "roles-anywhere");
        var list = await _h.RunAsync("token", "list");

        init.AssertExit(2);
        Assert.Contains("differ", init.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("roles-anywhere", list.Output, StringComparison.Ordinal);
    }

    [SoftHsmFact]
    public async Task Delete_OnATerminal_AnsweringNo_KeepsTheObjects()
    {
        await _h.ProvisionAsync();

        var delete = await Terminal.RunAsync(_h, [("[y/N] ", "n")], "token", "delete", "--token", "roles-anywhere", "--id", "01", "--pin-file", _h.PinFile);
        var sign = await _h.RunAsync("token", "test-sign", "--token", "roles-anywhere", "--id", "01", "--pin-file", _h.PinFile);

        delete.AssertExit(1);
        Assert.Contains("Nothing deleted", delete.Output, StringComparison.Ordinal);
        sign.AssertExit(0);
    }
}
