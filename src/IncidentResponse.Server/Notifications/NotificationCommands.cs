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

public sealed class NotificationHandlers(IncidentDbContext db, AuditTrail audit, CurrentActor actor, IClock clock, RuleBook rules, Playbooks.PlaybookRuns runs) :
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
        var (_, _, errors) = IncidentFactsComposer.Compose(incident, organisation, command.Facts);
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

        var organisation = await db.Organisations.AsNoTracking().FirstAsync(ct);
        var stored = await db.IncidentFacts.AsNoTracking().SingleOrDefaultAsync(f => f.IncidentId == incident.Id, ct);
        var recorded = stored is null ? IncidentFactsComposer.Empty() : JsonNode.Parse(stored.Json)!.AsObject();
        var (json, facts, errors) = IncidentFactsComposer.Compose(incident, organisation, recorded);
        if (facts is null)
        {
            return Failure.Invalid(errors[0].Field, $"The incident's facts cannot be assessed: {errors[0].Message}");
        }

        var result = Assessment.Assess(facts, rules);
        var rows = await db.IncidentObligations.Where(o => o.IncidentId == incident.Id).ToListAsync(ct);
        var standing = rows.Select(r => new LedgerEntry(r.Key, ToObligation(r), r.Status, r.StatusReason)).ToList();
        var change = ObligationLedger.Diff(standing, result);
        var now = clock.GetCurrentInstant();
        var byKey = rows.ToDictionary(r => r.Key);

        var added = new List<IncidentObligation>();
        foreach (var o in change.Added)
        {
            var row = new IncidentObligation
            {
                Id = Guid.CreateVersion7(), IncidentId = incident.Id, Key = ObligationLedger.KeyOf(o), Regime = o.Regime, ObligationId = o.ObligationId,
                Citation = o.Citation, Confidence = o.Confidence, Notes = "", RulesVersion = result.RulesVersion, CreatedAt = now,
                Status = ObligationStatus.Pending,
            };
            Apply(row, o, result.RulesVersion, now);
            db.IncidentObligations.Add(row);
            byKey[row.Key] = row;
            audit.Record("incident.obligation.added", Target, incident.Id.ToString(), null, Summary(o));
            added.Add(row);
        }

        var changed = new List<(ObligationView Before, IncidentObligation Row)>();
        foreach (var (before, after) in change.Changed)
        {
            var row = byKey[before.Key];
            var old = ObligationView.From(row);
            Apply(row, after, result.RulesVersion, now);
            if (row.Status == ObligationStatus.NotRequired && row.StatusReason?.StartsWith(ObligationLedger.WithdrawnPrefix, StringComparison.Ordinal) == true)
            {
                row.Status = ObligationStatus.Pending;
                row.StatusReason = null;
            }

            audit.Record("incident.obligation.changed", Target, incident.Id.ToString(), Summary(before.Obligation), Summary(after));
            changed.Add((old, row));
        }

        var withdrawn = new List<IncidentObligation>();
        foreach (var (entry, reason) in change.Withdrawn)
        {
            var row = byKey[entry.Key];
            // What was already sent stays sent: the proof matters more than the new answer.
            if (row.Status != ObligationStatus.Sent)
            {
                row.Status = ObligationStatus.NotRequired;
                row.StatusReason = reason;
                row.UpdatedAt = now;
            }

            audit.Record("incident.obligation.withdrawn", Target, incident.Id.ToString(), Summary(entry.Obligation), new { reason });
            withdrawn.Add(row);
        }

        db.AssessmentRuns.Add(new AssessmentRun
        {
            Id = Guid.CreateVersion7(), IncidentId = incident.Id, At = now, RulesVersion = result.RulesVersion, RunBy = actor.Id,
            FactsJson = json.ToJsonString(), ResultJson = JsonSerializer.Serialize(result, WireJson.Options),
        });
        audit.Record("incident.assessed", Target, incident.Id.ToString(), null,
            new { result.RulesVersion, added = added.Count, changed = changed.Count, withdrawn = withdrawn.Count, exemptions = result.Exemptions.Count });
        await audit.CommitAsync(ct);
        await runs.IncidentChangedAsync(incident.Id, ct);

        var all = byKey.Values.OrderBy(r => r.DueBy ?? Instant.MaxValue).ThenBy(r => r.Regime).Select(ObligationView.From).ToList();
        return new LedgerView(
            result.RulesVersion, added.Select(ObligationView.From).ToList(),
            changed.Select(c => new ObligationChangeView(c.Before, ObligationView.From(c.Row))).ToList(),
            withdrawn.Select(ObligationView.From).ToList(), all, result.Exemptions, result.ControllingDeadlines);
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

    private static void Apply(IncidentObligation row, Obligation o, string rulesVersion, Instant now)
    {
        row.Recipient = o.Recipient;
        row.Scope = o.Scope;
        row.Authority = o.Authority;
        row.DueBy = o.DueBy;
        row.DueDate = o.DueDate;
        row.Standard = o.Standard;
        row.ClockStart = o.ClockStart;
        row.ClockStartAt = o.ClockStartAt;
        row.TolledDays = o.TolledDays;
        row.Residents = o.Residents;
        row.Citation = o.Citation;
        row.RuleVersion = o.RuleVersion;
        row.Confidence = o.Confidence;
        row.Notes = string.Join('\n', o.Notes);
        row.RulesVersion = rulesVersion;
        row.UpdatedAt = now;
    }

    private static Obligation ToObligation(IncidentObligation r) => new(
        r.Regime, r.ObligationId, r.Recipient, r.Scope, r.Authority, r.DueBy, r.DueDate, r.Standard, r.ClockStart, r.ClockStartAt,
        r.TolledDays, r.Residents, r.Citation, r.RuleVersion, r.Confidence, r.Notes.Split('\n', StringSplitOptions.RemoveEmptyEntries));

    private static object Summary(Obligation o) =>
        new { key = ObligationLedger.KeyOf(o), o.Recipient, o.Authority, o.DueBy, o.DueDate, o.Standard, o.Residents, o.Citation };
}
