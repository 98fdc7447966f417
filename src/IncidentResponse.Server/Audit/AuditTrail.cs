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
/// transaction. Each event is appended to its chain (its incident's, or the organisation's) with that
/// chain's head row locked until commit, so two writers never fork a chain, and writers to different
/// incidents do not wait for each other.
/// </summary>
public sealed class AuditTrail(IncidentDbContext db, IClock clock, CurrentActor actor)
{
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
            // The events join the change's own rows, so one save writes both (one round trip, not two).
            var appended = pending.Count > 0 ? await AppendAsync(cancellationToken) : [];
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            finally
            {
                // Saved or refused, the heads and events leave the unit of work: a caller that retries appends again.
                foreach (var entity in appended)
                {
                    db.Entry(entity).State = EntityState.Detached;
                }
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

    /// <summary>
    /// Links the recorded events onto the head of their chain as the caller holds it, and takes them: a writer that
    /// checks the head itself when it writes (the run's guarded transition) stores them. Every event must be on
    /// <paramref name="head"/>'s chain; the head is moved to the last.
    /// </summary>
    public IReadOnlyList<AuditEvent> LinkOnto(AuditChainHead head)
    {
        if (pending.Any(p => AuditChain.ChainOf(p.TargetType, p.TargetId) != head.Chain))
        {
            throw new InvalidOperationException($"Every event linked onto chain '{head.Chain}' must belong to it.");
        }

        var at = StoredInstant(clock.GetCurrentInstant());
        var events = pending.Select(p => Link(head, at, p)).ToList();
        pending.Clear();
        return events;
    }

    /// <summary>An instant as the database keeps it: PostgreSQL stores microseconds, and the hash covers what is stored.</summary>
    public static Instant StoredInstant(Instant instant) => Instant.FromUnixTimeTicks(instant.ToUnixTimeTicks() / 10 * 10);

    /// <summary>Locks the events' chains and adds the events and the moved heads to the unit of work; returns them.</summary>
    private async Task<List<object>> AppendAsync(CancellationToken cancellationToken)
    {
        var at = StoredInstant(clock.GetCurrentInstant());
        var events = pending.Select(p => (Chain: AuditChain.ChainOf(p.TargetType, p.TargetId), Event: p)).ToList();
        var heads = new List<AuditChainHead>();
        // Chains are locked in one order, so two writers touching the same two chains cannot deadlock.
        foreach (var chain in events.Select(e => e.Chain).Distinct().Order(StringComparer.Ordinal))
        {
            heads.Add(await LockHeadAsync(chain, cancellationToken));
        }

        // SQLite has one writer at a time, which holds its lock by now: it numbers the trail itself.
        var sequence = db.Provider == DatabaseProvider.Sqlite
            ? await db.AuditEvents.MaxAsync(a => (long?)a.Sequence, cancellationToken) ?? 0
            : 0;
        var appended = new List<object>(heads);
        foreach (var (chain, recorded) in events)
        {
            var appendedEvent = Link(heads.Single(h => h.Chain == chain), at, recorded);
            appendedEvent.Sequence = db.Provider == DatabaseProvider.Sqlite ? ++sequence : 0;
            db.AuditEvents.Add(appendedEvent);
            appended.Add(appendedEvent);
        }

        return appended;
    }

    /// <summary>The event that follows the head, which moves to it.</summary>
    private AuditEvent Link(AuditChainHead head, Instant at, (string Action, string TargetType, string TargetId, string Summary) recorded)
    {
        var (action, targetType, targetId, summary) = recorded;
        var position = head.Position + 1;
        var hash = AuditChain.Hash(position, at, actor.Name, action, targetType, targetId, summary, head.Hash);
        var linked = new AuditEvent
        {
            Chain = head.Chain, Position = position, At = at, Actor = actor.Name, Action = action, TargetType = targetType, TargetId = targetId,
            Summary = summary, PreviousHash = head.Hash, Hash = hash,
        };
        (head.Position, head.Hash) = (position, hash);
        return linked;
    }

    /// <summary>
    /// Locks the chain's head row until commit and reads it as last committed (a new chain starts at the
    /// genesis hash): an upsert waits for the writer holding the row and then sees its commit.
    /// </summary>
    private async Task<AuditChainHead> LockHeadAsync(string chain, CancellationToken cancellationToken)
    {
        var rows = await db.Database.SqlQuery<ChainRow>(
            $"INSERT INTO audit_chains (chain, position, hash) VALUES ({chain}, 0, {AuditChain.Genesis}) ON CONFLICT (chain) DO UPDATE SET chain = excluded.chain RETURNING position, hash")
            .ToListAsync(cancellationToken);
        var head = new AuditChainHead { Chain = chain, Position = rows[0].Position, Hash = rows[0].Hash };
        db.AuditChains.Attach(head);
        return head;
    }

    private sealed record ChainRow(long Position, string Hash);

    private static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions();
        ApiConventions.ConfigureJson(options);
        return options;
    }
}
