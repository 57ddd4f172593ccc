using AuthService.Aws.Credentials;

namespace AuthService.Aws.Tests.Credentials;

public class ShellWordsTests
{
    public static TheoryData<string, string[]> Lines() => new()
    {
        { "a b  c", ["a", "b", "c"] },
        { "a \"b c\" d", ["a", "b c", "d"] },
        { "a 'b \"c\" d'", ["a", "b \"c\" d"] },
        { "a \"x\\\"y\\\\z\\n\"", ["a", "x\"y\\z\\n"] },
        { "a b\\ c", ["a", "b c"] },
        { "--certificate \"pkcs11:token=t;object=c?pin-value=1\"", ["--certificate", "pkcs11:token=t;object=c?pin-value=1"] },
        { "pre\"quoted\"post ''", ["prequotedpost", ""] },
        { "  ", [] },
    };

    [Theory]
    [MemberData(nameof(Lines))]
    public void Split_Line_FollowsPosixQuoting(string line, string[] expected)
    {
        // Act
        var words = ShellWords.Split(line);

        // Assert
        Assert.Equal(expected, words);
    }

    [Theory]
    [InlineData("a \"b", "double quote")]
    [InlineData("a 'b", "single quote")]
    [InlineData("a \\", "backslash")]
    public void Split_Unclosed_Throws(string line, string fragment)
    {
        // Act
        var error = Assert.Throws<FormatException>(() => ShellWords.Split(line));

        // Assert
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
    }
}
