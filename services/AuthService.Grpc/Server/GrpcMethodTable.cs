using System.Collections.Frozen;
using Google.Protobuf.Reflection;

namespace AuthService.Grpc.Server;

/// <summary>
/// Every method the server answers, keyed by its HTTP/2 path ("/package.Service/Method"), derived from the
/// generated service descriptors. Methods a service did not bind answer UNIMPLEMENTED with their name.
/// </summary>
internal sealed class GrpcMethodTable
{
    public GrpcMethodTable(IEnumerable<GrpcServiceRegistration> registrations, IServiceProvider services)
    {
        var methods = new Dictionary<string, GrpcMethodEntry>(StringComparer.Ordinal);
        var descriptors = new List<ServiceDescriptor>();
        foreach (var registration in registrations)
        {
            var implementation = (IGrpcService)services.GetService(registration.ImplementationType)!;
            var binder = new GrpcServiceBinder(registration.Descriptor);
            implementation.Bind(binder);
            descriptors.Add(registration.Descriptor);
            foreach (var method in registration.Descriptor.Methods)
            {
                var path = PathOf(method);
                var handler = binder.Handlers.GetValueOrDefault(method) ?? Unimplemented(method);
                if (!methods.TryAdd(path, new GrpcMethodEntry(method, handler)))
                {
                    throw new InvalidOperationException($"gRPC service {registration.Descriptor.FullName} is registered twice.");
                }
            }
        }

        Methods = methods.ToFrozenDictionary(StringComparer.Ordinal);
        Services = descriptors;
    }

    public FrozenDictionary<string, GrpcMethodEntry> Methods { get; }

    public IReadOnlyList<ServiceDescriptor> Services { get; }

    public static string PathOf(MethodDescriptor method) => $"/{method.Service.FullName}/{method.Name}";

    private static Func<ServerCall, Task> Unimplemented(MethodDescriptor method) =>
        _ => throw new GrpcException(StatusCode.Unimplemented, $"Method {method.FullName} is not implemented by this server.");
}

internal sealed record GrpcMethodEntry(MethodDescriptor Descriptor, Func<ServerCall, Task> Handler);
