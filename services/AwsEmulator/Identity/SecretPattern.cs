namespace AwsEmulator.Identity;

/// <summary>IAM-style resource matching: '*' is any run of characters, '?' one character, case-sensitive.</summary>
internal static class SecretPattern
{
    /// <summary>True when any pattern matches the secret's name or its ARN.</summary>
    public static bool Allows(IReadOnlyList<string> patterns, string name, string arn) =>
        patterns.Any(p => Matches(p, name) || Matches(p, arn));

    public static bool Matches(string pattern, string value) => Match(pattern.AsSpan(), value.AsSpan());

    private static bool Match(ReadOnlySpan<char> pattern, ReadOnlySpan<char> value)
    {
        // Iterative glob with single-star backtracking: linear enough for short IAM patterns.
        int p = 0, v = 0, star = -1, mark = 0;
        while (v < value.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == value[v]))
            {
                p++;
                v++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = v;
            }
            else if (star >= 0)
            {
                p = star + 1;
                v = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
