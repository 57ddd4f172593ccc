using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AwsEmulator.Seed;
using AwsEmulator.Tests.Support;

namespace AwsEmulator.Tests;

public class FaultTests
{
    [Fact]
    public async Task SeededThrottle_CountTwo_ThrottlesTwiceThenServes()
    {
        var seed = TestSeeds.Document();
        seed.Faults.Add(new SeedFault { Operation = "GetSecretValue", Kind = FaultKind.Throttle, Count = 2 });
        await using var emulator = await EmulatorFixture.StartAsync(SeedLoader.Resolve(seed, "."));

        var first = await Get(emulator);
        var second = await Get(emulator);
        var third = await Get(emulator);
        var otherOperation = await emulator.Client.SecretsManagerAsync("DescribeSecret", new { SecretId = "app/db" }, EmulatorFixture.Reader);

        Assert.Equal("ThrottlingException", first.ErrorType);
        Assert.Equal("Rate exceeded", first.Body["message"]!.GetValue<string>());
        Assert.Equal(400, first.Status);
        Assert.Equal("ThrottlingException", second.ErrorType);
        Assert.Equal(200, third.Status);
        Assert.Equal(200, otherOperation.Status);
        Assert.Equal(3, emulator.Server.Get<Admin.RequestCounters>().Operation("GetSecretValue"));
    }

    [Fact]
    public async Task AdminFaults_Error503ThenCleared_ServesAgain()
    {
        await using var emulator = await EmulatorFixture.StartAsync();

        var set = await PutFaultsAsync(emulator, """{"faults":[{"operation":"GetSecretValue","kind":"error","status":503}]}""");
        var failed = await Get(emulator);
        using var cleared = await emulator.Client.Http.DeleteAsync(new Uri(emulator.Server.HttpAddress, "/admin/faults"));
        var served = await Get(emulator);

        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal(503, failed.Status);
        Assert.Equal("ServiceUnavailable", failed.ErrorType);
        Assert.Equal(200, served.Status);
    }

    [Fact]
    public async Task AdminFaults_Error500_InternalServiceError()
    {
        await using var emulator = await EmulatorFixture.StartAsync();

        await PutFaultsAsync(emulator, """{"faults":[{"operation":"*","kind":"error","status":500,"count":1}]}""");
        var failed = await Get(emulator);

        Assert.Equal(500, failed.Status);
        Assert.Equal("InternalServiceError", failed.ErrorType);
    }

    [Fact]
    public async Task AdminFaults_Latency_DelaysTheAnswer()
    {
        await using var emulator = await EmulatorFixture.StartAsync();
        await PutFaultsAsync(emulator, """{"faults":[{"operation":"GetSecretValue","kind":"latency","latencyMs":400}]}""");

        var watch = Stopwatch.StartNew();
        var reply = await Get(emulator);

        Assert.Equal(200, reply.Status);
        Assert.True(watch.ElapsedMilliseconds >= 380, $"answered after {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task AdminFaults_Reset_ConnectionDropsWithoutAnswer()
    {
        await using var emulator = await EmulatorFixture.StartAsync();
        await PutFaultsAsync(emulator, """{"faults":[{"operation":"GetSecretValue","kind":"reset","count":1}]}""");

        await Assert.ThrowsAsync<HttpRequestException>(() => Get(emulator));
        var after = await Get(emulator);

        Assert.Equal(200, after.Status);
    }

    [Fact]
    public async Task AdminFaults_HalfProbabilityWithSeed_HitsSomeButNotAll()
    {
        await using var emulator = await EmulatorFixture.StartAsync();
        await PutFaultsAsync(emulator, """{"faults":[{"operation":"GetSecretValue","kind":"throttle","probability":0.5}],"randomSeed":7}""");

        var throttled = 0;
        for (var i = 0; i < 40; i++)
        {
            throttled += (await Get(emulator)).ErrorType == "ThrottlingException" ? 1 : 0;
        }

        Assert.InRange(throttled, 5, 35);
    }

    [Fact]
    public async Task AdminFaults_InvalidRules_400ListingEveryProblem()
    {
        await using var emulator = await EmulatorFixture.StartAsync();

        using var response = await PutFaultsAsync(emulator, """{"faults":[{"operation":"x","kind":"error","status":200,"probability":3}]}""");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]!.AsArray();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(2, body.Count);
    }

    [Fact]
    public async Task AdminFaults_CreateSessionThrottled_429ThrottlingException()
    {
        await using var emulator = await EmulatorFixture.StartAsync();
        await PutFaultsAsync(emulator, """{"faults":[{"operation":"CreateSession","kind":"throttle"}]}""");

        using var response = await emulator.Client.Http.PostAsync(new Uri(emulator.Server.HttpAddress, "/sessions"), new StringContent("{}"));

        Assert.Equal(429, (int)response.StatusCode);
        Assert.Equal("ThrottlingException", response.Headers.GetValues("X-Amzn-ErrorType").Single());
    }

    [Fact]
    public async Task AdminFaults_StsAndImdsThrottled_AnswerInTheirOwnProtocol()
    {
        await using var emulator = await EmulatorFixture.StartAsync();
        await PutFaultsAsync(emulator, """{"faults":[{"operation":"GetCallerIdentity","kind":"throttle"},{"operation":"ImdsToken","kind":"error","status":503}]}""");
        using var sts = TestSigner.Sign(emulator.Server.HttpAddress, "sts", TestSeeds.Region, EmulatorFixture.Reader, emulator.Time.GetUtcNow(),
            "application/x-www-form-urlencoded", Encoding.UTF8.GetBytes("Action=GetCallerIdentity&Version=2011-06-15"));
        using var token = new HttpRequestMessage(HttpMethod.Put, new Uri(emulator.Server.HttpAddress, "/latest/api/token"));
        token.Headers.Add("X-aws-ec2-metadata-token-ttl-seconds", "60");

        using var stsResponse = await emulator.Client.Http.SendAsync(sts);
        using var imdsResponse = await emulator.Client.Http.SendAsync(token);

        Assert.Equal(400, (int)stsResponse.StatusCode);
        Assert.Contains("<Code>Throttling</Code>", await stsResponse.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(503, (int)imdsResponse.StatusCode);
    }

    [Fact]
    public async Task AdminCounters_Reset_ClearsEverything()
    {
        await using var emulator = await EmulatorFixture.StartAsync();
        await Get(emulator);

        using var reset = await emulator.Client.Http.PostAsync(new Uri(emulator.Server.HttpAddress, "/admin/counters/reset"), null);
        var counters = JsonNode.Parse(await emulator.Client.Http.GetStringAsync(new Uri(emulator.Server.HttpAddress, "/admin/counters")))!;

        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        Assert.Empty(counters["operations"]!.AsObject());
    }

    private static Task<JsonReply> Get(EmulatorFixture emulator) =>
        emulator.Client.SecretsManagerAsync("GetSecretValue", new { SecretId = "app/db" }, EmulatorFixture.Reader);

    private static async Task<HttpResponseMessage> PutFaultsAsync(EmulatorFixture emulator, string json) =>
        await emulator.Client.Http.PutAsync(new Uri(emulator.Server.HttpAddress, "/admin/faults"), new StringContent(json, Encoding.UTF8, "application/json"));
}
