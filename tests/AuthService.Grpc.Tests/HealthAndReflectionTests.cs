using AuthService.Grpc.Client;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Health.V1;
using Grpc.Reflection.V1;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace AuthService.Grpc.Tests;

public class HealthAndReflectionTests : IClassFixture<GrpcTestServer>
{
    private static readonly MethodDescriptor Check = HealthReflection.Descriptor.Services[0].FindMethodByName("Check");
    private static readonly MethodDescriptor Watch = HealthReflection.Descriptor.Services[0].FindMethodByName("Watch");
    private static readonly MethodDescriptor ReflectionInfo = ReflectionReflection.Descriptor.Services[0].Methods[0];
    private readonly GrpcTestServer _server;

    public HealthAndReflectionTests(GrpcTestServer server) => _server = server;

    [Theory]
    [InlineData("")]
    [InlineData("testing.v1.TestService")]
    [InlineData("grpc.health.v1.Health")]
    public async Task Check_RegisteredService_Serving(string service)
    {
        using var client = _server.Client();

        var response = await client.UnaryAsync<HealthCheckRequest, HealthCheckResponse>(Check, new HealthCheckRequest { Service = service });

        Assert.Equal(ServingStatus.Serving, response.Status);
    }

    [Fact]
    public async Task Check_UnknownService_NotFound()
    {
        using var client = _server.Client();

        var error = await Assert.ThrowsAsync<GrpcException>(() =>
            client.UnaryAsync<HealthCheckRequest, HealthCheckResponse>(Check, new HealthCheckRequest { Service = "no.such.Service" }));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task Watch_StatusChanges_EachChangeStreamed()
    {
        using var client = _server.Client();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        const string service = "watch.test.Service";
        var seen = new List<ServingStatus>();

        await foreach (var response in client.ServerStreamingAsync<HealthCheckRequest, HealthCheckResponse>(
            Watch, new HealthCheckRequest { Service = service }, new CallOptions { CancellationToken = cancel.Token }))
        {
            seen.Add(response.Status);
            if (seen.Count == 1)
            {
                _server.Health.SetStatus(service, ServingStatus.NotServing);
            }
            else if (seen.Count == 2)
            {
                _server.Health.SetStatus(service, ServingStatus.Serving);
            }
            else
            {
                break;
            }
        }

        Assert.Equal([ServingStatus.ServiceUnknown, ServingStatus.NotServing, ServingStatus.Serving], seen);
    }

    private async Task<ServerReflectionResponse> AskAsync(ServerReflectionRequest request)
    {
        using var client = _server.Client();
        var call = client.Duplex<ServerReflectionRequest, ServerReflectionResponse>(ReflectionInfo);
        await call.WriteAsync(request);
        call.CompleteRequests();
        await foreach (var response in call.Responses)
        {
            return response;
        }

        throw new InvalidOperationException("no reflection response");
    }

    [Fact]
    public async Task Reflection_ListServices_AllRegisteredServices()
    {
        var response = await AskAsync(new ServerReflectionRequest { ListServices = "*" });

        Assert.Equal(
            ["grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection", "testing.v1.TestService"],
            response.ListServicesResponse.Service.Select(s => s.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Reflection_FileContainingSymbol_DescriptorThatParses()
    {
        var response = await AskAsync(new ServerReflectionRequest { FileContainingSymbol = "testing.v1.TestService.Echo" });

        var file = FileDescriptorProto.Parser.ParseFrom(response.FileDescriptorResponse.FileDescriptorProto[0]);
        Assert.Equal("Protos/test.proto", file.Name);
        Assert.Contains(file.Service, s => s.Name == "TestService");
    }

    [Fact]
    public async Task Reflection_UnknownSymbol_NotFoundErrorResponse()
    {
        var response = await AskAsync(new ServerReflectionRequest { FileContainingSymbol = "no.Such" });

        Assert.Equal((int)StatusCode.NotFound, response.ErrorResponse.ErrorCode);
    }

    [Fact]
    public async Task ReflectionAlpha_ListServices_SameAnswer()
    {
        using var client = _server.Client();
        var method = global::Grpc.Reflection.V1Alpha.ReflectionReflection.Descriptor.Services[0].Methods[0];
        var call = client.Duplex<global::Grpc.Reflection.V1Alpha.ServerReflectionRequest, global::Grpc.Reflection.V1Alpha.ServerReflectionResponse>(method);
        await call.WriteAsync(new global::Grpc.Reflection.V1Alpha.ServerReflectionRequest { ListServices = "" });
        call.CompleteRequests();

        var names = new List<string>();
        await foreach (var response in call.Responses)
        {
            names.AddRange(response.ListServicesResponse.Service.Select(s => s.Name));
        }

        Assert.Contains("grpc.health.v1.Health", names);
        Assert.Equal(4, names.Count);
    }

    [Fact]
    public async Task Reflection_FileByFilename_IncludesDependencies()
    {
        var response = await AskAsync(new ServerReflectionRequest { FileByFilename = "grpc/health/v1/health.proto" });

        var names = response.FileDescriptorResponse.FileDescriptorProto.Select(b => FileDescriptorProto.Parser.ParseFrom(b).Name).ToList();
        Assert.Equal(["grpc/health/v1/health.proto"], names);
        Assert.True(response.FileDescriptorResponse.FileDescriptorProto[0].Length > 0);
        Assert.IsType<ByteString>(response.FileDescriptorResponse.FileDescriptorProto[0]);
    }
}
