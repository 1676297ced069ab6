namespace ProductOps.Domain;

/// <summary>
/// The user traits a churn model uses, as one-hot slots after the behaviour features: slot i is 1
/// when the user's trait <c>Key</c> currently has <c>Value</c>. Which traits fill the slots is
/// chosen from the training data and saved with the model; the training builder and the live
/// grain both encode through <see cref="Encode"/>.
/// </summary>
public sealed class TraitSlots
{
    /// <summary>Slots in every feature vector (unused ones stay 0).</summary>
    public const int Capacity = 8;

    public TraitSlots(IReadOnlyList<TraitSlot> slots)
    {
        ArgumentNullException.ThrowIfNull(slots);
        if (slots.Count > Capacity)
        {
            throw new ArgumentException($"at most {Capacity} trait slots, not {slots.Count}", nameof(slots));
        }

        Slots = slots;
    }

    /// <summary>No traits: models trained without any (or before traits were features).</summary>
    public static TraitSlots None { get; } = new([]);

    public IReadOnlyList<TraitSlot> Slots { get; }

    /// <summary>Writes the user's slots into <paramref name="destination"/> (length <see cref="Capacity"/>).</summary>
    public void Encode(IReadOnlyDictionary<string, TraitValue> traits, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(traits);
        destination.Clear();
        for (var i = 0; i < Slots.Count; i++)
        {
            var slot = Slots[i];
            if (traits.TryGetValue(slot.Key, out var current) && string.Equals(current.Value, slot.Value, StringComparison.Ordinal))
            {
                destination[i] = 1f;
            }
        }
    }

    /// <summary>A copy of <paramref name="features"/> (a whole vector, <see cref="ChurnFeatures.Count"/>
    /// long) with its trait slots written from <paramref name="traits"/>.</summary>
    public float[] Fill(float[] features, IReadOnlyDictionary<string, TraitValue> traits)
    {
        ArgumentNullException.ThrowIfNull(features);
        var filled = (float[])features.Clone();
        Encode(traits, filled.AsSpan(ChurnFeatures.BehaviourCount));
        return filled;
    }

    /// <summary>Slot <paramref name="slot"/> at <paramref name="value"/>, in plain words.</summary>
    public string Describe(int slot, float value) =>
        slot < Slots.Count
            ? $"{Slots[slot].Key} is {(value >= 0.5f ? string.Empty : "not ")}{Slots[slot].Value}"
            : "an unused trait slot";
}
