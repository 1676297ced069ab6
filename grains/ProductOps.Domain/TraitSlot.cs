namespace ProductOps.Domain;

/// <summary>One categorical trait value a churn model looks at, e.g. plan = "pro".</summary>
public sealed record TraitSlot(string Key, string Value);
