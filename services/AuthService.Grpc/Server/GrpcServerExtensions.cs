using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AuthService.Grpc.Server;

/// <summary>Wiring for the gRPC server.</summary>
public static class GrpcServerExtensions
{
    /// <summary>Adds the gRPC server core; call <see cref="AddGrpcService{T}"/> for each service.</summary>
    public static IServiceCollection AddGrpcServer(this IServiceCollection services, Action<GrpcServerOptions>? configure = null)
    {
        services.AddOptions<GrpcServerOptions>();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<GrpcMethodTable>();
        return services;
    }

    /// <summary>Registers a service implementation; its methods come from its generated descriptor.</summary>
    public static IServiceCollection AddGrpcService<T>(this IServiceCollection services)
        where T : class, IGrpcService
    {
        services.TryAddSingleton<T>();
        services.AddSingleton(new GrpcServiceRegistration(T.Descriptor, typeof(T)));
        return services;
    }

    /// <summary>Adds grpc.health.v1.Health and server reflection (v1 and v1alpha).</summary>
    public static IServiceCollection AddGrpcHealthAndReflection(this IServiceCollection services)
    {
        services.AddGrpcService<Health.HealthService>();
        services.AddGrpcService<Reflection.ReflectionService>();
        services.AddGrpcService<Reflection.ReflectionService.Alpha>();
        return services;
    }

    /// <summary>Serves every registered gRPC service. Terminal: nothing after it runs.</summary>
    public static IApplicationBuilder UseGrpcServer(this IApplicationBuilder app) => app.UseMiddleware<GrpcDispatcher>();
}
