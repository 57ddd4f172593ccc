using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using AwsEmulator.Seed;

namespace AwsEmulator.Identity;

/// <summary>Every access key the emulator accepts: the seed's users, and temporary credentials it has issued.</summary>
internal sealed class CredentialStore
{
    private const int MaxIssued = 100_000;
    private const string KeyAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private readonly ConcurrentDictionary<string, CredentialEntry> _byAccessKeyId = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public CredentialStore(EmulatorModel model, TimeProvider time)
    {
        _time = time;
        Model = model;
        foreach (var user in model.Users)
        {
            var principal = new Principal(user.Arn, "AIDA" + Derive(user.Arn, 17), model.AccountId, null, user.Name,
                user.ReadSecrets, user.WriteSecrets, user.AssumableRoles);
            _byAccessKeyId[user.AccessKeyId] = new CredentialEntry(user.AccessKeyId, user.SecretAccessKey, null, null, principal);
        }
    }

    public EmulatorModel Model { get; }

    public CredentialEntry? Find(string accessKeyId) => _byAccessKeyId.TryGetValue(accessKeyId, out var entry) ? entry : null;

    /// <summary>A principal for a session of <paramref name="role"/> named <paramref name="sessionName"/>.</summary>
    public Principal RoleSession(RoleDefinition role, string sessionName) =>
        new($"arn:aws:sts::{Model.AccountId}:assumed-role/{role.Name}/{sessionName}",
            $"{RoleId(role)}:{sessionName}", Model.AccountId, role.Arn, null, role.ReadSecrets, role.WriteSecrets, []);

    /// <summary>The stable AROA... id of a role, like IAM's unique ids.</summary>
    public static string RoleId(RoleDefinition role) => "AROA" + Derive(role.Arn, 17);

    /// <summary>Mints ASIA... temporary credentials for <paramref name="principal"/>, valid until <paramref name="expiration"/>.</summary>
    public CredentialEntry Issue(Principal principal, DateTimeOffset expiration)
    {
        if (_byAccessKeyId.Count > MaxIssued)
        {
            // Load tests mint many sessions; forget those long expired (they would answer ExpiredToken otherwise).
            var cutoff = _time.GetUtcNow() - TimeSpan.FromHours(1);
            foreach (var stale in _byAccessKeyId.Values.Where(e => e.Expiration < cutoff).ToList())
            {
                _byAccessKeyId.TryRemove(stale.AccessKeyId, out _);
            }
        }

        while (true)
        {
            var entry = new CredentialEntry("ASIA" + RandomString(16), Convert.ToBase64String(RandomNumberGenerator.GetBytes(30)),
                Convert.ToBase64String(RandomNumberGenerator.GetBytes(96)), expiration, principal);
            if (_byAccessKeyId.TryAdd(entry.AccessKeyId, entry))
            {
                return entry;
            }
        }
    }

    public DateTimeOffset Now => _time.GetUtcNow();

    private static string RandomString(int length)
    {
        var bytes = RandomNumberGenerator.GetBytes(length);
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = KeyAlphabet[bytes[i] % KeyAlphabet.Length];
        }

        return new string(chars);
    }

    private static string Derive(string input, int length)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(input));
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = KeyAlphabet[hash[i] % KeyAlphabet.Length];
        }

        return new string(chars);
    }
}
