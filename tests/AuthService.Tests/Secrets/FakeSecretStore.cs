using AuthService.Secrets;

namespace AuthService.Tests.Secrets;

/// <summary>An in-memory secret store that counts calls and fails or stalls on demand.</summary>
public sealed class FakeSecretStore : ISecretStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<SecretRecord>> _secrets = new(StringComparer.Ordinal);
    private int _getCalls;
    private int _describeCalls;

    public int GetCalls => Volatile.Read(ref _getCalls);

    public int DescribeCalls => Volatile.Read(ref _describeCalls);

    /// <summary>When set, every call fails with it.</summary>
    public SecretStoreException? Failure { get; set; }

    /// <summary>When set, GetSecretValue waits for it before answering.</summary>
    public TaskCompletionSource? Gate { get; set; }

    public static string ArnOf(string name) => $"arn:aws:secretsmanager:us-east-1:111122223333:secret:{name}-AbCdEf";

    /// <summary>Adds a new version, moving AWSCURRENT to it (and AWSPREVIOUS to the old one).</summary>
    public string Put(string name, string? value, byte[]? binary = null)
    {
        lock (_gate)
        {
            var versions = _secrets.TryGetValue(name, out var list) ? list : _secrets[name] = [];
            for (var i = 0; i < versions.Count; i++)
            {
                var stages = versions[i].VersionStages.Where(s => s is not "AWSCURRENT" and not "AWSPREVIOUS").ToList();
                if (versions[i].VersionStages.Contains("AWSCURRENT"))
                {
                    stages.Add("AWSPREVIOUS");
                }

                versions[i] = versions[i] with { VersionStages = stages };
            }

            var versionId = Guid.NewGuid().ToString();
            versions.Add(new SecretRecord(ArnOf(name), name, versionId, ["AWSCURRENT"], DateTimeOffset.UnixEpoch, value, binary));
            return versionId;
        }
    }

    public async Task<SecretRecord> GetSecretValueAsync(string secretId, string? versionId, string? versionStage, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _getCalls);
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        if (Failure is { } failure)
        {
            throw failure;
        }

        lock (_gate)
        {
            var versions = Find(secretId);
            var stage = versionStage ?? "AWSCURRENT";
            return versions.FirstOrDefault(v => versionId is not null ? v.VersionId == versionId : v.VersionStages.Contains(stage))
                ?? throw new SecretStoreException(SecretFailureKind.NotFound, $"Secrets Manager can't find the specified secret value for {versionId ?? stage}.");
        }
    }

    public Task CheckCredentialsAsync(CancellationToken cancellationToken) =>
        Failure is { Kind: SecretFailureKind.CredentialsUnavailable } failure ? Task.FromException(failure) : Task.CompletedTask;

    public Task<SecretVersions> DescribeSecretAsync(string secretId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _describeCalls);
        if (Failure is { } failure)
        {
            throw failure;
        }

        lock (_gate)
        {
            var versions = Find(secretId);
            return Task.FromResult(new SecretVersions(
                versions[0].Arn,
                versions[0].Name,
                versions.ToDictionary(v => v.VersionId, v => v.VersionStages)));
        }
    }

    private List<SecretRecord> Find(string secretId)
    {
        var name = _secrets.Keys.FirstOrDefault(n => n == secretId || ArnOf(n) == secretId);
        return name is null
            ? throw new SecretStoreException(SecretFailureKind.NotFound, "Secrets Manager can't find the specified secret.")
            : _secrets[name];
    }
}
