using SQLitePCL;

namespace ProductOps.Storage.Tests;

/// <summary>SQLite's result codes in the words a failing data file is named with.</summary>
public sealed class DataFileExceptionTests
{
    [Theory]
    [InlineData(raw.SQLITE_FULL, "the disk is full")]
    [InlineData(raw.SQLITE_NOTADB, "the file is corrupt (or not a SQLite database)")]
    [InlineData(raw.SQLITE_IOERR_WRITE, "an I/O error (the disk failing, or full)")] // an extended code: its primary one decides
    [InlineData(raw.SQLITE_READONLY, "the file or its folder is read-only")]
    [InlineData(raw.SQLITE_BUSY, "the file is locked (another process holding it: a second node on the same data folder?)")]
    [InlineData(raw.SQLITE_MISMATCH, "SQLite error 20")]
    public void Describe_ResultCode_SaysWhatFailed(int code, string expected) =>
        Assert.Equal(expected, DataFileException.Describe(code));
}
