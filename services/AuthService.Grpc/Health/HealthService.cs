using System.Collections.Concurrent;
using System.Threading.Channels;
using AuthService.Grpc.Server;
using Google.Protobuf.Reflection;
using global::Grpc.Health.V1;
using ServingStatus = global::Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace AuthService.Grpc.Health;

/// <summary>
/// The standard grpc.health.v1.Health service. Statuses are set per service name by the application ("" is
/// the whole server); Watch sends the current status at once and then every change.
/// </summary>
public sealed class HealthService : IGrpcService
{
    private readonly ConcurrentDictionary<string, ServingStatus> _statuses = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Channel<ServingStatus>, string> _watchers = new();
    private readonly Lock _gate = new();

    public HealthService(IEnumerable<GrpcServiceRegistration> registrations)
    {
        ArgumentNullException.ThrowIfNull(registrations);
        _statuses[string.Empty] = ServingStatus.Serving;
        foreach (var registration in registrations)
        {
            _statuses[registration.Descriptor.FullName] = ServingStatus.Serving;
        }
    }

    public static ServiceDescriptor Descriptor => HealthReflection.Descriptor.Services[0];

    /// <summary>Sets a service's status and notifies its watchers.</summary>
    public void SetStatus(string service, ServingStatus status)
    {
        ArgumentNullException.ThrowIfNull(service);
        lock (_gate)
        {
            _statuses[service] = status;
            foreach (var (channel, watched) in _watchers)
            {
                if (watched == service)
                {
                    channel.Writer.TryWrite(status);
                }
            }
        }
    }

    /// <summary>The current status of a service, or null when it is unknown.</summary>
    public ServingStatus? GetStatus(string service) => _statuses.TryGetValue(service, out var status) ? status : null;

    public void Bind(GrpcServiceBinder binder)
    {
        ArgumentNullException.ThrowIfNull(binder);
        var methods = Descriptor.Methods;
        binder.Unary<HealthCheckRequest, HealthCheckResponse>(methods.Single(m => m.Name == "Check"), CheckAsync);
        binder.ServerStreaming<HealthCheckRequest, HealthCheckResponse>(methods.Single(m => m.Name == "Watch"), WatchAsync);
    }

    private Task<HealthCheckResponse> CheckAsync(HealthCheckRequest request, GrpcCallContext context)
    {
        if (!_statuses.TryGetValue(request.Service, out var status))
        {
            throw new GrpcException(StatusCode.NotFound, $"Unknown service '{request.Service}'.");
        }

        return Task.FromResult(new HealthCheckResponse { Status = status });
    }

    private async Task WatchAsync(HealthCheckRequest request, IGrpcStreamWriter<HealthCheckResponse> writer, GrpcCallContext context)
    {
        // Bounded with drop-oldest: a slow watcher only needs the latest status, never a backlog.
        var channel = Channel.CreateBounded<ServingStatus>(new BoundedChannelOptions(4) { FullMode = BoundedChannelFullMode.DropOldest });
        lock (_gate)
        {
            channel.Writer.TryWrite(_statuses.TryGetValue(request.Service, out var current) ? current : ServingStatus.ServiceUnknown);
            _watchers[channel] = request.Service;
        }

        try
        {
            ServingStatus? last = null;
            await foreach (var status in channel.Reader.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
            {
                if (status != last)
                {
                    await writer.WriteAsync(new HealthCheckResponse { Status = status }, context.CancellationToken).ConfigureAwait(false);
                    last = status;
                }
            }
        }
        finally
        {
            _watchers.TryRemove(channel, out _);
        }
    }
}
