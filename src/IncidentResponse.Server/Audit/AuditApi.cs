using IncidentResponse.Core.Audit;
using IncidentResponse.Core.Identity;
using IncidentResponse.Server.Identity;
using IncidentResponse.Server.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace IncidentResponse.Server.Audit;

public sealed record AuditEventView(
    long Sequence, Instant At, string Actor, string Action, string TargetType, string TargetId, string Summary, string Hash);

public sealed record AuditVerification(bool Valid, long EventsChecked, long? FirstBrokenSequence, string? Problem);

public static class AuditApi
{
    public static RouteGroupBuilder MapAuditApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/audit").WithTags("Audit");
        group.MapGet("/", ListEvents).RequirePermission(Permission.ReadAudit);
        group.MapGet("/verify", Verify).RequirePermission(Permission.VerifyAudit);
        return api;
    }

    private static async Task<Ok<AuditEventView[]>> ListEvents(
        IncidentDbContext db, string? targetType, string? targetId, long? after, int? limit, CancellationToken ct)
    {
        var query = db.AuditEvents.AsNoTracking();
        if (!string.IsNullOrEmpty(targetType))
        {
            query = query.Where(a => a.TargetType == targetType);
        }

        if (!string.IsNullOrEmpty(targetId))
        {
            query = query.Where(a => a.TargetId == targetId);
        }

        if (after is { } afterSequence)
        {
            query = query.Where(a => a.Sequence > afterSequence);
        }

        var take = Math.Clamp(limit ?? 100, 1, 1000);
        var events = await query.OrderBy(a => a.Sequence).Take(take).ToArrayAsync(ct);
        return TypedResults.Ok(events.Select(ToView).ToArray());
    }

    /// <summary>Recomputes the whole chain, streaming, and reports the first broken link.</summary>
    private static async Task<Ok<AuditVerification>> Verify(IncidentDbContext db, CancellationToken ct)
    {
        long previousSequence = 0;
        var previousHash = AuditChain.Genesis;
        long count = 0;
        await foreach (var e in db.AuditEvents.AsNoTracking().OrderBy(a => a.Sequence).AsAsyncEnumerable().WithCancellation(ct))
        {
            count++;
            var record = new AuditRecord(e.Sequence, e.At, e.Actor, e.Action, e.TargetType, e.TargetId, e.Summary, e.PreviousHash, e.Hash);
            if (AuditChain.CheckLink(previousSequence, previousHash, record) is { } problem)
            {
                return TypedResults.Ok(new AuditVerification(false, count, e.Sequence, problem));
            }

            previousSequence = e.Sequence;
            previousHash = e.Hash;
        }

        return TypedResults.Ok(new AuditVerification(true, count, null, null));
    }

    internal static AuditEventView ToView(AuditEvent e) =>
        new(e.Sequence, e.At, e.Actor, e.Action, e.TargetType, e.TargetId, e.Summary, e.Hash);
}
