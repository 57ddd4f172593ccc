using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using AuthService.Pkcs11.Errors;
using AuthService.Pkcs11.Keys;
using AuthService.Pkcs11.Modules;
using AuthService.Pkcs11.Native;
using AuthService.Pkcs11.Sessions;
using AuthService.Pkcs11.Uris;

namespace AuthService.Pkcs11.Tokens;

/// <summary>
/// One token of a module, with its session pool and login. Thread-safe: every operation leases a session for
/// its whole Init..Final sequence. When the token goes away (removed, renamed, sessions invalidated) the next
/// operation fails with a clean <see cref="Pkcs11Exception"/>, and once the token is back the one after that
/// reconnects (finds the token again by label and serial, reopens sessions, logs in again).
/// </summary>
public sealed class Pkcs11Token : IDisposable
{
    /// <summary>Sessions opened at most at a time on one token (besides the anchor that holds the login).</summary>
    public const int DefaultMaxSessions = 32;

    // Lock order, to stay deadlock-free with the module's lifecycle lock (read side held during native calls):
    // _reconnectLock may be taken before the lifecycle lock, never inside it; _anchorLock only inside it.
    private readonly object _reconnectLock = new();
    private readonly object _anchorLock = new();
    private readonly Pkcs11Uri _selector;
    private SessionPool? _pool;
    private byte[]? _pin;
    private int _generation;
    private volatile bool _disposed;
    private volatile string _label;
    private volatile string _serialNumber;

    internal unsafe Pkcs11Token(Pkcs11Module module, ulong slotId, Pkcs11Uri uri)
    {
        Module = module;
        // Reconnect with the token attributes the caller asked for (usually the label), not the slot ID, which
        // can change, nor the serial, which changes when an operator re-provisions the token under the same label.
        _selector = new Pkcs11Uri
        {
            Token = uri.Token, Serial = uri.Serial, Manufacturer = uri.Manufacturer, Model = uri.Model,
            LibraryDescription = uri.LibraryDescription, LibraryManufacturer = uri.LibraryManufacturer, LibraryVersion = uri.LibraryVersion,
        };
        using Pkcs11Module.OperationScope scope = module.EnterOperation();
        Pkcs11TokenInfo info = module.GetTokenInfo(slotId);
        _label = info.Label;
        _serialNumber = info.SerialNumber;
        _pool = new SessionPool(module.Functions, slotId, DefaultMaxSessions, module.Generation);
    }

    /// <summary>The module this token belongs to.</summary>
    public Pkcs11Module Module { get; }

    /// <summary>CK_TOKEN_INFO.label.</summary>
    public string Label => _label;

    /// <summary>CK_TOKEN_INFO.serialNumber.</summary>
    public string SerialNumber => _serialNumber;

    /// <summary>The current slot ID (unstable across processes).</summary>
    public ulong SlotId => CurrentPool().SlotId;

    /// <summary>Increases whenever the token is reconnected, so cached object handles are looked up again.</summary>
    internal int Generation => Volatile.Read(ref _generation);

    internal bool HasPin
    {
        get
        {
            lock (_anchorLock)
            {
                return _pin is not null;
            }
        }
    }

    internal int OpenSessions => Volatile.Read(ref _pool)?.OpenSessions ?? 0;

    /// <summary>Current CK_TOKEN_INFO.</summary>
    public Pkcs11TokenInfo GetInfo() => Module.GetTokenInfo(SlotId);

    /// <summary>The token's mechanisms (C_GetMechanismList/C_GetMechanismInfo).</summary>
    public IReadOnlyList<Pkcs11MechanismInfo> GetMechanisms() => Module.GetMechanisms(SlotId);

    /// <summary>
    /// Logs the user in (C_Login CKU_USER) for all sessions of this application on the token. Already logged in
    /// is success. The PIN is kept in memory to log in again after a reconnect; it is never logged or formatted.
    /// A wrong PIN is retried once only after re-initializing the module (at most once per
    /// <see cref="Pkcs11Module.AutoReinitializeInterval"/>): SoftHSM reads a token's PIN in C_Initialize, so after
    /// `pkcs11-tool --change-pin` the new PIN is refused and the old one accepted until then. Smartcards lock after
    /// a few attempts, hence no other retry, and <see cref="Pkcs11Module.WrongPins"/>: on other modules a refused PIN
    /// is not presented to the token again for a while, and on any module none is while the token says one attempt
    /// is left or the PIN is locked.
    /// </summary>
    public void Login(string pin)
    {
        ArgumentNullException.ThrowIfNull(pin);
        byte[] bytes = Encoding.UTF8.GetBytes(pin);
        try
        {
            Module.WrongPins.ThrowIfUnsafe(GetInfo().Flags, SerialNumber, Label, bytes);
            try
            {
                LoginOnAnchor(bytes);
            }
            catch (Pkcs11Exception e) when (e.ReturnValue == Ckr.PinIncorrect)
            {
                // Not in the filter: filters run before the failed call's operation scope (a read lock) is left.
                if (!SoftHsmConfigurationCheck.IsSoftHsm(Module.Path))
                {
                    Module.WrongPins.Refused(SerialNumber, bytes, GetInfo().Flags);
                    throw;
                }

                // SoftHSM counts no attempts and never locks, but reads the PIN at C_Initialize: one retry after a
                // re-initialization. Holding its PINs off would only delay the recovery after a PIN change.
                if (!Module.TryReinitializeForMissingToken())
                {
                    throw;
                }

                LoginOnAnchor(bytes);
            }

            Module.WrongPins.Accepted(SerialNumber);
        }
        finally
        {
            Array.Clear(bytes);
        }
    }

    private void LoginOnAnchor(byte[] pin) => OnAnchor(anchor =>
    {
        Module.CountUserLogin();
        anchor.Login(Cku.User, pin, $"token '{Label}'");
        ClearPin();
        _pin = pin.ToArray();
        return 0;
    });

    /// <summary>C_Logout; also forgets the PIN.</summary>
    public void Logout() => OnAnchor(anchor =>
    {
        ClearPin();
        anchor.Logout();
        return 0;
    });

    /// <summary>True when the application is logged in as user on this token.</summary>
    public bool IsLoggedIn => OnAnchor(anchor => anchor.GetInfo().State is Cks.RoUserFunctions or Cks.RwUserFunctions);

    /// <summary>Runs a login-state call on the anchor session (serialized, inside the module's lifecycle lock).</summary>
    private T OnAnchor<T>(Func<Pkcs11Session, T> call)
    {
        for (int attempt = 0; ; attempt++)
        {
            SessionPool pool = CurrentPool();
            using Pkcs11Module.OperationScope scope = Module.EnterOperation();
            if (pool.ModuleGeneration != Module.Generation && attempt < 4)
            {
                Drop(pool);
                continue;
            }

            try
            {
                lock (_anchorLock)
                {
                    return call(pool.Anchor);
                }
            }
            catch (Pkcs11Exception e) when (attempt == 0 && IsTokenGone(e.ReturnValue))
            {
                Drop(pool);
            }
        }
    }

    /// <summary>Changes the user PIN (C_SetPIN in a session logged in as user, or not logged in).</summary>
    public void ChangePin(string oldPin, string newPin)
    {
        ArgumentNullException.ThrowIfNull(oldPin);
        ArgumentNullException.ThrowIfNull(newPin);
        byte[] o = Encoding.UTF8.GetBytes(oldPin);
        byte[] n = Encoding.UTF8.GetBytes(newPin);
        try
        {
            Run(s =>
            {
                s.SetPin(o, n, $"token '{Label}'");
                lock (_anchorLock)
                {
                    if (_pin is not null)
                    {
                        ClearPin();
                        _pin = n.ToArray();
                    }
                }

                return 0;
            });
        }
        finally
        {
            Array.Clear(o);
            Array.Clear(n);
        }
    }

    /// <summary>Finds the objects matching the URI's object attributes (object = CKA_LABEL, id = CKA_ID, type = CKA_CLASS).</summary>
    public IReadOnlyList<Pkcs11ObjectInfo> FindObjects(Pkcs11Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return Run(s => Find(s, uri.Type, uri.ObjectLabel, uri.Id));
    }

    /// <summary>Finds objects by URI text.</summary>
    public IReadOnlyList<Pkcs11ObjectInfo> FindObjects(string uri) => FindObjects(Pkcs11Uri.Parse(uri));

    /// <summary>Reads the DER (CKA_VALUE) of the one certificate matching the URI.</summary>
    /// <exception cref="Pkcs11Exception">Certificate not found (the message lists the certificates present) or ambiguous.</exception>
    public byte[] GetCertificateDer(Pkcs11Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        RequireType(uri, Pkcs11ObjectClass.Certificate);
        return Run(s =>
        {
            Pkcs11ObjectInfo cert = FindOne(s, Pkcs11ObjectClass.Certificate, uri, "Certificate", Pkcs11Remedies.CertificateNotFound);
            return s.GetAttributes(cert.Handle, Cka.Value)[0]
                ?? throw new Pkcs11Exception("C_GetAttributeValue", Pkcs11ErrorKind.ObjectNotFound, $"the certificate {cert} has no CKA_VALUE", Pkcs11Remedies.CertificateNotFound);
        });
    }

    /// <summary>Reads the certificate matching the URI.</summary>
    public X509Certificate2 GetCertificate(Pkcs11Uri uri) => X509CertificateLoader.LoadCertificate(GetCertificateDer(uri));

    /// <summary>Finds the one private key matching the URI (log in first: private objects are invisible before).</summary>
    /// <exception cref="Pkcs11Exception">Key not found (the message lists the keys present) or ambiguous.</exception>
    public Pkcs11PrivateKey GetPrivateKey(Pkcs11Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        RequireType(uri, Pkcs11ObjectClass.PrivateKey);
        return Run(s => Pkcs11PrivateKey.Load(this, s, FindOne(s, Pkcs11ObjectClass.PrivateKey, uri, "Private key", Pkcs11Remedies.KeyNotFound)));
    }

    /// <summary>Finds the private key by URI text.</summary>
    public Pkcs11PrivateKey GetPrivateKey(string uri) => GetPrivateKey(Pkcs11Uri.Parse(uri));

    /// <summary>
    /// Finds the private key that belongs to a certificate: first by the CKA_ID of the certificate object on the
    /// token, then by public key material (RSA modulus; EC point of the public key object), then by signing a
    /// random challenge with each candidate and verifying it with the certificate's public key.
    /// </summary>
    /// <exception cref="Pkcs11Exception">No key matches: <see cref="Pkcs11ErrorKind.KeyCertificateMismatch"/> when keys exist but none belongs to the certificate.</exception>
    public Pkcs11PrivateKey FindPrivateKeyForCertificate(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return Run(s => KeyMatcher.Find(this, s, certificate));
    }

    /// <summary>
    /// Imports a private key (RSA, EC P-256/P-384/P-521) as a token object with CKA_SENSITIVE=true,
    /// CKA_EXTRACTABLE=false, CKA_PRIVATE=true, CKA_TOKEN=true, plus its public key object, both with the given
    /// label and CKA_ID. Accepts PEM (PKCS#8, PKCS#1, SEC1, encrypted PKCS#8) or DER PKCS#8.
    /// </summary>
    /// <param name="pemOrDer">The key bytes; wiped copies only are kept while importing.</param>
    /// <param name="label">CKA_LABEL, e.g. ra-key.</param>
    /// <param name="id">CKA_ID, e.g. [0x01] for --id 01.</param>
    /// <param name="password">The password of an encrypted PKCS#8 key.</param>
    /// <param name="alwaysAuthenticate">Sets CKA_ALWAYS_AUTHENTICATE (each signature then needs a context-specific login).</param>
    public Pkcs11PrivateKey ImportPrivateKey(ReadOnlySpan<byte> pemOrDer, string label, ReadOnlySpan<byte> id, ReadOnlySpan<char> password = default, bool alwaysAuthenticate = false)
    {
        ArgumentNullException.ThrowIfNull(label);
        using AsymmetricAlgorithm key = PrivateKeyReader.Read(pemOrDer, password);
        byte[] idCopy = id.ToArray();
        return Run(s => KeyImporter.Import(this, s, key, label, idCopy, alwaysAuthenticate));
    }

    /// <summary>Imports an X.509 certificate (PEM or DER bytes) with the given label and CKA_ID, as pkcs11-tool --write-object --type cert does.</summary>
    public Pkcs11ObjectInfo ImportCertificate(ReadOnlySpan<byte> pemOrDer, string label, ReadOnlySpan<byte> id)
    {
        ArgumentNullException.ThrowIfNull(label);
        using X509Certificate2 cert = CertificateReader.Read(pemOrDer);
        byte[] idCopy = id.ToArray();
        return Run(s => KeyImporter.ImportCertificate(s, cert, label, idCopy));
    }

    /// <summary>Generates an RSA key pair inside the token (non-extractable, sensitive).</summary>
    public Pkcs11PrivateKey GenerateRsaKeyPair(string label, ReadOnlySpan<byte> id, int bits = 2048)
    {
        byte[] idCopy = id.ToArray();
        return Run(s => KeyImporter.GenerateRsa(this, s, label, idCopy, bits));
    }

    /// <summary>Generates an EC key pair inside the token on a named curve (nistP256, nistP384, nistP521).</summary>
    public Pkcs11PrivateKey GenerateEcKeyPair(string label, ReadOnlySpan<byte> id, ECCurve curve)
    {
        byte[] idCopy = id.ToArray();
        return Run(s => KeyImporter.GenerateEc(this, s, label, idCopy, curve));
    }

    /// <summary>Destroys every object matching the URI; the URI must name an object or id. Returns how many.</summary>
    public int DestroyObjects(Pkcs11Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (uri.ObjectLabel is null && uri.Id is null)
        {
            throw new ArgumentException("Refusing to destroy objects without object= or id= in the URI.", nameof(uri));
        }

        return Run(s =>
        {
            List<Pkcs11ObjectInfo> objects = Find(s, uri.Type, uri.ObjectLabel, uri.Id);
            foreach (Pkcs11ObjectInfo o in objects)
            {
                s.DestroyObject(o.Handle);
            }

            return objects.Count;
        });
    }

    /// <summary>
    /// Every visible object with the attributes an operator may see (class, label, id, key type and size,
    /// sensitive/extractable flags, certificate DER). Private objects are visible only after <see cref="Login"/>.
    /// </summary>
    public IReadOnlyList<Pkcs11ObjectDetails> ListObjects() => Run(s =>
    {
        var result = new List<Pkcs11ObjectDetails>();
        foreach (Pkcs11ObjectInfo o in Find(s, null, null, null))
        {
            byte[]?[] a = s.GetAttributes(o.Handle, Cka.Sensitive, Cka.Extractable, Cka.Private, Cka.Modulus, Cka.EcParams, Cka.ModulusBits);
            bool? Flag(byte[]? v) => v is { Length: > 0 } ? v[0] != 0 : null;
            int? bits = o.KeyType switch
            {
                "RSA" when a[3] is { Length: > 0 } modulus => modulus.Length * 8,
                "RSA" when a[5] is { Length: 8 } => (int)Pkcs11Session.ULong(a[5]),
                "EC" => EcCurves.FieldBits(a[4]),
                _ => null,
            };
            bool isPrivate = o.Class == Pkcs11ObjectClass.PrivateKey;
            byte[]? der = o.Class == Pkcs11ObjectClass.Certificate ? s.GetAttributes(o.Handle, Cka.Value)[0] : null;
            result.Add(new Pkcs11ObjectDetails(o.Class, o.Label, o.Id, o.KeyType, bits,
                isPrivate ? Flag(a[0]) : null, isPrivate ? Flag(a[1]) : null, Flag(a[2]), der));
        }

        return (IReadOnlyList<Pkcs11ObjectDetails>)result;
    });

    /// <summary>
    /// Changes CKA_LABEL and/or CKA_ID of every object matching the URI's object attributes (C_SetAttributeValue),
    /// as <c>pkcs11-tool --set-id</c> does. Used to switch key/certificate pairs during rotation without ever
    /// exporting a non-extractable key. Returns how many objects changed.
    /// </summary>
    public int SetObjectAttributes(Pkcs11Uri selector, string? newLabel, ReadOnlySpan<byte> newId)
    {
        ArgumentNullException.ThrowIfNull(selector);
        if (selector.ObjectLabel is null && selector.Id is null)
        {
            throw new ArgumentException("Refusing to change objects without object= or id= in the URI.", nameof(selector));
        }

        byte[]? id = newId.IsEmpty ? null : newId.ToArray();
        return Run(s =>
        {
            List<Pkcs11ObjectInfo> objects = Find(s, selector.Type, selector.ObjectLabel, selector.Id);
            foreach (Pkcs11ObjectInfo o in objects)
            {
                using var template = new AttributeTemplate();
                if (newLabel is not null)
                {
                    template.Add(Cka.Label, newLabel);
                }

                if (id is not null)
                {
                    template.Add(Cka.Id, id);
                }

                s.SetAttributes(o.Handle, template);
            }

            return objects.Count;
        });
    }

    /// <summary>Runs an operation on a leased session, reconnecting once when the token or session went away.</summary>
    internal T Run<T>(Func<Pkcs11Session, T> operation)
    {
        bool retried = false;
        for (int loop = 0; ; loop++)
        {
            SessionPool pool = CurrentPool();
            using Pkcs11Module.OperationScope scope = Module.EnterOperation();
            if (pool.ModuleGeneration != Module.Generation)
            {
                // The module was re-initialized: these sessions are gone and their handle numbers reused.
                Drop(pool);
                if (loop < 4)
                {
                    continue;
                }

                throw new Pkcs11Exception("OpenSession", Pkcs11ErrorKind.Other, $"the module '{Module.Path}' was re-initialized repeatedly while {this} was in use", "retry the operation");
            }

            SessionPool.Lease lease;
            try
            {
                lease = pool.Rent();
            }
            catch (Pkcs11Exception e) when (!retried && IsTokenGone(e.ReturnValue))
            {
                retried = true;
                Drop(pool);
                continue;
            }
            catch (ObjectDisposedException) when (loop < 4)
            {
                continue;
            }

            using (lease)
            {
                try
                {
                    return operation(lease.Session);
                }
                catch (Pkcs11Exception e) when (e.ReturnValue is not null)
                {
                    // The session may hold an unfinished operation (CKR_OPERATION_ACTIVE later): never reuse it.
                    lease.Discard();
                    if (retried)
                    {
                        throw;
                    }

                    retried = true;
                    if (IsTokenGone(e.ReturnValue))
                    {
                        Drop(pool);
                        continue;
                    }

                    if (e.ReturnValue == Ckr.UserNotLoggedIn && Relogin(pool))
                    {
                        continue;
                    }

                    if (e.ReturnValue is Ckr.KeyHandleInvalid or Ckr.ObjectHandleInvalid)
                    {
                        Interlocked.Increment(ref _generation);
                        continue;
                    }

                    throw;
                }
                catch
                {
                    lease.Discard();
                    throw;
                }
            }
        }
    }

    private static bool IsTokenGone(ulong? rv) => rv is Ckr.SessionHandleInvalid or Ckr.SessionClosed or Ckr.DeviceRemoved
        or Ckr.TokenNotPresent or Ckr.TokenNotRecognized or Ckr.DeviceError or Ckr.SlotIdInvalid or Ckr.CryptokiNotInitialized;

    /// <summary>Throws CKR_TOKEN_NOT_PRESENT (a "token gone" code) when the token is no longer in its slot.</summary>
    internal unsafe void EnsurePresent(Pkcs11Session s)
    {
        CkSessionInfo info = s.GetInfo();
        CkTokenInfo ti;
        ulong rv = Module.Functions->C_GetTokenInfo(info.SlotId, &ti);
        if (rv != Ckr.Ok)
        {
            // SoftHSM answers CKR_GENERAL_ERROR once a token's directory has gone: report it as the token being absent.
            throw new Pkcs11Exception("C_GetTokenInfo", Ckr.TokenNotPresent, $"token '{Label}' is gone; the module answered {CkrNames.Of(rv)}");
        }

        string label = PaddedText.Decode(ti.Label, 32);
        string serial = PaddedText.Decode(ti.SerialNumber, 16);
        if (!_selector.MatchesToken(new Pkcs11TokenInfo(label, PaddedText.Decode(ti.ManufacturerId, 32), PaddedText.Decode(ti.Model, 16), serial, ti.Flags, ti.MinPinLen, ti.MaxPinLen)))
        {
            // Same slot, different token: renamed or re-initialized by an operator. Treated as the token being absent,
            // so the next operation looks for it again by the URI's attributes.
            throw new Pkcs11Exception("C_GetTokenInfo", Ckr.TokenNotPresent, $"token '{Label}' was renamed or re-initialized: the slot now holds token '{label}' (serial {serial})");
        }
    }

    private SessionPool CurrentPool()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        SessionPool? pool = Volatile.Read(ref _pool);
        return pool ?? Reconnect();
    }

    /// <summary>Forgets a failed pool without locks (lock-free so it is safe inside the lifecycle lock).</summary>
    private void Drop(SessionPool failed)
    {
        if (ReferenceEquals(Interlocked.CompareExchange(ref _pool, null, failed), failed))
        {
            Interlocked.Increment(ref _generation);
            if (failed.ModuleGeneration != Module.Generation)
            {
                failed.Abandon();
            }
            else
            {
                failed.Dispose();
            }
        }
    }

    private SessionPool Reconnect()
    {
        lock (_reconnectLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            SessionPool? existing = Volatile.Read(ref _pool);
            if (existing is not null)
            {
                return existing;
            }

            IReadOnlyList<Pkcs11SlotInfo> slots = Module.FindTokens(_selector);
            if (slots.Count == 0 && Module.TryReinitializeForMissingToken())
            {
                slots = Module.FindTokens(_selector);
            }

            if (slots.Count != 1)
            {
                string present = string.Join(", ", Module.GetSlots().Where(s => s.Token is { Initialized: true }).Select(s => $"'{s.Token!.Label}' (serial {s.Token.SerialNumber})"));
                throw new Pkcs11Exception("OpenToken", Pkcs11ErrorKind.TokenNotFound,
                    $"PKCS11 token not found: {this} is no longer present in module '{Module.Path}' (removed or renamed); tokens present: {(present.Length == 0 ? Pkcs11Remedies.NoTokenReadable : present)}",
                    Pkcs11Remedies.TokenNotFound);
            }

            using Pkcs11Module.OperationScope scope = Module.EnterOperation();
            SessionPool pool;
            unsafe
            {
                pool = new SessionPool(Module.Functions, slots[0].SlotId, DefaultMaxSessions, Module.Generation);
            }

            try
            {
                lock (_anchorLock)
                {
                    if (_pin is not null)
                    {
                        pool.Anchor.Login(Cku.User, _pin, $"token '{Label}'");
                    }
                }
            }
            catch
            {
                pool.Dispose();
                throw;
            }

            _label = slots[0].Token!.Label;
            _serialNumber = slots[0].Token!.SerialNumber;
            Interlocked.Increment(ref _generation);
            Volatile.Write(ref _pool, pool);
            return pool;
        }
    }

    private bool Relogin(SessionPool pool)
    {
        lock (_anchorLock)
        {
            if (_pin is null)
            {
                return false;
            }

            pool.Anchor.Login(Cku.User, _pin, $"token '{Label}'");
            return true;
        }
    }

    internal byte[] PinForContextLogin()
    {
        lock (_anchorLock)
        {
            return _pin?.ToArray() ?? throw new Pkcs11Exception("C_Login(CKU_CONTEXT_SPECIFIC)", Pkcs11ErrorKind.Other,
                $"the key on token '{Label}' has CKA_ALWAYS_AUTHENTICATE and needs the PIN for every signature, but no PIN was given", "log in with the User PIN (pin-value or pin-source in the URI)");
        }
    }

    private static void RequireType(Pkcs11Uri uri, Pkcs11ObjectClass expected)
    {
        if (uri.Type is not null && uri.Type != expected)
        {
            throw new ArgumentException($"The URI selects type={uri.Type}, but a {expected} is required here.", nameof(uri));
        }
    }

    private Pkcs11ObjectInfo FindOne(Pkcs11Session s, Pkcs11ObjectClass cls, Pkcs11Uri uri, string what, string remedy)
    {
        List<Pkcs11ObjectInfo> found = Find(s, cls, uri.ObjectLabel, uri.Id);
        if (found.Count == 0 && uri.ObjectLabel is not null && uri.Id is not null)
        {
            // draft-woodhouse-cert-best-practice §8.2 (as aws_signing_helper does): retry by id without the label.
            found = Find(s, cls, null, uri.Id);
        }

        if (found.Count == 1)
        {
            return found[0];
        }

        var wanted = new Pkcs11Uri { Token = Label, ObjectLabel = uri.ObjectLabel, Id = uri.Id, Type = cls };
        if (found.Count == 0)
        {
            string present = string.Join("; ", Find(s, cls, null, null));
            string hint = HasPin || cls != Pkcs11ObjectClass.PrivateKey ? "" : " (not logged in: private objects are invisible before login)";
            throw new Pkcs11Exception("C_FindObjects", Pkcs11ErrorKind.ObjectNotFound,
                $"{what} not found in PKCS#11 token '{Label}': nothing matches {wanted}{hint}; {what.ToLowerInvariant()}s present: {(present.Length == 0 ? "none" : present)}",
                remedy);
        }

        throw new Pkcs11Exception("C_FindObjects", Pkcs11ErrorKind.AmbiguousObject,
            $"{found.Count} objects match {wanted} in token '{Label}': {string.Join("; ", found)}",
            "give both object= and id= in the URI so that exactly one object matches");
    }

    internal static List<Pkcs11ObjectInfo> Find(Pkcs11Session s, Pkcs11ObjectClass? cls, string? label, byte[]? id)
    {
        using var template = new AttributeTemplate();
        if (cls is not null)
        {
            template.Add(Cka.Class, (ulong)cls.Value);
        }

        if (label is not null)
        {
            template.Add(Cka.Label, label);
        }

        if (id is not null)
        {
            template.Add(Cka.Id, id);
        }

        return Describe(s, s.FindObjects(template));
    }

    internal static List<Pkcs11ObjectInfo> FindByTemplate(Pkcs11Session s, AttributeTemplate template) => Describe(s, s.FindObjects(template));

    private static List<Pkcs11ObjectInfo> Describe(Pkcs11Session s, List<ulong> handles)
    {
        var result = new List<Pkcs11ObjectInfo>(handles.Count);
        foreach (ulong h in handles)
        {
            byte[]?[] a = s.GetAttributes(h, Cka.Class, Cka.Label, Cka.Id, Cka.KeyType);
            ulong keyType = Pkcs11Session.ULong(a[3]);
            result.Add(new Pkcs11ObjectInfo(
                (Pkcs11ObjectClass)Pkcs11Session.ULong(a[0]),
                Pkcs11Session.Utf8(a[1]),
                a[2] ?? [],
                keyType switch { Ckk.Rsa => "RSA", Ckk.Ec => "EC", CkConstants.UnavailableInformation => null, _ => $"0x{keyType:X}" })
            { Handle = h });
        }

        return result;
    }

    private void ClearPin()
    {
        if (_pin is not null)
        {
            Array.Clear(_pin);
            _pin = null;
        }
    }

    /// <summary>Closes this token's sessions. Closing the last session of the application on a token logs it out.</summary>
    public void Dispose()
    {
        lock (_reconnectLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            using Pkcs11Module.OperationScope scope = Module.EnterOperation();
            lock (_anchorLock)
            {
                ClearPin();
            }

            SessionPool? pool = Interlocked.Exchange(ref _pool, null);
            if (pool is not null && pool.ModuleGeneration != Module.Generation)
            {
                pool.Abandon();
            }
            else
            {
                pool?.Dispose();
            }
        }
    }

    /// <summary>Label and serial only.</summary>
    public override string ToString() => $"token '{Label}' (serial {SerialNumber})";
}
