using Google.Protobuf.Reflection;

namespace AuthService.Grpc.Server;

/// <summary>
/// A gRPC service implementation. Its methods are bound to the generated service descriptor, so paths,
/// message types and streaming kinds come from the .proto file, never from hand-written strings.
/// </summary>
public interface IGrpcService
{
    /// <summary>The generated descriptor of the service this class implements.</summary>
    static abstract ServiceDescriptor Descriptor { get; }

    /// <summary>Binds a handler to each method of <see cref="Descriptor"/>; unbound methods answer UNIMPLEMENTED.</summary>
    void Bind(GrpcServiceBinder binder);
}

/// <summary>A service registered with the server: its descriptor and implementation type.</summary>
public sealed record GrpcServiceRegistration(ServiceDescriptor Descriptor, Type ImplementationType);
