using AuthService.Pkcs11.Errors;

namespace AuthService.Pkcs11.Tests.Errors;

public class Pkcs11ExceptionTests
{
    [Theory]
    [InlineData(0x1B5UL, "CKR_EXCEEDED_MAX_ITERATIONS")]
    [InlineData(0x1C0UL, "CKR_EXCEEDED_MAX_ITERATIONS")]
    [InlineData(0x1B8UL, "CKR_PIN_TOO_WEAK")]
    [InlineData(0x1C3UL, "CKR_PIN_TOO_WEAK")]
    [InlineData(0x1B9UL, "CKR_PUBLIC_KEY_INVALID")]
    [InlineData(0x1C4UL, "CKR_PUBLIC_KEY_INVALID")]
    [InlineData(0xE0UL, "CKR_TOKEN_NOT_PRESENT")]
    [InlineData(0x191UL, "CKR_CRYPTOKI_ALREADY_INITIALIZED")]
    [InlineData(0x80000123UL, "CKR_VENDOR_DEFINED(0x80000123)")]
    [InlineData(0x777UL, "CKR_0x777")]
    public void Of_ReturnValue_NamesBothNumberingVariantsAndVendorCodes(ulong rv, string expected)
    {
        // Act
        string name = CkrNames.Of(rv);

        // Assert
        Assert.Equal(expected, name);
    }

    [Fact]
    public void Message_TokenNotPresent_NamesFunctionCodeAndTheProcedureFix()
    {
        // Act
        var e = new Pkcs11Exception("C_OpenSession", 0xE0);

        // Assert
        Assert.Equal("C_OpenSession", e.Function);
        Assert.Equal("CKR_TOKEN_NOT_PRESENT", e.CkrName);
        Assert.StartsWith("C_OpenSession failed: CKR_TOKEN_NOT_PRESENT", e.Message, StringComparison.Ordinal);
        Assert.Contains("softhsm2-util --show-slots", e.Message, StringComparison.Ordinal);
        Assert.Contains("softhsm2.conf", e.Message, StringComparison.Ordinal);
        Assert.Contains("reinitialize the token", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Message_PinIncorrect_PointsAtPinValueInCredentialsFile()
    {
        // Act
        var e = new Pkcs11Exception("C_Login", 0xA0, "token 'roles-anywhere'");

        // Assert
        Assert.Equal(Pkcs11ErrorKind.Module, e.Kind);
        Assert.Contains("CKR_PIN_INCORRECT", e.Message, StringComparison.Ordinal);
        Assert.Contains("pin-value in the PKCS#11 URIs in the credentials file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Message_PinLocked_HasRemedy()
    {
        // Act (SoftHSM never locks a user PIN, so this code is checked here rather than against the module)
        var e = new Pkcs11Exception("C_Login", 0xA4);

        // Assert
        Assert.Equal("CKR_PIN_LOCKED", e.CkrName);
        Assert.Contains("SO PIN", e.Remedy!, StringComparison.Ordinal);
    }
}
