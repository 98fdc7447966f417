using IncidentResponse.Core.Incidents;
using IncidentResponse.Core.Laws;
using IncidentResponse.Server.Api;
using IncidentResponse.Server.Audit;
using IncidentResponse.Server.Identity;
using IncidentResponse.Server.Persistence;
using Mediator;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace IncidentResponse.Server.Incidents;

public sealed record CreateIncident(
    string Title, IncidentKind Kind, Severity Severity, string? Summary, bool IsExercise, bool Restricted,
    IReadOnlyList<Guid> Members, Instant? DiscoveredAt) : ICommand<Outcome<IncidentView>>;

public sealed record UpdateIncident(
    Guid Id, int ExpectedVersion, string? Title, string? Summary, IncidentKind? Kind, Severity? Severity)
    : ICommand<Outcome<IncidentView>>;

public sealed record TransitionIncident(
    Guid Id, int? ExpectedVersion, IncidentStatus To, string? Reason, string? OverrideReason)
    : ICommand<Outcome<IncidentView>>;

public sealed record RecordMilestone(
    Guid Id, int? ExpectedVersion, MilestoneKind Kind, Instant At, bool IsEstimate, string? Note)
    : ICommand<Outcome<IncidentView>>;

public sealed record AssignTeamLead(Guid Id, int? ExpectedVersion, TeamLeadRole Role, Guid UserId)
    : ICommand<Outcome<IncidentView>>;

public sealed record SetMembers(Guid Id, int? ExpectedVersion, bool Restricted, IReadOnlyList<Guid> UserIds)
    : ICommand<Outcome<IncidentView>>;

public sealed record AddTimelineEntry(Guid IncidentId, Instant? At, string Text, string? Category)
    : ICommand<Outcome<TimelineEntryView>>;

public sealed record RecordDecision(
    Guid IncidentId, string Title, string Outcome, string Rationale, bool Privileged, Instant? DecidedAt)
    : ICommand<Outcome<DecisionView>>;

/// <summary>The incident commands: each loads, decides with the core, and commits with its audit event.</summary>
public sealed class IncidentHandlers(IncidentDbContext db, AuditTrail audit, CurrentActor actor, IClock clock, Playbooks.PlaybookRuns runs) :
    ICommandHandler<CreateIncident, Outcome<IncidentView>>,
    ICommandHandler<UpdateIncident, Outcome<IncidentView>>,
    ICommandHandler<TransitionIncident, Outcome<IncidentView>>,
    ICommandHandler<RecordMilestone, Outcome<IncidentView>>,
    ICommandHandler<AssignTeamLead, Outcome<IncidentView>>,
    ICommandHandler<SetMembers, Outcome<IncidentView>>,
    ICommandHandler<AddTimelineEntry, Outcome<TimelineEntryView>>,
    ICommandHandler<RecordDecision, Outcome<DecisionView>>
{
    private const string Target = "incident";

    public async ValueTask<Outcome<IncidentView>> Handle(CreateIncident command, CancellationToken ct)
    {
        if (await MissingUsers(command.Members, ct) is { } missing)
        {
            return Failure.Invalid("members", $"Unknown user {missing}.");
        }

        var now = clock.GetCurrentInstant();
        if (command.DiscoveredAt is { } discovered && MilestoneRules.Check(new Dictionary<MilestoneKind, Instant>(), MilestoneKind.Discovered, discovered, now) is { } wrong)
        {
            return Failure.Invalid("discoveredAt", wrong);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var year = now.InUtc().Year;
        var number = await NextNumber(year, ct);
        var incident = new Incident
        {
            Id = Guid.CreateVersion7(),
            Reference = IncidentReference.Format(year, number),
            Title = command.Title.Trim(),
            Summary = command.Summary,
            Kind = command.Kind,
            Severity = command.Severity,
            Status = IncidentStatus.Detected,
            IsExercise = command.IsExercise,
            Restricted = command.Restricted,
            CreatedAt = now,
            UpdatedAt = now,
            CreatedBy = actor.Id,
        };
        incident.Milestones.Add(new Milestone
        {
            IncidentId = incident.Id, Kind = MilestoneKind.Discovered, At = command.DiscoveredAt ?? now,
            RecordedBy = actor.Id, RecordedAt = now,
        });
        foreach (var member in command.Members.Append(actor.Id).Where(m => m != CurrentActor.SystemId).Distinct())
        {
            incident.Members.Add(new IncidentMember { IncidentId = incident.Id, UserId = member });
        }

        db.Incidents.Add(incident);
        audit.Record("incident.created", Target, incident.Id.ToString(), null,
            new { incident.Reference, incident.Title, incident.Kind, incident.Severity, incident.IsExercise, incident.Restricted });
        await audit.CommitAsync(ct);
        await transaction.CommitAsync(ct);
        return IncidentView.From(incident);
    }

    public async ValueTask<Outcome<IncidentView>> Handle(UpdateIncident command, CancellationToken ct)
    {
        var incident = await db.FindVisibleAsync(actor, command.Id, ct);
        if (incident is null)
        {
            return Failure.NotFound("The incident");
        }

        if (incident.Version != command.ExpectedVersion)
        {
            return Failure.Stale(incident.Version);
        }

        var before = new { incident.Title, incident.Summary, incident.Kind, incident.Severity };
        incident.Title = command.Title?.Trim() ?? incident.Title;
        incident.Summary = command.Summary ?? incident.Summary;
        incident.Kind = command.Kind ?? incident.Kind;
        incident.Severity = command.Severity ?? incident.Severity;
        incident.UpdatedAt = clock.GetCurrentInstant();
        audit.Record("incident.updated", Target, incident.Id.ToString(), before,
            new { incident.Title, incident.Summary, incident.Kind, incident.Severity });
        await audit.CommitAsync(ct);
        return IncidentView.From(incident);
    }

    public async ValueTask<Outcome<IncidentView>> Handle(TransitionIncident command, CancellationToken ct)
    {
        var (incident, failure) = await Load(command.Id, command.ExpectedVersion, ct);
        if (incident is null)
        {
            return failure!;
        }

        var openObligations = await db.IncidentObligations.CountAsync(
            o => o.IncidentId == incident.Id && (o.Status == ObligationStatus.Pending || o.Status == ObligationStatus.InProgress), ct);
        var openTasks = await db.RunSteps.CountAsync(
            s => db.PlaybookRuns.Any(r => r.Id == s.RunId && r.IncidentId == incident.Id)
                && (s.Status == Core.Playbooks.StepStatus.Ready || s.Status == Core.Playbooks.StepStatus.InProgress || s.Status == Core.Playbooks.StepStatus.Failed), ct);
        var decision = Lifecycle.Decide(
            new LifecycleContext(incident.Status, openTasks, openObligations),
            new TransitionRequest(command.To, command.Reason, command.OverrideReason));
        if (!decision.Allowed)
        {
            return Failure.Conflict(decision.Refusal!);
        }

        var now = clock.GetCurrentInstant();
        var incidentNow = await IncidentNowAsync(incident, now, ct);
        var from = incident.Status;
        incident.Status = decision.Status;
        incident.UpdatedAt = now;
        if (decision.Overridden)
        {
            incident.ClosingOverrideReason = command.OverrideReason;
        }

        foreach (var kind in decision.MilestonesToRecord.Where(k => incident.Milestones.All(m => m.Kind != k)))
        {
            incident.Milestones.Add(new Milestone { IncidentId = incident.Id, Kind = kind, At = incidentNow, RecordedBy = actor.Id, RecordedAt = now });
        }

        audit.Record("incident.transitioned", Target, incident.Id.ToString(), new { status = from },
            new { status = incident.Status, command.Reason, command.OverrideReason });
        await audit.CommitAsync(ct);
        await runs.IncidentChangedAsync(incident.Id, ct);
        return IncidentView.From(incident);
    }

    public async ValueTask<Outcome<IncidentView>> Handle(RecordMilestone command, CancellationToken ct)
    {
        var (incident, failure) = await Load(command.Id, command.ExpectedVersion, ct);
        if (incident is null)
        {
            return failure!;
        }

        var now = clock.GetCurrentInstant();
        var recorded = incident.Milestones.Where(m => m.Kind != command.Kind).ToDictionary(m => m.Kind, m => m.At);
        if (MilestoneRules.Check(recorded, command.Kind, command.At, await IncidentNowAsync(incident, now, ct)) is { } wrong)
        {
            return Failure.Invalid("at", wrong);
        }

        var existing = incident.Milestones.SingleOrDefault(m => m.Kind == command.Kind);
        var before = existing is null ? null : new { existing.At, existing.IsEstimate, existing.Note };
        if (existing is null)
        {
            existing = new Milestone { IncidentId = incident.Id, Kind = command.Kind };
            incident.Milestones.Add(existing);
        }

        existing.At = command.At;
        existing.IsEstimate = command.IsEstimate;
        existing.Note = command.Note;
        existing.RecordedBy = actor.Id;
        existing.RecordedAt = now;
        incident.UpdatedAt = now;
        audit.Record("incident.milestone.recorded", Target, incident.Id.ToString(), before,
            new { command.Kind, command.At, command.IsEstimate, command.Note });
        await audit.CommitAsync(ct);
        await runs.IncidentChangedAsync(incident.Id, ct);
        return IncidentView.From(incident);
    }

    public async ValueTask<Outcome<IncidentView>> Handle(AssignTeamLead command, CancellationToken ct)
    {
        var (incident, failure) = await Load(command.Id, command.ExpectedVersion, ct);
        if (incident is null)
        {
            return failure!;
        }

        if (await MissingUsers([command.UserId], ct) is not null)
        {
            return Failure.Invalid("userId", $"Unknown user {command.UserId}.");
        }

        var now = clock.GetCurrentInstant();
        var lead = incident.TeamLeads.SingleOrDefault(t => t.Role == command.Role);
        var before = lead is null ? null : new { lead.Role, lead.UserId };
        if (lead is null)
        {
            lead = new TeamLead { IncidentId = incident.Id, Role = command.Role };
            incident.TeamLeads.Add(lead);
        }

        lead.UserId = command.UserId;
        lead.AssignedAt = now;
        // A lead must be able to see the incident they lead.
        if (incident.Members.All(m => m.UserId != command.UserId))
        {
            incident.Members.Add(new IncidentMember { IncidentId = incident.Id, UserId = command.UserId });
        }

        incident.UpdatedAt = now;
        audit.Record("incident.team-lead.assigned", Target, incident.Id.ToString(), before, new { command.Role, command.UserId });
        await audit.CommitAsync(ct);
        return IncidentView.From(incident);
    }

    public async ValueTask<Outcome<IncidentView>> Handle(SetMembers command, CancellationToken ct)
    {
        var (incident, failure) = await Load(command.Id, command.ExpectedVersion, ct);
        if (incident is null)
        {
            return failure!;
        }

        if (await MissingUsers(command.UserIds, ct) is { } missing)
        {
            return Failure.Invalid("userIds", $"Unknown user {missing}.");
        }

        var before = new { incident.Restricted, members = incident.Members.Select(m => m.UserId).Order().ToArray() };
        var wanted = command.UserIds.Concat(incident.TeamLeads.Select(t => t.UserId)).ToHashSet();
        incident.Members.RemoveAll(m => !wanted.Contains(m.UserId));
        foreach (var id in wanted.Where(id => incident.Members.All(m => m.UserId != id)))
        {
            incident.Members.Add(new IncidentMember { IncidentId = incident.Id, UserId = id });
        }

        incident.Restricted = command.Restricted;
        incident.UpdatedAt = clock.GetCurrentInstant();
        audit.Record("incident.members.set", Target, incident.Id.ToString(), before,
            new { incident.Restricted, members = incident.Members.Select(m => m.UserId).Order().ToArray() });
        await audit.CommitAsync(ct);
        return IncidentView.From(incident);
    }

    public async ValueTask<Outcome<TimelineEntryView>> Handle(AddTimelineEntry command, CancellationToken ct)
    {
        if (!await db.IsVisibleAsync(actor, command.IncidentId, ct))
        {
            return Failure.NotFound("The incident");
        }

        var now = clock.GetCurrentInstant();
        var incidentNow = (await IncidentClocks.ForAsync(db, command.IncidentId, ct)).Now(now);
        if (command.At > incidentNow + MilestoneRules.Skew)
        {
            return Failure.Invalid("at", "A timeline entry cannot be in the future.");
        }

        var entry = new TimelineEntry
        {
            Id = Guid.CreateVersion7(), IncidentId = command.IncidentId, At = command.At ?? incidentNow, Text = command.Text,
            Category = command.Category, AuthorId = actor.Id, RecordedAt = now,
        };
        db.TimelineEntries.Add(entry);
        audit.Record("incident.timeline.added", Target, command.IncidentId.ToString(), null,
            new { entry.Id, entry.At, entry.Category, entry.Text });
        await audit.CommitAsync(ct);
        return new TimelineEntryView(entry.Id, entry.At, entry.Text, entry.Category, entry.AuthorId, entry.RecordedAt);
    }

    public async ValueTask<Outcome<DecisionView>> Handle(RecordDecision command, CancellationToken ct)
    {
        if (!await db.IsVisibleAsync(actor, command.IncidentId, ct))
        {
            return Failure.NotFound("The incident");
        }

        var now = clock.GetCurrentInstant();
        var incidentNow = (await IncidentClocks.ForAsync(db, command.IncidentId, ct)).Now(now);
        if (command.DecidedAt > incidentNow + MilestoneRules.Skew)
        {
            return Failure.Invalid("decidedAt", "A decision cannot be dated in the future.");
        }

        var decision = new Decision
        {
            Id = Guid.CreateVersion7(), IncidentId = command.IncidentId, Title = command.Title, Outcome = command.Outcome,
            Rationale = command.Rationale, Privileged = command.Privileged, DecidedBy = actor.Id,
            DecidedAt = command.DecidedAt ?? incidentNow, RecordedAt = now,
        };
        db.Decisions.Add(decision);
        // A privileged rationale stays out of the audit summary, which more roles can read.
        audit.Record("incident.decision.recorded", Target, command.IncidentId.ToString(), null,
            new { decision.Id, decision.Title, decision.Outcome, decision.Privileged, rationale = decision.Privileged ? CurrentActor.Withheld : decision.Rationale });
        await audit.CommitAsync(ct);
        return new DecisionView(decision.Id, decision.Title, decision.Outcome, decision.Rationale, decision.Privileged,
            decision.DecidedBy, decision.DecidedAt, decision.RecordedAt);
    }

    /// <summary>The incident's time at the real instant: an exercise's simulated time, otherwise the same instant.</summary>
    private async Task<Instant> IncidentNowAsync(Incident incident, Instant real, CancellationToken ct) =>
        incident.IsExercise ? (await IncidentClocks.ForAsync(db, incident.Id, ct)).Now(real) : real;

    private async Task<(Incident? Incident, Failure? Failure)> Load(Guid id, int? expectedVersion, CancellationToken ct)
    {
        var incident = await db.FindVisibleAsync(actor, id, ct);
        if (incident is null)
        {
            return (null, Failure.NotFound("The incident"));
        }

        return expectedVersion is { } v && v != incident.Version ? (null, Failure.Stale(incident.Version)) : (incident, null);
    }

    private async Task<Guid?> MissingUsers(IReadOnlyCollection<Guid> ids, CancellationToken ct)
    {
        if (ids.Count == 0)
        {
            return null;
        }

        var known = await db.Users.Where(u => ids.Contains(u.Id)).Select(u => u.Id).ToListAsync(ct);
        return ids.Where(id => !known.Contains(id)).Select(id => (Guid?)id).FirstOrDefault();
    }

    /// <summary>Hands out the year's next reference number atomically, inside the caller's transaction.</summary>
    private async Task<int> NextNumber(int year, CancellationToken ct)
    {
        var numbers = await db.Database.SqlQuery<int>(
            $"INSERT INTO reference_counters (year, last) VALUES ({year}, 1) ON CONFLICT (year) DO UPDATE SET last = reference_counters.last + 1 RETURNING last AS \"Value\"")
            .ToListAsync(ct);
        return numbers.Single();
    }
}
