using IncidentResponse.Core;
using IncidentResponse.Server.Persistence;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace IncidentResponse.Server.Mailings;

/// <summary>A mailing's progress: recipients by status, how many go by post and by email, chunks done, and whether the print package is ready.</summary>
public sealed record MailingView(
    Guid Id, Guid IncidentId, Guid LetterId, int LetterVersion, IReadOnlyList<string> Group, MailingChannel Channel, bool IsExercise,
    int Recipients, IReadOnlyDictionary<string, long> ByStatus, long ByPost, long ByEmail, int Chunks, int ChunksDone,
    Instant StartedAt, Instant? FinishedAt, bool PackageReady);

/// <summary>What a returns request recorded: how many changed, how many were already recorded.</summary>
public sealed record ReturnsView(Guid MailingId, int Recorded, int AlreadyRecorded);

public static class MailingViews
{
    public static async Task<MailingView> ViewAsync(IncidentDbContext db, Mailing mailing, CancellationToken ct)
    {
        var counts = await CountsAsync(db, mailing.Id, ct);
        var routes = await db.MailingRecipients.AsNoTracking().Where(r => r.MailingId == mailing.Id)
            .GroupBy(r => 1).Select(g => new { Post = g.Count(r => r.ByPost), Email = g.Count(r => r.ByEmail) }).SingleOrDefaultAsync(ct);
        var openChunks = await db.MailingRecipients.AsNoTracking()
            .Where(r => r.MailingId == mailing.Id
                && (r.Status == RecipientStatus.Pending || r.Status == RecipientStatus.Sending || (r.Status == RecipientStatus.Generated && r.ByEmail)))
            .Select(r => r.Chunk).Distinct().CountAsync(ct);
        return new MailingView(
            mailing.Id, mailing.IncidentId, mailing.LetterId, mailing.LetterVersion, mailing.Group.Split(','), mailing.Channel, mailing.IsExercise,
            mailing.Recipients, counts, routes?.Post ?? 0, routes?.Email ?? 0, mailing.Chunks, mailing.Chunks - openChunks,
            mailing.StartedAt, mailing.FinishedAt, counts[nameof(RecipientStatus.Pending).ToCamelCase()] == 0);
    }

    /// <summary>Recipients by status, every status named (camelCase), zero where none.</summary>
    public static async Task<Dictionary<string, long>> CountsAsync(IncidentDbContext db, Guid mailingId, CancellationToken ct)
    {
        var rows = await db.MailingRecipients.AsNoTracking().Where(r => r.MailingId == mailingId)
            .GroupBy(r => r.Status).Select(g => new { g.Key, Count = g.LongCount() }).ToListAsync(ct);
        return Enum.GetValues<RecipientStatus>()
            .ToDictionary(s => s.ToString().ToCamelCase(), s => rows.SingleOrDefault(r => r.Key == s)?.Count ?? 0);
    }
}
