using IncidentResponse.Core.Audit;
using IncidentResponse.Core.Incidents;
using IncidentResponse.Core.Playbooks;
using IncidentResponse.Server.Api;
using IncidentResponse.Server.Audit;
using IncidentResponse.Server.Identity;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.Persistence;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace IncidentResponse.Server.Playbooks;

/// <summary>
/// A run after an event, with the incident as the event saw it and the run's definition (what a view of the run needs
/// besides its steps), and the steps the event changed. The run may be the one the node remembers: read it, never change it.
/// </summary>
public sealed record AppliedRun(PlaybookRunRecord Run, RunContext Context, PlaybookDefinition Definition, IReadOnlySet<string> Changed);

/// <summary>
/// Runs playbooks: starts them, applies events in one transaction each (the run row's version makes two
/// nodes applying at once conflict, and the loser re-reads and re-decides), records effects and audits.
/// </summary>
public sealed class PlaybookRuns(
    IncidentDbContext db, AuditTrail audit, IClock clock, PlaybookLibrary library, RunSnapshots snapshots, CurrentActor actor, AutomatedStepQueue automatedSteps,
    Deadlines.DeadlineSync deadlines, ILogger<PlaybookRuns> logger)
{
    private const int Attempts = 5;

    public async Task<Outcome<PlaybookRunRecord>> StartAsync(Guid incidentId, string? playbookId, CancellationToken ct)
    {
        var incident = await db.Incidents.AsNoTracking().SingleOrDefaultAsync(i => i.Id == incidentId, ct);
        if (incident is null)
        {
            return Failure.NotFound("The incident");
        }

        var playbook = playbookId is null ? await library.ForAsync(db, incident.Kind, ct) : await library.CurrentAsync(db, playbookId, ct);
        if (playbook is null)
        {
            return playbookId is null
                ? Failure.Invalid("playbookId", $"No playbook serves '{incident.Kind.ToString().ToLowerInvariant()}' incidents; name one.")
                : Failure.Invalid("playbookId", $"There is no playbook '{playbookId}'.");
        }

        if (await db.PlaybookRuns.AnyAsync(r => r.IncidentId == incidentId && r.PlaybookId == playbook.Id, ct))
        {
            return Failure.Conflict($"The playbook '{playbook.Id}' already runs on this incident.");
        }

        var now = clock.GetCurrentInstant();
        // Two incidents opened at once may both store the definition first: the second insert is a no-op.
        await library.EnsureStoredAsync(db, playbook, now, ct);

        var run = new PlaybookRunRecord
        {
            Id = Guid.CreateVersion7(), IncidentId = incidentId, PlaybookId = playbook.Id, DefinitionHash = playbook.ContentHash, StartedAt = now,
        };
        foreach (var step in playbook.Steps)
        {
            run.Steps.Add(new RunStepRecord
            {
                RunId = run.Id, StepId = step.Id, Status = StepStatus.Blocked, Team = step.Team, Kind = step.Kind, Title = step.Title, Automated = step.Automated,
            });
        }

        db.PlaybookRuns.Add(run);
        audit.Record("playbook.run.started", "incident", incidentId.ToString(), null,
            new { runId = run.Id, playbook = playbook.Id, playbook.Version, hash = playbook.ContentHash });
        await audit.CommitAsync(ct);
        db.ChangeTracker.Clear();
        var started = await ApplyAsync(run.Id, new RunStarted(), ct);
        return started.Failure is { } f ? f : started.Value!.Run;
    }

    /// <summary>Applies one event to a run. A refused event changes nothing and says why.</summary>
    public Task<Outcome<AppliedRun>> ApplyAsync(Guid runId, RunEvent @event, CancellationToken ct) => ApplyAsync(runId, _ => @event, ct);

    /// <summary>
    /// Applies the event <paramref name="decide"/> makes of the run as it stands (or the failure it returns instead):
    /// it decides again on every attempt, on the run as that attempt reads it.
    /// </summary>
    public async Task<Outcome<AppliedRun>> ApplyAsync(Guid runId, Func<RunSnapshot, object> decide, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await ApplyOnceAsync(runId, decide, read: false, ct);
            }
            catch (DbUpdateException) when (attempt < Attempts)
            {
                // Another node moved the run (or what it reads) first: read it again and decide again.
                snapshots.Forget(runId);
                db.ChangeTracker.Clear();
            }
        }
    }

    /// <summary>
    /// Tells every open run of an incident that something it may wait on changed, and recomputes the
    /// incident's deadlines. A nudge, not part of the change that caused it: if it fails, the change stands
    /// and the sweeps deliver the nudge later.
    /// </summary>
    public async Task IncidentChangedAsync(Guid incidentId, CancellationToken ct)
    {
        try
        {
            db.ChangeTracker.Clear();
            var runs = await db.PlaybookRuns.AsNoTracking().Where(r => r.IncidentId == incidentId && r.FinishedAt == null).Select(r => r.Id).ToListAsync(ct);
            foreach (var run in runs)
            {
                await ApplyAsync(run, new IncidentChanged(), ct);
            }
        }
        catch (DbUpdateException e)
        {
            logger.LogWarning(e, "Runs of incident {Incident} were not nudged now; the sweep will", incidentId);
        }

        await deadlines.TrySyncAsync(incidentId, ct);
    }

    /// <summary>
    /// One attempt. Only a write proves a remembered snapshot current: an answer that writes nothing (a refusal, or an
    /// event that changes nothing) is given only on the run as read now.
    /// </summary>
    private async Task<Outcome<AppliedRun>> ApplyOnceAsync(Guid runId, Func<RunSnapshot, object> decide, bool read, CancellationToken ct)
    {
        var (snapshot, remembered) = await snapshots.GetAsync(db, runId, read, ct);
        if (snapshot is null)
        {
            return Failure.NotFound("The playbook run");
        }

        var decided = decide(snapshot);
        if (decided is Failure failure)
        {
            return remembered ? await ApplyOnceAsync(runId, decide, read: true, ct) : failure;
        }

        var @event = (RunEvent)decided;
        // The transition works on its own copy: a remembered snapshot is shared by the node's requests. The run it
        // writes is remembered as it is and returned: from here on it is read, never changed.
        var run = snapshot.Run.Copy();
        var playbook = snapshot.Definition;
        var states = run.Steps.ToDictionary(s => s.StepId, ToState);
        // Instants as the database keeps them, so a remembered run reads as a run read again would.
        var now = AuditTrail.StoredInstant(clock.GetCurrentInstant());
        var context = snapshot.Context.At(now);
        var transition = PlaybookRun.Apply(playbook, states, @event, context);
        if (remembered && (transition.Refusal is not null || !transition.Changed))
        {
            return await ApplyOnceAsync(runId, decide, read: true, ct);
        }

        if (transition.Refusal is { } refusal)
        {
            return Failure.Conflict(refusal);
        }

        if (!transition.Changed)
        {
            return new AppliedRun(run, context, playbook, new HashSet<string>());
        }

        var guarded = snapshot.Guard is not null;
        await using var transaction = guarded ? null : await db.Database.BeginTransactionAsync(ct);
        var incidentKey = run.IncidentId.ToString();
        var written = new List<RunStepRecord>();
        var owned = new HashSet<string>();
        // The snapshot's own steps are walked: the run's copy replaces the ones it changes.
        foreach (var step in snapshot.Run.Steps)
        {
            var next = transition.Steps[step.StepId];
            if (next != states[step.StepId])
            {
                var row = run.Writable(step.StepId, owned);
                Track(row, guarded);
                Write(row, next);
                written.Add(row);
            }
        }

        var automated = new List<string>();
        var milestones = new List<Milestone>();
        foreach (var effect in transition.Effects)
        {
            switch (effect)
            {
                case AutomatedWorkRequested work:
                    automated.Add(work.StepId);
                    break;
                case TimerRequested timer:
                    var waiting = run.Writable(timer.StepId, owned);
                    if (!written.Contains(waiting))
                    {
                        Track(waiting, guarded);
                        written.Add(waiting);
                    }

                    (waiting.WakeAt, waiting.WakeFireAt) = (timer.At, context.Clock.RealAt(timer.At));
                    break;
                case MilestoneToRecord milestone:
                    if (await RecordMilestoneAsync(run.IncidentId, milestone, context, now, guarded, ct) is { } recorded)
                    {
                        milestones.Add(recorded);
                    }

                    break;
                case StepSkippedEffect skipped:
                    audit.Record("playbook.step.skipped", "incident", incidentKey, null, new { runId, step = skipped.StepId, skipped.Reason });
                    break;
                case StepDoneEffect done:
                    var state = transition.Steps[done.StepId];
                    audit.Record("playbook.step.done", "incident", incidentKey, null,
                        new { runId, step = done.StepId, by = state.CompletedBy, outcome = state.Outcome, note = state.Note, evidence = state.Evidence });
                    break;
            }
        }

        switch (@event)
        {
            case ApprovalGiven or ApprovalRejected or StepStarted or StepCancelled or AutomatedStepFailed:
                audit.Record("playbook.step." + @event.GetType().Name.ToLowerInvariant(), "incident", incidentKey, null, new { runId, @event });
                break;
        }

        run.FinishedAt = transition.Finished ? now : null;
        if (guarded)
        {
            var guard = snapshot.Guard!;
            var head = new AuditChainHead { Chain = AuditChain.ChainOf("incident", incidentKey), Position = guard.ChainPosition, Hash = guard.ChainHash };
            var events = audit.LinkOnto(head);
            if (!await snapshots.TryWriteAsync(new GuardedTransition(run, written, milestones, events, guard, head, now)))
            {
                throw new DbUpdateConcurrencyException($"The run {runId}, or what it reads, changed since it was read.");
            }

            run.Version++;
            // A milestone recorded moved the incident's stamp by the rows the statement wrote (GuardedTransition.StampMoves):
            // the context that recorded it is the incident as it now stands.
            snapshots.Remember(snapshot with
            {
                Run = run, Context = milestones.Count > 0 ? context : snapshot.Context,
                Guard = guard with
                {
                    ChainPosition = head.Position, ChainHash = head.Hash, IncidentStamp = guard.IncidentStamp + GuardedTransition.StampMoves(milestones.Count),
                },
            });
        }
        else
        {
            // Steps that opened or closed change the incident's deadlines: recomputed by the next sweep, asked for in this transaction.
            await Deadlines.DeadlineSync.RequestAsync(db, run.IncidentId, now, ct);
            // Every transition moves the run's version: a concurrent transition of the same run must conflict.
            db.Entry(run).State = EntityState.Modified;
            await audit.CommitAsync(ct);
            await transaction!.CommitAsync(ct);
            snapshots.Forget(runId);
        }

        foreach (var step in automated)
        {
            automatedSteps.Request(runId, step);
        }

        return new AppliedRun(run, context, playbook, written.Select(s => s.StepId).ToHashSet());
    }

    /// <summary>On the general path a step the transition writes joins the unit of work before it changes, so only what changed is saved.</summary>
    private void Track(RunStepRecord row, bool guarded)
    {
        if (!guarded)
        {
            db.Entry(row).State = EntityState.Unchanged;
        }
    }

    /// <summary>
    /// Records a milestone step's milestone unless the incident has it; the milestone, or null. On the guarded path the
    /// snapshot's context is the incident as it stands (the statement proves it) and the statement writes the milestone;
    /// otherwise the unit of work reads the incident and changes it.
    /// </summary>
    private async Task<Milestone?> RecordMilestoneAsync(Guid incidentId, MilestoneToRecord effect, RunContext context, Instant now, bool guarded, CancellationToken ct)
    {
        var incident = guarded ? null : await db.Incidents.Include(i => i.Milestones).SingleAsync(i => i.Id == incidentId, ct);
        if (incident is null ? context.HasMilestone(effect.Milestone) : incident.Milestones.Any(m => m.Kind == effect.Milestone))
        {
            return null;
        }

        var recorded = new Milestone
        {
            IncidentId = incidentId, Kind = effect.Milestone, At = AuditTrail.StoredInstant(effect.At), RecordedBy = actor.Id, RecordedAt = now,
            Note = $"recorded by playbook step {effect.StepId}",
        };
        if (incident is not null)
        {
            incident.Milestones.Add(recorded);
            incident.UpdatedAt = now;
        }

        context.Recorded(recorded);
        audit.Record("incident.milestone.recorded", "incident", incidentId.ToString(), null, new { effect.Milestone, effect.At, step = effect.StepId });
        return recorded;
    }

    internal static StepState ToState(RunStepRecord r) => new(
        r.StepId, r.Status, r.ReadyAt, r.CompletedAt, r.Outcome,
        r.Approvals?.Split(',', StringSplitOptions.RemoveEmptyEntries), r.Attempts, r.Note, r.CompletedBy, EvidenceLinks.Split(r.Evidence));

    internal static void Write(RunStepRecord row, StepState state)
    {
        row.Status = state.Status;
        row.ReadyAt = state.ReadyAt;
        row.CompletedAt = state.CompletedAt;
        row.CompletedBy = state.CompletedBy;
        row.Outcome = state.Outcome;
        row.Approvals = state.Approvals is null ? null : string.Join(',', state.Approvals);
        row.Attempts = state.Attempts;
        row.Note = state.Note;
        row.Evidence = EvidenceLinks.Join(state.Evidence);
        if (state.Resolved)
        {
            (row.WakeAt, row.WakeFireAt) = (null, null);
        }
    }
}
