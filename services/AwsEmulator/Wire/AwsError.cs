namespace AwsEmulator.Wire;

/// <summary>An error as AWS puts it on the wire: code, HTTP status and message. LowerCaseMessage: front-door errors
/// (auth, throttling) carry "message", modeled service errors "Message".</summary>
internal sealed record AwsError(string Code, int Status, string Message, bool LowerCaseMessage = false);

/// <summary>Thrown inside an operation to end it with <see cref="Error"/>; the endpoint writes it in its protocol.</summary>
internal sealed class AwsErrorException(AwsError error) : Exception(error.Message)
{
    public AwsError Error { get; } = error;
}
