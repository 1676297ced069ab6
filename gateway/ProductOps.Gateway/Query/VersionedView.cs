namespace ProductOps.Gateway.Query;

/// <summary>A view and where it was read (see <see cref="ViewVersion"/>).</summary>
public sealed record VersionedView<TView>(TView View, ViewVersion Version);
