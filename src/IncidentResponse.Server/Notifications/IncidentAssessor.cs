using System.Text.Json;
using System.Text.Json.Nodes;
using IncidentResponse.Core;
using IncidentResponse.Core.Laws;
using IncidentResponse.Server.Api;
using IncidentResponse.Server.Audit;
using IncidentResponse.Server.Identity;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.LawEnforcement;
using IncidentResponse.Server.Persistence;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace IncidentResponse.Server.Notifications;

/// <summary>
/// Runs the law engine on an incident and brings its obligation ledger in step, inside the caller's unit of work:
/// the caller opens the transaction, commits (with the audit events recorded here) and then asks for the incident's
/// deadlines. Assessments of one incident take turns: each reads the ledger the one before it committed.
/// </summary>
public sealed class IncidentAssessor(IncidentDbContext db, AuditTrail audit, CurrentActor actor, IClock clock, RuleBook rules)
{
    private const string Target = "incident";

    /// <summary>Whether the incident was ever assessed: until then no obligation clock runs that a change could move.</summary>
    public Task<bool> WasAssessedAsync(Guid incidentId, CancellationToken ct) => db.AssessmentRuns.AnyAsync(r => r.IncidentId == incidentId, ct);

    /// <summary>Assesses and stages the ledger's changes; the answer's view is read after the commit, with the stored versions.</summary>
    public async Task<Outcome<Func<LedgerView>>> AssessAsync(Incident incident, CancellationToken ct)
    {
        // Inside the caller's transaction: without the turn, two assessments both add the same obligations and collide on
        // their keys (or deadlock).
        await db.TakeTurnAsync("assessment:" + incident.Id, ct);

        var organisation = await db.Organisations.AsNoTracking().FirstAsync(ct);
        var (json, facts, errors) = await IncidentFactsComposer.ComposeStoredAsync(db, incident, organisation, ct);
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

        return new Func<LedgerView>(() => new LedgerView(
            result.RulesVersion, added.Select(ObligationView.From).ToList(),
            changed.Select(c => new ObligationChangeView(c.Before, ObligationView.From(c.Row))).ToList(),
            withdrawn.Select(ObligationView.From).ToList(),
            byKey.Values.OrderBy(r => r.DueBy ?? Instant.MaxValue).ThenBy(r => r.Regime).Select(ObligationView.From).ToList(),
            result.Exemptions, result.ControllingDeadlines));
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
