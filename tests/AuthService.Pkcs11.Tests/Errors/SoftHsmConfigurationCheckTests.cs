using AuthService.Pkcs11.Errors;

namespace AuthService.Pkcs11.Tests.Errors;

public sealed class SoftHsmConfigurationCheckTests : IDisposable
{
    private const string SoftHsm = "/usr/lib/softhsm/libsofthsm2.so";
    private readonly string _directory = Directory.CreateTempSubdirectory("softhsm-check-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private Func<string, string?> ConfPointingAt(string tokenDirectory)
    {
        var conf = Path.Combine(_directory, "softhsm2.conf");
        File.WriteAllText(conf, $"# comment\ndirectories.tokendir = {tokenDirectory}\nobjectstore.backend = file\n");
        return name => name == "SOFTHSM2_CONF" ? conf : null;
    }

    [Fact]
    public void Explain_TokenDirectoryMissing_NamesTheDirectoryTheConfAndTheFix()
    {
        var missing = Path.Combine(_directory, "tokens");

        var reason = SoftHsmConfigurationCheck.Explain(SoftHsm, ConfPointingAt(missing));

        Assert.NotNull(reason);
        Assert.Contains($"token directory {missing}", reason, StringComparison.Ordinal);
        Assert.Contains("softhsm2.conf", reason, StringComparison.Ordinal);
        Assert.Contains($"mkdir -p {missing}", reason, StringComparison.Ordinal);
        Assert.Contains("softhsm2-util --show-slots", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_ConfigurationFileMissing_NamesIt()
    {
        var conf = Path.Combine(_directory, "absent.conf");

        var reason = SoftHsmConfigurationCheck.Explain(SoftHsm, name => name == "SOFTHSM2_CONF" ? conf : null);

        Assert.Contains($"{conf} does not exist", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_NoTokenDirLine_SaysWhatToAdd()
    {
        var conf = Path.Combine(_directory, "softhsm2.conf");
        File.WriteAllText(conf, "log.level = ERROR\n");

        var reason = SoftHsmConfigurationCheck.Explain(SoftHsm, name => name == "SOFTHSM2_CONF" ? conf : null);

        Assert.Contains("directories.tokendir", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_DirectoryPresent_NoSpecialReason()
    {
        var tokens = Directory.CreateDirectory(Path.Combine(_directory, "tokens")).FullName;

        Assert.Null(SoftHsmConfigurationCheck.Explain(SoftHsm, ConfPointingAt(tokens)));
    }

    [Fact]
    public void Explain_OtherModule_NotSoftHsmSoNoGuess()
    {
        Assert.Null(SoftHsmConfigurationCheck.Explain("/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so", ConfPointingAt("/nonexistent")));
    }
}
