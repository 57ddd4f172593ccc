using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using AuthService.Pkcs11.Native;

namespace AuthService.Pkcs11.Tests.Native;

/// <summary>
/// LP64 layouts (fact sheet §1.2): the sizes and offsets gcc reports for p11-kit's pkcs11.h. A Pack=1 layout
/// (Pkcs11Interop's LowLevelAPI81, meant for Windows) would put CK_INFO.flags at 34 and make CK_TOKEN_INFO 204 bytes.
/// </summary>
public class NativeLayoutTests
{
    [Theory]
    [InlineData(typeof(CkVersion), 2)]
    [InlineData(typeof(CkInfo), 88)]
    [InlineData(typeof(CkSlotInfo), 112)]
    [InlineData(typeof(CkTokenInfo), 208)]
    [InlineData(typeof(CkSessionInfo), 32)]
    [InlineData(typeof(CkAttribute), 24)]
    [InlineData(typeof(CkMechanism), 24)]
    [InlineData(typeof(CkMechanismInfo), 24)]
    [InlineData(typeof(CkCInitializeArgs), 48)]
    [InlineData(typeof(CkRsaPkcsPssParams), 24)]
    [InlineData(typeof(CkFunctionList), 552)]
    public void StructSize_Lp64_MatchesGcc(Type type, int expected)
    {
        // Arrange
        int size = (int)typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!.MakeGenericMethod(type).Invoke(null, null)!;

        // Act + Assert
        Assert.Equal(expected, size);
    }

    [Theory]
    [InlineData(typeof(CkInfo), nameof(CkInfo.Flags), 40)]
    [InlineData(typeof(CkInfo), nameof(CkInfo.LibraryDescription), 48)]
    [InlineData(typeof(CkInfo), nameof(CkInfo.LibraryVersion), 80)]
    [InlineData(typeof(CkSlotInfo), nameof(CkSlotInfo.Flags), 96)]
    [InlineData(typeof(CkSlotInfo), nameof(CkSlotInfo.FirmwareVersion), 106)]
    [InlineData(typeof(CkTokenInfo), nameof(CkTokenInfo.Flags), 96)]
    [InlineData(typeof(CkTokenInfo), nameof(CkTokenInfo.MaxSessionCount), 104)]
    [InlineData(typeof(CkTokenInfo), nameof(CkTokenInfo.MinPinLen), 144)]
    [InlineData(typeof(CkTokenInfo), nameof(CkTokenInfo.FreePrivateMemory), 176)]
    [InlineData(typeof(CkTokenInfo), nameof(CkTokenInfo.HardwareVersion), 184)]
    [InlineData(typeof(CkTokenInfo), nameof(CkTokenInfo.UtcTime), 188)]
    [InlineData(typeof(CkAttribute), nameof(CkAttribute.Value), 8)]
    [InlineData(typeof(CkAttribute), nameof(CkAttribute.ValueLen), 16)]
    [InlineData(typeof(CkMechanism), nameof(CkMechanism.ParameterLen), 16)]
    [InlineData(typeof(CkCInitializeArgs), nameof(CkCInitializeArgs.Flags), 32)]
    [InlineData(typeof(CkCInitializeArgs), nameof(CkCInitializeArgs.Reserved), 40)]
    [InlineData(typeof(CkRsaPkcsPssParams), nameof(CkRsaPkcsPssParams.SaltLength), 16)]
    public void FieldOffset_Lp64_MatchesGcc(Type type, string field, int expected)
    {
        // Act
        int offset = (int)Marshal.OffsetOf(type, field);

        // Assert
        Assert.Equal(expected, offset);
    }

    [Theory]
    [InlineData(nameof(CkFunctionList.C_Initialize), 0)]
    [InlineData(nameof(CkFunctionList.C_GetSlotList), 4)]
    [InlineData(nameof(CkFunctionList.C_OpenSession), 12)]
    [InlineData(nameof(CkFunctionList.C_Login), 18)]
    [InlineData(nameof(CkFunctionList.C_GetAttributeValue), 24)]
    [InlineData(nameof(CkFunctionList.C_FindObjectsInit), 26)]
    [InlineData(nameof(CkFunctionList.C_DigestInit), 37)]
    [InlineData(nameof(CkFunctionList.C_SignInit), 42)]
    [InlineData(nameof(CkFunctionList.C_Sign), 43)]
    [InlineData(nameof(CkFunctionList.C_VerifyInit), 48)]
    [InlineData(nameof(CkFunctionList.C_Verify), 49)]
    [InlineData(nameof(CkFunctionList.C_GenerateKeyPair), 59)]
    [InlineData(nameof(CkFunctionList.C_GenerateRandom), 64)]
    [InlineData(nameof(CkFunctionList.C_WaitForSlotEvent), 67)]
    public unsafe void FunctionListEntry_Index_IsAtEightPlusEightTimesIndex(string function, int index)
    {
        // Arrange
        CkFunctionList list = default;
        byte* start = (byte*)&list;

        // Act
        long offset = function switch
        {
            nameof(CkFunctionList.C_Initialize) => (byte*)&list.C_Initialize - start,
            nameof(CkFunctionList.C_GetSlotList) => (byte*)&list.C_GetSlotList - start,
            nameof(CkFunctionList.C_OpenSession) => (byte*)&list.C_OpenSession - start,
            nameof(CkFunctionList.C_Login) => (byte*)&list.C_Login - start,
            nameof(CkFunctionList.C_GetAttributeValue) => (byte*)&list.C_GetAttributeValue - start,
            nameof(CkFunctionList.C_FindObjectsInit) => (byte*)&list.C_FindObjectsInit - start,
            nameof(CkFunctionList.C_DigestInit) => (byte*)&list.C_DigestInit - start,
            nameof(CkFunctionList.C_SignInit) => (byte*)&list.C_SignInit - start,
            nameof(CkFunctionList.C_Sign) => (byte*)&list.C_Sign - start,
            nameof(CkFunctionList.C_VerifyInit) => (byte*)&list.C_VerifyInit - start,
            nameof(CkFunctionList.C_Verify) => (byte*)&list.C_Verify - start,
            nameof(CkFunctionList.C_GenerateKeyPair) => (byte*)&list.C_GenerateKeyPair - start,
            nameof(CkFunctionList.C_GenerateRandom) => (byte*)&list.C_GenerateRandom - start,
            _ => (byte*)&list.C_WaitForSlotEvent - start,
        };

        // Assert
        Assert.Equal(8 + (8 * index), offset);
    }

    [Fact]
    public void EncodeLabel_ShortLabel_Is32BytesBlankPaddedWithoutNul()
    {
        // Act
        byte[] label = PaddedText.EncodeLabel("roles-anywhere");

        // Assert
        Assert.Equal(32, label.Length);
        Assert.Equal("roles-anywhere" + new string(' ', 18), System.Text.Encoding.ASCII.GetString(label));
        Assert.DoesNotContain((byte)0, label);
    }

    [Fact]
    public unsafe void Decode_NulPaddedField_TrimsBlanksAndNuls()
    {
        // Arrange: some modules pad with NUL instead of blanks.
        byte[] field = new byte[16];
        "abc "u8.CopyTo(field);

        // Act
        string text;
        fixed (byte* p = field)
        {
            text = PaddedText.Decode(p, 16);
        }

        // Assert
        Assert.Equal("abc", text);
    }

    [Fact]
    public unsafe void AttributeTemplate_BoolAndULong_AreOneAndEightBytes()
    {
        // Arrange: a 4-byte C# bool gives CKR_ATTRIBUTE_VALUE_INVALID, a 4-byte CK_ULONG CKR_TEMPLATE_INCOMPLETE.
        using var t = new AttributeTemplate();
        t.Add(Cka.Token, true).Add(Cka.Class, Cko.PrivateKey).Add(Cka.Id, ReadOnlySpan<byte>.Empty);

        // Act
        CkAttribute* a = t.Pointer;

        // Assert
        Assert.Equal(1UL, a[0].ValueLen);
        Assert.Equal(1, *(byte*)a[0].Value);
        Assert.Equal(8UL, a[1].ValueLen);
        Assert.Equal(Cko.PrivateKey, *(ulong*)a[1].Value);
        Assert.Equal(0UL, a[2].ValueLen);
        Assert.True(a[2].Value == null);
    }
}
