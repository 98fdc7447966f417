using IncidentResponse.Core.Incidents;
using NodaTime;

namespace IncidentResponse.Server.Incidents;

public sealed record MilestoneView(MilestoneKind Kind, Instant At, bool IsEstimate, string? Note, Instant RecordedAt);

public sealed record TeamLeadView(TeamLeadRole Role, Guid UserId, Instant AssignedAt);

public sealed record IncidentView(
    Guid Id,
    string Reference,
    string Title,
    string? Summary,
    IncidentKind Kind,
    Severity Severity,
    IncidentStatus Status,
    bool IsExercise,
    bool Restricted,
    Instant CreatedAt,
    Instant UpdatedAt,
    int Version,
    IReadOnlyList<MilestoneView> Milestones,
    IReadOnlyList<TeamLeadView> TeamLeads,
    IReadOnlyList<Guid> Members,
    IReadOnlyList<IncidentStatus> AllowedTransitions,
    string? ClosingOverrideReason)
{
    public static IncidentView From(Incident i) => new(
        i.Id, i.Reference, i.Title, i.Summary, i.Kind, i.Severity, i.Status, i.IsExercise, i.Restricted,
        i.CreatedAt, i.UpdatedAt, i.Version,
        i.Milestones.OrderBy(m => m.Kind).Select(m => new MilestoneView(m.Kind, m.At, m.IsEstimate, m.Note, m.RecordedAt)).ToArray(),
        i.TeamLeads.OrderBy(t => t.Role).Select(t => new TeamLeadView(t.Role, t.UserId, t.AssignedAt)).ToArray(),
        i.Members.Select(m => m.UserId).Order().ToArray(),
        Lifecycle.Next(i.Status),
        i.ClosingOverrideReason);
}

public sealed record IncidentListItem(
    Guid Id, string Reference, string Title, IncidentKind Kind, Severity Severity, IncidentStatus Status,
    bool IsExercise, Instant CreatedAt, Instant UpdatedAt, int Version);

public sealed record Paged<T>(IReadOnlyList<T> Items, int Page, int PageSize, int Total);

public sealed record TimelineEntryView(Guid Id, Instant At, string Text, string? Category, Guid AuthorId, Instant RecordedAt);

public sealed record DecisionView(
    Guid Id, string Title, string Outcome, string Rationale, bool Privileged, Guid DecidedBy, Instant DecidedAt, Instant RecordedAt);
