using AuthService.Aws.Credentials;
using AuthService.Aws.Profiles;
using AuthService.Pkcs11.Uris;

namespace AuthService.Tests.OperatorCli;

/// <summary>authservice credentials write: the reference profile, byte for byte, read back by the project's own parsers.</summary>
[Collection(OperatorTestGroup.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CredentialsWriteTests : IDisposable
{
    public const string TrustAnchor = "arn:aws:rolesanywhere:us-east-1:248135293344:trust-anchor/bdd70097-5b1c-4e4f-9a83-0d4c0f6a1b2c";
    public const string Profile = "arn:aws:rolesanywhere:us-east-1:248135293344:profile/71b7f5ac-2d3e-4f50-8a61-7c8d9e0f1a2b";
    public const string Role = "arn:aws:iam::248135293344:role/AlationSecretsManagerAccess";

    // SOURCE: shared/reference/000_52e32df5920e3ad9.txt (Alation "SoftHSM Setup (Encrypted Key Storage)", Step 1,
    // "Add the following content"), copied verbatim with its placeholders; the test fills them in.
    private const string ReferenceProfile = "[<profile-name>]\ncredential_process = /usr/local/bin/aws_signing_helper credential-process --certificate \"pkcs11:token=roles-anywhere;object=ra-cert;id=%01?pin-value=<USER_PIN>\" --private-key \"pkcs11:token=roles-anywhere;object=ra-key;id=%01?pin-value=<USER_PIN>\" --pkcs11-lib /usr/lib/softhsm/libsofthsm2.so --trust-anchor-arn <trust-anchor-arn> --profile-arn <profile-arn> --role-arn <role-arn>\n";

    private readonly OperatorHarness _h = new();

    public void Dispose() => _h.Dispose();

    private string CredentialsFile => Path.Combine(_h.AwsDirectory, "credentials");

    private Task<CliResult> WriteAsync(params string[] extra) => WriteWithInputAsync(null, extra);

    private Task<CliResult> WriteWithInputAsync(string? stdin, params string[] extra) => _h.RunWithInputAsync(stdin,
        ["credentials", "write", "--profile", "iam_roles_anywhere_profile", "--trust-anchor-arn", TrustAnchor, "--profile-arn", Profile, "--role-arn", Role,
         "--aws-dir", _h.AwsDirectory, .. extra]);

    [Fact]
    public async Task Write_PinFromFile_ByteIdenticalToTheReferenceProfileAndParsedByTheProfileStore()
    {
        var write = await WriteAsync("--pin-file", _h.PinFile, "--region", "us-east-1");
        string expected = ReferenceProfile.Replace("<profile-name>", "iam_roles_anywhere_profile", StringComparison.Ordinal)
            .Replace("<USER_PIN>", OperatorHarness.Pin, StringComparison.Ordinal).Replace("<trust-anchor-arn>", TrustAnchor, StringComparison.Ordinal)
            .Replace("<profile-arn>", Profile, StringComparison.Ordinal).Replace("<role-arn>", Role, StringComparison.Ordinal);

        write.AssertExit(0);
        Assert.Equal(expected, await File.ReadAllTextAsync(CredentialsFile));
        var store = AwsProfileStore.Load(new AwsProfilePaths(Path.Combine(_h.AwsDirectory, "config"), CredentialsFile));
        var helper = SigningHelperCommand.Parse(ShellWords.Split(store.Get("iam_roles_anywhere_profile").CredentialProcess!));
        Assert.Equal(TrustAnchor, helper.TrustAnchorArn);
        Assert.Equal(Role, helper.RoleArn);
        Assert.Equal("/usr/lib/softhsm/libsofthsm2.so", helper.Pkcs11Library);
        var key = Pkcs11Uri.Parse(helper.PrivateKey!);
        Assert.Equal(("roles-anywhere", "ra-key", OperatorHarness.Pin), (key.Token, key.ObjectLabel, key.ReadPin()));
        Assert.Equal([0x01], key.Id);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(CredentialsFile));
    }

    [Fact]
    public async Task Write_ExistingFile_OtherProfilesKeptAndTheProfileReplacedInPlace()
    {
        Directory.CreateDirectory(_h.AwsDirectory);
        const string before = "[default]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = example\n\n[iam_roles_anywhere_profile]\ncredential_process = /bin/false\n\n[other]\nregion = eu-west-1\n";
        await File.WriteAllTextAsync(CredentialsFile, before);
        File.SetUnixFileMode(CredentialsFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);

        var write = await WriteWithInputAsync(OperatorHarness.Pin + "\n", "--pin-stdin");
        var first = await File.ReadAllTextAsync(CredentialsFile);
        await WriteAsync("--pin-file", _h.PinFile);
        var second = await File.ReadAllTextAsync(CredentialsFile);

        write.AssertExit(0);
        Assert.Contains("Replaced", write.Output, StringComparison.Ordinal);
        Assert.StartsWith("[default]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = example\n\n[iam_roles_anywhere_profile]\ncredential_process = /usr/local/bin/aws_signing_helper credential-process --certificate", first, StringComparison.Ordinal);
        Assert.EndsWith("\n\n[other]\nregion = eu-west-1\n", first, StringComparison.Ordinal);
        Assert.DoesNotContain("/bin/false", first, StringComparison.Ordinal);
        Assert.Equal(first, second);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(CredentialsFile));
        Assert.Empty(Directory.GetFiles(_h.AwsDirectory, ".credentials.tmp-*"));
    }

    [Fact]
    public async Task Write_PinSource_UriReadsThePinFromTheFileAndNoPinIsWritten()
    {
        var write = await WriteAsync("--pin-source", "file:" + _h.PinFile);

        write.AssertExit(0);
        string text = await File.ReadAllTextAsync(CredentialsFile);
        Assert.DoesNotContain(OperatorHarness.Pin, text, StringComparison.Ordinal);
        Assert.Contains($"?pin-source=file:{_h.PinFile}\"", text, StringComparison.Ordinal);
        var helper = SigningHelperCommand.Parse(ShellWords.Split(text.Split('\n')[1].Split(" = ", 2)[1]));
        Assert.Equal(OperatorHarness.Pin, Pkcs11Uri.Parse(helper.Certificate).ReadPin());
        Assert.Equal(OperatorHarness.Pin, Pkcs11Uri.Parse(helper.PrivateKey!).ReadPin());
    }

    public static TheoryData<string, string, string, string, string> BadArns() => new()
    {
        { "trust anchor not a UUID", "arn:aws:rolesanywhere:us-east-1:248135293344:trust-anchor/bdd70097", Profile, Role, "trust-anchor ARN" },
        { "profile ARN given as trust anchor", Profile, Profile, Role, "trust-anchor ARN" },
        { "short account", TrustAnchor, Profile, "arn:aws:iam::2481352933:role/X", "role ARN" },
        { "regions differ", TrustAnchor, Profile.Replace("us-east-1", "eu-west-1", StringComparison.Ordinal), Role, "same region" },
        { "role is a user", TrustAnchor, Profile, "arn:aws:iam::248135293344:user/bob", "role ARN" },
    };

    [Theory]
    [MemberData(nameof(BadArns))]
    public async Task Write_InvalidArn_Exit2AndTheFileIsUntouched(string because, string anchor, string profile, string role, string expected)
    {
        var write = await _h.RunAsync("credentials", "write", "--profile", "p", "--trust-anchor-arn", anchor, "--profile-arn", profile, "--role-arn", role,
            "--pin-file", _h.PinFile, "--aws-dir", _h.AwsDirectory);

        write.AssertExit(2);
        Assert.True(write.Errors.Contains(expected, StringComparison.Ordinal), $"{because}: {write.Errors}");
        Assert.False(File.Exists(CredentialsFile));
    }

    [Fact]
    public async Task Write_RegionDiffersFromTheArns_Exit2()
    {
        var write = await WriteAsync("--pin-file", _h.PinFile, "--region", "eu-central-1");

        write.AssertExit(2);
        Assert.Contains("eu-central-1", write.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Write_NoPinSourceAndNoTerminal_Exit2NamingTheOptions()
    {
        var write = await WriteAsync();

        write.AssertExit(2);
        Assert.Contains("--pin-source", write.Errors, StringComparison.Ordinal);
        Assert.False(File.Exists(CredentialsFile));
    }
}
