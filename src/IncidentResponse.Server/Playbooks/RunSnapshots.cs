using System.Collections.Concurrent;
using IncidentResponse.Core.Audit;
using IncidentResponse.Core.Playbooks;
using IncidentResponse.Server.Persistence;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace IncidentResponse.Server.Playbooks;

/// <summary>
/// A run as a transition decides on it: its steps, its pinned definition, and the incident as its conditions read it.
/// On PostgreSQL it carries what proves it current when the transition is written (<see cref="SnapshotGuard"/>).
/// </summary>
public sealed record RunSnapshot(PlaybookRunRecord Run, PlaybookDefinition Definition, RunContext Context, SnapshotGuard? Guard);

/// <summary>
/// What a snapshot read, besides the run's own version: the incident's and the organisation's change stamps (moved by
/// the database on every change to what a run reads, whoever makes it) and the head of the incident's audit chain.
/// </summary>
public sealed record SnapshotGuard(long IncidentStamp, long OrganisationStamp, long ChainPosition, string ChainHash);

/// <summary>
/// Runs as transitions decide on them. On PostgreSQL each node remembers the snapshots it read and wrote, up to
/// <c>Playbooks:RememberedRuns</c> (default 1,000; 0 reads every time): a remembered snapshot is only ever a guess,
/// written through <see cref="GuardedTransition"/>, which refuses it when anything it holds has changed, and the
/// engine then forgets it and reads again. SQLite reads every time.
/// </summary>
public sealed class RunSnapshots(PlaybookLibrary library, IClock clock, IConfiguration configuration, DatabaseSettings database) : IDisposable
{
    private readonly int capacity = configuration.GetValue("Playbooks:RememberedRuns", 1000);
    // The guarded writes (PostgreSQL only), committed together when they arrive together, on their own pool with no unit
    // of work around them: one pipelined connection, whose session plans each statement once and by key
    // (DatabaseSetup.BuildPostgresDataSource). PostgreSQL would otherwise plan it again on every execution, because a
    // plan for the values at hand (which folds the conditions on counts) always looks cheaper than the general one
    // (docs/performance.md).
    private readonly GuardedWrites<GuardedTransition>? writes = database.Provider == DatabaseProvider.Postgres
        ? new GuardedWrites<GuardedTransition>(DatabaseSetup.BuildPostgresDataSource(database.ConnectionString, guardedStatements: true), GuardedTransition.Commands)
        : null;
    private readonly ConcurrentDictionary<Guid, (RunSnapshot Snapshot, long Used)> remembered = new();
    private long uses;

    /// <summary>
    /// The run's snapshot, remembered (unless <paramref name="read"/>) or read now, and whether it was remembered; null
    /// when there is no such run.
    /// </summary>
    public async Task<(RunSnapshot? Snapshot, bool Remembered)> GetAsync(IncidentDbContext db, Guid runId, bool read, CancellationToken ct)
    {
        if (!read && remembered.TryGetValue(runId, out var entry))
        {
            remembered.TryUpdate(runId, (entry.Snapshot, Interlocked.Increment(ref uses)), entry);
            return (entry.Snapshot, true);
        }

        var run = await db.PlaybookRuns.AsNoTracking().Include(r => r.Steps).SingleOrDefaultAsync(r => r.Id == runId, ct);
        if (run is null)
        {
            return (null, false);
        }

        // The guard is read before the context: a change committed in between moves a stamp past it, so the snapshot
        // can be older than its guard says, never newer.
        var guard = writes is null ? null : await ReadGuardAsync(db, run.IncidentId, ct);
        var definition = await library.DefinitionAsync(db, run, ct);
        var context = await RunContext.LoadAsync(db, run.IncidentId, clock.GetCurrentInstant(), ct);
        var snapshot = new RunSnapshot(run, definition, context, guard);
        Remember(snapshot);
        return (snapshot, false);
    }

    /// <summary>Remembers a snapshot that holds a guard (one its transition has just written, or one read now).</summary>
    public void Remember(RunSnapshot snapshot)
    {
        if (snapshot.Guard is null || capacity <= 0)
        {
            return;
        }

        // A run the node already remembers takes no more room; only a new one checks the size (which locks the whole map).
        if (!remembered.ContainsKey(snapshot.Run.Id) && remembered.Count >= capacity)
        {
            // Full: the least recently used half goes.
            foreach (var old in remembered.OrderBy(e => e.Value.Used).Take(Math.Max(1, remembered.Count / 2)).ToList())
            {
                remembered.TryRemove(old);
            }
        }

        remembered[snapshot.Run.Id] = (snapshot, Interlocked.Increment(ref uses));
    }

    public void Forget(Guid runId) => remembered.TryRemove(runId, out _);

    public void Dispose() => writes?.Dispose();

    /// <summary>The snapshot this node remembers for the run, if any (for tests that check what a node holds).</summary>
    internal RunSnapshot? Remembered(Guid runId) => remembered.TryGetValue(runId, out var entry) ? entry.Snapshot : null;

    /// <summary>
    /// Writes a transition decided on a guarded snapshot; false when the snapshot was not current. Once handed over, the
    /// write is not cancelled: it may share a batch, and a statement, with other requests' writes.
    /// </summary>
    public Task<bool> TryWriteAsync(GuardedTransition transition) =>
        (writes ?? throw new InvalidOperationException("Only PostgreSQL guards a snapshot.")).WriteAsync(transition);

    /// <summary>The node's guarded writes (for tests that hold them back).</summary>
    internal GuardedWrites<GuardedTransition> Writes => writes ?? throw new InvalidOperationException("Only PostgreSQL guards a snapshot.");

    /// <summary>The stamps and the chain's head; null when the incident's chain has no head yet (the run is then not guarded).</summary>
    private static async Task<SnapshotGuard?> ReadGuardAsync(IncidentDbContext db, Guid incidentId, CancellationToken ct)
    {
        var chain = AuditChain.ChainOf("incident", incidentId.ToString());
        var rows = await db.Database.SqlQuery<GuardRow>($"""
            SELECT COALESCE((SELECT stamp FROM incident_stamps WHERE incident_id = {incidentId}), 0) AS incident_stamp,
                   COALESCE((SELECT stamp FROM incident_stamps WHERE incident_id = {GuardedTransition.OrganisationStamp}), 0) AS organisation_stamp,
                   c.position AS chain_position, c.hash AS chain_hash
            FROM audit_chains AS c WHERE c.chain = {chain}
            """).ToListAsync(ct);
        return rows is [var row] ? new SnapshotGuard(row.IncidentStamp, row.OrganisationStamp, row.ChainPosition, row.ChainHash) : null;
    }

    private sealed record GuardRow(long IncidentStamp, long OrganisationStamp, long ChainPosition, string ChainHash);
}
