using AuthService.Grpc.Server;
using AuthService.Grpc.Tests.Testing;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace AuthService.Grpc.Tests;

/// <summary>The testing.v1.TestService implementation used by the server tests and the interop peers.</summary>
public sealed class TestService : IGrpcService
{
    public static ServiceDescriptor Descriptor => TestReflection.Descriptor.Services[0];

    public static MethodDescriptor Method(string name) => Descriptor.FindMethodByName(name);

    /// <summary>Set when a Sleep call observed its cancellation token (deadline or caller gone).</summary>
    public TaskCompletionSource SleepCancelled { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void ResetSleepCancelled() => SleepCancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Bind(GrpcServiceBinder binder)
    {
        binder.Unary<EchoRequest, EchoReply>(Method("Echo"), (request, _) => Task.FromResult(Reply(request)));
        binder.Unary<FailRequest, EchoReply>(Method("Fail"), (request, _) => throw new GrpcException((StatusCode)request.Code, request.Message));
        binder.ServerStreaming<CountRequest, EchoReply>(Method("Count"), async (request, writer, context) =>
        {
            for (var i = 0; i < request.Count; i++)
            {
                await writer.WriteAsync(new EchoReply { Text = i.ToString() }, context.CancellationToken);
            }

            if (request.FailCode != 0)
            {
                throw new GrpcException((StatusCode)request.FailCode, "failed after streaming");
            }
        });
        binder.Unary<SleepRequest, EchoReply>(Method("Sleep"), async (request, context) =>
        {
            try
            {
                var token = request.IgnoreCancellation ? CancellationToken.None : context.CancellationToken;
                await Task.Delay(request.DelayMs, token);
            }
            catch (OperationCanceledException)
            {
                SleepCancelled.TrySetResult();
                throw;
            }

            return new EchoReply { Text = "slept" };
        });
        binder.DuplexStreaming<EchoRequest, EchoReply>(Method("Chat"), async (requests, writer, context) =>
        {
            await foreach (var request in requests)
            {
                await writer.WriteAsync(Reply(request), context.CancellationToken);
            }
        });
    }

    private static EchoReply Reply(EchoRequest request) => new()
    {
        Text = request.Text,
        Payload = request.ReplySize > 0 ? ByteString.CopyFrom(new byte[request.ReplySize]) : request.Payload,
    };
}
