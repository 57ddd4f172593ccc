using System.Net;
using AuthService.Aws.Protocol;
using AuthService.Aws.Tests.Support;

namespace AuthService.Aws.Tests.Protocol;

/// <summary>Standard retry mode: attempts, back-off with full jitter, what is retried, timeouts. Nothing sleeps.</summary>
public class AwsHttpSenderTests
{
    private static readonly Uri Endpoint = new("https://secretsmanager.eu-west-1.amazonaws.com/");

    private static (AwsHttpSender Sender, List<TimeSpan> Delays, FakeTimeProvider Time) Sender(RecordingHandler handler, AwsRetryOptions? options = null, double jitter = 1.0)
    {
        var time = new FakeTimeProvider();
        var delays = new List<TimeSpan>();
        var sender = new AwsHttpSender(new HttpClient(handler), time, options)
        {
            Jitter = () => jitter,
            DelayAsync = (delay, _) =>
            {
                delays.Add(delay);
                return Task.CompletedTask;
            },
        };
        return (sender, delays, time);
    }

    private static Task<AwsResponse> Send(AwsHttpSender sender, CancellationToken cancellationToken = default) =>
        sender.SendAsync("secretsmanager", _ => Task.FromResult(new HttpRequestMessage(HttpMethod.Post, Endpoint)), r => new AwsServiceException("secretsmanager", AwsJsonError.Parse(r).Code, null, r.StatusCode, null, null), cancellationToken);

    private static HttpResponseMessage Error(HttpStatusCode status, string type) => RecordingHandler.Json(status, $$"""{"__type":"{{type}}"}""", "application/x-amz-json-1.1");

    private static HttpResponseMessage Ok() => RecordingHandler.Json(HttpStatusCode.OK, "{}");

    [Fact]
    public async Task SendAsync_TwoServerErrorsThenSuccess_ThreeAttemptsWithExponentialBackoff()
    {
        // Arrange
        var handler = new RecordingHandler(() => Error(HttpStatusCode.InternalServerError, "InternalServiceError"), () => Error(HttpStatusCode.ServiceUnavailable, "ServiceUnavailable"), Ok);
        var (sender, delays, _) = Sender(handler);

        // Act
        var response = await Send(sender);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, handler.Requests.Count);
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)], delays);
    }

    [Fact]
    public async Task SendAsync_FullJitter_ScalesDelayByRandomFraction()
    {
        // Arrange
        var handler = new RecordingHandler(() => Error(HttpStatusCode.BadRequest, "ThrottlingException"), Ok);
        var (sender, delays, _) = Sender(handler, jitter: 0.25);

        // Act
        await Send(sender);

        // Assert
        Assert.Equal([TimeSpan.FromMilliseconds(250)], delays);
    }

    [Fact]
    public async Task SendAsync_BackoffCeiling_IsCappedAtMaxBackoff()
    {
        // Arrange
        var handler = new RecordingHandler(() => Error(HttpStatusCode.InternalServerError, "InternalFailure"));
        var options = new AwsRetryOptions { MaxAttempts = 4, BaseDelay = TimeSpan.FromSeconds(8), MaxBackoff = TimeSpan.FromSeconds(20) };
        var (sender, delays, _) = Sender(handler, options);

        // Act
        await Assert.ThrowsAsync<AwsServiceException>(() => Send(sender));

        // Assert
        Assert.Equal([TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(16), TimeSpan.FromSeconds(20)], delays);
    }

    [Fact]
    public async Task SendAsync_ServerErrorEveryTime_ThrowsLastErrorAfterThreeAttempts()
    {
        // Arrange
        var handler = new RecordingHandler(() => Error(HttpStatusCode.InternalServerError, "InternalServiceError"));
        var (sender, _, _) = Sender(handler);

        // Act
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => Send(sender));

        // Assert
        Assert.Equal("InternalServiceError", error.ErrorCode);
        Assert.Equal(3, handler.Requests.Count);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest, "ResourceNotFoundException")]
    [InlineData(HttpStatusCode.BadRequest, "AccessDeniedException")]
    [InlineData(HttpStatusCode.BadRequest, "DecryptionFailure")]
    [InlineData(HttpStatusCode.Forbidden, "InvalidClientTokenId")]
    public async Task SendAsync_ClientError_IsNotRetried(HttpStatusCode status, string code)
    {
        // Arrange
        var handler = new RecordingHandler(() => Error(status, code), Ok);
        var (sender, delays, _) = Sender(handler);

        // Act
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => Send(sender));

        // Assert
        Assert.Equal(code, error.ErrorCode);
        Assert.Single(handler.Requests);
        Assert.Empty(delays);
    }

    [Fact]
    public async Task SendAsync_TransientNetworkErrors_RetriedThenTransportExceptionSaysWhatToCheck()
    {
        // Arrange
        var handler = new RecordingHandler((_, _, _) => throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused"));
        var (sender, delays, _) = Sender(handler);

        // Act
        var error = await Assert.ThrowsAsync<AwsTransportException>(() => Send(sender));

        // Assert
        Assert.Equal(3, handler.Requests.Count);
        Assert.Equal(2, delays.Count);
        Assert.False(error.IsTimeout);
        Assert.Contains("Connection refused", error.Message, StringComparison.Ordinal);
        Assert.Contains("proxy", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_NetworkErrorThenSuccess_Succeeds()
    {
        // Arrange
        var handler = new RecordingHandler((_, attempt, _) => attempt == 0 ? throw new HttpRequestException("reset") : Task.FromResult(Ok()));
        var (sender, _, _) = Sender(handler);

        // Act
        var response = await Send(sender);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task SendAsync_AttemptHangsPastAttemptTimeout_RetriesAndSucceeds()
    {
        // Arrange
        var firstArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new RecordingHandler(async (_, attempt, token) =>
        {
            if (attempt == 0)
            {
                firstArrived.SetResult();
                await Task.Delay(Timeout.Infinite, token);
            }

            return Ok();
        });
        var (sender, _, time) = Sender(handler, new AwsRetryOptions { AttemptTimeout = TimeSpan.FromSeconds(5), TotalTimeout = TimeSpan.FromSeconds(60) });

        // Act
        var call = Send(sender);
        await firstArrived.Task;
        time.Advance(TimeSpan.FromSeconds(5));
        var response = await call;

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task SendAsync_TotalTimeoutElapses_ThrowsTimeoutTransportException()
    {
        // Arrange
        var arrivals = new SemaphoreSlim(0);
        var handler = new RecordingHandler(async (_, _, token) =>
        {
            arrivals.Release();
            await Task.Delay(Timeout.Infinite, token);
            return Ok();
        });
        var (sender, _, time) = Sender(handler, new AwsRetryOptions { AttemptTimeout = TimeSpan.FromSeconds(10), TotalTimeout = TimeSpan.FromSeconds(15) });

        // Act
        var call = Send(sender);
        await arrivals.WaitAsync();
        time.Advance(TimeSpan.FromSeconds(10));
        await arrivals.WaitAsync();
        time.Advance(TimeSpan.FromSeconds(5));
        var error = await Assert.ThrowsAsync<AwsTransportException>(() => call);

        // Assert
        Assert.True(error.IsTimeout);
        Assert.Contains("total timeout of 15 s", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task SendAsync_CallerCancels_ThrowsOperationCanceledWithoutRetry()
    {
        // Arrange
        using var cancellation = new CancellationTokenSource();
        var handler = new RecordingHandler(async (_, _, token) =>
        {
            await cancellation.CancelAsync();
            token.ThrowIfCancellationRequested();
            return Ok();
        });
        var (sender, delays, _) = Sender(handler);

        // Act
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Send(sender, cancellation.Token));

        // Assert
        Assert.Single(handler.Requests);
        Assert.Empty(delays);
    }

    [Fact]
    public async Task SendAsync_RetryQuotaExhausted_StopsRetrying()
    {
        // Arrange: a quota of 5 pays for exactly one retry.
        var handler = new RecordingHandler(() => Error(HttpStatusCode.InternalServerError, "InternalServiceError"));
        var (sender, _, _) = Sender(handler, new AwsRetryOptions { RetryQuota = 5 });

        // Act
        await Assert.ThrowsAsync<AwsServiceException>(() => Send(sender));
        await Assert.ThrowsAsync<AwsServiceException>(() => Send(sender));

        // Assert: 2 attempts on the first call, 1 on the second.
        Assert.Equal(3, handler.Requests.Count);
    }

    [Fact]
    public void Constructor_MaxAttemptsOutOfRange_SaysValidRange()
    {
        // Arrange
        var options = new AwsRetryOptions { MaxAttempts = 0 };

        // Act
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new AwsHttpSender(new HttpClient(), TimeProvider.System, options));

        // Assert
        Assert.Contains("1..10", error.Message, StringComparison.Ordinal);
    }
}
