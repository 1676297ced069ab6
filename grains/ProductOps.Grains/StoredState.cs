using System.Diagnostics.CodeAnalysis;
using Orleans.Storage;

namespace ProductOps.Grains;

/// <summary>
/// A grain's state, read and written straight through its storage provider. Orleans'
/// <c>IPersistentState</c> facet costs every activation about 0.4 KB in eight objects (the state
/// wrappers, a lifecycle and its observers, a migration participant list); a node holding 100k
/// user grains pays that 100k times and its collector walks them all. This is one object. The
/// same provider, state name and ETag checks, so what either wrote the other reads; a provider's
/// own failure reaches the caller as an <see cref="OrleansException"/>, as through the facet, so
/// callers that tolerate a failed grain call (a sweep over many users) tolerate this too.
/// </summary>
public sealed class StoredState<T>(string name) : IGrainState<T>
    where T : class, new()
{
    private T? _state; // made on first use: a read replaces it anyway

    /// <summary>Never null: a provider that finds nothing may set null, which reads as a new state.</summary>
    [AllowNull]
    public T State
    {
        get => _state ??= new T();
        set => _state = value;
    }

    public string? ETag { get; set; }

    public bool RecordExists { get; set; }

    /// <summary>Reads the stored state (a new one if there is none). Call once, on activation.</summary>
    public Task ReadAsync(IGrainStorage storage, GrainId grain) =>
        Wrapped(() => storage.ReadStateAsync(name, grain, this), "read", grain);

    /// <summary>Writes the state; a write by another activation since this one's read or write
    /// fails with the provider's InconsistentStateException and changes nothing.</summary>
    public Task WriteAsync(IGrainStorage storage, GrainId grain) =>
        Wrapped(() => storage.WriteStateAsync(name, grain, this), "write", grain);

    private async Task Wrapped(Func<Task> operation, string what, GrainId grain)
    {
        try
        {
            await operation();
        }
        catch (Exception e) when (e is not OrleansException)
        {
            throw new OrleansException($"could not {what} state '{name}' of {grain}: {e.Message}", e);
        }
    }
}
