using System.Buffers.Binary;
using ProductOps.Domain;
using ProductOps.Gateway.Errors;

namespace ProductOps.Gateway.Ingest;

/// <summary>
/// The protocol-buffers wire format, read in place over one message's bytes: tags, varints,
/// fixed 64-bit values and length-delimited fields, and unknown fields skipped. A malformed
/// message fails the request with the byte at fault. Fields come in any order and a field may
/// repeat, so the schema's reader above decides what each occurrence means.
/// </summary>
internal ref struct WireReader(ReadOnlySpan<byte> bytes, int offset)
{
    public const int Varint = 0;
    public const int Fixed64 = 1;
    public const int LengthDelimited = 2;
    private const int StartGroup = 3;
    private const int EndGroup = 4;
    private const int Fixed32 = 5;

    // Groups nested deeper than this in one field are refused, not recursed into. Protobuf's
    // parser has the same limit but counts the messages around the field too, so it refuses
    // one or two levels sooner inside an event.
    private const int MaxGroupDepth = 100;

    private readonly ReadOnlySpan<byte> _bytes = bytes;
    private int _position;

    public readonly bool AtEnd => _position >= _bytes.Length;

    /// <summary>Where the reader is, counted from the start of the request.</summary>
    public readonly int Position => offset + _position;

    /// <summary>The next field's tag: its number times 8 plus its wire type.</summary>
    public uint ReadTag()
    {
        var at = Position;
        var tag = (uint)ReadVarint();
        if (tag >> 3 == 0)
        {
            throw Malformed("a field number of 0", at);
        }

        return tag;
    }

    public ulong ReadVarint()
    {
        var at = Position;
        ulong value = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            if (_position >= _bytes.Length)
            {
                throw Malformed("a truncated varint", at);
            }

            var b = _bytes[_position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw Malformed("a varint longer than 10 bytes", at);
    }

    public ulong ReadFixed64()
    {
        var at = Position;
        if (_bytes.Length - _position < 8)
        {
            throw Malformed("a truncated 64-bit value", at);
        }

        var value = BinaryPrimitives.ReadUInt64LittleEndian(_bytes[_position..]);
        _position += 8;
        return value;
    }

    /// <summary>A length-delimited field's bytes; <paramref name="start"/> is where they begin in the request.</summary>
    public ReadOnlySpan<byte> ReadLengthDelimited(out int start)
    {
        var at = Position;
        var length = (int)(uint)ReadVarint(); // a length is a 32-bit varint; bits above those are dropped, as protobuf does
        if (length < 0 || length > _bytes.Length - _position)
        {
            throw Malformed("a length past the end of its message", at);
        }

        start = Position;
        var field = _bytes.Slice(_position, length);
        _position += length;
        return field;
    }

    /// <summary>Passes over a field this reader does not know, or knows with another wire type.
    /// Wire types 6 and 7 do not exist and are refused everywhere; protobuf's C# parser refuses
    /// them too except inside a map entry, where it passes over the tag alone.</summary>
    public void Skip(uint tag) => Skip(tag, depth: 0);

    private void Skip(uint tag, int depth)
    {
        switch ((int)(tag & 7))
        {
            case Varint:
                ReadVarint();
                return;
            case Fixed64:
                ReadFixed64();
                return;
            case LengthDelimited:
                ReadLengthDelimited(out _);
                return;
            case Fixed32:
                if (_bytes.Length - _position < 4)
                {
                    throw Malformed("a truncated 32-bit value", Position);
                }

                _position += 4;
                return;
            case StartGroup:
                SkipGroup(tag >> 3, depth + 1);
                return;
            case EndGroup:
                throw Malformed("an end-group tag with no group open", Position);
            default:
                throw Malformed($"wire type {tag & 7}", Position);
        }
    }

    /// <summary>A group's fields up to its end tag, which must carry the group's field number.</summary>
    private void SkipGroup(uint field, int depth)
    {
        if (depth > MaxGroupDepth)
        {
            throw Malformed($"groups nested deeper than {MaxGroupDepth}", Position);
        }

        while (true)
        {
            if (AtEnd)
            {
                throw Malformed("a group with no end tag", Position);
            }

            var at = Position;
            var tag = ReadTag();
            if ((tag & 7) == EndGroup)
            {
                if (tag >> 3 != field)
                {
                    throw Malformed("an end-group tag that does not match its group", at);
                }

                return;
            }

            Skip(tag, depth);
        }
    }

    private static RequestValidationException Malformed(string what, int at) =>
        new(new ValidationFailure("request", $"is not a valid protobuf message: {what} at byte {at}"));
}
