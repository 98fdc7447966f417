using System.Text.Json.Nodes;
using Hangfire;
using IncidentResponse.Core;
using IncidentResponse.Core.Laws;
using IncidentResponse.Core.Letters;
using IncidentResponse.Core.Playbooks;
using IncidentResponse.Server.Audit;
using IncidentResponse.Server.Api;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.Letters;
using IncidentResponse.Server.Notifications;
using IncidentResponse.Server.Persistence;
using Mediator;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace IncidentResponse.Server.Playbooks;

/// <summary>
/// The steps the engine performs itself, as Hangfire jobs. A job re-reads the step first, so a retried or
/// duplicated job does nothing once the step is resolved; a failure is recorded on the step and retried.
/// </summary>
public sealed class AutomatedSteps(IncidentDbContext db, PlaybookRuns runs, PlaybookLibrary library, IMediator mediator, AuditTrail audit, IClock clock, IBackgroundJobClient jobs)
{
    public const int MaxAttempts = 3;

    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(Guid runId, string stepId, CancellationToken ct)
    {
        var run = await db.PlaybookRuns.AsNoTracking().Include(r => r.Steps).SingleOrDefaultAsync(r => r.Id == runId, ct);
        var row = run?.Steps.SingleOrDefault(s => s.StepId == stepId);
        if (run is null || row is null || row.Status is not (StepStatus.Ready or StepStatus.InProgress))
        {
            return;
        }

        var step = (await library.DefinitionAsync(db, run, ct)).Step(stepId);
        // Claim the step so the sweep does not queue it again while this job works.
        await runs.ApplyAsync(runId, new StepStarted(stepId, "engine"), ct);
        db.ChangeTracker.Clear();
        try
        {
            var note = await PerformAsync(run, step, ct);
            db.ChangeTracker.Clear();
            await runs.ApplyAsync(runId, new AutomatedStepSucceeded(stepId, note), ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            db.ChangeTracker.Clear();
            var final = row.Attempts + 1 >= MaxAttempts;
            await runs.ApplyAsync(runId, new AutomatedStepFailed(stepId, e.Message, final), ct);
            if (!final)
            {
                // Back off and try again; the step records each failure.
                jobs.Schedule<AutomatedSteps>(j => j.RunAsync(runId, stepId, CancellationToken.None), TimeSpan.FromSeconds(Math.Pow(4, row.Attempts + 1)));
            }
        }
    }

    private async Task<string> PerformAsync(PlaybookRunRecord run, StepDefinition step, CancellationToken ct)
    {
        switch (step.Kind)
        {
            case StepKind.Assessment:
                var outcome = await mediator.Send(new AssessIncident(run.IncidentId), ct);
                if (outcome.Failure is { } failure)
                {
                    throw new InvalidOperationException(failure.Detail);
                }

                return $"Assessed with rules {outcome.Value!.RulesVersion}: {outcome.Value.Obligations.Count} obligation(s).";
            case StepKind.Notify:
                var now = clock.GetCurrentInstant();
                // An exercise's message stays inside the exercise: marked, addressed to its participants, dated on its clock.
                var exercise = await db.Incidents.AsNoTracking().Where(i => i.Id == run.IncidentId).Select(i => i.IsExercise).SingleAsync(ct);
                var at = exercise ? (await IncidentClocks.ForAsync(db, run.IncidentId, ct)).Now(now) : now;
                var text = exercise
                    ? $"[EXERCISE] Notified the exercise participants of {string.Join(", ", step.Notify!.To)}: {step.Notify.Message}"
                    : $"Notified {string.Join(", ", step.Notify!.To)}: {step.Notify.Message}";
                // One message per run and step, whatever retries or duplicate jobs do: its id is derived from them.
                var id = new Guid(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{run.Id}/{step.Id}")).AsSpan(0, 16));
                if (await db.TimelineEntries.AnyAsync(t => t.Id == id, ct))
                {
                    return "Message already recorded.";
                }

                db.TimelineEntries.Add(new TimelineEntry
                {
                    Id = id, IncidentId = run.IncidentId, At = at, Text = text.Length > IncidentLimits.TextLength ? text[..IncidentLimits.TextLength] : text,
                    Category = "notification", AuthorId = Identity.CurrentActor.SystemId, RecordedAt = now,
                });
                audit.Record("playbook.notify", "incident", run.IncidentId.ToString(), null, new { runId = run.Id, step = step.Id, to = step.Notify.To });
                await audit.CommitAsync(ct);
                return "Message recorded on the incident timeline for the teams named.";
            case StepKind.GenerateLetters:
                return await DraftLettersAsync(run.IncidentId, step, ct);
            default:
                throw new NotSupportedException(
                    $"'{step.Kind.ToString().ToLowerInvariant()}' steps are not performed by the engine yet; complete this step by hand once the work is done.");
        }
    }

    /// <summary>
    /// Drafts the letters the step names for the incident's obligations, from the recorded facts and the built-in or the
    /// organisation's templates; legal completes and approves them in the letters module. A kind the incident already
    /// has a letter of is not drafted again, so a retry drafts only what is missing. When no single letter to
    /// individuals can satisfy every jurisdiction, one is drafted per part of the split the drafter gives.
    /// </summary>
    private async Task<string> DraftLettersAsync(Guid incidentId, StepDefinition step, CancellationToken ct)
    {
        var recipients = step.LetterRecipients.Select(r => Enum.Parse<Recipient>(r, ignoreCase: true)).ToList();
        var obligations = await db.IncidentObligations.AsNoTracking()
            .Where(o => o.IncidentId == incidentId && o.Status != ObligationStatus.NotRequired)
            .Select(o => new { o.Regime, o.Recipient }).ToListAsync(ct);
        var plan = LetterPlan.For(obligations.Select(o => (o.Regime, o.Recipient)), recipients, NoticeCatalogue.Current);
        var existing = (await db.Letters.AsNoTracking().Where(l => l.IncidentId == incidentId).Select(l => l.Kind).Distinct().ToListAsync(ct)).ToHashSet();
        var drafted = new List<string>();
        foreach (var letter in plan.Letters.Where(l => !existing.Contains(l.Kind)))
        {
            var outcome = await mediator.Send(new DraftLetter(incidentId, letter.Kind, letter.Codes, new JsonObject()), ct);
            if (outcome.Failure?.Extensions is { } extensions && extensions.TryGetValue("split", out var parts) && parts is IReadOnlyList<IReadOnlyList<string>> split)
            {
                foreach (var part in split)
                {
                    drafted.Add(Drafted(await mediator.Send(new DraftLetter(incidentId, letter.Kind, part, new JsonObject()), ct)));
                }
            }
            else
            {
                drafted.Add(Drafted(outcome));
            }
        }

        var note = plan.Letters.Count == 0 ? "No obligation to the recipients this step names: no letter drafted."
            : drafted.Count == 0 ? "Every letter this step names was already drafted."
            : $"Drafted {string.Join("; ", drafted)}.";
        return plan.Unserved.Count == 0 ? note
            : $"{note} No letter template serves {string.Join(", ", plan.Unserved.Select(u => $"{u.Recipient.ToString().ToCamelCase()} ({u.Regime})"))}: notify them by hand.";
    }

    private static string Drafted(Outcome<LetterView> outcome) => outcome.Failure is { } failure
        ? throw new InvalidOperationException(failure.Field is null ? failure.Detail : $"{failure.Field}: {failure.Detail}")
        : $"{outcome.Value!.Kind.ToString().ToCamelCase()} ({string.Join(",", outcome.Value.Group)}, {(outcome.Value.LatestCheck.Passed ? "passes" : "fails")} the content check)";
}

/// <summary>
/// The recurring sweep: wakes runs whose duration waits are due and re-queues automated steps whose job
/// was lost (a crash between commit and enqueue). Idempotent: the runs decide again from stored state.
/// </summary>
public sealed class PlaybookSweep(IncidentDbContext db, PlaybookRuns runs, IClock clock, IBackgroundJobClient jobs)
{
    public static readonly Duration StaleAfter = Duration.FromMinutes(2);

    public async Task RunAsync(CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        // Due duration waits (by the real instant their incident's clock reaches them), and every run with an open milestone or event wait (a missed nudge is recovered here).
        var woken = await db.RunSteps.AsNoTracking()
            .Where(s => (s.Status == StepStatus.Ready || s.Status == StepStatus.InProgress)
                && ((s.WakeFireAt != null && s.WakeFireAt <= now) || (s.WakeAt == null && (s.Kind == StepKind.Wait || s.Kind == StepKind.Milestone))))
            .Select(s => s.RunId).Distinct().ToListAsync(ct);
        foreach (var run in woken)
        {
            await runs.ApplyAsync(run, new IncidentChanged(), ct);
            db.ChangeTracker.Clear();
        }

        var stale = now - StaleAfter;
        var abandoned = now - (StaleAfter * 8);
        var lost = await db.RunSteps.AsNoTracking()
            .Where(s => s.Automated && s.Kind != StepKind.Wait
                && ((s.Status == StepStatus.Ready && s.ReadyAt < stale) || (s.Status == StepStatus.InProgress && s.ReadyAt < abandoned)))
            .Select(s => new { s.RunId, s.StepId }).ToListAsync(ct);
        foreach (var step in lost)
        {
            jobs.Enqueue<AutomatedSteps>(j => j.RunAsync(step.RunId, step.StepId, CancellationToken.None));
        }
    }
}
