using System.Collections.Concurrent;
using AuthService.Pkcs11.Native;

namespace AuthService.Pkcs11.Sessions;

/// <summary>
/// Sessions of one token, leased to one thread at a time. PKCS#11 keeps one active operation per session and
/// SoftHSM crashes when two threads share one, so every Init..Final sequence runs on an exclusive lease.
/// One extra "anchor" session is never leased and stays open: closing the last session of a token logs the
/// application out, and the anchor keeps the login alive while leased sessions come and go.
/// </summary>
internal sealed unsafe class SessionPool : IDisposable
{
    private readonly CkFunctionList* _functions;
    private readonly ConcurrentBag<Pkcs11Session> _idle = [];
    private readonly ConcurrentDictionary<Pkcs11Session, byte> _all = new();
    private readonly SemaphoreSlim _slots;
    private volatile bool _disposed;
    private volatile bool _abandoned;

    public SessionPool(CkFunctionList* functions, ulong slotId, int maxSessions, int moduleGeneration)
    {
        _functions = functions;
        ModuleGeneration = moduleGeneration;
        SlotId = slotId;
        _slots = new SemaphoreSlim(maxSessions, maxSessions);
        Anchor = Pkcs11Session.Open(functions, slotId);
    }

    public ulong SlotId { get; }

    /// <summary>The module initialization these sessions belong to; after a re-initialization they are stale.</summary>
    public int ModuleGeneration { get; }

    /// <summary>The session that holds the login; used for login/logout only, under the token's lock.</summary>
    public Pkcs11Session Anchor { get; }

    /// <summary>Sessions currently open, leased or idle, excluding the anchor.</summary>
    public int OpenSessions => _all.Count;

    public Lease Rent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _slots.Wait();
        try
        {
            if (!_idle.TryTake(out Pkcs11Session? session))
            {
                session = Pkcs11Session.Open(_functions, SlotId);
                _all[session] = 0;
            }

            return new Lease(this, session);
        }
        catch
        {
            _slots.Release();
            throw;
        }
    }

    private void Return(Pkcs11Session session, bool discard)
    {
        if (_abandoned)
        {
            session.Abandon();
        }
        else if (discard || _disposed)
        {
            _all.TryRemove(session, out _);
            session.Dispose();
        }
        else
        {
            _idle.Add(session);
        }

        _slots.Release();
    }

    /// <summary>Forgets every session without closing it (the module was re-initialized, handles are stale).</summary>
    public void Abandon()
    {
        _abandoned = true;
        _disposed = true;
        foreach (Pkcs11Session session in _all.Keys)
        {
            session.Abandon();
        }

        _all.Clear();
        Anchor.Abandon();
    }

    public void Dispose()
    {
        _disposed = true;
        foreach (Pkcs11Session session in _all.Keys)
        {
            session.Dispose();
        }

        _all.Clear();
        Anchor.Dispose();
    }

    /// <summary>Exclusive use of one session. Dispose returns it; <see cref="Discard"/> closes it instead.</summary>
    internal sealed class Lease : IDisposable
    {
        private readonly SessionPool _pool;
        private bool _discard;
        private bool _returned;

        public Lease(SessionPool pool, Pkcs11Session session)
        {
            _pool = pool;
            Session = session;
        }

        public Pkcs11Session Session { get; }

        /// <summary>Closes the session on return: after an error it may hold an active operation.</summary>
        public void Discard() => _discard = true;

        public void Dispose()
        {
            if (!_returned)
            {
                _returned = true;
                _pool.Return(Session, _discard);
            }
        }
    }
}
