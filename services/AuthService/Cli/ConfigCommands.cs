using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using AuthService.Api.V1;
using AuthService.Configuration;
using AuthService.Grpc;
using AuthService.Grpc.Client;

namespace AuthService.Cli;

/// <summary>
/// `authservice config list|test|add`: the operator's way to manage configurations. `add` saves a
/// configuration only when the running service's test of it passes, as the reference add-on does.
/// </summary>
internal static class ConfigCommands
{
    private static readonly JsonSerializerOptions FileJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    public static Command Build()
    {
        var command = new Command("config", "List, test and add authentication configurations.");
        command.Subcommands.Add(List());
        command.Subcommands.Add(TestOrAdd(save: false));
        command.Subcommands.Add(TestOrAdd(save: true));
        return command;
    }

    private static Command List()
    {
        var connection = new ServiceConnection();
        var command = new Command("list", "Show the configurations the service has loaded.");
        connection.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = connection.Client(parse);
            try
            {
                var response = await client.UnaryAsync<ListConfigurationsRequest, ListConfigurationsResponse>(
                    ConfigurationGrpcService.Method("ListConfigurations"), new ListConfigurationsRequest(), connection.Call(parse, null, cancellationToken)).ConfigureAwait(false);
                foreach (var item in response.Configurations)
                {
                    Console.WriteLine($"{item.Configuration.Name}\t{item.Configuration.Region}\t{item.Configuration.AuthCase}\t{item.Source}");
                }

                return 0;
            }
            catch (GrpcException exception)
            {
                await Console.Error.WriteLineAsync($"config list failed: {exception.StatusCode}: {exception.Message}").ConfigureAwait(false);
                return 2;
            }
        });
        return command;
    }

    private static Command TestOrAdd(bool save)
    {
        var connection = new ServiceConnection();
        var name = new Option<string>("--name") { Description = "configuration name (letters, digits, . _ -)", Required = true };
        var region = new Option<string>("--region") { Description = "AWS region of the secrets, e.g. us-east-1", Required = true };
        var authType = new Option<string>("--auth-type") { Description = "profile (default), static-keys, roles-anywhere, instance-profile, assume-role", DefaultValueFactory = _ => AuthSettings.ProfileType };
        var profile = new Option<string?>("--profile") { Description = "profile / static-keys: the profile in the mounted .aws files" };
        var certificate = new Option<string?>("--certificate") { Description = "roles-anywhere: PEM path or pkcs11: URI" };
        var privateKey = new Option<string?>("--private-key") { Description = "roles-anywhere: PEM path or pkcs11: URI (pin-source only)" };
        var pkcs11Lib = new Option<string?>("--pkcs11-lib") { Description = "roles-anywhere: PKCS#11 module path" };
        var trustAnchor = new Option<string?>("--trust-anchor-arn");
        var profileArn = new Option<string?>("--profile-arn");
        var roleArn = new Option<string?>("--role-arn") { Description = "roles-anywhere / assume-role: the role" };
        var sourceProfile = new Option<string?>("--source-profile") { Description = "assume-role: the profile whose credentials assume the role" };
        var endpoint = new Option<string?>("--endpoint-url") { Description = "Secrets Manager and STS endpoint override (e.g. the AwsEmulator)" };
        var probe = new Option<string?>("--probe-secret") { Description = "a secret to DescribeSecret (its value is not read); default: ListSecrets" };
        var file = new Option<string>("--file") { Description = "the configurations file to update", DefaultValueFactory = _ => DefaultFile() };
        var command = new Command(save ? "add" : "test", save
            ? "Test a configuration against AWS through the running service and save it only when every step passes."
            : "Test a configuration against AWS through the running service, step by step. Nothing is saved.")
        {
            name, region, authType, profile, certificate, privateKey, pkcs11Lib, trustAnchor, profileArn, roleArn, sourceProfile, endpoint, probe,
        };
        connection.AddTo(command);
        if (save)
        {
            command.Options.Add(file);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var configuration = new AuthConfiguration
            {
                Name = parse.GetValue(name)!,
                Region = parse.GetValue(region)!,
                EndpointUrl = parse.GetValue(endpoint),
                Auth = new AuthSettings
                {
                    Type = parse.GetValue(authType)!,
                    Profile = parse.GetValue(profile),
                    Certificate = parse.GetValue(certificate),
                    PrivateKey = parse.GetValue(privateKey),
                    Pkcs11Lib = parse.GetValue(pkcs11Lib),
                    TrustAnchorArn = parse.GetValue(trustAnchor),
                    ProfileArn = parse.GetValue(profileArn),
                    RoleArn = parse.GetValue(roleArn),
                    SourceProfile = parse.GetValue(sourceProfile),
                },
            };
            var request = new TestConfigurationRequest { Configuration = ConfigurationMapping.ToProto(configuration), ProbeSecretId = parse.GetValue(probe) ?? string.Empty };
            TestConfigurationResponse response;
            using (var client = connection.Client(parse))
            {
                try
                {
                    response = await client.UnaryAsync<TestConfigurationRequest, TestConfigurationResponse>(
                        ConfigurationGrpcService.Method("TestConfiguration"), request, connection.Call(parse, TimeSpan.FromMinutes(2), cancellationToken)).ConfigureAwait(false);
                }
                catch (GrpcException exception)
                {
                    await Console.Error.WriteLineAsync($"could not reach the service: {exception.StatusCode}: {exception.Message}").ConfigureAwait(false);
                    return 2;
                }
            }

            foreach (var step in response.Steps)
            {
                Console.WriteLine($"{step.Outcome.ToString().ToUpperInvariant(),-8} {step.Name}: {step.Detail}");
            }

            if (!response.Ok)
            {
                Console.WriteLine(save ? "The test failed; nothing was saved." : "The test failed.");
                return 1;
            }

            if (save)
            {
                try
                {
                    Save(parse.GetValue(file)!, configuration);
                }
                catch (Exception exception) when (exception is InvalidOperationException or IOException or UnauthorizedAccessException)
                {
                    await Console.Error.WriteLineAsync(exception.Message).ConfigureAwait(false);
                    return 2;
                }

                // The service reads the file on its next poll: return once it serves the saved configuration, so the
                // next command (or connector) can use it, and say so if it never does (another file, a bad edit).
                using var client = connection.Client(parse);
                if (!await ServedAsync(client, connection.Call(parse, null, cancellationToken), request.Configuration, cancellationToken).ConfigureAwait(false))
                {
                    await Console.Error.WriteLineAsync(
                        $"Saved configuration '{configuration.Name}' to {parse.GetValue(file)}, but the service does not serve it after {ServeWait.TotalSeconds:0} s: " +
                        "check that it reads that file (AUTHSERVICE_Configuration__File) and look for event 2001 in its log.").ConfigureAwait(false);
                    return 1;
                }

                Console.WriteLine($"Saved configuration '{configuration.Name}' to {parse.GetValue(file)}; the service serves it.");
            }

            return 0;
        });
        return command;
    }

    /// <summary>How long `config add` waits for the service to load what it saved (two reload intervals and then some).</summary>
    private static readonly TimeSpan ServeWait = TimeSpan.FromSeconds(10);

    /// <summary>Whether the service lists <paramref name="saved"/> exactly, polling until <see cref="ServeWait"/>.</summary>
    private static async Task<bool> ServedAsync(GrpcClient client, CallOptions call, Api.V1.Configuration saved, CancellationToken cancellationToken)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var listed = await client.UnaryAsync<ListConfigurationsRequest, ListConfigurationsResponse>(
                ConfigurationGrpcService.Method("ListConfigurations"), new ListConfigurationsRequest(), call).ConfigureAwait(false);
            if (listed.Configurations.Any(c => c.Configuration.Equals(saved)))
            {
                return true;
            }

            if (waited.Elapsed >= ServeWait)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
        }
    }

    private static string DefaultFile() =>
        Environment.GetEnvironmentVariable("AUTHSERVICE_Configuration__File") ?? new ConfigurationStoreOptions().File;

    /// <summary>Adds or replaces the configuration by name; written to a temp file then renamed, so a reader never sees half a file.</summary>
    internal static void Save(string path, AuthConfiguration configuration)
    {
        var (existing, errors) = ConfigurationStore.ParseDocument(File.Exists(path) ? File.ReadAllBytes(path) : [], path);
        if (errors.Count > 0)
        {
            // Rewriting a file we cannot read would lose whatever the operator has in it.
            throw new InvalidOperationException($"{path} has problems, so it was not rewritten; fix them first:\n  - " + string.Join("\n  - ", errors));
        }

        // Everything else in the file (the access rules) is kept as it is.
        var document = existing with
        {
            Configurations = existing.Configurations.Where(c => c.Name != configuration.Name).Append(configuration).ToList(),
        };
        var temporary = path + ".tmp-" + Environment.ProcessId;
        File.WriteAllBytes(temporary, JsonSerializer.SerializeToUtf8Bytes(document, FileJson));
        File.Move(temporary, path, overwrite: true);
    }
}
