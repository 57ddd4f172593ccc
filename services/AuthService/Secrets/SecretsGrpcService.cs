using AuthService.Api.V1;
using AuthService.Grpc;
using AuthService.Grpc.Server;
using Google.Protobuf.Reflection;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace AuthService.Secrets;

/// <summary>
/// PLACEHOLDER: authservice.v1.SecretsService answers UNIMPLEMENTED, saying so, until the end-to-end issue
/// (secret cache, configurations, AWS clients) lands. Its methods are bound so the message is explicit.
/// </summary>
public sealed class SecretsGrpcService : IGrpcService
{
    public static ServiceDescriptor Descriptor => SecretsReflection.Descriptor.Services[0];

    public void Bind(GrpcServiceBinder binder)
    {
        ArgumentNullException.ThrowIfNull(binder);
        binder.Unary<GetSecretRequest, GetSecretResponse>(Method("GetSecret"), (_, _) => throw NotYet("GetSecret"));
        binder.Unary<BatchGetSecretsRequest, BatchGetSecretsResponse>(Method("BatchGetSecrets"), (_, _) => throw NotYet("BatchGetSecrets"));
    }

    internal static MethodDescriptor Method(string name) => Descriptor.FindMethodByName(name);

    private static GrpcException NotYet(string method) =>
        new(StatusCode.Unimplemented, $"{method} is not implemented in this build yet: the secret cache and AWS clients are still being written.");
}
