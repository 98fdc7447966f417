using NodaTime;

namespace IncidentResponse.Server.Audit;

/// <summary>One link of the append-only, hash-chained audit trail.</summary>
public sealed class AuditEvent
{
    /// <summary>Orders the whole trail; numbered as events are written, so it may skip numbers (chains count without gaps).</summary>
    public long Sequence { get; set; }
    /// <summary>The chain the event belongs to: its incident's id, or "" for the organisation chain.</summary>
    public string Chain { get; set; } = "";
    /// <summary>The event's place in its chain, from 1, without gaps; its hash covers it.</summary>
    public long Position { get; set; }
    public Instant At { get; set; }
    public required string Actor { get; set; }
    public required string Action { get; set; }
    public required string TargetType { get; set; }
    public required string TargetId { get; set; }
    public required string Summary { get; set; }
    public required string PreviousHash { get; set; }
    public required string Hash { get; set; }
}

/// <summary>Where one audit chain ends. Its row is locked by the writer appending to that chain, until commit.</summary>
public sealed class AuditChainHead
{
    public required string Chain { get; set; }
    public long Position { get; set; }
    public required string Hash { get; set; }
}
