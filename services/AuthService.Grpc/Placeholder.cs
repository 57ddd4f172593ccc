namespace AuthService.Grpc;

internal static class Placeholder;
