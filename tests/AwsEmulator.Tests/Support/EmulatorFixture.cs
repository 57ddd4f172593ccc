using AwsEmulator.Hosting;
using AwsEmulator.Identity;
using AwsEmulator.Seed;

namespace AwsEmulator.Tests.Support;

/// <summary>One emulator per test (state changes stay local), on 127.0.0.1 port 0, with a hand-moved clock.</summary>
internal sealed class EmulatorFixture : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = DateTimeOffset.UtcNow;

    private EmulatorFixture(EmulatorServer server, ManualTimeProvider time)
    {
        Server = server;
        Time = time;
        Client = new AwsTestClient(server.HttpAddress, time);
    }

    public EmulatorServer Server { get; }

    public ManualTimeProvider Time { get; }

    public AwsTestClient Client { get; }

    public static TestCredentials Reader => new(TestSeeds.ReaderKey, TestSeeds.ReaderSecret);

    public static TestCredentials Writer => new(TestSeeds.WriterKey, TestSeeds.WriterSecret);

    public static async Task<EmulatorFixture> StartAsync(EmulatorModel? model = null, string? caOutPath = null, bool realClock = false)
    {
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var server = await EmulatorServer.StartAsync(model ?? TestSeeds.Model(), realClock ? TimeProvider.System : time, caOutPath);
        return new EmulatorFixture(server, time);
    }

    /// <summary>Temporary credentials for a role session, minted directly in the store.</summary>
    public TestCredentials RoleSession(string roleName, TimeSpan lifetime)
    {
        var store = Server.Get<CredentialStore>();
        var role = Server.Get<EmulatorModel>().RolesByArn[TestSeeds.RoleArn(roleName)];
        var entry = store.Issue(store.RoleSession(role, "test-session"), Time.GetUtcNow() + lifetime);
        return new TestCredentials(entry.AccessKeyId, entry.SecretAccessKey, entry.SessionToken);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }
}
