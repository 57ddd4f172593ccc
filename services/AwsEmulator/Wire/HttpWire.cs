using System.Text.Json;
using System.Text.Json.Nodes;
using AwsEmulator.SigV4;
using Microsoft.AspNetCore.Http.Features;

namespace AwsEmulator.Wire;

/// <summary>Reading requests as sent and writing AWS-shaped responses.</summary>
internal static class HttpWire
{
    /// <summary>Bodies above this are refused before signature work (AWS's own limits are far lower for these APIs).</summary>
    public const int MaxBodyBytes = 1 << 20;

    /// <summary>The request with its raw target (not the decoded path ASP.NET routes on) and every header occurrence.</summary>
    public static async Task<WireRequest> ReadAsync(HttpContext context)
    {
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(rawTarget) || rawTarget[0] != '/')
        {
            rawTarget = context.Request.Path.ToUriComponent() + context.Request.QueryString.ToUriComponent();
        }

        var headers = new List<KeyValuePair<string, string>>();
        foreach (var header in context.Request.Headers)
        {
            foreach (var value in header.Value)
            {
                headers.Add(new(header.Key, value ?? ""));
            }
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16384];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                throw new AwsErrorException(new AwsError("RequestEntityTooLarge", 413, "Request body too large"));
            }

            buffer.Write(chunk, 0, read);
        }

        return new WireRequest(context.Request.Method, rawTarget, headers, buffer.ToArray());
    }

    public static string NewRequestId() => Guid.NewGuid().ToString();

    /// <summary>awsJson1_1 success: 200 (unless told), the JSON body, x-amzn-RequestId.</summary>
    public static Task WriteJsonAsync(HttpContext context, JsonNode body, int status = 200, string contentType = "application/x-amz-json-1.1")
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        context.Response.Headers["x-amzn-RequestId"] = NewRequestId();
        return context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    /// <summary>
    /// awsJson1_1 error: the code in the body's __type (botocore reads only that) and in X-Amzn-ErrorType.
    /// </summary>
    public static Task WriteJsonErrorAsync(HttpContext context, AwsError error, string contentType = "application/x-amz-json-1.1")
    {
        var body = new JsonObject
        {
            ["__type"] = error.Code,
            [error.LowerCaseMessage ? "message" : "Message"] = error.Message,
        };
        context.Response.Headers["X-Amzn-ErrorType"] = error.Code;
        return WriteJsonAsync(context, body, error.Status, contentType);
    }

    public static JsonObject ParseJsonObject(byte[] body)
    {
        if (body.Length == 0)
        {
            // Smithy awsJson: servers must accept an empty body as {}.
            return [];
        }

        try
        {
            return JsonNode.Parse(body) as JsonObject
                ?? throw new AwsErrorException(new AwsError("SerializationException", 400, "Start of structure or map found where not expected.", true));
        }
        catch (JsonException)
        {
            throw new AwsErrorException(new AwsError("SerializationException", 400, "Malformed JSON in the request body.", true));
        }
    }

    public static double EpochSeconds(DateTimeOffset value) => value.ToUnixTimeMilliseconds() / 1000.0;
}
