using AuthService.Access;
using Microsoft.Extensions.Logging.Abstractions;

namespace AuthService.Tests.Access;

public sealed class AccessTokensTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("access-tokens-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private AccessTokenSettings Token(string name, string content)
    {
        var file = Path.Combine(_directory, name);
        File.WriteAllText(file, content + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return new AccessTokenSettings { Name = name, File = file };
    }

    [Fact]
    public void Find_KnownToken_ItsName()
    {
        var tokens = new AccessTokens(NullLogger<AccessTokens>.Instance);
        tokens.Configure([Token("a", new string('a', 40)), Token("b", new string('b', 40))]);

        Assert.Equal("b", tokens.Find(new string('b', 40)));
        Assert.Null(tokens.Find(new string('b', 39)));
        Assert.Null(tokens.Find(""));
    }

    [Fact]
    public void Find_TokenShorterThanMinimum_RefusedSoNothingMatches()
    {
        var tokens = new AccessTokens(NullLogger<AccessTokens>.Instance);
        tokens.Configure([Token("short", "0123456789")]);

        Assert.Null(tokens.Find("0123456789"));
    }

    [Fact]
    public void Refresh_TokenFileRewritten_NewTokenAcceptedOldRefused()
    {
        var tokens = new AccessTokens(NullLogger<AccessTokens>.Instance);
        var settings = Token("rotating", new string('x', 40));
        tokens.Configure([settings]);

        File.WriteAllText(settings.File, new string('y', 40));
        File.SetLastWriteTimeUtc(settings.File, DateTime.UtcNow.AddSeconds(5));
        tokens.Refresh();

        Assert.Equal("rotating", tokens.Find(new string('y', 40)));
        Assert.Null(tokens.Find(new string('x', 40)));
    }

    [Fact]
    public void Find_MissingFile_NothingMatchesAndNoThrow()
    {
        var tokens = new AccessTokens(NullLogger<AccessTokens>.Instance);
        tokens.Configure([new AccessTokenSettings { Name = "gone", File = Path.Combine(_directory, "absent") }]);

        Assert.Null(tokens.Find(new string('a', 40)));
    }
}
