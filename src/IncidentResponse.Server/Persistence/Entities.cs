namespace IncidentResponse.Server.Persistence;

/// <summary>Marks an aggregate whose writes are guarded by optimistic concurrency.</summary>
public interface IVersioned
{
    int Version { get; set; }
}
