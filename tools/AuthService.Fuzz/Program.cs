using System.Diagnostics;
using System.Globalization;
using AuthService.Fuzz;

// Seeded mutation fuzzing of the service's parsers and of its gRPC/HTTP/2 endpoint. Usage:
//   AuthService.Fuzz [--seconds N] [--seed S] [--target all|profiles|pkcs11-uri|pem|grpc|http2] [--address http://host:port]
//   AuthService.Fuzz --replay TARGET:HEX      (one input, as printed by a failure)
// Without --address it starts `authservice serve` from its own folder. Exit 0: no failure; 1: failures (each
// printed with seed, target, iteration and input in hex); 2: bad arguments or the service would not start.
var options = FuzzOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: AuthService.Fuzz [--seconds N] [--seed S] [--target all|profiles|pkcs11-uri|pem|grpc|http2] [--address URL] | --replay TARGET:HEX");
    return 2;
}

await using var service = options.NeedsService ? await FuzzService.StartAsync(options.Address) : null;
var targets = new List<IFuzzTarget> { new ProfilesTarget(), new Pkcs11UriTarget(), new PemTarget() };
if (service is not null)
{
    targets.Add(new GrpcTarget(service));
    targets.Add(new Http2Target(service));
}

if (options.Replay is { } replay)
{
    var target = targets.Single(t => t.Name == replay.Target);
    var failure = await target.RunAsync(replay.Input);
    Console.WriteLine(failure is null ? $"replay {target.Name}: no failure" : $"replay {target.Name}: FAILURE {failure}");
    return failure is null ? 0 : 1;
}

targets = [.. targets.Where(t => options.Target == "all" || t.Name == options.Target)];
// The endpoint targets are slower per input and matter more: they get most of the time.
var weights = targets.Select(t => t is GrpcTarget or Http2Target ? 3.0 : 1.0).ToList();
Console.WriteLine($"fuzz: seed {options.Seed}, {options.Seconds} s over {string.Join(", ", targets.Select(t => t.Name))} (replay one input with --replay TARGET:HEX; rerun all with --seed {options.Seed})");
var failures = 0;
for (var index = 0; index < targets.Count; index++)
{
    var target = targets[index];
    var budget = TimeSpan.FromSeconds(options.Seconds * weights[index] / weights.Sum());
    // Each target has its own stream from the seed, so adding a target does not change another's inputs.
    var random = new Random(unchecked((options.Seed * 31) + target.Name.Aggregate(17, (h, c) => (h * 31) + c)));
    var mutator = new Mutator(random, target.Seeds, target.Dictionary);
    var watch = Stopwatch.StartNew();
    var runs = 0;
    var targetFailures = 0;
    while (watch.Elapsed < budget && targetFailures < 5)
    {
        var input = runs < target.Seeds.Count ? target.Seeds[runs] : mutator.Next();
        runs++;
        string? failure;
        var run = Task.Run(() => target.RunAsync(input));
        if (await Task.WhenAny(run, Task.Delay(target.Deadline + TimeSpan.FromSeconds(5))) != run)
        {
            failure = $"hang: no result within {target.Deadline.TotalSeconds + 5:0} s";
        }
        else
        {
            failure = await run;
        }

        if (failure is not null)
        {
            targetFailures++;
            Console.WriteLine($"FAILURE seed={options.Seed} target={target.Name} iteration={runs}: {failure}");
            Console.WriteLine($"  reproduce: --replay {target.Name}:{Convert.ToHexString(input)}");
            if (failure.StartsWith("hang", StringComparison.Ordinal))
            {
                break;   // the hung run still holds its thread; the next target gets a clean start
            }
        }
    }

    failures += targetFailures;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fuzz: {target.Name}: {runs} inputs in {watch.Elapsed.TotalSeconds:0.0} s, {targetFailures} failures"));
}

if (service is not null && await service.CheckHealthAsync() is { } down)
{
    failures++;
    Console.WriteLine($"FAILURE seed={options.Seed}: the service is not healthy after the run: {down}");
}

Console.WriteLine($"fuzz: seed {options.Seed}: {failures} failures");
return failures == 0 ? 0 : 1;
