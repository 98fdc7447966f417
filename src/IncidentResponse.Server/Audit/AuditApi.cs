using System.Data;
using IncidentResponse.Core.Audit;
using IncidentResponse.Core.Identity;
using IncidentResponse.Server.Identity;
using IncidentResponse.Server.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace IncidentResponse.Server.Audit;

public sealed record AuditEventView(
    long Sequence, string Chain, long Position, Instant At, string Actor, string Action, string TargetType, string TargetId, string Summary,
    string PreviousHash, string Hash);

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

    /// <summary>Recomputes every chain, streaming in chain order, checks each against its head and reports the first broken link.</summary>
    private static async Task<Ok<ChainVerification>> Verify(IncidentDbContext db, CancellationToken ct)
    {
        // Heads and events from one snapshot: a writer committing between the two reads is not a broken chain.
        await using var snapshot = await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        var heads = await db.AuditChains.AsNoTracking().Select(h => new ChainHead(h.Chain, h.Position, h.Hash)).ToListAsync(ct);
        var walk = new ChainWalk(heads);
        await foreach (var e in db.AuditEvents.AsNoTracking().OrderBy(a => a.Chain).ThenBy(a => a.Position).AsAsyncEnumerable().WithCancellation(ct))
        {
            var record = new AuditRecord(e.Sequence, e.Chain, e.Position, e.At, e.Actor, e.Action, e.TargetType, e.TargetId, e.Summary, e.PreviousHash, e.Hash);
            if (walk.Next(record) is { } broken)
            {
                return TypedResults.Ok(broken);
            }
        }

        return TypedResults.Ok(walk.Finish());
    }

    internal static AuditEventView ToView(AuditEvent e) =>
        new(e.Sequence, e.Chain, e.Position, e.At, e.Actor, e.Action, e.TargetType, e.TargetId, e.Summary, e.PreviousHash, e.Hash);
}
