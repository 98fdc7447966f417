using System.Text.Json;
using IncidentResponse.Core.Audit;
using IncidentResponse.Server.Api;
using IncidentResponse.Server.Identity;
using IncidentResponse.Server.Persistence;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace IncidentResponse.Server.Audit;

/// <summary>
/// Collects the audit events of one unit of work and commits them with the change itself, in one
/// transaction, appended to the hash chain under a lock so two writers never fork it.
/// </summary>
public sealed class AuditTrail(IncidentDbContext db, IClock clock, CurrentActor actor)
{
    private const long ChainLockKey = 0x1A0D17;
    private static readonly JsonSerializerOptions SummaryJson = CreateJson();
    private readonly List<(string Action, string TargetType, string TargetId, string Summary)> pending = [];

    public void Record(string action, string targetType, string targetId, object? before, object? after)
    {
        var summary = JsonSerializer.Serialize(new { before, after }, SummaryJson);
        pending.Add((action, targetType, targetId, summary));
    }

    /// <summary>Saves the tracked changes and the recorded events atomically.</summary>
    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        var owned = db.Database.CurrentTransaction is null;
        var transaction = owned ? await db.Database.BeginTransactionAsync(cancellationToken) : db.Database.CurrentTransaction!;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            if (pending.Count > 0)
            {
                await AppendAsync(cancellationToken);
            }

            if (owned)
            {
                await transaction.CommitAsync(cancellationToken);
            }
        }
        finally
        {
            pending.Clear();
            if (owned)
            {
                await transaction.DisposeAsync();
            }
        }
    }

    private async Task AppendAsync(CancellationToken cancellationToken)
    {
        if (db.Provider == DatabaseProvider.Postgres)
        {
            // Serialises appenders until commit; SQLite already holds its single write lock here.
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({ChainLockKey})", cancellationToken);
        }

        var last = await db.AuditEvents.AsNoTracking().OrderByDescending(a => a.Sequence)
            .Select(a => new { a.Sequence, a.Hash }).FirstOrDefaultAsync(cancellationToken);
        var sequence = last?.Sequence ?? 0;
        var previous = last?.Hash ?? AuditChain.Genesis;
        // Hash what the database keeps: PostgreSQL stores microseconds.
        var now = clock.GetCurrentInstant();
        var at = Instant.FromUnixTimeTicks(now.ToUnixTimeTicks() / 10 * 10);
        foreach (var (action, targetType, targetId, summary) in pending)
        {
            sequence++;
            var hash = AuditChain.Hash(sequence, at, actor.Name, action, targetType, targetId, summary, previous);
            db.AuditEvents.Add(new AuditEvent
            {
                Sequence = sequence, At = at, Actor = actor.Name, Action = action, TargetType = targetType,
                TargetId = targetId, Summary = summary, PreviousHash = previous, Hash = hash,
            });
            previous = hash;
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    private static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions();
        ApiConventions.ConfigureJson(options);
        return options;
    }
}
