using System.Runtime.InteropServices;
using System.Text;

namespace AuthService.Pkcs11.Native;

/// <summary>
/// A CK_ATTRIBUTE array whose values live in native memory for the template's lifetime, so pointers stay valid
/// across the call without pinning managed arrays. Values are wiped before the memory is freed because templates
/// carry private key components on import.
/// </summary>
internal sealed unsafe class AttributeTemplate : IDisposable
{
    private readonly List<(ulong Type, byte[] Value)> _items = [];
    private CkAttribute* _attributes;
    private byte* _values;
    private nuint _valuesLength;

    public int Count => _items.Count;

    /// <summary>CK_ULONG values are 8 bytes little endian on LP64; a 4-byte value gives CKR_TEMPLATE_INCOMPLETE.</summary>
    public AttributeTemplate Add(ulong type, ulong value) => Add(type, BitConverter.GetBytes(value));

    /// <summary>CK_BBOOL is one byte. A 4-byte C# bool would give CKR_ATTRIBUTE_VALUE_INVALID.</summary>
    public AttributeTemplate Add(ulong type, bool value) => Add(type, [value ? (byte)1 : (byte)0]);

    /// <summary>UTF-8 without a terminating NUL.</summary>
    public AttributeTemplate Add(ulong type, string value) => Add(type, Encoding.UTF8.GetBytes(value));

    public AttributeTemplate Add(ulong type, ReadOnlySpan<byte> value)
    {
        if (_attributes != null)
        {
            throw new InvalidOperationException("The template was already materialized.");
        }

        _items.Add((type, value.ToArray()));
        return this;
    }

    /// <summary>Builds the native array; valid until <see cref="Dispose"/>.</summary>
    public CkAttribute* Pointer
    {
        get
        {
            if (_attributes == null && _items.Count > 0)
            {
                Materialize();
            }

            return _attributes;
        }
    }

    private void Materialize()
    {
        nuint total = 0;
        foreach ((_, byte[] value) in _items)
        {
            total += (nuint)value.Length;
        }

        _valuesLength = total;
        _values = (byte*)NativeMemory.Alloc(Math.Max(total, 1));
        _attributes = (CkAttribute*)NativeMemory.Alloc((nuint)(_items.Count * sizeof(CkAttribute)));
        byte* cursor = _values;
        for (int i = 0; i < _items.Count; i++)
        {
            byte[] value = _items[i].Value;
            value.CopyTo(new Span<byte>(cursor, value.Length));
            _attributes[i] = new CkAttribute
            {
                Type = _items[i].Type,
                // A zero-length value is passed as a null pointer with length 0, which every module accepts.
                Value = value.Length == 0 ? null : cursor,
                ValueLen = (ulong)value.Length,
            };
            cursor += value.Length;
            Array.Clear(value);
        }
    }

    public void Dispose()
    {
        foreach ((_, byte[] value) in _items)
        {
            Array.Clear(value);
        }

        if (_values != null)
        {
            NativeMemory.Clear(_values, _valuesLength);
            NativeMemory.Free(_values);
            _values = null;
        }

        if (_attributes != null)
        {
            NativeMemory.Free(_attributes);
            _attributes = null;
        }
    }
}
