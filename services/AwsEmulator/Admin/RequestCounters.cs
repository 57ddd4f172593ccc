using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace AwsEmulator.Admin;

/// <summary>Requests received per operation and per secret, so tests can assert "one AWS call per secret".
/// Every request that reached an operation counts, whether it succeeded, failed or met an injected fault.</summary>
internal sealed class RequestCounters
{
    private readonly ConcurrentDictionary<string, long> _operations = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Secret, string Operation), long> _secrets = new();

    public void CountOperation(string operation) => _operations.AddOrUpdate(operation, 1, (_, n) => n + 1);

    public void CountSecret(string secret, string operation) => _secrets.AddOrUpdate((secret, operation), 1, (_, n) => n + 1);

    public long Operation(string operation) => _operations.GetValueOrDefault(operation);

    public long Secret(string secret, string operation) => _secrets.GetValueOrDefault((secret, operation));

    public void Reset()
    {
        _operations.Clear();
        _secrets.Clear();
    }

    /// <summary>{"operations":{"GetSecretValue":3},"secrets":{"app/db":{"GetSecretValue":2}}}</summary>
    public JsonObject ToJson()
    {
        var operations = new JsonObject();
        foreach (var (name, count) in _operations.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            operations[name] = count;
        }

        var secrets = new JsonObject();
        foreach (var group in _secrets.GroupBy(p => p.Key.Secret).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var perOperation = new JsonObject();
            foreach (var entry in group.OrderBy(p => p.Key.Operation, StringComparer.Ordinal))
            {
                perOperation[entry.Key.Operation] = entry.Value;
            }

            secrets[group.Key] = perOperation;
        }

        return new JsonObject { ["operations"] = operations, ["secrets"] = secrets };
    }
}
