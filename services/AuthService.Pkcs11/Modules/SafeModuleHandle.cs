using System.Runtime.InteropServices;
using AuthService.Pkcs11.Native;

namespace AuthService.Pkcs11.Modules;

/// <summary>
/// Owns the process's initialization of one module. The library itself is never unloaded
/// (NativeLibrary.Free while other code may still hold its function table would crash the process); releasing
/// the handle only calls C_Finalize, and only if this process's C_Initialize returned CKR_OK (we own it).
/// </summary>
internal sealed unsafe class SafeModuleHandle : SafeHandle
{
    private readonly CkFunctionList* _functions;

    public SafeModuleHandle(nint library, CkFunctionList* functions, bool ownsInitialization)
        : base(IntPtr.Zero, ownsHandle: true)
    {
        _functions = functions;
        OwnsInitialization = ownsInitialization;
        SetHandle(library);
    }

    /// <summary>True when our C_Initialize returned CKR_OK, so C_Finalize is ours to call.</summary>
    public bool OwnsInitialization { get; }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        if (OwnsInitialization)
        {
            _ = _functions->C_Finalize(null);
        }

        return true;
    }
}
