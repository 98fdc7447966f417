using Hangfire;
using IncidentResponse.Server.Persistence;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace IncidentResponse.Server.Mailings;

/// <summary>
/// The recurring sweep: a mailing with work left that has not moved for a while (its jobs were lost to a crash
/// between commit and enqueue, or gave up) gets its unfinished chunks queued again. Harmless when they were not
/// lost: a chunk job only takes what is still to do.
/// </summary>
public sealed class MailingSweep(IncidentDbContext db, MailingSettings settings, IClock clock, IBackgroundJobClient jobs)
{
    public async Task RunAsync(CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        var stale = now - settings.StaleAfter;
        var stalled = await db.Mailings.Where(m => m.FinishedAt == null && m.ProgressAt < stale).Select(m => m.Id).ToListAsync(ct);
        foreach (var mailingId in stalled)
        {
            var chunks = await db.MailingRecipients.AsNoTracking()
                .Where(r => r.MailingId == mailingId && (r.Status == RecipientStatus.Pending || (r.Status == RecipientStatus.Generated && r.ByEmail)))
                .Select(r => r.Chunk).Distinct().ToListAsync(ct);
            // Moved on the clock first, so the next sweep leaves these jobs their time.
            await db.Mailings.Where(m => m.Id == mailingId).ExecuteUpdateAsync(u => u.SetProperty(m => m.ProgressAt, now), ct);
            // With nothing left to do, one job still comes to record the mailing as finished.
            foreach (var chunk in chunks.DefaultIfEmpty(0))
            {
                jobs.Enqueue<MailingChunkJob>(j => j.RunAsync(mailingId, chunk, CancellationToken.None));
            }
        }
    }
}
