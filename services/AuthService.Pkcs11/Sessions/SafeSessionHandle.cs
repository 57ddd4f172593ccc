using System.Runtime.InteropServices;
using AuthService.Pkcs11.Native;

namespace AuthService.Pkcs11.Sessions;

/// <summary>A CK_SESSION_HANDLE that is closed with C_CloseSession exactly once.</summary>
internal sealed unsafe class SafeSessionHandle : SafeHandle
{
    private readonly CkFunctionList* _functions;

    public SafeSessionHandle(CkFunctionList* functions, ulong session)
        : base(IntPtr.Zero, ownsHandle: true)
    {
        _functions = functions;
        SetHandle((nint)session);
    }

    public ulong Value => (ulong)handle;

    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>
    /// Forgets the handle without C_CloseSession: after C_Finalize/C_Initialize the module reuses handle numbers,
    /// and closing a stale one could close another component's new session.
    /// </summary>
    public void Abandon() => SetHandleAsInvalid();

    protected override bool ReleaseHandle()
    {
        // The module may already have dropped the session (token removed, C_Finalize); that is not a failure here.
        _ = _functions->C_CloseSession((ulong)handle);
        return true;
    }
}
