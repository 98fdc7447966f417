using System.Text.Json;
using System.Text.Json.Nodes;
using IncidentResponse.Core;
using IncidentResponse.Core.Laws;
using IncidentResponse.Server.Api;
using IncidentResponse.Server.Audit;
using IncidentResponse.Server.Identity;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.Persistence;
using Mediator;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace IncidentResponse.Server.Notifications;

public sealed record RecordIncidentFacts(Guid IncidentId, int? ExpectedVersion, JsonObject Facts) : ICommand<Outcome<IncidentFactsView>>;

public sealed record AssessIncident(Guid IncidentId) : ICommand<Outcome<LedgerView>>;

public sealed record UpdateObligation(Guid IncidentId, Guid ObligationId, int? ExpectedVersion, ObligationStatus Status, string? Reason, string? Proof)
    : ICommand<Outcome<ObligationView>>;

public sealed class NotificationHandlers(IncidentDbContext db, AuditTrail audit, CurrentActor actor, IClock clock, IncidentAssessor assessor, Playbooks.PlaybookRuns runs) :
    ICommandHandler<RecordIncidentFacts, Outcome<IncidentFactsView>>,
    ICommandHandler<AssessIncident, Outcome<LedgerView>>,
    ICommandHandler<UpdateObligation, Outcome<ObligationView>>
{
    private const string Target = "incident";

    public async ValueTask<Outcome<IncidentFactsView>> Handle(RecordIncidentFacts command, CancellationToken ct)
    {
        var incident = await db.FindVisibleAsync(actor, command.IncidentId, ct);
        if (incident is null)
        {
            return Failure.NotFound("The incident");
        }

        var organisation = await db.Organisations.AsNoTracking().FirstAsync(ct);
        var (_, _, errors) = IncidentFactsComposer.Compose(incident, organisation, command.Facts, []);
        if (errors.Count > 0)
        {
            return Failure.Invalid(errors[0].Field, errors[0].Message);
        }

        var stored = await db.IncidentFacts.SingleOrDefaultAsync(f => f.IncidentId == incident.Id, ct);
        if (command.ExpectedVersion is { } expected && expected != (stored?.Version ?? 0))
        {
            return Failure.Stale(stored?.Version ?? 0);
        }

        var before = stored is null ? IncidentFactsComposer.Empty() : JsonNode.Parse(stored.Json)!.AsObject();
        var harmBefore = before["harmAssessment"]?["conclusion"]?.GetValue<string>() ?? "notAssessed";
        var harmAfter = command.Facts["harmAssessment"]?["conclusion"]?.GetValue<string>() ?? "notAssessed";
        var rationale = command.Facts["harmAssessment"]?["rationale"]?.GetValue<string>();
        if (harmAfter != harmBefore && harmAfter != "notAssessed" && string.IsNullOrWhiteSpace(rationale))
        {
            return Failure.Invalid("harmAssessment.rationale", "A harm determination is recorded with its rationale: it goes to the decision log.");
        }

        var now = clock.GetCurrentInstant();
        if (stored is null)
        {
            stored = new IncidentFacts { IncidentId = incident.Id, Json = "" };
            db.IncidentFacts.Add(stored);
        }

        stored.Json = command.Facts.ToJsonString();
        stored.UpdatedAt = now;
        if (harmAfter != harmBefore)
        {
            // The harm determination is a legal decision: it is kept where decisions are, as privileged.
            db.Decisions.Add(new Decision
            {
                Id = Guid.CreateVersion7(), IncidentId = incident.Id, Title = "Risk-of-harm determination", Outcome = harmAfter,
                Rationale = rationale ?? "Determination withdrawn.", Privileged = true, DecidedBy = actor.Id,
                DecidedAt = command.Facts["harmAssessment"]?["at"] is JsonValue at && at.TryGetValue<string>(out var text)
                    && NodaTime.Text.InstantPattern.ExtendedIso.Parse(text) is { Success: true } parsed ? parsed.Value : now,
                RecordedAt = now,
            });
        }

        audit.Record("incident.facts.recorded", Target, incident.Id.ToString(), before, command.Facts);
        await audit.CommitAsync(ct);
        await runs.IncidentChangedAsync(incident.Id, ct);
        return new IncidentFactsView(command.Facts, stored.Version, stored.UpdatedAt);
    }

    public async ValueTask<Outcome<LedgerView>> Handle(AssessIncident command, CancellationToken ct)
    {
        var incident = await db.FindVisibleAsync(actor, command.IncidentId, ct);
        if (incident is null)
        {
            return Failure.NotFound("The incident");
        }

        var owned = db.Database.CurrentTransaction is null;
        await using var transaction = owned ? await db.Database.BeginTransactionAsync(ct) : null;
        var outcome = await assessor.AssessAsync(incident, ct);
        if (outcome.Failure is { } failure)
        {
            return failure;
        }

        await audit.CommitAsync(ct);
        if (transaction is not null)
        {
            await transaction.CommitAsync(ct);
        }

        await runs.IncidentChangedAsync(incident.Id, ct);
        return outcome.Value!();
    }

    public async ValueTask<Outcome<ObligationView>> Handle(UpdateObligation command, CancellationToken ct)
    {
        if (!await db.IsVisibleAsync(actor, command.IncidentId, ct))
        {
            return Failure.NotFound("The incident");
        }

        var row = await db.IncidentObligations.SingleOrDefaultAsync(o => o.IncidentId == command.IncidentId && o.Id == command.ObligationId, ct);
        if (row is null)
        {
            return Failure.NotFound("The obligation");
        }

        if (command.ExpectedVersion is { } expected && expected != row.Version)
        {
            return Failure.Stale(row.Version);
        }

        var before = new { row.Status, row.StatusReason, row.Proof };
        row.Status = command.Status;
        row.StatusReason = command.Reason;
        row.Proof = command.Proof ?? (command.Status == ObligationStatus.Sent ? row.Proof : null);
        row.UpdatedAt = clock.GetCurrentInstant();
        audit.Record("incident.obligation.status", Target, command.IncidentId.ToString(), before,
            new { obligation = row.Key, row.Status, row.StatusReason, row.Proof });
        await audit.CommitAsync(ct);
        return ObligationView.From(row);
    }
}
