using IncidentResponse.Core.Playbooks;
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
        var steps = await db.RunSteps.AsNoTracking().Where(x => x.RunId == run.Id && x.CompletedAt != null && x.Status == StepStatus.Done)
            .ToDictionaryAsync(x => x.StepId, x => x.CompletedAt!.Value, ct);
        var obligations = await db.IncidentObligations.AsNoTracking()
            .Where(o => o.IncidentId == run.IncidentId && o.Status != Core.Laws.ObligationStatus.NotRequired && o.DueBy != null).ToListAsync(ct);
        var clocks = LegalClocks.Names
            .Select(clock => (clock, due: obligations.Where(o => LegalClocks.Covers(clock, o.Regime, o.Recipient)).Select(o => o.DueBy).Min()))
            .Where(x => x.due is not null).ToDictionary(x => x.clock, x => x.due!.Value);
        var zone = await db.Organisations.AsNoTracking().Select(o => o.TimeZone).FirstAsync(ct);
        return new DueAnchors(milestones, steps, clocks, DateTimeZoneProviders.Tzdb.GetZoneOrNull(zone) ?? DateTimeZone.Utc);
    }
}
