using System.Runtime.InteropServices;
using System.Text;
using AuthService.Pkcs11.Errors;
using AuthService.Pkcs11.Native;

namespace AuthService.Pkcs11.Sessions;

/// <summary>
/// One open session and the calls made on it. Not thread-safe by design: a PKCS#11 session holds one active
/// operation, and two threads on one session crash SoftHSM even with CKF_OS_LOCKING_OK, so sessions are only used
/// through <see cref="SessionPool"/> leases.
/// </summary>
internal sealed unsafe class Pkcs11Session : IDisposable
{
    private readonly CkFunctionList* _f;
    private readonly SafeSessionHandle _handle;

    private Pkcs11Session(CkFunctionList* functions, SafeSessionHandle handle)
    {
        _f = functions;
        _handle = handle;
    }

    public ulong Handle => _handle.Value;

    public bool IsClosed => _handle.IsClosed;

    /// <summary>Opens a serial RW session (without CKF_SERIAL_SESSION modules answer CKR_SESSION_PARALLEL_NOT_SUPPORTED).</summary>
    public static Pkcs11Session Open(CkFunctionList* functions, ulong slotId)
    {
        ulong h = 0;
        Check("C_OpenSession", functions->C_OpenSession(slotId, Ckf.SerialSession | Ckf.RwSession, null, null, &h));
        return new Pkcs11Session(functions, new SafeSessionHandle(functions, h));
    }

    public static void Check(string function, ulong rv)
    {
        if (rv != Ckr.Ok)
        {
            throw new Pkcs11Exception(function, rv);
        }
    }

    public CkSessionInfo GetInfo()
    {
        CkSessionInfo info;
        Check("C_GetSessionInfo", _f->C_GetSessionInfo(Handle, &info));
        return info;
    }

    /// <summary>Logs in; CKR_USER_ALREADY_LOGGED_IN counts as success (login is per application and token).</summary>
    public void Login(ulong userType, ReadOnlySpan<byte> pin, string context)
    {
        ulong rv;
        fixed (byte* p = pin)
        {
            rv = _f->C_Login(Handle, userType, p, (ulong)pin.Length);
        }

        if (rv != Ckr.Ok && rv != Ckr.UserAlreadyLoggedIn)
        {
            // The context is the token label: never the PIN.
            throw new Pkcs11Exception("C_Login", rv, context);
        }
    }

    public void Logout()
    {
        ulong rv = _f->C_Logout(Handle);
        if (rv != Ckr.Ok && rv != Ckr.UserNotLoggedIn)
        {
            throw new Pkcs11Exception("C_Logout", rv);
        }
    }

    public void InitPin(ReadOnlySpan<byte> pin)
    {
        fixed (byte* p = pin)
        {
            Check("C_InitPIN", _f->C_InitPIN(Handle, p, (ulong)pin.Length));
        }
    }

    public void SetPin(ReadOnlySpan<byte> oldPin, ReadOnlySpan<byte> newPin, string context)
    {
        ulong rv;
        fixed (byte* o = oldPin)
        fixed (byte* n = newPin)
        {
            rv = _f->C_SetPIN(Handle, o, (ulong)oldPin.Length, n, (ulong)newPin.Length);
        }

        if (rv != Ckr.Ok)
        {
            throw new Pkcs11Exception("C_SetPIN", rv, context);
        }
    }

    /// <summary>Finds objects; C_FindObjectsFinal always runs so the session is left without an active search.</summary>
    public List<ulong> FindObjects(AttributeTemplate template)
    {
        var found = new List<ulong>();
        Check("C_FindObjectsInit", _f->C_FindObjectsInit(Handle, template.Pointer, (ulong)template.Count));
        try
        {
            const int batch = 64;
            ulong* buffer = stackalloc ulong[batch];
            while (true)
            {
                ulong n = 0;
                Check("C_FindObjects", _f->C_FindObjects(Handle, buffer, batch, &n));
                if (n == 0)
                {
                    break;
                }

                for (ulong i = 0; i < n; i++)
                {
                    found.Add(buffer[i]);
                }
            }
        }
        finally
        {
            _ = _f->C_FindObjectsFinal(Handle);
        }

        return found;
    }

    /// <summary>
    /// Reads attributes with the two-call protocol. The return code only summarises: CKR_ATTRIBUTE_SENSITIVE and
    /// CKR_ATTRIBUTE_TYPE_INVALID still fill the other attributes, so each length is checked; an unavailable
    /// attribute (length CK_UNAVAILABLE_INFORMATION) comes back as null.
    /// </summary>
    public byte[]?[] GetAttributes(ulong obj, params ulong[] types)
    {
        var result = new byte[]?[types.Length];
        CkAttribute* template = stackalloc CkAttribute[types.Length];
        for (int i = 0; i < types.Length; i++)
        {
            template[i] = new CkAttribute { Type = types[i], Value = null, ValueLen = 0 };
        }

        ulong rv = _f->C_GetAttributeValue(Handle, obj, template, (ulong)types.Length);
        CheckAttributeResult(rv);
        var buffers = new GCHandle[types.Length];
        try
        {
            for (int i = 0; i < types.Length; i++)
            {
                if (template[i].ValueLen == CkConstants.UnavailableInformation)
                {
                    template[i].ValueLen = 0;
                    template[i].Value = null;
                    continue;
                }

                // Length 0 stays a null pointer; "fixed" on an empty array would also give null.
                var value = new byte[(int)template[i].ValueLen];
                result[i] = value;
                if (value.Length > 0)
                {
                    buffers[i] = GCHandle.Alloc(value, GCHandleType.Pinned);
                    template[i].Value = (void*)buffers[i].AddrOfPinnedObject();
                }
            }

            rv = _f->C_GetAttributeValue(Handle, obj, template, (ulong)types.Length);
            CheckAttributeResult(rv);
            for (int i = 0; i < types.Length; i++)
            {
                if (result[i] is null)
                {
                    continue;
                }

                if (template[i].ValueLen == CkConstants.UnavailableInformation)
                {
                    result[i] = null;
                }
                else if ((int)template[i].ValueLen < result[i]!.Length)
                {
                    result[i] = result[i]![..(int)template[i].ValueLen];
                }
            }
        }
        finally
        {
            foreach (GCHandle h in buffers)
            {
                if (h.IsAllocated)
                {
                    h.Free();
                }
            }
        }

        return result;
    }

    /// <summary>Reads one attribute; returns the raw CK_RV as well so callers can prove CKR_ATTRIBUTE_SENSITIVE.</summary>
    public ulong TryGetAttributeLength(ulong obj, ulong type, out ulong length)
    {
        var attribute = new CkAttribute { Type = type, Value = null, ValueLen = 0 };
        ulong rv = _f->C_GetAttributeValue(Handle, obj, &attribute, 1);
        length = attribute.ValueLen;
        return rv;
    }

    private static void CheckAttributeResult(ulong rv)
    {
        if (rv != Ckr.Ok && rv != Ckr.AttributeSensitive && rv != Ckr.AttributeTypeInvalid)
        {
            throw new Pkcs11Exception("C_GetAttributeValue", rv);
        }
    }

    public ulong CreateObject(AttributeTemplate template)
    {
        ulong h = 0;
        Check("C_CreateObject", _f->C_CreateObject(Handle, template.Pointer, (ulong)template.Count, &h));
        return h;
    }

    public void DestroyObject(ulong obj) => Check("C_DestroyObject", _f->C_DestroyObject(Handle, obj));

    /// <summary>C_SetAttributeValue; token objects need an RW session and CKA_MODIFIABLE (SoftHSM's default).</summary>
    public void SetAttributes(ulong obj, AttributeTemplate template) =>
        Check("C_SetAttributeValue", _f->C_SetAttributeValue(Handle, obj, template.Pointer, (ulong)template.Count));

    public (ulong PublicKey, ulong PrivateKey) GenerateKeyPair(ulong mechanism, AttributeTemplate publicTemplate, AttributeTemplate privateTemplate)
    {
        var m = new CkMechanism { Mechanism = mechanism, Parameter = null, ParameterLen = 0 };
        ulong pub = 0, priv = 0;
        Check("C_GenerateKeyPair", _f->C_GenerateKeyPair(Handle, &m, publicTemplate.Pointer, (ulong)publicTemplate.Count,
            privateTemplate.Pointer, (ulong)privateTemplate.Count, &pub, &priv));
        return (pub, priv);
    }

    /// <summary>
    /// C_SignInit, the optional context-specific login, then C_Sign with the two-call protocol. Any failure after
    /// C_SignInit can leave the operation active (CKR_OPERATION_ACTIVE later), so callers discard the session on error.
    /// </summary>
    public byte[] Sign(ulong key, ulong mechanism, ReadOnlySpan<byte> parameter, ReadOnlySpan<byte> data, ReadOnlySpan<byte> contextPin, bool contextLogin)
    {
        fixed (byte* pp = parameter)
        {
            var m = new CkMechanism
            {
                Mechanism = mechanism,
                Parameter = parameter.IsEmpty ? null : pp,
                ParameterLen = (ulong)parameter.Length,
            };
            Check("C_SignInit", _f->C_SignInit(Handle, &m, key));
        }

        if (contextLogin)
        {
            // CKA_ALWAYS_AUTHENTICATE keys need CKU_CONTEXT_SPECIFIC after every C_SignInit and before C_Sign.
            ulong rv;
            fixed (byte* p = contextPin)
            {
                rv = _f->C_Login(Handle, Cku.ContextSpecific, p, (ulong)contextPin.Length);
            }

            if (rv != Ckr.Ok)
            {
                throw new Pkcs11Exception("C_Login(CKU_CONTEXT_SPECIFIC)", rv);
            }
        }

        // A zero-length input still needs a non-null pointer, or the module would read a size query.
        byte dummy = 0;
        fixed (byte* pd0 = data)
        {
            byte* pd = data.IsEmpty ? &dummy : pd0;
            ulong length = 0;
            Check("C_Sign", _f->C_Sign(Handle, pd, (ulong)data.Length, null, &length));
            if (length == 0 || length > 1 << 16)
            {
                throw new Pkcs11Exception("C_Sign", Pkcs11ErrorKind.Other, $"the module reported a signature length of {length}", null);
            }

            var signature = new byte[(int)length];
            fixed (byte* ps = signature)
            {
                Check("C_Sign", _f->C_Sign(Handle, pd, (ulong)data.Length, ps, &length));
            }

            // The second call may report a shorter length than the first.
            return length == (ulong)signature.Length ? signature : signature[..(int)length];
        }
    }

    /// <summary>Returns true for a valid signature, false for CKR_SIGNATURE_INVALID or CKR_SIGNATURE_LEN_RANGE.</summary>
    public bool Verify(ulong key, ulong mechanism, ReadOnlySpan<byte> parameter, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        fixed (byte* pp = parameter)
        {
            var m = new CkMechanism
            {
                Mechanism = mechanism,
                Parameter = parameter.IsEmpty ? null : pp,
                ParameterLen = (ulong)parameter.Length,
            };
            Check("C_VerifyInit", _f->C_VerifyInit(Handle, &m, key));
        }

        byte dummy = 0;
        ulong rv;
        fixed (byte* pd0 = data)
        fixed (byte* ps0 = signature)
        {
            rv = _f->C_Verify(Handle, data.IsEmpty ? &dummy : pd0, (ulong)data.Length, signature.IsEmpty ? &dummy : ps0, (ulong)signature.Length);
        }

        if (rv is Ckr.SignatureInvalid or Ckr.SignatureLenRange)
        {
            return false;
        }

        Check("C_Verify", rv);
        return true;
    }

    public byte[] GenerateRandom(int length)
    {
        var buffer = new byte[length];
        fixed (byte* p = buffer)
        {
            Check("C_GenerateRandom", _f->C_GenerateRandom(Handle, p, (ulong)length));
        }

        return buffer;
    }

    public static string Utf8(byte[]? value) => value is null ? string.Empty : Encoding.UTF8.GetString(value);

    public static ulong ULong(byte[]? value) => value is { Length: 8 } ? BitConverter.ToUInt64(value) : CkConstants.UnavailableInformation;

    public static bool Bool(byte[]? value) => value is { Length: > 0 } && value[0] != 0;

    public void Dispose() => _handle.Dispose();

    /// <summary>Drops the session without closing it (the module was re-initialized).</summary>
    public void Abandon() => _handle.Abandon();
}
