using AuthService.Pkcs11.Tokens;
using AuthService.Pkcs11.Uris;

namespace AuthService.Pkcs11.Tests.Uris;

/// <summary>RFC 7512 parsing and formatting. Vectors: RFC 7512 §3 and the fact sheet §4.5 (see SOURCE.md).</summary>
public class Pkcs11UriTests
{
    [Fact]
    public void Parse_RfcExampleWithEncodedHashAndEmptySerial_DecodesEveryAttribute()
    {
        // Act
        var uri = Pkcs11Uri.Parse("pkcs11:token=The%20Software%20PKCS%2311%20Softtoken;manufacturer=Snake%20Oil,%20Inc.;model=1.0;object=my-certificate;type=cert;id=%69%95%3E%5C%F4%BD%EC%91;serial=?pin-source=file:/etc/token_pin");

        // Assert
        Assert.Equal("The Software PKCS#11 Softtoken", uri.Token);
        Assert.Equal("Snake Oil, Inc.", uri.Manufacturer);
        Assert.Equal("1.0", uri.Model);
        Assert.Equal("", uri.Serial);
        Assert.Equal("my-certificate", uri.ObjectLabel);
        Assert.Equal(Pkcs11ObjectClass.Certificate, uri.Type);
        Assert.Equal(new byte[] { 0x69, 0x95, 0x3E, 0x5C, 0xF4, 0xBD, 0xEC, 0x91 }, uri.Id);
        Assert.Equal("file:/etc/token_pin", uri.PinSource);
    }

    [Fact]
    public void Parse_EscapedPercentOneDigitVersionMixedCaseHex_Decodes()
    {
        // Act
        var uri = Pkcs11Uri.Parse("pkcs11:token=My%20token%25%20created%20by%20Joe;library-version=3;id=%01%02%03%Ba%dd%Ca%fe%04%05%06");

        // Assert
        Assert.Equal("My token% created by Joe", uri.Token);
        Assert.Equal(new Version(3, 0), uri.LibraryVersion);
        Assert.Equal(Convert.FromHexString("010203BADDCAFE040506"), uri.Id);
    }

    [Fact]
    public void Parse_LiteralIdCharacters_AreTheBytesNotHex()
    {
        // Act: "id=0a0b" is the ASCII text, while --id 0a0b of the tools is %0A%0B.
        var literal = Pkcs11Uri.Parse("pkcs11:token=test%20token;object=rsa-key;type=private;id=0a0b?module-path=/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so&pin-value=12%2634");
        var encoded = Pkcs11Uri.Parse("pkcs11:id=%0A%0B");

        // Assert
        Assert.Equal(new byte[] { 0x30, 0x61, 0x30, 0x62 }, literal.Id);
        Assert.Equal(new byte[] { 0x0A, 0x0B }, encoded.Id);
        Assert.Equal("/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so", literal.ModulePath);
        Assert.Equal("12&34", literal.PinValue);
    }

    [Fact]
    public void Parse_ReferenceProcedureUri_SelectsTokenObjectAndId01()
    {
        // Act
        var uri = Pkcs11Uri.Parse("pkcs11:token=roles-anywhere;object=ra-cert;id=%01?pin-value=123456");

        // Assert
        Assert.Equal("roles-anywhere", uri.Token);
        Assert.Equal("ra-cert", uri.ObjectLabel);
        Assert.Equal(new byte[] { 1 }, uri.Id);
        Assert.Equal("123456", uri.ReadPin());
    }

    [Fact]
    public void Parse_EncodedSemicolonAndPercent_Decodes()
    {
        // Act
        var uri = Pkcs11Uri.Parse("pkcs11:token=A%20name%20with%20a%20substring%20%25%3B;object=my-certificate;type=cert");

        // Assert
        Assert.Equal("A name with a substring %;", uri.Token);
    }

    [Fact]
    public void Parse_UppercaseSchemeAndUnknownCaseAttribute_ParsesButMatchesNothing()
    {
        // Act
        var uri = Pkcs11Uri.Parse("PKCS11:token=test%20token;Type=private");

        // Assert
        Assert.Equal("test token", uri.Token);
        Assert.Contains("Type", uri.UnknownPathAttributes);
        Assert.True(uri.MatchesNothing);
        Assert.False(uri.MatchesToken(new Pkcs11TokenInfo("test token", "m", "x", "1", 0, 4, 255)));
    }

    [Fact]
    public void Parse_VendorAttributes_KeepsRepeatedQueryValuesAndLiteralAmpersandInPath()
    {
        // Act
        var uri = Pkcs11Uri.Parse("pkcs11:token=test%20token;serial=6cc01afb9e3a5792;slot-id=507139986;x-vendor=a&b?x-foo=1&x-foo=2&pin-source=file:%2Frun%2Fpin");

        // Assert
        Assert.Equal(507139986UL, uri.SlotId);
        Assert.Equal(new KeyValuePair<string, string>("x-vendor", "a&b"), Assert.Single(uri.VendorPathAttributes));
        Assert.Equal(["1", "2"], uri.VendorQueryAttributes.Select(a => a.Value));
        Assert.Equal("file:/run/pin", uri.PinSource);
        Assert.True(uri.MatchesNothing);
    }

    [Fact]
    public void Parse_EmptyUri_MatchesEverything()
    {
        // Act
        var uri = Pkcs11Uri.Parse("pkcs11:");

        // Assert
        Assert.False(uri.MatchesNothing);
        Assert.True(uri.MatchesToken(new Pkcs11TokenInfo("any", "m", "x", "1", 0, 4, 255)));
        Assert.Equal("pkcs11:", uri.ToString());
    }

    [Fact]
    public void Parse_EmptyId_IsPresentAndEmpty()
    {
        // Act
        var uri = Pkcs11Uri.Parse("pkcs11:id=");

        // Assert
        Assert.NotNull(uri.Id);
        Assert.Empty(uri.Id!);
    }

    [Theory]
    [InlineData("http:token=a", null)]
    [InlineData("pkcs11:token=test%20token;token=other", "token")]
    [InlineData("pkcs11:object=a/b;token=test%20token", "object")]
    [InlineData("pkcs11:token=test token;serial=", "token")]
    [InlineData("pkcs11:token=test%20token#frag", "token")]
    [InlineData("pkcs11:token=test%20token?pin-value=1234&pin-source=file:/x", "pin-value")]
    [InlineData("pkcs11:token=%zz", "token")]
    [InlineData("pkcs11:token=%4", "token")]
    [InlineData("pkcs11:token=%C3", "token")]
    [InlineData("pkcs11:library-version=2.6a", "library-version")]
    [InlineData("pkcs11:type=secret", "type")]
    [InlineData("pkcs11:type=CERT", "type")]
    [InlineData("pkcs11:slot-id=0x10", "slot-id")]
    [InlineData("pkcs11:slot-id=", "slot-id")]
    [InlineData("pkcs11:token", "token")]
    [InlineData("pkcs11:token=a;;object=b", null)]
    [InlineData("pkcs11:token=a?pin-value=1&pin-value=2", "pin-value")]
    [InlineData("pkcs11:token=a?pin=1234", "pin")]
    [InlineData("pkcs11:token=a?object=b", "object")]
    [InlineData("pkcs11:x-=1", "x-")]
    [InlineData("pkcs11:x-a.b=1", "x-a.b")]
    public void Parse_InvalidUri_ThrowsNamingTheAttribute(string text, string? attribute)
    {
        // Act
        var e = Assert.Throws<Pkcs11UriFormatException>(() => Pkcs11Uri.Parse(text));

        // Assert
        Assert.Equal(attribute, e.Attribute);
        if (attribute is not null)
        {
            Assert.Contains($"'{attribute}'", e.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("pkcs11:token=a?pin-value:73194655")]
    [InlineData("pkcs11:token=a?pin-value<73194655")]
    [InlineData("pkcs11:token=a;pin-value 73194655")]
    public void Parse_PinAttributeWithoutEquals_ErrorNamesTheAttributeNotThePin(string text)
    {
        // Found by the fuzzer (tools/AuthService.Fuzz): the whole malformed attribute used to be quoted.
        var e = Assert.Throws<Pkcs11UriFormatException>(() => Pkcs11Uri.Parse(text));

        Assert.Contains("pin-value", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("73194655", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BadPinValueEncoding_ErrorDoesNotQuoteThePin()
    {
        // Act
        var e = Assert.Throws<Pkcs11UriFormatException>(() => Pkcs11Uri.Parse("pkcs11:token=a?pin-value=se cret#9"));

        // Assert
        Assert.Equal("pin-value", e.Attribute);
        Assert.DoesNotContain("se cret", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("cret", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_UriWithPinValue_HidesPinValue()
    {
        // Arrange
        var uri = Pkcs11Uri.Parse("pkcs11:token=roles-anywhere;object=ra-key;id=%01?pin-value=s3cr3t-PIN");

        // Act
        string text = uri.ToString();
        string full = uri.Format(includePinValue: true);

        // Assert
        Assert.DoesNotContain("s3cr3t-PIN", text, StringComparison.Ordinal);
        Assert.DoesNotContain("pin-value", text, StringComparison.Ordinal);
        Assert.Equal("pkcs11:token=roles-anywhere;object=ra-key;id=%01", text);
        Assert.Equal("pkcs11:token=roles-anywhere;object=ra-key;id=%01?pin-value=s3cr3t-PIN", full);
    }

    [Fact]
    public void Format_AllAttributes_RoundTripsThroughParse()
    {
        // Arrange
        var original = new Pkcs11Uri
        {
            Token = "My token; with/odd?chars #1 á",
            Manufacturer = "Snake Oil, Inc.",
            Serial = "",
            Model = "v2",
            LibraryManufacturer = "SoftHSM",
            LibraryDescription = "Implementation of PKCS11",
            LibraryVersion = new Version(2, 6),
            ObjectLabel = "ra-key%",
            Type = Pkcs11ObjectClass.PrivateKey,
            Id = [0x00, 0x01, 0x0A, 0xFF, 0x30],
            SlotDescription = "SoftHSM slot ID 0x0",
            SlotManufacturer = "SoftHSM project",
            SlotId = 17,
            PinValue = "12&34 #%",
            ModuleName = "softhsm2",
            ModulePath = "/usr/lib/softhsm/libsofthsm2.so",
            VendorQueryAttributes = [new("x-a", "1"), new("x-a", "2")],
        };

        // Act
        string text = original.Format(includePinValue: true);
        var parsed = Pkcs11Uri.Parse(text);

        // Assert
        Assert.Equal(original.Token, parsed.Token);
        Assert.Equal(original.Manufacturer, parsed.Manufacturer);
        Assert.Equal(original.Serial, parsed.Serial);
        Assert.Equal(original.Model, parsed.Model);
        Assert.Equal(original.LibraryManufacturer, parsed.LibraryManufacturer);
        Assert.Equal(original.LibraryDescription, parsed.LibraryDescription);
        Assert.Equal(original.LibraryVersion, parsed.LibraryVersion);
        Assert.Equal(original.ObjectLabel, parsed.ObjectLabel);
        Assert.Equal(original.Type, parsed.Type);
        Assert.Equal(original.Id, parsed.Id);
        Assert.Equal(original.SlotDescription, parsed.SlotDescription);
        Assert.Equal(original.SlotManufacturer, parsed.SlotManufacturer);
        Assert.Equal(original.SlotId, parsed.SlotId);
        Assert.Equal(original.PinValue, parsed.PinValue);
        Assert.Equal(original.ModuleName, parsed.ModuleName);
        Assert.Equal(original.ModulePath, parsed.ModulePath);
        Assert.Equal(original.VendorQueryAttributes, parsed.VendorQueryAttributes);
        Assert.Equal(text, parsed.Format(includePinValue: true));
    }

    [Theory]
    [InlineData("pkcs11:token=roles-anywhere;object=ra-cert;id=%01")]
    [InlineData("pkcs11:token=The%20Software%20PKCS%2311%20Softtoken;serial=;object=my-certificate;type=cert;id=%69%95%3E%5C%F4%BD%EC%91?pin-source=file:/etc/token_pin")]
    [InlineData("pkcs11:slot-id=507139986;type=public?module-name=softhsm2&module-path=/usr/lib/softhsm/")]
    public void Format_CanonicalUri_IsStableAcrossRoundTrip(string text)
    {
        // Act
        string once = Pkcs11Uri.Parse(text).Format(includePinValue: true);
        string twice = Pkcs11Uri.Parse(once).Format(includePinValue: true);

        // Assert
        Assert.Equal(once, twice);
        Assert.Equal(Pkcs11Uri.Parse(text).Id, Pkcs11Uri.Parse(once).Id);
    }

    [Fact]
    public void Format_Id_EncodesEveryByte()
    {
        // Act
        string text = new Pkcs11Uri { Id = "0a"u8.ToArray() }.ToString();

        // Assert
        Assert.Equal("pkcs11:id=%30%61", text);
    }

    [Theory]
    [InlineData("file:{0}")]
    [InlineData("file://{0}")]
    [InlineData("file://localhost{0}")]
    [InlineData("{0}")]
    public void ReadPin_PinSourceFile_ReadsFileWithoutTrailingNewline(string form)
    {
        // Arrange
        string path = Path.Combine(Path.GetTempPath(), $"pin-{Guid.NewGuid():N}");
        File.WriteAllText(path, "4321\n");
        try
        {
            var uri = new Pkcs11Uri { Token = "t", PinSource = string.Format(form, path) };

            // Act
            string? pin = uri.ReadPin();

            // Assert
            Assert.Equal("4321", pin);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ReadPin_PinSourceInParsedQuery_ReadsFile()
    {
        // Arrange
        string path = Path.Combine(Path.GetTempPath(), $"pin-{Guid.NewGuid():N}");
        File.WriteAllText(path, "98 76\r\n");
        try
        {
            var uri = Pkcs11Uri.Parse($"pkcs11:token=t?pin-source=file:{path}");

            // Act + Assert
            Assert.Equal("98 76", uri.ReadPin());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("|/usr/bin/getpin")]
    [InlineData("file:relative/pin")]
    [InlineData("file://remote.example/pin")]
    [InlineData("file:/nonexistent/authservice/pin")]
    public void ReadPin_UnsupportedOrMissingSource_ThrowsNamingPinSource(string source)
    {
        // Arrange
        var uri = new Pkcs11Uri { PinSource = source };

        // Act
        var e = Assert.Throws<Pkcs11UriFormatException>(() => uri.ReadPin());

        // Assert
        Assert.Equal("pin-source", e.Attribute);
    }

    [Fact]
    public void MatchesToken_EmptySerial_MatchesOnlyBlankSerial()
    {
        // Arrange
        var uri = Pkcs11Uri.Parse("pkcs11:token=t;serial=");

        // Act + Assert
        Assert.True(uri.MatchesToken(new Pkcs11TokenInfo("t", "m", "x", "", 0, 4, 255)));
        Assert.False(uri.MatchesToken(new Pkcs11TokenInfo("t", "m", "x", "6cc01afb9e3a5792", 0, 4, 255)));
    }

    [Fact]
    public void MatchesToken_ValueCase_IsSignificant()
    {
        // Act + Assert
        Assert.False(Pkcs11Uri.Parse("pkcs11:token=Test").MatchesToken(new Pkcs11TokenInfo("test", "m", "x", "1", 0, 4, 255)));
    }

    [Fact]
    public void MatchesModule_LibraryVersion_ComparesNumerically()
    {
        // Arrange
        var module = new Pkcs11ModuleInfo(new Version(2, 40), "SoftHSM", "Implementation of PKCS11", new Version(2, 6));

        // Act + Assert
        Assert.True(Pkcs11Uri.Parse("pkcs11:library-version=2.6;library-manufacturer=SoftHSM").MatchesModule(module));
        Assert.False(Pkcs11Uri.Parse("pkcs11:library-version=2").MatchesModule(module));
    }
}
