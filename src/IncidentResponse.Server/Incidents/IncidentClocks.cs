using IncidentResponse.Core.Incidents;
using IncidentResponse.Core.Playbooks;
using IncidentResponse.Server.Persistence;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace IncidentResponse.Server.Incidents;

/// <summary>What an incident's clock shows: its kind, its time now, how fast it runs and whether it is paused.</summary>
public sealed record ClockView(ClockKind Kind, Instant Now, int Speed, bool Paused, Instant? RealAnchor, Instant? SimulatedAnchor, int Version)
{
    public static ClockView Of(IncidentClock clock, Instant real, int version = 0) => clock.IsSimulated
        ? new(clock.Kind, clock.Now(real), clock.Speed, clock.Paused, clock.RealAnchor, clock.SimulatedAnchor, version)
        : new(clock.Kind, real, 1, false, null, null, version);
}

/// <summary>
/// Reads incidents' clocks and moves what waits on an exercise's clock when it changes. An incident without a
/// stored clock keeps real time, so real incidents cost no query where the caller knows they are real.
/// </summary>
public static class IncidentClocks
{
    public static async Task<IncidentClock> ForAsync(IncidentDbContext db, Guid incidentId, CancellationToken ct) =>
        await db.ExerciseClocks.AsNoTracking().SingleOrDefaultAsync(c => c.IncidentId == incidentId, ct) is { } row ? row.ToClock() : IncidentClock.Real;

    /// <summary>The clocks of several incidents; those not in the answer keep real time.</summary>
    public static async Task<Dictionary<Guid, IncidentClock>> ForAsync(IncidentDbContext db, IReadOnlyCollection<Guid> incidentIds, CancellationToken ct) =>
        incidentIds.Count == 0
            ? []
            : await db.ExerciseClocks.AsNoTracking().Where(c => incidentIds.Contains(c.IncidentId)).ToDictionaryAsync(c => c.IncidentId, c => c.ToClock(), ct);

    public static IncidentClock Of(this Dictionary<Guid, IncidentClock> clocks, Guid incidentId) => clocks.GetValueOrDefault(incidentId) ?? IncidentClock.Real;

    /// <summary>
    /// After the clock changed, inside the caller's transaction: every pending reminder and duration wait of the
    /// incident gets the real instant the new clock reaches it (none while paused).
    /// </summary>
    public static async Task RemapAsync(IncidentDbContext db, Guid incidentId, IncidentClock clock, CancellationToken ct)
    {
        var rungs = await db.DeadlineRungs
            .Where(r => r.State == Core.Deadlines.RungState.Pending && db.Deadlines.Any(d => d.Id == r.DeadlineId && d.IncidentId == incidentId))
            .ToListAsync(ct);
        foreach (var rung in rungs)
        {
            rung.FireAt = clock.RealAt(rung.At);
        }

        var waits = await db.RunSteps
            .Where(s => s.WakeAt != null && (s.Status == StepStatus.Ready || s.Status == StepStatus.InProgress)
                && db.PlaybookRuns.Any(r => r.Id == s.RunId && r.IncidentId == incidentId))
            .ToListAsync(ct);
        foreach (var wait in waits)
        {
            wait.WakeFireAt = clock.RealAt(wait.WakeAt!.Value);
        }
    }
}
