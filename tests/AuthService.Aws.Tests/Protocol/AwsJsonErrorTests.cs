using System.Net;
using System.Text;
using System.Text.Json;
using AuthService.Aws.Protocol;
using AuthService.Aws.Tests.Support;

namespace AuthService.Aws.Tests.Protocol;

/// <summary>The 13 Smithy awsJson1_1 error-deserialisation cases (Vectors/awsjson11-errors/SOURCE.md).</summary>
public class AwsJsonErrorTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var item in Load().RootElement.GetProperty("cases").EnumerateArray())
        {
            data.Add(item.GetProperty("id").GetString()!);
        }

        return data;
    }

    [Fact]
    public void Cases_VectorFile_Holds13Cases()
    {
        Assert.Equal(13, Cases().Count);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Parse_SmithyCase_YieldsExpectedCodeAndMessage(string id)
    {
        // Arrange
        using var document = Load();
        var item = document.RootElement.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("id").GetString() == id);
        var headers = item.GetProperty("headers").EnumerateObject().ToDictionary(h => h.Name, h => h.Value.GetString()!, StringComparer.OrdinalIgnoreCase);
        var body = item.GetProperty("body").ValueKind == JsonValueKind.Null ? [] : Encoding.UTF8.GetBytes(item.GetProperty("body").GetRawText());
        var response = new AwsResponse((HttpStatusCode)item.GetProperty("status").GetInt32(), headers, body);

        // Act
        var (code, message) = AwsJsonError.Parse(response);

        // Assert
        Assert.Equal(item.GetProperty("expect_code").GetString(), code);
        if (item.TryGetProperty("expect_message", out var expectedMessage))
        {
            Assert.Equal(expectedMessage.GetString(), message);
        }
    }

    [Theory]
    [InlineData("""{"__type":"UnrecognizedClientException","message":"The security token included in the request is invalid."}""", "UnrecognizedClientException", "The security token included in the request is invalid.")]
    [InlineData("""{"__type":"ResourceNotFoundException","Message":"Secrets Manager can't find the specified secret."}""", "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")]
    [InlineData("<html>bad gateway</html>", "502", null)]
    [InlineData("", "502", null)]
    public void Parse_WireCaptures_ReadsLowerOrUpperMessageAndFallsBackToStatus(string body, string code, string? message)
    {
        // Arrange
        var response = new AwsResponse(HttpStatusCode.BadGateway, new Dictionary<string, string>(), Encoding.UTF8.GetBytes(body));

        // Act
        var parsed = AwsJsonError.Parse(response);

        // Assert
        Assert.Equal((code, message), parsed);
    }

    private static JsonDocument Load() => JsonDocument.Parse(File.ReadAllText(TestPaths.Vectors("awsjson11-errors", "error-cases.json")));
}
