using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace AuthService.Access;

/// <summary>
/// The kernel's word on who is at the other end of a Unix domain socket: SO_PEERCRED (Linux, socket(7)) gives
/// the pid, uid and gid the peer had when it connected, which it cannot forge.
/// </summary>
public static class PeerCredentials
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;

    /// <summary>The peer's (pid, uid, gid), or null when the socket is not a connected Unix socket on Linux.</summary>
    public static (int Pid, uint Uid, uint Gid)? Of(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        if (!OperatingSystem.IsLinux() || socket.AddressFamily != AddressFamily.Unix)
        {
            return null;
        }

        // struct ucred { pid_t pid; uid_t uid; gid_t gid; }: three 32-bit fields.
        Span<byte> ucred = stackalloc byte[12];
        try
        {
            var length = socket.GetRawSocketOption(SolSocket, SoPeerCred, ucred);
            if (length < 12)
            {
                return null;
            }
        }
        catch (SocketException)
        {
            return null;
        }

        return (MemoryMarshal.Read<int>(ucred), MemoryMarshal.Read<uint>(ucred[4..]), MemoryMarshal.Read<uint>(ucred[8..]));
    }
}
