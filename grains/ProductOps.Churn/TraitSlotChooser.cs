using ProductOps.Domain;

namespace ProductOps.Churn;

/// <summary>
/// Picks the trait values worth a slot in the feature vector: values of keys with few distinct
/// values (plan, country, role; not ids, e-mails or dates), held by neither almost nobody nor
/// almost everybody, the most even splits first. Deterministic for the same examples.
/// </summary>
public static class TraitSlotChooser
{
    /// <summary>Keys with more distinct values than this are identifiers, not categories.</summary>
    public const int MaxValuesPerKey = 20;

    /// <summary>A value held by fewer than this share of examples (or all but this share) is skipped.</summary>
    public const double MinShare = 0.01;

    public static TraitSlots Choose(IReadOnlyList<ChurnExample> examples)
    {
        ArgumentNullException.ThrowIfNull(examples);
        var counts = new Dictionary<TraitSlot, int>();
        var valuesOfKey = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var example in examples)
        {
            foreach (var (key, trait) in example.Traits)
            {
                if (trait.Value.Length == 0)
                {
                    continue; // unset
                }

                if (!valuesOfKey.TryGetValue(key, out var values))
                {
                    valuesOfKey[key] = values = new HashSet<string>(StringComparer.Ordinal);
                }

                if (values.Count <= MaxValuesPerKey)
                {
                    values.Add(trait.Value); // stops growing once the key is known to be too varied
                    var slot = new TraitSlot(key, trait.Value);
                    counts[slot] = counts.GetValueOrDefault(slot) + 1;
                }
            }
        }

        var total = (double)Math.Max(1, examples.Count);
        return new TraitSlots([.. counts
            .Where(c => valuesOfKey[c.Key.Key].Count <= MaxValuesPerKey)
            .Select(c => (Slot: c.Key, Share: c.Value / total))
            .Where(c => c.Share >= MinShare && c.Share <= 1 - MinShare)
            .OrderByDescending(c => Math.Min(c.Share, 1 - c.Share))
            .ThenBy(c => c.Slot.Key, StringComparer.Ordinal)
            .ThenBy(c => c.Slot.Value, StringComparer.Ordinal)
            .Take(TraitSlots.Capacity)
            .Select(c => c.Slot)]);
    }
}
