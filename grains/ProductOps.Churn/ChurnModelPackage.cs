using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using ProductOps.Domain;

namespace ProductOps.Churn;

/// <summary>
/// A stored churn model: the ML.NET model and the trait slots its feature vector was built with,
/// in one blob, so the registry and every silo always get the two together. Layout: "POCM",
/// a format byte, the slots' JSON length (int32, little-endian), the JSON, then the ML.NET zip.
/// Blobs without the header are plain ML.NET models without traits.
/// </summary>
public static class ChurnModelPackage
{
    private const byte Format = 1;
    private static readonly byte[] Magic = "POCM"u8.ToArray();
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static byte[] Write(byte[] model, TraitSlots traits)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(traits);
        var json = JsonSerializer.SerializeToUtf8Bytes(traits.Slots, Json);
        var package = new byte[Magic.Length + 1 + sizeof(int) + json.Length + model.Length];
        Magic.CopyTo(package, 0);
        package[Magic.Length] = Format;
        BinaryPrimitives.WriteInt32LittleEndian(package.AsSpan(Magic.Length + 1), json.Length);
        json.CopyTo(package, Magic.Length + 1 + sizeof(int));
        model.CopyTo(package, Magic.Length + 1 + sizeof(int) + json.Length);
        return package;
    }

    /// <exception cref="InvalidDataException">The header is damaged or of an unknown format.</exception>
    public static (byte[] Model, TraitSlots Traits) Read(byte[] package)
    {
        ArgumentNullException.ThrowIfNull(package);
        if (package.Length < Magic.Length || !package.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            return (package, TraitSlots.None);
        }

        var header = Magic.Length + 1 + sizeof(int);
        if (package.Length < header || package[Magic.Length] != Format)
        {
            throw new InvalidDataException("A churn model package of an unknown format.");
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(package.AsSpan(Magic.Length + 1));
        if (length < 0 || header + length > package.Length)
        {
            throw new InvalidDataException("A churn model package with a damaged header.");
        }

        var slots = JsonSerializer.Deserialize<List<TraitSlot>>(package.AsSpan(header, length), Json)
            ?? throw new InvalidDataException("A churn model package without its trait slots.");
        return (package[(header + length)..], new TraitSlots(slots));
    }
}
