using IncidentResponse.Core.AffectedPeople;
using IncidentResponse.Core.Incidents;
using IncidentResponse.Core.Laws;
using IncidentResponse.Server.Api;
using IncidentResponse.Server.Audit;
using IncidentResponse.Server.Identity;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.Mailings;
using IncidentResponse.Server.Persistence;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace IncidentResponse.Server.AffectedPeople;

/// <summary>
/// Removes an incident's individuals (their sealed data and the import error reports) once notification is complete
/// and the organisation's retention period has passed (the decision is <see cref="Retention"/>'s); audited with counts.
/// The mailings' letter files go too (they carry names and addresses); the import records, the mailings' recipient
/// rows and the counts in the facts stay: they hold no personal data.
/// </summary>
public sealed class AffectedPeoplePurge(IncidentDbContext db, AuditTrail audit, CurrentActor actor, IClock clock, MailingSettings mailings)
{
    public async Task<Outcome<PurgeView>> PurgeAsync(Guid incidentId, CancellationToken ct)
    {
        var incident = await db.FindVisibleAsync(actor, incidentId, ct);
        if (incident is null)
        {
            return Failure.NotFound("The incident");
        }

        var retentionDays = await db.Organisations.AsNoTracking().Select(o => o.AffectedPeopleRetentionDays).FirstAsync(ct);
        var notices = await db.IncidentObligations.AsNoTracking()
            .Where(o => o.IncidentId == incidentId && o.Recipient == Recipient.Individuals)
            .Select(o => new { o.Status, o.UpdatedAt }).ToListAsync(ct);
        var closedAt = incident.Status == IncidentStatus.Closed
            ? incident.Milestones.FirstOrDefault(m => m.Kind == MilestoneKind.Closed)?.At ?? incident.UpdatedAt
            : (Instant?)null;
        var decision = Retention.Decide(closedAt, notices.Select(n => (n.Status, n.UpdatedAt)).ToList(), retentionDays, clock.GetCurrentInstant());
        if (!decision.Purgeable)
        {
            return Failure.Conflict(decision.Reason);
        }

        await using var held = await AffectedPeopleLock.TakeAsync(db, incidentId, ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var imports = db.AffectedPeopleImports.Where(i => i.IncidentId == incidentId).Select(i => i.Id);
        var errors = await db.ImportRowErrors.Where(e => imports.Contains(e.ImportId)).ExecuteDeleteAsync(ct);
        var people = await db.AffectedPeople.Where(p => p.IncidentId == incidentId).ExecuteDeleteAsync(ct);
        var letterFolders = (await db.Mailings.Where(m => m.IncidentId == incidentId).Select(m => m.Id).ToListAsync(ct))
            .Select(mailings.DirectoryOf).Where(Directory.Exists).ToList();
        audit.Record("affected-people.purged", "incident", incidentId.ToString(), null,
            new { people, errors, letterFolders = letterFolders.Count, retentionDays, decision.NotificationCompletedAt, decision.PurgeableFrom });
        await audit.CommitAsync(ct);
        await transaction.CommitAsync(ct);
        // After commit: a purge that fails before here leaves the files for the next purge, never files without their record.
        foreach (var folder in letterFolders)
        {
            Directory.Delete(folder, recursive: true);
        }
        return new PurgeView(incidentId, people, errors, decision.NotificationCompletedAt!.Value, decision.PurgeableFrom!.Value);
    }

    /// <summary>Every incident that holds individuals, purged where its retention has ended, refused with the reason where not.</summary>
    public async Task<IReadOnlyList<(Guid IncidentId, Outcome<PurgeView> Outcome)>> PurgeDueAsync(CancellationToken ct)
    {
        var incidents = await db.AffectedPeople.AsNoTracking().Select(p => p.IncidentId).Distinct().ToListAsync(ct);
        var results = new List<(Guid, Outcome<PurgeView>)>();
        foreach (var id in incidents)
        {
            db.ChangeTracker.Clear();
            results.Add((id, await PurgeAsync(id, ct)));
        }

        return results;
    }
}
