using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using AuthService.Pkcs11.Modules;
using AuthService.Pkcs11.Tokens;

namespace AuthService.Pkcs11.Tests.Support;

/// <summary>
/// The SoftHSM2 environment of this test run: a fresh temporary token directory, the config file that
/// SOFTHSM2_CONF names (see the csproj for why the variable comes from the runsettings), and the shared module.
/// </summary>
internal static partial class SoftHsm
{
    public const string ModulePath = "/usr/lib/softhsm/libsofthsm2.so";
    public const string ProxyPath = "/usr/lib/x86_64-linux-gnu/p11-kit-proxy.so";
    public const string SoPin = "so-pin-4321";

    private static readonly Lazy<string> Configured = new(Configure);
    private static readonly Lazy<Pkcs11Module> Shared = new(() =>
    {
        _ = Configured.Value;
        Pkcs11Module module = Pkcs11Module.Open(ModulePath);
        // Shared by tests running in parallel: never re-initialized behind their backs.
        module.AutoReinitializeInterval = TimeSpan.MaxValue;
        return module;
    });

    private static int _counter;

    /// <summary>
    /// Held while a token directory is created, moved or scanned (C_Initialize of a module instance). SoftHSM aborts
    /// the process (assertion in SlotManager::insertToken) when its slot bookkeeping sees a token appear or vanish
    /// underneath it, so tests that do these things never overlap.
    /// </summary>
    public static readonly object TokenDirectoryLock = new();

    /// <summary>The token directory of this run.</summary>
    public static string TokenDirectory => Configured.Value;

    /// <summary>The config file SoftHSM reads (also passed to the command-line tools).</summary>
    public static string ConfigPath => Environment.GetEnvironmentVariable("SOFTHSM2_CONF")!;

    public static Pkcs11Module Module => Shared.Value;

    /// <summary>A unique token label (at most 32 bytes).</summary>
    public static string NewLabel(string prefix) => $"{prefix}-{Environment.ProcessId % 10000}-{Interlocked.Increment(ref _counter)}";

    /// <summary>A random 8-digit user PIN.</summary>
    public static string NewPin() => RandomNumberGenerator.GetInt32(10_000_000, 99_999_999).ToString();

    /// <summary>Initializes a fresh token and opens it logged in.</summary>
    public static (Pkcs11Token Token, string Label, string Pin) NewToken(string prefix, Pkcs11Module? module = null)
    {
        module ??= Module;
        string label = NewLabel(prefix);
        string pin = NewPin();
        InitializeToken(module, label, pin);
        Pkcs11Token token = module.OpenToken(new AuthService.Pkcs11.Uris.Pkcs11Uri { Token = label });
        token.Login(pin);
        return (token, label, pin);
    }

    /// <summary>Initializes a token on the module's free slot, under <see cref="TokenDirectoryLock"/>.</summary>
    public static Pkcs11TokenInfo InitializeToken(Pkcs11Module module, string label, string pin)
    {
        lock (TokenDirectoryLock)
        {
            return module.InitializeToken(label, SoPin, pin);
        }
    }

    /// <summary>
    /// Loads a separate SoftHSM instance from a copy of the library (a different file, so dlopen gives new state).
    /// It sees the tokens present when it initializes, and tests may re-initialize it without disturbing others.
    /// </summary>
    public static Pkcs11Module LoadPrivateCopy()
    {
        _ = Configured.Value;
        string dir = Path.Combine(Path.GetDirectoryName(TokenDirectory)!, "modules");
        Directory.CreateDirectory(dir);
        string copy = Path.Combine(dir, $"libsofthsm2-{Guid.NewGuid():N}.so");
        File.Copy(Path.GetFullPath(File.ResolveLinkTarget(ModulePath, true)?.FullName ?? ModulePath), copy);
        lock (TokenDirectoryLock)
        {
            return Pkcs11Module.Open(copy);
        }
    }

    private static string Configure()
    {
        string? conf = Environment.GetEnvironmentVariable("SOFTHSM2_CONF");
        string parent = Path.Combine(Path.GetTempPath(), "authservice-pkcs11-tests");
        RemoveStaleRuns(parent);
        string root = Path.Combine(parent, $"{Environment.ProcessId}-{Guid.NewGuid():N}");
        string tokens = Path.Combine(root, "tokens");
        Directory.CreateDirectory(tokens);
        if (string.IsNullOrEmpty(conf))
        {
            // Fallback when the runsettings were not applied (another runner): set it in the C environment before
            // the module is loaded. setenv is not thread-safe, which is why the runsettings are the primary way.
            conf = Path.Combine(root, "softhsm2.conf");
            _ = SetEnv("SOFTHSM2_CONF", conf, 1);
            Environment.SetEnvironmentVariable("SOFTHSM2_CONF", conf);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(conf)!);
        File.WriteAllText(conf, $"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n");
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
        };
        return tokens;
    }

    /// <summary>The test host is often killed rather than exited, so earlier runs' directories are removed here.</summary>
    private static void RemoveStaleRuns(string parent)
    {
        if (!Directory.Exists(parent))
        {
            return;
        }

        foreach (string dir in Directory.GetDirectories(parent))
        {
            string name = Path.GetFileName(dir);
            int dash = name.IndexOf('-', StringComparison.Ordinal);
            if (dash > 0 && int.TryParse(name[..dash], out int pid) && !IsAlive(pid))
            {
                try
                {
                    Directory.Delete(dir, recursive: true);
                }
                catch (IOException)
                {
                }
                catch (UnauthorizedAccessException)
                {
                }
            }
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>The SoftHSM directory of the token with this label (its token.object holds the padded label).</summary>
    public static string TokenDirectoryOf(string label)
    {
        byte[] padded = System.Text.Encoding.UTF8.GetBytes(label.PadRight(32));
        foreach (string dir in Directory.GetDirectories(TokenDirectory))
        {
            string file = Path.Combine(dir, "token.object");
            if (File.Exists(file) && File.ReadAllBytes(file).AsSpan().IndexOf(padded) >= 0)
            {
                return dir;
            }
        }

        throw new DirectoryNotFoundException($"no token directory for '{label}'");
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}

/// <summary>Runs softhsm2-util, pkcs11-tool and openssl with this run's SOFTHSM2_CONF.</summary>
internal static class Tool
{
    public static (int Exit, string Out, string Err) Run(string file, IEnumerable<string> args, byte[]? stdin = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["SOFTHSM2_CONF"] = SoftHsm.ConfigPath;
        using Process p = Process.Start(psi)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            p.StandardInput.BaseStream.Write(stdin);
        }

        p.StandardInput.Close();
        if (!p.WaitForExit(120_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} did not finish in 2 minutes");
        }

        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    public static bool Exists(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, name)));
}
