using SQLitePCL;

namespace ProductOps.Storage;

/// <summary>BEGIN, COMMIT and ROLLBACK prepared once on a connection: one transaction around a
/// piece of work, rolled back if the work throws. Immediate (the default) for writers; deferred
/// for a reader's consistent snapshot over several statements.</summary>
internal sealed class PreparedTransaction(sqlite3 db, bool immediate = true) : IDisposable
{
    private readonly PreparedStatement _begin = new(db, immediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
    private readonly PreparedStatement _commit = new(db, "COMMIT");
    private readonly PreparedStatement _rollback = new(db, "ROLLBACK");

    public T Run<T>(Func<T> work)
    {
        _begin.Run();
        try
        {
            var result = work();
            _commit.Run();
            return result;
        }
        catch
        {
            _rollback.TryRun(); // may find the transaction already ended by the failure
            throw;
        }
    }

    public void Dispose()
    {
        _begin.Dispose();
        _commit.Dispose();
        _rollback.Dispose();
    }
}
