using System.Diagnostics;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace AuthService.Grpc.Tests;

/// <summary>
/// Independent gRPC implementations judge the server: Python grpcio and Node @grpc/grpc-js call health,
/// watch, reflection (v1 and v1alpha), an error with a non-ASCII message, a deadline, and an unknown method,
/// over TCP and over the Unix socket. scripts/install-test-deps installs both peers.
/// </summary>
public class InteropTests : IClassFixture<GrpcTestServer>
{
    private readonly GrpcTestServer _server;

    public InteropTests(GrpcTestServer server) => _server = server;

    private string Target(string transport) => transport == "unix" ? _server.UnixTarget : new Uri(_server.TcpTarget).Authority;

    [PythonGrpcTheory]
    [InlineData("tcp")]
    [InlineData("unix")]
    public async Task PythonGrpcio_AllScenarios_ExpectedStatuses(string transport)
    {
        var descriptors = Path.Combine(_server.Directory, "descriptors.pb");
        await File.WriteAllBytesAsync(descriptors, DescriptorSet());

        var results = await Peer.RunAsync(PythonGrpcTheoryAttribute.Python, Peer.RepoPath("tests/interop/python/grpc_interop.py"), Target(transport), descriptors);

        Assert.Equal("SERVING", results.GetProperty("check").GetString());
        Assert.Equal("NOT_FOUND", results.GetProperty("check_unknown").GetProperty("code").GetString());
        Assert.Equal("SERVING", results.GetProperty("watch_first").GetString());
        foreach (var version in new[] { "v1", "v1alpha" })
        {
            Assert.Equal(ExpectedServices, results.GetProperty($"reflection_{version}_services").EnumerateArray().Select(e => e.GetString()!));
            Assert.Equal("grpc/health/v1/health.proto", results.GetProperty($"reflection_{version}_file").GetString());
        }

        Assert.Equal("FAILED_PRECONDITION", results.GetProperty("fail").GetProperty("code").GetString());
        Assert.Equal("token missing: 100% naïve", results.GetProperty("fail").GetProperty("details").GetString());
        Assert.Equal("DEADLINE_EXCEEDED", results.GetProperty("deadline").GetProperty("code").GetString());
        Assert.Equal("UNIMPLEMENTED", results.GetProperty("unknown_method").GetProperty("code").GetString());
        Assert.Equal(20000, results.GetProperty("echo_gzip").GetInt32());
    }

    [NodeGrpcTheory]
    [InlineData("tcp")]
    [InlineData("unix")]
    public async Task NodeGrpcJs_AllScenarios_ExpectedStatuses(string transport)
    {
        var results = await Peer.RunAsync(
            "node",
            Peer.RepoPath("tests/interop/node/grpc_interop.js"),
            Target(transport),
            Peer.RepoPath("protos"),
            Peer.RepoPath("tests/AuthService.Grpc.Tests"));

        Assert.Equal("SERVING", results.GetProperty("check").GetString());
        Assert.Equal("NOT_FOUND", results.GetProperty("check_unknown").GetProperty("code").GetString());
        Assert.Equal("SERVING", results.GetProperty("watch_first").GetString());
        foreach (var version in new[] { "v1", "v1alpha" })
        {
            Assert.Equal(ExpectedServices, results.GetProperty($"reflection_{version}_services").EnumerateArray().Select(e => e.GetString()!));
            Assert.Equal(1, results.GetProperty($"reflection_{version}_file_count").GetInt32());
        }

        Assert.Equal("FAILED_PRECONDITION", results.GetProperty("fail").GetProperty("code").GetString());
        Assert.Equal("token missing: 100% naïve", results.GetProperty("fail").GetProperty("details").GetString());
        Assert.Equal("DEADLINE_EXCEEDED", results.GetProperty("deadline").GetProperty("code").GetString());
        Assert.Equal(20000, results.GetProperty("echo").GetInt32());
        var streamed = results.GetProperty("stream_then_error");
        Assert.Equal(["0", "1", "2", "3", "4"], streamed.GetProperty("replies").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal("ABORTED", streamed.GetProperty("status").GetProperty("code").GetString());
    }

    private static readonly string[] ExpectedServices =
        ["grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection", "testing.v1.TestService"];

    private static byte[] DescriptorSet()
    {
        var set = new FileDescriptorSet();
        foreach (var file in new[]
        {
            global::Grpc.Health.V1.HealthReflection.Descriptor,
            global::Grpc.Reflection.V1.ReflectionReflection.Descriptor,
            global::Grpc.Reflection.V1Alpha.ReflectionReflection.Descriptor,
            Testing.TestReflection.Descriptor,
        })
        {
            set.File.Add(FileDescriptorProto.Parser.ParseFrom(file.SerializedData));
        }

        return set.ToByteArray();
    }
}

/// <summary>Runs an interop peer as a child process and parses the JSON it prints.</summary>
public static class Peer
{
    public static string RepoPath(string relative)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "AuthService.sln")))
        {
            directory = directory.Parent;
        }

        return Path.Combine(directory?.FullName ?? throw new InvalidOperationException("AuthService.sln not found above the test directory"), relative);
    }

    public static async Task<JsonElement> RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"{program} exited {process.ExitCode}: {await errors}");
        return JsonDocument.Parse(await output).RootElement;
    }
}

/// <summary>Skips, saying why, when Debian's python3-grpcio is not installed.</summary>
public sealed class PythonGrpcTheoryAttribute : TheoryAttribute
{
    public const string Python = "/usr/bin/python3";
    private static readonly Lazy<bool> Available = new(() => Probe(Python, "-c", "import grpc, google.protobuf"));

    public PythonGrpcTheoryAttribute()
    {
        if (!Available.Value)
        {
            Skip = "Python grpcio is not installed (/usr/bin/python3 with python3-grpcio): run scripts/install-test-deps";
        }
    }

    internal static bool Probe(string program, params string[] arguments)
    {
        try
        {
            var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            return process.WaitForExit(30_000) && process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}

/// <summary>Skips, saying why, when node or the npm packages of tests/interop/node are missing.</summary>
public sealed class NodeGrpcTheoryAttribute : TheoryAttribute
{
    private static readonly Lazy<bool> Available = new(() =>
        Directory.Exists(Peer.RepoPath("tests/interop/node/node_modules/@grpc/grpc-js")) && PythonGrpcTheoryAttribute.Probe("node", "--version"));

    public NodeGrpcTheoryAttribute()
    {
        if (!Available.Value)
        {
            Skip = "Node gRPC client missing (node, or tests/interop/node/node_modules): run scripts/install-test-deps";
        }
    }
}
