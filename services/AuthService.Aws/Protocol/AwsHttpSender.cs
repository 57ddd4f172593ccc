namespace AuthService.Aws.Protocol;

/// <summary>
/// Sends AWS requests with the "standard" retry mode: up to 3 attempts, exponential back-off with full jitter,
/// retrying throttling, 5xx and transient network errors, with per-attempt and total timeouts and a retry quota.
/// Every attempt gets a freshly built and signed request (a signature carries its date).
/// </summary>
public sealed class AwsHttpSender
{
    private const int RetryCost = 5;
    private const int TimeoutRetryCost = 10;

    private readonly HttpClient _httpClient;
    private readonly TimeProvider _timeProvider;
    private readonly AwsRetryOptions _options;
    private readonly Lock _quotaLock = new();
    private int _quota;

    /// <summary>Creates a sender over <paramref name="httpClient"/> (its handler is the injection point for tests and proxies).</summary>
    public AwsHttpSender(HttpClient httpClient, TimeProvider timeProvider, AwsRetryOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _httpClient = httpClient;
        _timeProvider = timeProvider;
        _options = options ?? AwsRetryOptions.Standard;
        _options.Validate();
        _quota = _options.RetryQuota;
        DelayAsync = (delay, token) => Task.Delay(delay, _timeProvider, token);
    }

    /// <summary>The back-off wait (tests replace it to observe delays without waiting).</summary>
    internal Func<TimeSpan, CancellationToken, Task> DelayAsync { get; set; }

    /// <summary>The jitter source, uniform in [0, 1).</summary>
    internal Func<double> Jitter { get; set; } = Random.Shared.NextDouble;

    /// <summary>
    /// Sends the request <paramref name="createRequest"/> builds (and signs) for each attempt, and returns the first
    /// 2xx response. A non-2xx response becomes the exception <paramref name="toError"/> makes; it is retried when
    /// retryable.
    /// </summary>
    /// <exception cref="AwsServiceException">AWS answered with an error that is not retryable, or kept failing.</exception>
    /// <exception cref="AwsTransportException">No answer: network failure or timeout on every attempt.</exception>
    public async Task<AwsResponse> SendAsync(
        string service,
        Func<CancellationToken, Task<HttpRequestMessage>> createRequest,
        Func<AwsResponse, AwsServiceException> toError,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(createRequest);
        ArgumentNullException.ThrowIfNull(toError);
        using var totalTimeout = new CancellationTokenSource(_options.TotalTimeout, _timeProvider);
        using var total = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, totalTimeout.Token);
        string? host = null;
        var retried = false;

        for (var attempt = 1; ; attempt++)
        {
            Exception failure;
            int cost;
            using (var attemptTimeout = new CancellationTokenSource(_options.AttemptTimeout, _timeProvider))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(total.Token, attemptTimeout.Token))
            {
                try
                {
                    using var request = await createRequest(linked.Token).ConfigureAwait(false);
                    host ??= request.RequestUri?.Authority;
                    using var response = await _httpClient.SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token).ConfigureAwait(false);
                    var read = await AwsResponse.ReadAsync(response, linked.Token).ConfigureAwait(false);
                    if (read.IsSuccess)
                    {
                        Refund(retried);
                        return read;
                    }

                    var error = toError(read);
                    if (!error.IsRetryable)
                    {
                        throw error;
                    }

                    failure = error;
                    cost = RetryCost;
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
                catch (OperationCanceledException e) when (totalTimeout.IsCancellationRequested)
                {
                    throw TotalTimeout(service, host, e);
                }
                catch (OperationCanceledException e) when (attemptTimeout.IsCancellationRequested)
                {
                    failure = new TimeoutException($"attempt {attempt} got no complete answer within {_options.AttemptTimeout.TotalSeconds:0.###} s", e);
                    cost = TimeoutRetryCost;
                }
                catch (HttpRequestException e) when (e.HttpRequestError != HttpRequestError.SecureConnectionError)
                {
                    failure = e;
                    cost = RetryCost;
                }
                catch (HttpRequestException e)
                {
                    throw new AwsTransportException(
                        $"TLS to {service} at {host} failed: {e.Message} Check the endpoint URL and the CA certificates the container trusts.", e);
                }
                catch (IOException e)
                {
                    failure = e;
                    cost = RetryCost;
                }
            }

            if (attempt >= _options.MaxAttempts || !TryTakeQuota(cost))
            {
                throw failure switch
                {
                    AwsServiceException serviceError => serviceError,
                    TimeoutException timeout => new AwsTransportException(
                        $"{service} at {host} did not answer: {timeout.Message} ({attempt} attempt(s)). Check network access to the endpoint, proxy settings and the endpoint override.", timeout)
                    { IsTimeout = true },
                    _ => new AwsTransportException(
                        $"Could not reach {service} at {host} ({attempt} attempt(s)): {failure.Message} Check DNS, network access, proxy settings (HTTPS_PROXY) and the endpoint override.", failure),
                };
            }

            retried = true;
            var ceiling = Math.Min(_options.BaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1), _options.MaxBackoff.TotalMilliseconds);
            try
            {
                await DelayAsync(TimeSpan.FromMilliseconds(Jitter() * ceiling), total.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested && totalTimeout.IsCancellationRequested)
            {
                throw TotalTimeout(service, host, e);
            }
        }
    }

    private AwsTransportException TotalTimeout(string service, string? host, Exception inner) =>
        new($"{service} at {host} did not answer within the total timeout of {_options.TotalTimeout.TotalSeconds:0.###} s. Check network access to the endpoint and proxy settings.", inner)
        { IsTimeout = true };

    private bool TryTakeQuota(int cost)
    {
        lock (_quotaLock)
        {
            if (_quota < cost)
            {
                return false;
            }

            _quota -= cost;
            return true;
        }
    }

    private void Refund(bool retried)
    {
        lock (_quotaLock)
        {
            // Standard mode: a success after a retry returns that retry's cost, a first-try success adds one.
            _quota = Math.Min(_options.RetryQuota, _quota + (retried ? RetryCost : 1));
        }
    }
}
