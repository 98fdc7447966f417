using IncidentResponse.Core.LawEnforcement;
using IncidentResponse.Core.Laws;
using IncidentResponse.Core.Playbooks;
using IncidentResponse.Server.Api;
using IncidentResponse.Server.Audit;
using IncidentResponse.Server.Identity;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.Notifications;
using IncidentResponse.Server.Persistence;
using IncidentResponse.Server.Playbooks;
using Mediator;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace IncidentResponse.Server.LawEnforcement;

/// <summary>An agency as a request names it: a directory id or one of the organisation's local-police entries.</summary>
public sealed record AgencyReference(string? AgencyId, Guid? LocalPoliceId);

/// <summary>A playbook step of kind lawEnforcement that a contact completes.</summary>
public sealed record StepReference(Guid RunId, string StepId);

public sealed record RecordContact(
    Guid IncidentId, AgencyReference Agency, string Person, ContactChannel Channel, Instant ContactedAt, string? CaseNumber, string Shared,
    bool Privileged, StepReference? Step) : ICommand<Outcome<ContactView>>;

public sealed record RecordDelay(Guid IncidentId, AgencyReference Agency, Guid? ContactId, DelayTerm Term, string? DocumentReference)
    : ICommand<Outcome<DelayView>>;

public sealed record RenewDelay(Guid IncidentId, Guid DelayId, int? ExpectedVersion, DelayTerm Term, string? DocumentReference)
    : ICommand<Outcome<DelayView>>;

public sealed record LiftDelay(Guid IncidentId, Guid DelayId, int? ExpectedVersion, Instant At, string? Reason) : ICommand<Outcome<DelayView>>;

/// <summary>
/// Contacts and delay requests. A delay change is the law engine's input: it is stored, the incident is assessed again
/// (when it was assessed before) in the same transaction, and the deadlines follow.
/// </summary>
public sealed class LawEnforcementHandlers(
    IncidentDbContext db, AuditTrail audit, CurrentActor actor, IClock clock, IncidentAssessor assessor, PlaybookRuns runs) :
    ICommandHandler<RecordContact, Outcome<ContactView>>,
    ICommandHandler<RecordDelay, Outcome<DelayView>>,
    ICommandHandler<RenewDelay, Outcome<DelayView>>,
    ICommandHandler<LiftDelay, Outcome<DelayView>>
{
    private const string Target = "incident";

    public async ValueTask<Outcome<ContactView>> Handle(RecordContact command, CancellationToken ct)
    {
        if (!await db.IsVisibleAsync(actor, command.IncidentId, ct))
        {
            return Failure.NotFound("The incident");
        }

        var agency = await ResolveAsync(command.Agency, ct);
        if (agency.Failure is { } bad)
        {
            return bad;
        }

        if (command.Step is { } step && await CheckStepAsync(command.IncidentId, step, ct) is { } stepFailure)
        {
            return stepFailure;
        }

        var contact = new LawEnforcementContact
        {
            Id = Guid.CreateVersion7(), IncidentId = command.IncidentId, AgencyId = command.Agency.AgencyId, LocalPoliceId = command.Agency.LocalPoliceId,
            AgencyName = agency.Value!, Person = command.Person, Channel = command.Channel, ContactedAt = command.ContactedAt,
            CaseNumber = command.CaseNumber, Shared = command.Shared, Privileged = command.Privileged, RecordedBy = actor.Id,
            RecordedAt = clock.GetCurrentInstant(), RunId = command.Step?.RunId, StepId = command.Step?.StepId,
        };
        db.LawEnforcementContacts.Add(contact);
        // A privileged account stays out of the audit summary, which more roles can read.
        audit.Record("incident.lawEnforcement.contact.recorded", Target, command.IncidentId.ToString(), null, ContactView.From(contact, contact.Privileged ? CurrentActor.Withheld : contact.Shared));
        await audit.CommitAsync(ct);

        if (command.Step is { } done)
        {
            // The contact is what the step asks for: recording it completes the step.
            await runs.ApplyAsync(done.RunId, new StepCompleted(done.StepId, actor.Name, $"Contact with {contact.AgencyName} recorded ({contact.Id})."), ct);
        }

        return ContactView.From(contact, contact.Shared);
    }

    public async ValueTask<Outcome<DelayView>> Handle(RecordDelay command, CancellationToken ct)
    {
        var incident = await db.FindVisibleAsync(actor, command.IncidentId, ct);
        if (incident is null)
        {
            return Failure.NotFound("The incident");
        }

        var agency = await ResolveAsync(command.Agency, ct);
        if (agency.Failure is { } bad)
        {
            return bad;
        }

        if (command.ContactId is { } contactId && !await db.LawEnforcementContacts.AnyAsync(c => c.Id == contactId && c.IncidentId == incident.Id, ct))
        {
            return Failure.Invalid("contactId", "The contact is not one recorded on this incident.");
        }

        if (DelayRequest.CheckFirst(command.Term) is { } problem)
        {
            return Refused(problem);
        }

        var now = clock.GetCurrentInstant();
        var delay = new LawEnforcementDelayRecord
        {
            Id = Guid.CreateVersion7(), IncidentId = incident.Id, AgencyId = command.Agency.AgencyId, LocalPoliceId = command.Agency.LocalPoliceId,
            AgencyName = agency.Value!, ContactId = command.ContactId, Form = command.Term.Form, RequestedAt = command.Term.RequestedAt,
            ExpiresAt = command.Term.ExpiresAt, DocumentReference = command.DocumentReference, RecordedBy = actor.Id, RecordedAt = now, UpdatedAt = now,
        };
        db.LawEnforcementDelays.Add(delay);
        return await CommitAsync(incident, delay, "incident.lawEnforcement.delay.recorded", null, ct);
    }

    public ValueTask<Outcome<DelayView>> Handle(RenewDelay command, CancellationToken ct) =>
        ChangeAsync(command.IncidentId, command.DelayId, command.ExpectedVersion, "incident.lawEnforcement.delay.renewed", d => d.CheckRenewal(command.Term), (delay, now) =>
            db.DelayRenewals.Add(new DelayRenewalRecord
            {
                // Added to the set, not the collection: a keyed entity found through a navigation would be taken for an existing row.
                Id = Guid.CreateVersion7(), DelayId = delay.Id, Form = command.Term.Form, RequestedAt = command.Term.RequestedAt,
                ExpiresAt = command.Term.ExpiresAt, DocumentReference = command.DocumentReference, RecordedBy = actor.Id, RecordedAt = now,
            }), ct);

    public ValueTask<Outcome<DelayView>> Handle(LiftDelay command, CancellationToken ct) =>
        ChangeAsync(command.IncidentId, command.DelayId, command.ExpectedVersion, "incident.lawEnforcement.delay.lifted", d => d.CheckLift(command.At),
            (delay, _) => (delay.LiftedAt, delay.LiftReason) = (command.At, command.Reason), ct);

    /// <summary>Renews or lifts a delay if the core allows it at its current state.</summary>
    private async ValueTask<Outcome<DelayView>> ChangeAsync(
        Guid incidentId, Guid delayId, int? expectedVersion, string action, Func<DelayRequest, DelayProblem?> check,
        Action<LawEnforcementDelayRecord, Instant> change, CancellationToken ct)
    {
        var incident = await db.FindVisibleAsync(actor, incidentId, ct);
        if (incident is null)
        {
            return Failure.NotFound("The incident");
        }

        var delay = await db.LawEnforcementDelays.Include(d => d.Renewals).SingleOrDefaultAsync(d => d.Id == delayId && d.IncidentId == incidentId, ct);
        if (delay is null)
        {
            return Failure.NotFound("The delay");
        }

        if (expectedVersion is { } expected && expected != delay.Version)
        {
            return Failure.Stale(delay.Version);
        }

        if (check(delay.ToRequest()) is { } problem)
        {
            return Refused(problem);
        }

        var now = clock.GetCurrentInstant();
        var before = DelayView.From(delay, now);
        change(delay, now);
        delay.UpdatedAt = now;
        return await CommitAsync(incident, delay, action, before, ct);
    }

    /// <summary>Stores the delay change, assesses the incident again on it in the same transaction, then recomputes the deadlines.</summary>
    private async Task<Outcome<DelayView>> CommitAsync(Incident incident, LawEnforcementDelayRecord delay, string action, DelayView? before, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        string reassessed;
        if (!await assessor.WasAssessedAsync(incident.Id, ct))
        {
            reassessed = "not assessed yet";
        }
        else
        {
            var assessment = await assessor.AssessAsync(incident, ct);
            reassessed = assessment.Failure is { } f ? $"not assessed: {f.Detail}" : "assessed";
        }

        var now = clock.GetCurrentInstant();
        audit.Record(action, Target, incident.Id.ToString(), before, new { delay = DelayView.From(delay, now), assessment = reassessed });
        await audit.CommitAsync(ct);
        await transaction.CommitAsync(ct);
        await runs.IncidentChangedAsync(incident.Id, ct);
        return DelayView.From(delay, now);
    }

    private static Failure Refused(DelayProblem problem) =>
        problem.Field is { } field ? Failure.Invalid(field, problem.Message) : Failure.Conflict(problem.Message);

    /// <summary>The agency's name, from the directory or the organisation's local-police entries.</summary>
    private async Task<Outcome<string>> ResolveAsync(AgencyReference agency, CancellationToken ct)
    {
        if ((agency.AgencyId is null) == (agency.LocalPoliceId is null))
        {
            return Failure.Invalid("agencyId", "Name the agency: 'agencyId' from the directory, or 'localPoliceId' for one of the organisation's police entries (one of the two).");
        }

        if (agency.LocalPoliceId is { } local)
        {
            var name = await db.LocalPolice.Where(p => p.Id == local).Select(p => p.Name).FirstOrDefaultAsync(ct);
            return name is null
                ? Failure.Invalid("localPoliceId", "There is no such local-police entry: add it with POST /api/v1/organisation/local-police.")
                : name;
        }

        var directory = AgencyDirectory.Current;
        if (agency.AgencyId == directory.LocalPolice.Id)
        {
            return Failure.Invalid("agencyId", $"'{agency.AgencyId}' is the template: fill it in with POST /api/v1/organisation/local-police and name it with 'localPoliceId'.");
        }

        return directory.ById(agency.AgencyId!) is { } found
            ? found.Name
            : Failure.Invalid("agencyId", $"'{agency.AgencyId}' is not in the agency directory: GET /api/v1/law-enforcement/agencies lists them.");
    }

    private async Task<Failure?> CheckStepAsync(Guid incidentId, StepReference reference, CancellationToken ct)
    {
        var step = await db.RunSteps.AsNoTracking()
            .Where(s => s.RunId == reference.RunId && s.StepId == reference.StepId && db.PlaybookRuns.Any(r => r.Id == s.RunId && r.IncidentId == incidentId))
            .Select(s => new { s.Kind, s.Status }).FirstOrDefaultAsync(ct);
        if (step is null)
        {
            return Failure.Invalid("stepId", "The step is not one of this incident's playbook runs.");
        }

        if (step.Kind != StepKind.LawEnforcement)
        {
            return Failure.Invalid("stepId", $"The step is a {step.Kind.ToString().ToLowerInvariant()} step: a contact completes a lawEnforcement step.");
        }

        return step.Status is StepStatus.Ready or StepStatus.InProgress
            ? null
            : Failure.Conflict($"The step is {step.Status.ToString().ToLowerInvariant()}: a contact completes a step that is ready or in progress.");
    }
}
