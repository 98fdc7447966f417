using IncidentResponse.Core.Incidents;
using IncidentResponse.Server.Persistence;
using NodaTime;

namespace IncidentResponse.Server.Incidents;

public sealed class Incident : IVersioned
{
    public Guid Id { get; set; }
    public required string Reference { get; set; }
    public required string Title { get; set; }
    public string? Summary { get; set; }
    public IncidentKind Kind { get; set; }
    public Severity Severity { get; set; }
    public IncidentStatus Status { get; set; }
    public bool IsExercise { get; set; }
    public bool Restricted { get; set; }
    public Instant CreatedAt { get; set; }
    public Instant UpdatedAt { get; set; }
    public Guid CreatedBy { get; set; }
    public string? ClosingOverrideReason { get; set; }
    public int Version { get; set; }

    public List<Milestone> Milestones { get; set; } = [];
    public List<TeamLead> TeamLeads { get; set; } = [];
    public List<IncidentMember> Members { get; set; } = [];
}

/// <summary>
/// An exercise's simulated clock (<see cref="IncidentClock"/>): at <see cref="RealAnchor"/> it showed
/// <see cref="SimulatedAnchor"/>. Only exercises have one; every other incident keeps real time.
/// </summary>
public sealed class ExerciseClock : IVersioned
{
    public Guid IncidentId { get; set; }
    public Instant RealAnchor { get; set; }
    public Instant SimulatedAnchor { get; set; }
    public int Speed { get; set; }
    public bool Paused { get; set; }
    public Instant UpdatedAt { get; set; }
    public int Version { get; set; }

    public IncidentClock ToClock() => new(ClockKind.Simulated, RealAnchor, SimulatedAnchor, Speed, Paused);
}

public sealed class Milestone
{
    public Guid IncidentId { get; set; }
    public MilestoneKind Kind { get; set; }
    public Instant At { get; set; }
    public bool IsEstimate { get; set; }
    public string? Note { get; set; }
    public Guid RecordedBy { get; set; }
    public Instant RecordedAt { get; set; }
}

public sealed class TeamLead
{
    public Guid IncidentId { get; set; }
    public TeamLeadRole Role { get; set; }
    public Guid UserId { get; set; }
    public Instant AssignedAt { get; set; }
}

public sealed class IncidentMember
{
    public Guid IncidentId { get; set; }
    public Guid UserId { get; set; }
}

public sealed class TimelineEntry
{
    public Guid Id { get; set; }
    public Guid IncidentId { get; set; }
    public Instant At { get; set; }
    public required string Text { get; set; }
    public string? Category { get; set; }
    public Guid AuthorId { get; set; }
    public Instant RecordedAt { get; set; }
}

public sealed class Decision
{
    public Guid Id { get; set; }
    public Guid IncidentId { get; set; }
    public required string Title { get; set; }
    public required string Outcome { get; set; }
    public required string Rationale { get; set; }
    public bool Privileged { get; set; }
    public Guid DecidedBy { get; set; }
    public Instant DecidedAt { get; set; }
    public Instant RecordedAt { get; set; }
}

/// <summary>One row per year: the last reference number handed out.</summary>
public sealed class ReferenceCounter
{
    public int Year { get; set; }
    public int Last { get; set; }
}
