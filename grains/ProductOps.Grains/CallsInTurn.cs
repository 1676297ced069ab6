using System.Runtime.ExceptionServices;

namespace ProductOps.Grains;

/// <summary>
/// Grain calls sent together and then awaited one after another. A dispatch cycle calls hundreds
/// of user grains and tens of receivers: awaiting each call's <see cref="ValueTask{TResult}"/> as it
/// is makes no task or state machine per call (an async method per call, joined by
/// <c>Task.WhenAll</c>, made both, and a task to await Orleans' value task through), and a call that
/// answers late only delays reading the ones after it, which have answered meanwhile.
/// </summary>
internal static class CallsInTurn
{
    /// <summary>Makes <paramref name="count"/> calls with <paramref name="send"/>, then awaits each
    /// once, in order, handing every answer to <paramref name="onAnswer"/>. A failure, even one
    /// thrown while sending, is thrown only once every call has ended, as <c>Task.WhenAll</c> would:
    /// the rewind that follows must not race calls still out. Like it, a fault is thrown before a
    /// cancellation, so that a cancelled call never hides the fault that says what to do.</summary>
    public static async Task SendAndAwaitAsync<T>(int count, Func<int, ValueTask<T>> send, Action<int, T> onAnswer)
    {
        var calls = new ValueTask<T>[count];
#pragma warning disable CA2012 // each is kept to be awaited once, just below
        for (var k = 0; k < count; k++)
        {
            try
            {
                calls[k] = send(k);
            }
            catch (Exception e)
            {
                calls[k] = ValueTask.FromException<T>(e);
            }
        }
#pragma warning restore CA2012

        Exception? failed = null;
        for (var k = 0; k < count; k++)
        {
            try
            {
                onAnswer(k, await calls[k]);
            }
            catch (Exception e)
            {
                if (failed is null || (failed is OperationCanceledException && e is not OperationCanceledException))
                {
                    failed = e;
                }
            }
        }

        if (failed is not null)
        {
            ExceptionDispatchInfo.Throw(failed);
        }
    }
}
