using AuthService.Api.V1;
using AuthService.Grpc;
using AuthService.Grpc.Server;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace AuthService.Configuration;

/// <summary>
/// PLACEHOLDER: authservice.v1.ConfigurationService answers UNIMPLEMENTED, saying so, until configurations
/// land with the end-to-end issue.
/// </summary>
public sealed class ConfigurationGrpcService : IGrpcService
{
    public static ServiceDescriptor Descriptor => ConfigurationReflection.Descriptor.Services[0];

    public void Bind(GrpcServiceBinder binder)
    {
        ArgumentNullException.ThrowIfNull(binder);
        binder.Unary<ListConfigurationsRequest, ListConfigurationsResponse>(
            Descriptor.FindMethodByName("ListConfigurations"), (_, _) => throw NotYet("ListConfigurations"));
        binder.Unary<TestConfigurationRequest, TestConfigurationResponse>(
            Descriptor.FindMethodByName("TestConfiguration"), (_, _) => throw NotYet("TestConfiguration"));
    }

    private static GrpcException NotYet(string method) =>
        new(StatusCode.Unimplemented, $"{method} is not implemented in this build yet: configurations are still being written.");
}
