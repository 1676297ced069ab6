using ProductOps.Domain;

namespace ProductOps.Storage.Tests;

/// <summary>A partition writer's own connection has no SQLite mutex: once closed, it must refuse
/// every call rather than step freed statements.</summary>
public sealed class SqlitePartitionWriterTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("productops-writer-").FullName;

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);

    [Fact]
    public void Disposed_EveryCallRefusedAndASecondDisposeDoesNothing()
    {
        var writer = Open();
        var outcome = writer.Append(0, 0, [Event("a")], 1000);
        writer.Dispose();

        Assert.Throws<ObjectDisposedException>(() => writer.Append(0, outcome.Head, [Event("b")], 2000));
        Assert.Throws<ObjectDisposedException>(() => writer.Head());
        Assert.Throws<ObjectDisposedException>(writer.Refresh);
        writer.Dispose();

        using var reopened = Open();
        Assert.Equal(1, reopened.Head());
        Assert.True(reopened.Append(0, 1, [Event("a")], 3000).Duplicate[0]);
    }

    [Fact]
    public void PreparedStatement_Disposed_RefusesCalls()
    {
        var db = SqliteDatabase.OpenForOneThread(Path.Combine(_dataDir, "plain.db"), "Normal");
        try
        {
            var statement = new PreparedStatement(db, "SELECT ?1");
            statement.Bind(1, 7L);
            Assert.Equal(7, statement.ReadInt64(none: 0));
            statement.Dispose();

            Assert.Throws<ObjectDisposedException>(() => statement.Bind(1, 8L));
            Assert.Throws<ObjectDisposedException>(() => statement.ReadInt64(none: 0));
        }
        finally
        {
            db.Dispose();
        }
    }

    private SqlitePartitionWriter Open() =>
        new(SqliteDatabase.OpenForOneThread(Path.Combine(_dataDir, "partition.db"), "Normal"), EventKeys.EventKey, mergeEvents: 16_384);

    private static TrackedEvent Event(string id) =>
        new("acme", "u1", id, "feature_used", "search", 1_700_000_000_000, 1, "s1", null);
}
