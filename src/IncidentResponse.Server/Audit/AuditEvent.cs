using NodaTime;

namespace IncidentResponse.Server.Audit;

/// <summary>One link of the append-only, hash-chained audit trail.</summary>
public sealed class AuditEvent
{
    public long Sequence { get; set; }
    public Instant At { get; set; }
    public required string Actor { get; set; }
    public required string Action { get; set; }
    public required string TargetType { get; set; }
    public required string TargetId { get; set; }
    public required string Summary { get; set; }
    public required string PreviousHash { get; set; }
    public required string Hash { get; set; }
}
