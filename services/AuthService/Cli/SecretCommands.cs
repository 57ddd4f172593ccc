using System.CommandLine;
using AuthService.Api.V1;
using AuthService.Grpc;
using AuthService.Secrets;

namespace AuthService.Cli;

/// <summary>
/// `authservice secret get`: reads a secret through the running service, as a connector would. Prints what
/// came back (ARN, version, stages, cache state, value size); the value itself only with --show-value.
/// </summary>
internal static class SecretCommands
{
    public static Command Build()
    {
        var command = new Command("secret", "Read secrets through the running service, as a connector does.");
        var connection = new ServiceConnection();
        var configuration = new Option<string>("--configuration") { Description = "configuration name", Required = true };
        var secretId = new Option<string>("--secret-id") { Description = "secret name or ARN", Required = true };
        var jsonKey = new Option<string?>("--json-key") { Description = "one key of a JSON secret" };
        var stage = new Option<string?>("--version-stage") { Description = "e.g. AWSPREVIOUS (default AWSCURRENT)" };
        var showValue = new Option<bool>("--show-value") { Description = "print the value itself (off by default, so terminals and logs do not keep it)" };
        var get = new Command("get", "Read one secret.") { configuration, secretId, jsonKey, stage, showValue };
        connection.AddTo(get);
        get.SetAction(async (parse, cancellationToken) =>
        {
            var request = new GetSecretRequest { Configuration = parse.GetValue(configuration)!, SecretId = parse.GetValue(secretId)! };
            if (parse.GetValue(jsonKey) is { } key)
            {
                request.JsonKey = key;
            }

            if (parse.GetValue(stage) is { } versionStage)
            {
                request.VersionStage = versionStage;
            }

            using var client = connection.Client(parse);
            try
            {
                var response = await client.UnaryAsync<GetSecretRequest, GetSecretResponse>(
                    SecretsGrpcService.Method("GetSecret"), request, connection.Call(parse, TimeSpan.FromSeconds(60), cancellationToken)).ConfigureAwait(false);
                var size = response.ValueCase == GetSecretResponse.ValueOneofCase.SecretBinary
                    ? $"{response.SecretBinary.Length} bytes (binary)"
                    : $"{response.SecretString.Length} characters";
                Console.WriteLine($"arn: {response.Arn}");
                Console.WriteLine($"version: {response.VersionId} [{string.Join(",", response.VersionStages)}]");
                Console.WriteLine($"cache: from cache {response.Cache.ServedFromCache}, age {response.Cache.Age.ToTimeSpan().TotalSeconds:0.#} s, stale {response.Cache.Stale}");
                Console.WriteLine($"value: {size}");
                if (parse.GetValue(showValue))
                {
                    Console.WriteLine(response.ValueCase == GetSecretResponse.ValueOneofCase.SecretBinary
                        ? Convert.ToBase64String(response.SecretBinary.Span)
                        : response.SecretString);
                }

                return 0;
            }
            catch (GrpcException exception)
            {
                await Console.Error.WriteLineAsync($"{exception.StatusCode}: {exception.Message}").ConfigureAwait(false);
                return 1;
            }
        });
        command.Subcommands.Add(get);
        return command;
    }
}
