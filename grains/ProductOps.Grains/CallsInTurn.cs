using System.Runtime.ExceptionServices;

namespace ProductOps.Grains;

/// <summary>
/// Grain calls sent together and then awaited one after another. A dispatch cycle calls hundreds
/// of user grains and tens of receivers: awaiting each call's <see cref="ValueTask{TResult}"/> in
/// turn makes no task, state machine or continuation per call (an async method per call, joined by
/// <c>Task.WhenAll</c>, made all three), and a call that answers late only delays reading the ones
/// after it, which have answered meanwhile.
/// </summary>
internal static class CallsInTurn
{
    /// <summary>Awaits each of the first <paramref name="count"/> calls once, in order, handing
    /// every answer to <paramref name="onAnswer"/>. A failure is thrown only once every call has
    /// ended, as <c>Task.WhenAll</c> would: the rewind that follows must not race calls still out.</summary>
    public static async Task AwaitEachAsync<T>(ValueTask<T>[] calls, int count, Action<int, T> onAnswer)
    {
        Exception? failed = null;
        for (var k = 0; k < count; k++)
        {
            try
            {
                onAnswer(k, await calls[k]);
            }
            catch (Exception e)
            {
                failed ??= e;
            }
        }

        if (failed is not null)
        {
            ExceptionDispatchInfo.Throw(failed);
        }
    }
}
