using System.Reflection;
using ProductOps.Grains;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Cluster.Tests;

/// <summary>
/// Breaks one user grain's kept deltas just before its next <c>Apply</c>, once, so that the call
/// applies its events and then fails to keep their deltas: what the eleventh round's kept-deltas
/// overflow did to a user (an exception inside <c>KeptDeltas.AddNew</c>, the watermark already
/// moved). (The silos of a TestingHost cluster share this process, hence static.)
/// </summary>
public sealed class BrokenKeptDeltasFilter : IIncomingGrainCallFilter
{
    /// <summary>Test setting that installs the filter on every silo.</summary>
    public const string Setting = "ProductOps:Tests:BrokenKeptDeltas";

    private static GrainId? s_target;

    /// <summary>The user grain whose next Apply fails after applying; cleared once it has.</summary>
    public static void BreakNextApply(GrainId user) => s_target = user;

    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.InterfaceMethod.Name == nameof(IUserGrain.Apply) && context.TargetId == s_target)
        {
            s_target = null;
            Break(context.Grain);
        }

        return context.Invoke();
    }

    /// <summary>Gives the grain's kept deltas a journal of their own without a feature-name table:
    /// the first feature delta kept throws. (They are a struct in the grain: changed in a box, put back.)</summary>
    private static void Break(object grain)
    {
        var broken = new PartitionDeltaJournal();
        Field(typeof(PartitionDeltaJournal), "_names").SetValue(broken, null);
        var keptField = Field(typeof(UserGrain), "_kept");
        var kept = keptField.GetValue(grain)!;
        Field(typeof(KeptDeltas), "_journal").SetValue(kept, broken);
        keptField.SetValue(grain, kept);
    }

    private static FieldInfo Field(Type type, string name) =>
        type.GetField(name, BindingFlags.Instance | BindingFlags.NonPublic)
        ?? throw new InvalidOperationException($"{type.Name} has no field {name} any more: update this test filter");
}
