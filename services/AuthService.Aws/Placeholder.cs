namespace AuthService.Aws;

/// <summary>PLACEHOLDER until the AWS client layer lands (issue 4).</summary>
internal static class Placeholder;
