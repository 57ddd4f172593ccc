using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using AuthService.Pkcs11.Errors;
using AuthService.Pkcs11.Native;
using AuthService.Pkcs11.Sessions;
using AuthService.Pkcs11.Tokens;
using AuthService.Pkcs11.Uris;

namespace AuthService.Pkcs11.Modules;

/// <summary>
/// A PKCS#11 module (a .so such as libsofthsm2.so or p11-kit-proxy.so), loaded and initialized once per process.
/// Entry point of the layer: <see cref="Open(string)"/>, then <see cref="OpenToken(Pkcs11Uri)"/>.
/// </summary>
/// <remarks>
/// Only C_GetFunctionList is resolved by name; everything else goes through the function table. C_Initialize is
/// called with CKF_OS_LOCKING_OK (without it SoftHSM disables its locks and crashes under concurrency). A
/// CKR_CRYPTOKI_ALREADY_INITIALIZED answer means another component of this process initialized the same library:
/// the module is used as is and C_Finalize is left to that owner. The p11-kit proxy instead counts initializations
/// and answers CKR_OK each time; both cases end up with one usable module.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "A module lives for the whole process: it is never unloaded, so its lock is never disposed.")]
public sealed unsafe class Pkcs11Module
{
    private static readonly ConcurrentDictionary<string, Lazy<Pkcs11Module>> Loaded = new(StringComparer.Ordinal);
    private readonly SafeModuleHandle _handle;
    // Process-wide: several module objects can reach one library (SoftHSM directly and through the p11-kit proxy),
    // and two initializations must not race for the same free slot.
    private static readonly object InitTokenLock = new();

    // Every native call runs under the read side; Reinitialize (C_Finalize + C_Initialize) takes the write side,
    // so it never runs while another thread is inside the module.
    private readonly ReaderWriterLockSlim _lifecycle = new(LockRecursionPolicy.SupportsRecursion);
    private int _generation;
    private long _lastReinitializeTicks = long.MinValue;
    private long _userLogins;

    private Pkcs11Module(string path, SafeModuleHandle handle, CkFunctionList* functions)
    {
        Path = path;
        _handle = handle;
        Functions = functions;
    }

    /// <summary>
    /// Minimum time between automatic re-initializations (see <see cref="Reinitialize"/>); default 5 seconds.
    /// <see cref="TimeSpan.MaxValue"/> turns automatic re-initialization off.
    /// </summary>
    public TimeSpan AutoReinitializeInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The PINs this module's tokens refused, kept from being presented again too soon (see <see cref="WrongPinGuard"/>).</summary>
    public WrongPinGuard WrongPins { get; } = new();

    /// <summary>C_Login calls for the User made through <see cref="Pkcs11Token.Login"/> (tests count attempts with it).</summary>
    internal long UserLogins => Interlocked.Read(ref _userLogins);

    internal void CountUserLogin() => Interlocked.Increment(ref _userLogins);

    /// <summary>Increases with every re-initialization; sessions and handles of an older generation are stale.</summary>
    internal int Generation => Volatile.Read(ref _generation);

    /// <summary>Holds the read side of the lifecycle lock for the duration of a native call sequence.</summary>
    internal OperationScope EnterOperation()
    {
        _lifecycle.EnterReadLock();
        return new OperationScope(_lifecycle);
    }

    internal readonly struct OperationScope(ReaderWriterLockSlim lifecycle) : IDisposable
    {
        public void Dispose() => lifecycle.ExitReadLock();
    }

    /// <summary>
    /// C_Finalize then C_Initialize, waiting until no call is in flight. SoftHSM reads its token directory only in
    /// C_Initialize: a token created by softhsm2-util while this process runs, or a token directory restored after
    /// it was moved away, is invisible until then. Every open session becomes stale; tokens reconnect and log in
    /// again on their next operation. Only allowed when this process owns the initialization.
    /// </summary>
    /// <exception cref="InvalidOperationException">Another component of the process initialized the module.</exception>
    public void Reinitialize()
    {
        if (!OwnsInitialization)
        {
            throw new InvalidOperationException($"The module '{Path}' was initialized by another component of this process (CKR_CRYPTOKI_ALREADY_INITIALIZED); it cannot be re-initialized here.");
        }

        _lifecycle.EnterWriteLock();
        try
        {
            _ = Functions->C_Finalize(null);
            var args = new CkCInitializeArgs { Flags = Ckf.OsLockingOk };
            ulong rv = Functions->C_Initialize(&args);
            Interlocked.Increment(ref _generation);
            Volatile.Write(ref _lastReinitializeTicks, Environment.TickCount64);
            if (rv != Ckr.Ok && rv != Ckr.CryptokiAlreadyInitialized)
            {
                throw InitializeFailed(rv, Path);
            }
        }
        finally
        {
            _lifecycle.ExitWriteLock();
        }
    }

    /// <summary>Re-initializes when a token is missing, at most once per <see cref="AutoReinitializeInterval"/>.</summary>
    internal bool TryReinitializeForMissingToken()
    {
        if (!OwnsInitialization || _lifecycle.IsReadLockHeld || AutoReinitializeInterval == TimeSpan.MaxValue)
        {
            return false;
        }

        long last = Volatile.Read(ref _lastReinitializeTicks);
        if (last != long.MinValue && Environment.TickCount64 - last < (long)AutoReinitializeInterval.TotalMilliseconds)
        {
            return false;
        }

        Reinitialize();
        return true;
    }

    /// <summary>The canonical path of the module file (symlinks resolved).</summary>
    public string Path { get; }

    /// <summary>True when this process's C_Initialize returned CKR_OK; false after CKR_CRYPTOKI_ALREADY_INITIALIZED.</summary>
    public bool OwnsInitialization => _handle.OwnsInitialization;

    internal CkFunctionList* Functions { get; }

    /// <summary>
    /// Loads and initializes a module, or returns the instance already loaded from the same file (symlinks are
    /// resolved, so p11-kit-proxy.so and libp11-kit.so.0 are one module).
    /// </summary>
    /// <param name="path">Absolute path to the module, e.g. /usr/lib/softhsm/libsofthsm2.so.</param>
    /// <exception cref="Pkcs11Exception">The file cannot be loaded (the message names the path) or C_Initialize failed.</exception>
    public static Pkcs11Module Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string canonical = Canonical(path);
        Lazy<Pkcs11Module> lazy = Loaded.GetOrAdd(canonical, p => new Lazy<Pkcs11Module>(() => Load(p), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return lazy.Value;
        }
        catch
        {
            // Do not cache a failure: the file may be installed or the configuration fixed later.
            Loaded.TryRemove(new KeyValuePair<string, Lazy<Pkcs11Module>>(canonical, lazy));
            throw;
        }
    }

    /// <summary>Opens the module a URI names with module-path and/or module-name (see <see cref="ModuleLocator"/>).</summary>
    /// <exception cref="ArgumentException">The URI names no module.</exception>
    public static Pkcs11Module Open(Pkcs11Uri uri) =>
        Open(ModuleLocator.Resolve(uri) ?? throw new ArgumentException("The URI has neither module-path nor module-name.", nameof(uri)));

    /// <summary>Loads without the per-process cache: used to prove CKR_CRYPTOKI_ALREADY_INITIALIZED handling.</summary>
    internal static Pkcs11Module LoadUncached(string path) => Load(Canonical(path));

    private static string Canonical(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        try
        {
            FileSystemInfo? target = File.ResolveLinkTarget(full, returnFinalTarget: true);
            return target?.FullName ?? full;
        }
        catch (IOException)
        {
            return full;
        }
    }

    private static Pkcs11Module Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new Pkcs11Exception("load", Pkcs11ErrorKind.ModuleNotLoadable, $"the PKCS#11 module '{path}' does not exist", Pkcs11Remedies.ModuleNotLoadable);
        }

        nint library;
        try
        {
            library = NativeLibrary.Load(path);
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
        {
            throw new Pkcs11Exception("load", Pkcs11ErrorKind.ModuleNotLoadable, $"the PKCS#11 module '{path}' could not be loaded ({e.GetType().Name})", Pkcs11Remedies.ModuleNotLoadable, e);
        }

        // The library stays loaded for the life of the process: handles and function pointers must stay valid.
        if (!NativeLibrary.TryGetExport(library, "C_GetFunctionList", out nint export))
        {
            throw new Pkcs11Exception("C_GetFunctionList", Pkcs11ErrorKind.ModuleNotLoadable, $"'{path}' is not a PKCS#11 module (no C_GetFunctionList export)", Pkcs11Remedies.ModuleNotLoadable);
        }

        var getFunctionList = (delegate* unmanaged<CkFunctionList**, ulong>)export;
        CkFunctionList* functions = null;
        ulong rv = getFunctionList(&functions);
        if (rv != Ckr.Ok || functions == null)
        {
            throw new Pkcs11Exception("C_GetFunctionList", rv == Ckr.Ok ? Ckr.GeneralError : rv, path);
        }

        var args = new CkCInitializeArgs { Flags = Ckf.OsLockingOk };
        rv = functions->C_Initialize(&args);
        if (rv != Ckr.Ok && rv != Ckr.CryptokiAlreadyInitialized)
        {
            throw InitializeFailed(rv, path);
        }

        return new Pkcs11Module(path, new SafeModuleHandle(library, functions, ownsInitialization: rv == Ckr.Ok), functions);
    }

    /// <summary>C_Initialize's error, naming SoftHSM's missing configuration or token directory when that is the cause.</summary>
    private static Pkcs11Exception InitializeFailed(ulong rv, string path) =>
        rv == Ckr.GeneralError && SoftHsmConfigurationCheck.Explain(path, Environment.GetEnvironmentVariable) is { } reason
            ? new Pkcs11Exception("C_Initialize", Pkcs11ErrorKind.TokenNotFound, $"CKR_GENERAL_ERROR ({path}): {reason}", remedy: null)
            : new Pkcs11Exception("C_Initialize", rv, path);

    /// <summary>C_GetInfo.</summary>
    public Pkcs11ModuleInfo GetInfo()
    {
        using OperationScope scope = EnterOperation();
        CkInfo info;
        Pkcs11Session.Check("C_GetInfo", Functions->C_GetInfo(&info));
        return new Pkcs11ModuleInfo(
            new Version(info.CryptokiVersion.Major, info.CryptokiVersion.Minor),
            PaddedText.Decode(info.ManufacturerId, 32),
            PaddedText.Decode(info.LibraryDescription, 32),
            new Version(info.LibraryVersion.Major, info.LibraryVersion.Minor));
    }

    /// <summary>Lists slots with their tokens. Slot IDs are not stable: select tokens by label or serial.</summary>
    /// <param name="tokenPresent">Only slots that hold a token.</param>
    public IReadOnlyList<Pkcs11SlotInfo> GetSlots(bool tokenPresent = true)
    {
        using OperationScope scope = EnterOperation();
        var result = new List<Pkcs11SlotInfo>();
        foreach (ulong slot in GetSlotIds(tokenPresent))
        {
            CkSlotInfo si;
            ulong rv = Functions->C_GetSlotInfo(slot, &si);
            if (rv != Ckr.Ok)
            {
                // A slot can disappear between the two calls (readers, p11-kit); skip it.
                continue;
            }

            Pkcs11TokenInfo? token = (si.Flags & Ckf.TokenPresent) != 0 ? TryGetTokenInfo(slot) : null;
            result.Add(new Pkcs11SlotInfo(slot, PaddedText.Decode(si.SlotDescription, 64), PaddedText.Decode(si.ManufacturerId, 32), si.Flags, token));
        }

        return result;
    }

    private ulong[] GetSlotIds(bool tokenPresent)
    {
        while (true)
        {
            ulong count = 0;
            Pkcs11Session.Check("C_GetSlotList", Functions->C_GetSlotList(tokenPresent ? (byte)1 : (byte)0, null, &count));
            var slots = new ulong[count];
            if (count == 0)
            {
                return slots;
            }

            ulong rv;
            fixed (ulong* p = slots)
            {
                rv = Functions->C_GetSlotList(tokenPresent ? (byte)1 : (byte)0, p, &count);
            }

            if (rv == Ckr.BufferTooSmall)
            {
                continue;
            }

            Pkcs11Session.Check("C_GetSlotList", rv);
            return slots[..(int)count];
        }
    }

    internal Pkcs11TokenInfo? TryGetTokenInfo(ulong slot)
    {
        using OperationScope scope = EnterOperation();
        CkTokenInfo ti;
        if (Functions->C_GetTokenInfo(slot, &ti) != Ckr.Ok)
        {
            return null;
        }

        return ToTokenInfo(ti);
    }

    internal Pkcs11TokenInfo GetTokenInfo(ulong slot)
    {
        using OperationScope scope = EnterOperation();
        CkTokenInfo ti;
        Pkcs11Session.Check("C_GetTokenInfo", Functions->C_GetTokenInfo(slot, &ti));
        return ToTokenInfo(ti);
    }

    private static Pkcs11TokenInfo ToTokenInfo(CkTokenInfo ti) => new(
        PaddedText.Decode(ti.Label, 32),
        PaddedText.Decode(ti.ManufacturerId, 32),
        PaddedText.Decode(ti.Model, 16),
        PaddedText.Decode(ti.SerialNumber, 16),
        ti.Flags,
        ti.MinPinLen,
        ti.MaxPinLen);

    /// <summary>C_GetMechanismList and C_GetMechanismInfo for a slot.</summary>
    public IReadOnlyList<Pkcs11MechanismInfo> GetMechanisms(ulong slotId)
    {
        using OperationScope scope = EnterOperation();
        ulong count = 0;
        Pkcs11Session.Check("C_GetMechanismList", Functions->C_GetMechanismList(slotId, null, &count));
        var types = new ulong[count];
        if (count > 0)
        {
            fixed (ulong* p = types)
            {
                Pkcs11Session.Check("C_GetMechanismList", Functions->C_GetMechanismList(slotId, p, &count));
            }
        }

        var result = new List<Pkcs11MechanismInfo>((int)count);
        foreach (ulong type in types.AsSpan(0, (int)count))
        {
            CkMechanismInfo mi;
            if (Functions->C_GetMechanismInfo(slotId, type, &mi) == Ckr.Ok)
            {
                result.Add(new Pkcs11MechanismInfo(type, MechanismNames.Of(type), mi.MinKeySize, mi.MaxKeySize, mi.Flags));
            }
        }

        return result;
    }

    /// <summary>
    /// Initializes the token in the first free (present, uninitialized) slot with the label and SO PIN, then sets
    /// the user PIN (login as SO, C_InitPIN). Returns the new token's info. Like
    /// <c>softhsm2-util --init-token --free --label L --so-pin S --pin U</c>.
    /// </summary>
    public Pkcs11TokenInfo InitializeToken(string label, string soPin, string userPin)
    {
        ArgumentException.ThrowIfNullOrEmpty(label);
        ArgumentException.ThrowIfNullOrEmpty(soPin);
        ArgumentException.ThrowIfNullOrEmpty(userPin);
        // Two concurrent initializations would race for the same free slot.
        lock (InitTokenLock)
        {
            using OperationScope scope = EnterOperation();
            // SoftHSM adds its next free slot lazily, inside C_GetSlotList, so list twice before giving up.
            Pkcs11SlotInfo free = GetSlots(tokenPresent: true).FirstOrDefault(s => s.Token is { Initialized: false })
                ?? GetSlots(tokenPresent: true).FirstOrDefault(s => s.Token is { Initialized: false })
                ?? throw new Pkcs11Exception("C_InitToken", Pkcs11ErrorKind.TokenNotFound, "no free slot (a present, uninitialized token) is available", "for SoftHSM a free slot always exists: check SOFTHSM2_CONF and the token directory");
            byte[] so = Encoding.UTF8.GetBytes(soPin);
            byte[] user = Encoding.UTF8.GetBytes(userPin);
            try
            {
                byte[] paddedLabel = PaddedText.EncodeLabel(label);
                ulong rv;
                fixed (byte* ps = so)
                fixed (byte* pl = paddedLabel)
                {
                    rv = Functions->C_InitToken(free.SlotId, ps, (ulong)so.Length, pl);
                }

                if (rv != Ckr.Ok)
                {
                    throw new Pkcs11Exception("C_InitToken", rv, $"slot {free.SlotId.ToString(CultureInfo.InvariantCulture)}");
                }

                using (Pkcs11Session session = Pkcs11Session.Open(Functions, free.SlotId))
                {
                    session.Login(Cku.So, so, $"token '{label}' (SO)");
                    try
                    {
                        session.InitPin(user);
                    }
                    finally
                    {
                        session.Logout();
                    }
                }

                return GetTokenInfo(free.SlotId);
            }
            finally
            {
                Array.Clear(so);
                Array.Clear(user);
            }
        }
    }

    /// <summary>Finds the slots whose token (and slot, and library) attributes match the URI.</summary>
    public IReadOnlyList<Pkcs11SlotInfo> FindTokens(Pkcs11Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!uri.MatchesModule(GetInfo()))
        {
            return [];
        }

        return [.. GetSlots(tokenPresent: true).Where(s => s.Token is { Initialized: true } t && uri.MatchesToken(t) && uri.MatchesSlot(s))];
    }

    /// <summary>
    /// Opens the one token that matches the URI, and logs in when the URI carries pin-value or pin-source.
    /// </summary>
    /// <exception cref="Pkcs11Exception">No token (the message lists the labels present), several tokens, or a login failure.</exception>
    public Pkcs11Token OpenToken(Pkcs11Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        Pkcs11SlotInfo slot = ResolveSlot(uri);
        var token = new Pkcs11Token(this, slot.SlotId, uri);
        try
        {
            string? pin = uri.ReadPin();
            if (pin is not null)
            {
                token.Login(pin);
            }

            return token;
        }
        catch
        {
            token.Dispose();
            throw;
        }
    }

    /// <summary>Opens a token by URI text, e.g. <c>pkcs11:token=roles-anywhere?pin-source=file:/run/secrets/pin</c>.</summary>
    public Pkcs11Token OpenToken(string uri) => OpenToken(Pkcs11Uri.Parse(uri));

    internal Pkcs11SlotInfo ResolveSlot(Pkcs11Uri uri)
    {
        if (uri.MatchesNothing)
        {
            string names = string.Join(", ", uri.UnknownPathAttributes.Concat(uri.VendorPathAttributes.Select(a => a.Key)));
            throw new Pkcs11Exception("OpenToken", Pkcs11ErrorKind.TokenNotFound,
                $"the URI has path attribute(s) this service does not understand ({names}), so it matches no token (RFC 7512 §2.4; attribute names are lowercase)",
                "use only RFC 7512 attribute names: token, serial, manufacturer, model, object, type, id, slot-id, ...");
        }

        IReadOnlyList<Pkcs11SlotInfo> matches = FindTokens(uri);
        if (matches.Count == 0 && TryReinitializeForMissingToken())
        {
            matches = FindTokens(uri);
        }

        if (matches.Count == 1)
        {
            return matches[0];
        }

        Pkcs11Uri tokenOnly = new() { Token = uri.Token, Serial = uri.Serial, Manufacturer = uri.Manufacturer, Model = uri.Model, SlotId = uri.SlotId };
        if (matches.Count == 0)
        {
            string present = string.Join(", ", GetSlots(tokenPresent: true).Where(s => s.Token is { Initialized: true })
                .Select(s => $"'{s.Token!.Label}' (serial {s.Token.SerialNumber})"));
            throw new Pkcs11Exception("OpenToken", Pkcs11ErrorKind.TokenNotFound,
                $"PKCS11 token not found: no token matches {tokenOnly} in module '{Path}'; tokens present: {(present.Length == 0 ? Pkcs11Remedies.NoTokenReadable : present)}",
                Pkcs11Remedies.TokenNotFound);
        }

        throw new Pkcs11Exception("OpenToken", Pkcs11ErrorKind.AmbiguousObject,
            $"{matches.Count} tokens match {tokenOnly}: {string.Join(", ", matches.Select(s => $"'{s.Token!.Label}' (serial {s.Token.SerialNumber})"))}",
            "add serial=... to the URI to select one token");
    }
}
