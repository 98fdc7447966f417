using IncidentResponse.Core.Laws;
using IncidentResponse.Server.Persistence;
using NodaTime;

namespace IncidentResponse.Server.Notifications;

/// <summary>
/// The breach facts recorded on an incident beyond its milestones: data elements, encryption, residents by
/// jurisdiction, law-enforcement delays, harm assessment. Kept as the facts JSON contract's own fields.
/// </summary>
public sealed class IncidentFacts : IVersioned
{
    public Guid IncidentId { get; set; }
    public required string Json { get; set; }
    public Instant UpdatedAt { get; set; }
    public int Version { get; set; }
}

/// <summary>One obligation in an incident's ledger, with the status people give it.</summary>
public sealed class IncidentObligation : IVersioned
{
    public Guid Id { get; set; }
    public Guid IncidentId { get; set; }
    public required string Key { get; set; }
    public required string Regime { get; set; }
    public required string ObligationId { get; set; }
    public Recipient Recipient { get; set; }
    public string? Scope { get; set; }
    public string? Authority { get; set; }
    public Instant? DueBy { get; set; }
    public LocalDate? DueDate { get; set; }
    public Standard Standard { get; set; }
    public ClockStart? ClockStart { get; set; }
    public Instant? ClockStartAt { get; set; }
    public int TolledDays { get; set; }
    public long Residents { get; set; }
    public required string Citation { get; set; }
    public LocalDate RuleVersion { get; set; }
    public required string Confidence { get; set; }
    public required string Notes { get; set; }
    public ObligationStatus Status { get; set; }
    public string? StatusReason { get; set; }
    public string? Proof { get; set; }
    public required string RulesVersion { get; set; }
    public Instant CreatedAt { get; set; }
    public Instant UpdatedAt { get; set; }
    public int Version { get; set; }
}

/// <summary>One run of the law engine on an incident: the facts it saw and what it answered.</summary>
public sealed class AssessmentRun
{
    public Guid Id { get; set; }
    public Guid IncidentId { get; set; }
    public Instant At { get; set; }
    public required string RulesVersion { get; set; }
    public required string FactsJson { get; set; }
    public required string ResultJson { get; set; }
    public Guid RunBy { get; set; }
}
