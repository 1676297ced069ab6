using ProductOps.Grains.Abstractions;

namespace ProductOps.Cluster.Tests;

/// <summary>
/// While stalled, every user grain's Apply waits (in the user grain) until the test resumes, so
/// no dispatch cycle can complete, as with a user grain whose silo hangs. (The silos of a
/// TestingHost cluster share this process, hence static; only clusters that install the filter
/// through <see cref="StalledApplyConfigurator"/> see it.)
/// </summary>
public sealed class StalledApplyFilter : IIncomingGrainCallFilter
{
    private static volatile TaskCompletionSource s_gate = Open();

    public static void Stall() => s_gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public static void Resume() => s_gate.TrySetResult();

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.InterfaceMethod.DeclaringType == typeof(IUserGrain) && context.InterfaceMethod.Name == nameof(IUserGrain.Apply))
        {
            await s_gate.Task;
        }

        await context.Invoke();
    }

    private static TaskCompletionSource Open()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }
}
