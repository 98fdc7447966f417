using IncidentResponse.Core.Incidents;
using IncidentResponse.Core.Playbooks;
using IncidentResponse.Server.Notifications;
using IncidentResponse.Server.Persistence;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace IncidentResponse.Server.Playbooks;

public static class RunDueAnchors
{
    /// <summary>What due rules anchor to for one run: the incident's milestones, the run's completed steps, the legal clocks.</summary>
    public static async Task<DueAnchors> LoadAsync(IncidentDbContext db, PlaybookRunRecord run, CancellationToken ct)
    {
        var milestones = await db.Milestones.AsNoTracking().Where(m => m.IncidentId == run.IncidentId).ToDictionaryAsync(m => m.Kind, m => m.At, ct);
        var steps = await db.RunSteps.AsNoTracking().Where(x => x.RunId == run.Id && x.CompletedAt != null && x.Status == StepStatus.Done).ToListAsync(ct);
        var obligations = await db.IncidentObligations.AsNoTracking()
            .Where(o => o.IncidentId == run.IncidentId && o.Status != Core.Laws.ObligationStatus.NotRequired && o.DueBy != null).ToListAsync(ct);
        var zone = await db.Organisations.AsNoTracking().Select(o => o.TimeZone).FirstAsync(ct);
        return From(milestones, steps, obligations, zone);
    }

    /// <summary>The anchors from what is already loaded: milestones, the run's steps (done ones count), open obligations, the organisation's zone.</summary>
    public static DueAnchors From(
        IReadOnlyDictionary<MilestoneKind, Instant> milestones, IEnumerable<RunStepRecord> steps, IEnumerable<IncidentObligation> obligations, string zone)
    {
        var done = steps.Where(x => x.CompletedAt != null && x.Status == StepStatus.Done).ToDictionary(x => x.StepId, x => x.CompletedAt!.Value);
        var dated = obligations.Where(o => o.DueBy != null).ToList();
        var clocks = LegalClocks.Names
            .Select(clock => (clock, due: dated.Where(o => LegalClocks.Covers(clock, o.Regime, o.Recipient)).Select(o => o.DueBy).Min()))
            .Where(x => x.due is not null).ToDictionary(x => x.clock, x => x.due!.Value);
        return new DueAnchors(milestones, done, clocks, DateTimeZoneProviders.Tzdb.GetZoneOrNull(zone) ?? DateTimeZone.Utc);
    }
}
