namespace AuthService.Pkcs11;

/// <summary>PLACEHOLDER until the PKCS#11 binding lands (issue 3).</summary>
internal static class Placeholder;
