using AuthService.Grpc.Server;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using V1 = global::Grpc.Reflection.V1;
using V1Alpha = global::Grpc.Reflection.V1Alpha;

namespace AuthService.Grpc.Reflection;

/// <summary>
/// Server reflection (grpc.reflection.v1, and v1alpha for older tools), serving the generated file
/// descriptors of every registered service and their dependencies.
/// </summary>
public sealed class ReflectionService : IGrpcService
{
    private readonly IReadOnlyList<string> _serviceNames;
    private readonly Dictionary<string, FileDescriptor> _filesByName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FileDescriptor> _filesBySymbol = new(StringComparer.Ordinal);

    public ReflectionService(IEnumerable<GrpcServiceRegistration> registrations)
    {
        ArgumentNullException.ThrowIfNull(registrations);
        var services = registrations.Select(r => r.Descriptor).ToList();
        _serviceNames = services.Select(s => s.FullName).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        foreach (var service in services)
        {
            Index(service.File);
        }
    }

    public static ServiceDescriptor Descriptor => V1.ReflectionReflection.Descriptor.Services[0];

    public void Bind(GrpcServiceBinder binder)
    {
        ArgumentNullException.ThrowIfNull(binder);
        binder.DuplexStreaming<V1.ServerReflectionRequest, V1.ServerReflectionResponse>(Descriptor.Methods[0], ServeAsync);
    }

    /// <summary>The same protocol under its pre-release package name; the messages are identical on the wire.</summary>
    public sealed class Alpha(ReflectionService inner) : IGrpcService
    {
        public static ServiceDescriptor Descriptor => V1Alpha.ReflectionReflection.Descriptor.Services[0];

        public void Bind(GrpcServiceBinder binder)
        {
            ArgumentNullException.ThrowIfNull(binder);
            binder.DuplexStreaming<V1Alpha.ServerReflectionRequest, V1Alpha.ServerReflectionResponse>(Descriptor.Methods[0], ServeAsync);
        }

        private async Task ServeAsync(
            IAsyncEnumerable<V1Alpha.ServerReflectionRequest> requests,
            IGrpcStreamWriter<V1Alpha.ServerReflectionResponse> responses,
            GrpcCallContext context)
        {
            await foreach (var request in requests.WithCancellation(context.CancellationToken).ConfigureAwait(false))
            {
                var answer = inner.Answer(V1.ServerReflectionRequest.Parser.ParseFrom(request.ToByteString()));
                await responses.WriteAsync(V1Alpha.ServerReflectionResponse.Parser.ParseFrom(answer.ToByteString()), context.CancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task ServeAsync(
        IAsyncEnumerable<V1.ServerReflectionRequest> requests,
        IGrpcStreamWriter<V1.ServerReflectionResponse> responses,
        GrpcCallContext context)
    {
        await foreach (var request in requests.WithCancellation(context.CancellationToken).ConfigureAwait(false))
        {
            await responses.WriteAsync(Answer(request), context.CancellationToken).ConfigureAwait(false);
        }
    }

    internal V1.ServerReflectionResponse Answer(V1.ServerReflectionRequest request)
    {
        var response = new V1.ServerReflectionResponse { ValidHost = request.Host, OriginalRequest = request };
        switch (request.MessageRequestCase)
        {
            case V1.ServerReflectionRequest.MessageRequestOneofCase.ListServices:
                var list = new V1.ListServiceResponse();
                list.Service.AddRange(_serviceNames.Select(name => new V1.ServiceResponse { Name = name }));
                response.ListServicesResponse = list;
                break;
            case V1.ServerReflectionRequest.MessageRequestOneofCase.FileByFilename:
                response = WithFile(response, _filesByName.GetValueOrDefault(request.FileByFilename), $"File not found: {request.FileByFilename}");
                break;
            case V1.ServerReflectionRequest.MessageRequestOneofCase.FileContainingSymbol:
                response = WithFile(response, _filesBySymbol.GetValueOrDefault(request.FileContainingSymbol), $"Symbol not found: {request.FileContainingSymbol}");
                break;
            case V1.ServerReflectionRequest.MessageRequestOneofCase.AllExtensionNumbersOfType:
                // proto3 messages declare no extension ranges: a known type has none; an unknown one is NOT_FOUND.
                if (_filesBySymbol.ContainsKey(request.AllExtensionNumbersOfType))
                {
                    response.AllExtensionNumbersResponse = new V1.ExtensionNumberResponse { BaseTypeName = request.AllExtensionNumbersOfType };
                }
                else
                {
                    response.ErrorResponse = Error(StatusCode.NotFound, $"Type not found: {request.AllExtensionNumbersOfType}");
                }

                break;
            case V1.ServerReflectionRequest.MessageRequestOneofCase.FileContainingExtension:
                response.ErrorResponse = Error(StatusCode.NotFound, "Extensions are not used by any served file.");
                break;
            default:
                response.ErrorResponse = Error(StatusCode.InvalidArgument, "The reflection request names no query.");
                break;
        }

        return response;
    }

    private static V1.ServerReflectionResponse WithFile(V1.ServerReflectionResponse response, FileDescriptor? file, string notFound)
    {
        if (file is null)
        {
            response.ErrorResponse = Error(StatusCode.NotFound, notFound);
            return response;
        }

        // The file and all its transitive dependencies, so a client can build the descriptor in one round trip.
        var files = new V1.FileDescriptorResponse();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<FileDescriptor>([file]);
        while (pending.TryPop(out var next))
        {
            if (!seen.Add(next.Name))
            {
                continue;
            }

            files.FileDescriptorProto.Add(next.SerializedData);
            foreach (var dependency in next.Dependencies)
            {
                pending.Push(dependency);
            }
        }

        response.FileDescriptorResponse = files;
        return response;
    }

    private static V1.ErrorResponse Error(StatusCode code, string message) => new() { ErrorCode = (int)code, ErrorMessage = message };

    private void Index(FileDescriptor file)
    {
        if (!_filesByName.TryAdd(file.Name, file))
        {
            return;
        }

        foreach (var service in file.Services)
        {
            _filesBySymbol[service.FullName] = file;
            foreach (var method in service.Methods)
            {
                _filesBySymbol[method.FullName] = file;
            }
        }

        foreach (var message in file.MessageTypes)
        {
            IndexMessage(file, message);
        }

        foreach (var enumType in file.EnumTypes)
        {
            _filesBySymbol[enumType.FullName] = file;
        }

        foreach (var dependency in file.Dependencies)
        {
            Index(dependency);
        }
    }

    private void IndexMessage(FileDescriptor file, MessageDescriptor message)
    {
        _filesBySymbol[message.FullName] = file;
        foreach (var nested in message.NestedTypes)
        {
            IndexMessage(file, nested);
        }

        foreach (var enumType in message.EnumTypes)
        {
            _filesBySymbol[enumType.FullName] = file;
        }
    }
}
