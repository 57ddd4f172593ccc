using AuthService.Access;
using AuthService.Api.V1;
using AuthService.Grpc;
using AuthService.Grpc.Server;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace AuthService.Configuration;

/// <summary>authservice.v1.ConfigurationService: lists loaded configurations and tests proposed ones.</summary>
public sealed class ConfigurationGrpcService(ConfigurationStore store, ConfigurationTester tester, AccessGate access) : IGrpcService
{
    public static ServiceDescriptor Descriptor => ConfigurationReflection.Descriptor.Services[0];

    internal static Google.Protobuf.Reflection.MethodDescriptor Method(string name) => Descriptor.FindMethodByName(name);

    public void Bind(GrpcServiceBinder binder)
    {
        ArgumentNullException.ThrowIfNull(binder);
        binder.Unary<ListConfigurationsRequest, ListConfigurationsResponse>(Method("ListConfigurations"), (_, context) =>
        {
            access.AuthorizeAdmin(access.Admit(context.HttpContext));
            var response = new ListConfigurationsResponse();
            response.Configurations.AddRange(store.Current.Values
                .OrderBy(c => c.Configuration.Name, StringComparer.Ordinal)
                .Select(c => new ConfiguredConfiguration { Configuration = ConfigurationMapping.ToProto(c.Configuration), Source = c.Source }));
            return Task.FromResult(response);
        });
        binder.Unary<TestConfigurationRequest, TestConfigurationResponse>(Method("TestConfiguration"), (request, context) =>
        {
            access.AuthorizeAdmin(access.Admit(context.HttpContext));
            if (request.Configuration is null)
            {
                throw new GrpcException(StatusCode.InvalidArgument, "TestConfiguration needs a configuration.");
            }

            return tester.TestAsync(ConfigurationMapping.FromProto(request.Configuration), request.ProbeSecretId, context.CancellationToken);
        });
    }
}
