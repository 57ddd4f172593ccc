namespace AuthService.Pkcs11.Tests.Support;

/// <summary>A test that needs SoftHSM2; skipped, with the reason printed, when it is not installed.</summary>
public sealed class SoftHsmFactAttribute : FactAttribute
{
    public SoftHsmFactAttribute()
    {
        if (!File.Exists(SoftHsm.ModulePath))
        {
            Skip = $"SoftHSM2 not installed ({SoftHsm.ModulePath}): run scripts/install-test-deps";
        }
    }
}

/// <summary>A theory that needs SoftHSM2 (and, for proxy cases, p11-kit); skipped with a reason otherwise.</summary>
public sealed class SoftHsmTheoryAttribute : TheoryAttribute
{
    public SoftHsmTheoryAttribute()
    {
        if (!File.Exists(SoftHsm.ModulePath))
        {
            Skip = $"SoftHSM2 not installed ({SoftHsm.ModulePath}): run scripts/install-test-deps";
        }
        else if (!File.Exists(SoftHsm.ProxyPath))
        {
            Skip = $"p11-kit not installed ({SoftHsm.ProxyPath}): run scripts/install-test-deps";
        }
    }
}

/// <summary>A test that needs SoftHSM2 and the command-line tools (softhsm2-util, pkcs11-tool, openssl).</summary>
public sealed class ToolsFactAttribute : FactAttribute
{
    public ToolsFactAttribute()
    {
        if (!File.Exists(SoftHsm.ModulePath))
        {
            Skip = $"SoftHSM2 not installed ({SoftHsm.ModulePath}): run scripts/install-test-deps";
        }
        else if (!Tool.Exists("softhsm2-util") || !Tool.Exists("pkcs11-tool") || !Tool.Exists("openssl"))
        {
            Skip = "softhsm2-util, pkcs11-tool (opensc) or openssl not on PATH: run scripts/install-test-deps";
        }
    }
}
