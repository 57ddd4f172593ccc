using AuthService.Pkcs11.Errors;
using AuthService.Pkcs11.Modules;
using AuthService.Pkcs11.Tests.Support;
using AuthService.Pkcs11.Uris;

namespace AuthService.Pkcs11.Tests.Tokens;

public class ModuleTests
{
    [SoftHsmFact]
    public void Open_SamePathTwiceOrViaSymlinkTarget_ReturnsOneInstance()
    {
        // Act
        Pkcs11Module a = SoftHsm.Module;
        Pkcs11Module b = Pkcs11Module.Open(SoftHsm.ModulePath);
        Pkcs11Module c = Pkcs11Module.Open("/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so");

        // Assert
        Assert.Same(a, b);
        Assert.Same(a, c);
        Assert.True(a.OwnsInitialization);
        Assert.EndsWith("x86_64-linux-gnu/softhsm/libsofthsm2.so", a.Path, StringComparison.Ordinal);
    }

    [SoftHsmFact]
    public void LoadUncached_ModuleAlreadyInitializedInProcess_IsUsableWithoutOwningIt()
    {
        // Arrange: the same .so loaded a second time answers CKR_CRYPTOKI_ALREADY_INITIALIZED to C_Initialize.
        _ = SoftHsm.Module;

        // Act
        Pkcs11Module second = Pkcs11Module.LoadUncached(SoftHsm.ModulePath);

        // Assert
        Assert.False(second.OwnsInitialization);
        Assert.Equal("SoftHSM", second.GetInfo().Manufacturer);
        Assert.Throws<InvalidOperationException>(second.Reinitialize);
    }

    [Fact]
    public void Open_MissingFile_ThrowsNamingThePath()
    {
        // Act
        var e = Assert.Throws<Pkcs11Exception>(() => Pkcs11Module.Open("/nonexistent/dir/libnothing.so"));

        // Assert
        Assert.Equal(Pkcs11ErrorKind.ModuleNotLoadable, e.Kind);
        Assert.Contains("/nonexistent/dir/libnothing.so", e.Message, StringComparison.Ordinal);
        Assert.Contains("module path", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_FileThatIsNotALibrary_ThrowsNamingThePath()
    {
        // Arrange
        string path = Path.Combine(Path.GetTempPath(), $"not-a-module-{Guid.NewGuid():N}.so");
        File.WriteAllText(path, "not an ELF file");
        try
        {
            // Act
            var e = Assert.Throws<Pkcs11Exception>(() => Pkcs11Module.Open(path));

            // Assert
            Assert.Equal(Pkcs11ErrorKind.ModuleNotLoadable, e.Kind);
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Open_LibraryWithoutGetFunctionList_ThrowsNotAPkcs11Module()
    {
        // Arrange: a real shared library that is not a PKCS#11 module.
        string libz = new[] { "/usr/lib/x86_64-linux-gnu/libz.so.1", "/lib/x86_64-linux-gnu/libz.so.1" }.FirstOrDefault(File.Exists)
            ?? Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "libSystem.Native.so");

        // Act
        var e = Assert.Throws<Pkcs11Exception>(() => Pkcs11Module.Open(libz));

        // Assert
        Assert.Equal(Pkcs11ErrorKind.ModuleNotLoadable, e.Kind);
        Assert.Contains("C_GetFunctionList", e.Message, StringComparison.Ordinal);
    }

    [SoftHsmFact]
    public void GetInfo_SoftHsm_ReportsCryptoki240AndPaddingTrimmed()
    {
        // Act
        var info = SoftHsm.Module.GetInfo();

        // Assert
        Assert.Equal(new Version(2, 40), info.CryptokiVersion);
        Assert.Equal("SoftHSM", info.Manufacturer);
        Assert.Equal("Implementation of PKCS11", info.Description);
    }

    [SoftHsmFact]
    public void InitializeToken_FreeSlot_CreatesInitializedTokenWithUserPin()
    {
        // Arrange
        string label = SoftHsm.NewLabel("init");

        // Act
        var info = SoftHsm.InitializeToken(SoftHsm.Module, label, "123456");

        // Assert
        Assert.Equal(label, info.Label);
        Assert.True(info.Initialized);
        Assert.True(info.UserPinInitialized);
        Assert.Equal(16, info.SerialNumber.Length);
        Assert.Contains(SoftHsm.Module.GetSlots(), s => s.Token?.Label == label);
        // SoftHSM always keeps one free slot (blank tokens report SO_PIN_LOCKED, so test TOKEN_INITIALIZED).
        Assert.Contains(SoftHsm.Module.GetSlots(), s => s.Token is { Initialized: false });
    }

    [SoftHsmFact]
    public void GetMechanisms_SoftHsm_HasEcdsaButNotEcdsaSha256()
    {
        // Arrange
        var (token, _, _) = SoftHsm.NewToken("mech");
        using (token)
        {
            // Act
            var mechanisms = token.GetMechanisms();

            // Assert: SoftHSM has no CKM_ECDSA_SHA256, hence hash-then-CKM_ECDSA.
            Assert.Contains(mechanisms, m => m.Name == "CKM_ECDSA" && m.CanSign);
            Assert.Contains(mechanisms, m => m.Name == "CKM_SHA256_RSA_PKCS_PSS");
            Assert.DoesNotContain(mechanisms, m => m.Name == "CKM_ECDSA_SHA256");
        }
    }

    [SoftHsmFact]
    public void OpenToken_UnknownLabel_ListsLabelsPresentWithRemedy()
    {
        // Arrange
        var (token, label, _) = SoftHsm.NewToken("present");
        using (token)
        {
            // Act
            var e = Assert.Throws<Pkcs11Exception>(() => SoftHsm.Module.OpenToken("pkcs11:token=no-such-token"));

            // Assert
            Assert.Equal(Pkcs11ErrorKind.TokenNotFound, e.Kind);
            Assert.Contains("PKCS11 token not found", e.Message, StringComparison.Ordinal);
            Assert.Contains("token=no-such-token", e.Message, StringComparison.Ordinal);
            Assert.Contains($"'{label}'", e.Message, StringComparison.Ordinal);
            Assert.Contains("softhsm2-util --show-slots", e.Message, StringComparison.Ordinal);
        }
    }

    [SoftHsmFact]
    public void OpenToken_UnknownPathAttribute_ExplainsItMatchesNothing()
    {
        // Act
        var e = Assert.Throws<Pkcs11Exception>(() => SoftHsm.Module.OpenToken("pkcs11:Token=x"));

        // Assert
        Assert.Equal(Pkcs11ErrorKind.TokenNotFound, e.Kind);
        Assert.Contains("Token", e.Message, StringComparison.Ordinal);
    }

    [SoftHsmFact]
    public void OpenToken_SlotIdAndLabel_SelectsToken()
    {
        // Arrange
        var (token, label, pin) = SoftHsm.NewToken("slot");
        using (token)
        {
            ulong slot = token.SlotId;

            // Act
            using var again = SoftHsm.Module.OpenToken(new Pkcs11Uri { Token = label, SlotId = slot, PinValue = pin });

            // Assert
            Assert.Equal(token.SerialNumber, again.SerialNumber);
            Assert.True(again.IsLoggedIn);
        }
    }
}

public class ModuleLocatorTests
{
    [SoftHsmFact]
    public void Resolve_ModuleNameInModulePathDirectory_FindsLibrary()
    {
        // Act
        string? path = ModuleLocator.Resolve(Pkcs11Uri.Parse("pkcs11:token=t?module-name=SoftHSM2&module-path=/usr/lib/softhsm"));

        // Assert
        Assert.Equal("/usr/lib/softhsm/libsofthsm2.so", path);
    }

    [SoftHsmFact]
    public void Resolve_ModuleNameOnly_SearchesDefaultDirectories()
    {
        // Act
        string? path = ModuleLocator.Resolve(Pkcs11Uri.Parse("pkcs11:?module-name=softhsm2"));

        // Assert
        Assert.NotNull(path);
        Assert.EndsWith("libsofthsm2.so", path, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_ModulePathFile_IsUsedAsIs()
    {
        // Arrange
        string file = Path.Combine(Path.GetTempPath(), $"libx-{Guid.NewGuid():N}.so");
        File.WriteAllText(file, "");
        try
        {
            // Act + Assert
            Assert.Equal(file, ModuleLocator.Resolve(new Pkcs11Uri { ModulePath = file }));
            Assert.Null(ModuleLocator.Resolve(Pkcs11Uri.Parse("pkcs11:token=t")));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Resolve_UnknownName_ThrowsListingDirectories()
    {
        // Act
        var e = Assert.Throws<Pkcs11Exception>(() => ModuleLocator.Resolve(Pkcs11Uri.Parse("pkcs11:?module-name=softhsm2x&module-path=/usr/lib/softhsm")));

        // Assert
        Assert.Equal(Pkcs11ErrorKind.ModuleNotLoadable, e.Kind);
        Assert.Contains("softhsm2x", e.Message, StringComparison.Ordinal);
        Assert.Contains("/usr/lib/softhsm", e.Message, StringComparison.Ordinal);
    }

    [SoftHsmFact]
    public void Open_UriWithModuleName_ReturnsTheSharedInstance()
    {
        // Arrange: the fixture writes SOFTHSM2_CONF's file before the first load.
        Pkcs11Module shared = SoftHsm.Module;

        // Act
        Pkcs11Module module = Pkcs11Module.Open(Pkcs11Uri.Parse("pkcs11:?module-name=softhsm2&module-path=/usr/lib/softhsm"));

        // Assert
        Assert.Same(shared, module);
    }
}
