using System.Runtime.InteropServices;

namespace AuthService.Pkcs11.Native;

/// <summary>
/// CK_FUNCTION_LIST (552 bytes on LP64): a 2-byte version, 6 bytes of padding, then 68 function pointers at
/// offset 8 + 8*i in the order of PKCS#11 v2.40 (p11-kit's pkcs11.h). Every call except C_GetFunctionList goes
/// through this table: other C_* exports are not portable and clash when several modules share a process.
/// Entries this binding does not call are kept as untyped pointers so that the offsets stay right.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CkFunctionList
{
    public CkVersion Version;
    public delegate* unmanaged<CkCInitializeArgs*, ulong> C_Initialize;                       // 0
    public delegate* unmanaged<void*, ulong> C_Finalize;                                      // 1
    public delegate* unmanaged<CkInfo*, ulong> C_GetInfo;                                     // 2
    public void* C_GetFunctionList;                                                           // 3
    public delegate* unmanaged<byte, ulong*, ulong*, ulong> C_GetSlotList;                    // 4
    public delegate* unmanaged<ulong, CkSlotInfo*, ulong> C_GetSlotInfo;                      // 5
    public delegate* unmanaged<ulong, CkTokenInfo*, ulong> C_GetTokenInfo;                    // 6
    public delegate* unmanaged<ulong, ulong*, ulong*, ulong> C_GetMechanismList;              // 7
    public delegate* unmanaged<ulong, ulong, CkMechanismInfo*, ulong> C_GetMechanismInfo;     // 8
    public delegate* unmanaged<ulong, byte*, ulong, byte*, ulong> C_InitToken;                // 9
    public delegate* unmanaged<ulong, byte*, ulong, ulong> C_InitPIN;                         // 10
    public delegate* unmanaged<ulong, byte*, ulong, byte*, ulong, ulong> C_SetPIN;            // 11
    public delegate* unmanaged<ulong, ulong, void*, void*, ulong*, ulong> C_OpenSession;      // 12
    public delegate* unmanaged<ulong, ulong> C_CloseSession;                                  // 13
    public delegate* unmanaged<ulong, ulong> C_CloseAllSessions;                              // 14
    public delegate* unmanaged<ulong, CkSessionInfo*, ulong> C_GetSessionInfo;                // 15
    public void* C_GetOperationState;                                                         // 16
    public void* C_SetOperationState;                                                         // 17
    public delegate* unmanaged<ulong, ulong, byte*, ulong, ulong> C_Login;                    // 18
    public delegate* unmanaged<ulong, ulong> C_Logout;                                        // 19
    public delegate* unmanaged<ulong, CkAttribute*, ulong, ulong*, ulong> C_CreateObject;     // 20
    public void* C_CopyObject;                                                                // 21
    public delegate* unmanaged<ulong, ulong, ulong> C_DestroyObject;                          // 22
    public void* C_GetObjectSize;                                                             // 23
    public delegate* unmanaged<ulong, ulong, CkAttribute*, ulong, ulong> C_GetAttributeValue; // 24
    public delegate* unmanaged<ulong, ulong, CkAttribute*, ulong, ulong> C_SetAttributeValue; // 25
    public delegate* unmanaged<ulong, CkAttribute*, ulong, ulong> C_FindObjectsInit;          // 26
    public delegate* unmanaged<ulong, ulong*, ulong, ulong*, ulong> C_FindObjects;            // 27
    public delegate* unmanaged<ulong, ulong> C_FindObjectsFinal;                              // 28
    public void* C_EncryptInit;                                                               // 29
    public void* C_Encrypt;                                                                   // 30
    public void* C_EncryptUpdate;                                                             // 31
    public void* C_EncryptFinal;                                                              // 32
    public void* C_DecryptInit;                                                               // 33
    public void* C_Decrypt;                                                                   // 34
    public void* C_DecryptUpdate;                                                             // 35
    public void* C_DecryptFinal;                                                              // 36
    public delegate* unmanaged<ulong, CkMechanism*, ulong> C_DigestInit;                      // 37
    public delegate* unmanaged<ulong, byte*, ulong, byte*, ulong*, ulong> C_Digest;           // 38
    public void* C_DigestUpdate;                                                              // 39
    public void* C_DigestKey;                                                                 // 40
    public void* C_DigestFinal;                                                               // 41
    public delegate* unmanaged<ulong, CkMechanism*, ulong, ulong> C_SignInit;                 // 42
    public delegate* unmanaged<ulong, byte*, ulong, byte*, ulong*, ulong> C_Sign;             // 43
    public void* C_SignUpdate;                                                                // 44
    public void* C_SignFinal;                                                                 // 45
    public void* C_SignRecoverInit;                                                           // 46
    public void* C_SignRecover;                                                               // 47
    public delegate* unmanaged<ulong, CkMechanism*, ulong, ulong> C_VerifyInit;               // 48
    // The signature length of C_Verify is passed by value, unlike C_Sign's.
    public delegate* unmanaged<ulong, byte*, ulong, byte*, ulong, ulong> C_Verify;            // 49
    public void* C_VerifyUpdate;                                                              // 50
    public void* C_VerifyFinal;                                                               // 51
    public void* C_VerifyRecoverInit;                                                         // 52
    public void* C_VerifyRecover;                                                             // 53
    public void* C_DigestEncryptUpdate;                                                       // 54
    public void* C_DecryptDigestUpdate;                                                       // 55
    public void* C_SignEncryptUpdate;                                                         // 56
    public void* C_DecryptVerifyUpdate;                                                       // 57
    public void* C_GenerateKey;                                                               // 58
    public delegate* unmanaged<ulong, CkMechanism*, CkAttribute*, ulong, CkAttribute*, ulong, ulong*, ulong*, ulong> C_GenerateKeyPair; // 59
    public void* C_WrapKey;                                                                   // 60
    public void* C_UnwrapKey;                                                                 // 61
    public void* C_DeriveKey;                                                                 // 62
    public void* C_SeedRandom;                                                                // 63
    public delegate* unmanaged<ulong, byte*, ulong, ulong> C_GenerateRandom;                  // 64
    public void* C_GetFunctionStatus;                                                         // 65
    public void* C_CancelFunction;                                                            // 66
    public void* C_WaitForSlotEvent;                                                          // 67
}
