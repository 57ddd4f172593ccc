using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace AuthService.Grpc.Server;

/// <summary>
/// Binds handlers to the methods of one generated service descriptor, checking that each handler's kind and
/// message types match the .proto definition.
/// </summary>
public sealed class GrpcServiceBinder
{
    private readonly Dictionary<MethodDescriptor, Func<ServerCall, Task>> _handlers = [];

    internal GrpcServiceBinder(ServiceDescriptor service)
    {
        Service = service;
    }

    /// <summary>The service being bound.</summary>
    public ServiceDescriptor Service { get; }

    internal IReadOnlyDictionary<MethodDescriptor, Func<ServerCall, Task>> Handlers => _handlers;

    /// <summary>A unary method: one request, one response.</summary>
    public void Unary<TRequest, TResponse>(MethodDescriptor method, Func<TRequest, GrpcCallContext, Task<TResponse>> handler)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(handler);
        var parser = Check<TRequest, TResponse>(method, clientStreaming: false, serverStreaming: false);
        Add(method, async call =>
        {
            var request = await call.ReadSingleMessageAsync(parser).ConfigureAwait(false);
            var response = await handler(request, call.Context).ConfigureAwait(false);
            await call.WriteMessageAsync(response, flush: false, call.Context.CancellationToken).ConfigureAwait(false);
        });
    }

    /// <summary>A server-streaming method: one request, any number of responses.</summary>
    public void ServerStreaming<TRequest, TResponse>(
        MethodDescriptor method,
        Func<TRequest, IGrpcStreamWriter<TResponse>, GrpcCallContext, Task> handler)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(handler);
        var parser = Check<TRequest, TResponse>(method, clientStreaming: false, serverStreaming: true);
        Add(method, async call =>
        {
            var request = await call.ReadSingleMessageAsync(parser).ConfigureAwait(false);
            await handler(request, new StreamWriter<TResponse>(call), call.Context).ConfigureAwait(false);
        });
    }

    /// <summary>A bidirectional-streaming method: requests and responses flow independently.</summary>
    public void DuplexStreaming<TRequest, TResponse>(
        MethodDescriptor method,
        Func<IAsyncEnumerable<TRequest>, IGrpcStreamWriter<TResponse>, GrpcCallContext, Task> handler)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(handler);
        var parser = Check<TRequest, TResponse>(method, clientStreaming: true, serverStreaming: true);
        Add(method, call => handler(call.ReadAllAsync(parser), new StreamWriter<TResponse>(call), call.Context));
    }

    private MessageParser<TRequest> Check<TRequest, TResponse>(MethodDescriptor method, bool clientStreaming, bool serverStreaming)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(method);
        if (method.Service != Service)
        {
            throw new ArgumentException($"Method {method.FullName} does not belong to service {Service.FullName}.", nameof(method));
        }

        if (method.IsClientStreaming != clientStreaming || method.IsServerStreaming != serverStreaming)
        {
            throw new ArgumentException(
                $"Method {method.FullName} is declared with client streaming={method.IsClientStreaming}, server streaming={method.IsServerStreaming}; bind it with the matching kind.",
                nameof(method));
        }

        if (method.InputType.ClrType != typeof(TRequest) || method.OutputType.ClrType != typeof(TResponse))
        {
            throw new ArgumentException(
                $"Method {method.FullName} takes {method.InputType.ClrType?.Name} and returns {method.OutputType.ClrType?.Name}, not {typeof(TRequest).Name} and {typeof(TResponse).Name}.",
                nameof(method));
        }

        return (MessageParser<TRequest>)method.InputType.Parser;
    }

    private void Add(MethodDescriptor method, Func<ServerCall, Task> handler)
    {
        if (!_handlers.TryAdd(method, handler))
        {
            throw new ArgumentException($"Method {method.FullName} is bound twice.", nameof(method));
        }
    }

    private sealed class StreamWriter<T>(ServerCall call) : IGrpcStreamWriter<T>
        where T : class, IMessage<T>
    {
        public Task WriteAsync(T message, CancellationToken cancellationToken = default) =>
            call.WriteMessageAsync(message, flush: true, cancellationToken).AsTask();
    }
}
