using IncidentResponse.Core.Incidents;
using IncidentResponse.Core.Playbooks.Conditions;
using NodaTime;

namespace IncidentResponse.Core.Playbooks;

public enum StepStatus
{
    Blocked,
    Ready,
    InProgress,
    Done,
    Skipped,
    Failed,
    Cancelled,
}

/// <summary>Where one step of a run stands.</summary>
public sealed record StepState(
    string StepId,
    StepStatus Status,
    Instant? ReadyAt = null,
    Instant? CompletedAt = null,
    string? Outcome = null,
    IReadOnlyList<string>? Approvals = null,
    int Attempts = 0,
    string? Note = null,
    string? CompletedBy = null,
    IReadOnlyList<string>? Evidence = null)
{
    public bool Resolved => Status is StepStatus.Done or StepStatus.Skipped or StepStatus.Cancelled;

    public bool Open => Status is StepStatus.Ready or StepStatus.InProgress or StepStatus.Failed;
}

/// <summary>What the run needs to know about the incident at the moment an event is applied.</summary>
public interface IRunContext
{
    Instant Now { get; }

    IConditionScope Scope { get; }

    bool HasMilestone(MilestoneKind milestone);

    /// <summary>Whether a wait event's condition holds now (docs/playbooks.md "Wait events").</summary>
    bool EventHolds(string waitEvent);
}

public abstract record RunEvent;

public sealed record RunStarted : RunEvent;

public sealed record StepStarted(string StepId, string By) : RunEvent;

/// <summary>A person completes a step, with a note and links to the evidence of the work (docs/playbooks.md "Evidence").</summary>
public sealed record StepCompleted(string StepId, string By, string? Note, Instant? MilestoneAt = null, IReadOnlyList<string>? Evidence = null) : RunEvent;

public sealed record DecisionTaken(string StepId, string Option, string By, string Rationale) : RunEvent;

public sealed record ApprovalGiven(string StepId, string Role, string By) : RunEvent;

public sealed record ApprovalRejected(string StepId, string Role, string By, string Comment) : RunEvent;

public sealed record AutomatedStepSucceeded(string StepId, string? Note) : RunEvent;

public sealed record AutomatedStepFailed(string StepId, string Error, bool Final) : RunEvent;

/// <summary>Something outside the run changed (a milestone, a fact, a wait event, a timer): re-check what waits on it.</summary>
public sealed record IncidentChanged : RunEvent;

public sealed record StepCancelled(string StepId, string By, string Reason) : RunEvent;

/// <summary>Someone asks the engine to try a failed automated step again.</summary>
public sealed record StepRetried(string StepId, string By) : RunEvent;

public abstract record RunEffect(string StepId);

/// <summary>A person's work begins: a task appears in the owner's inbox.</summary>
public sealed record TaskOpened(string StepId) : RunEffect(StepId);

/// <summary>The engine must do the step itself (assessment, notify, letters) in a background job.</summary>
public sealed record AutomatedWorkRequested(string StepId) : RunEffect(StepId);

/// <summary>Wake the run at this instant (a duration wait).</summary>
public sealed record TimerRequested(string StepId, Instant At) : RunEffect(StepId);

/// <summary>Record this incident milestone (a milestone step was completed).</summary>
public sealed record MilestoneToRecord(string StepId, MilestoneKind Milestone, Instant At) : RunEffect(StepId);

public sealed record StepSkippedEffect(string StepId, string Reason) : RunEffect(StepId);

public sealed record StepDoneEffect(string StepId) : RunEffect(StepId);

/// <summary>The new state and what the host must do, or why the event was refused.</summary>
public sealed record RunTransition(IReadOnlyDictionary<string, StepState> Steps, IReadOnlyList<RunEffect> Effects, string? Refusal, bool Changed)
{
    public bool Finished => Steps.Values.All(s => s.Resolved);
}

/// <summary>
/// The playbook engine's decision function: (definition, step states, event, context) → new states and
/// effects. Pure; the host stores the states, runs the effects and serialises events per run.
/// </summary>
public static class PlaybookRun
{
    public static IReadOnlyDictionary<string, StepState> Initial(PlaybookDefinition playbook) =>
        playbook.Steps.ToDictionary(s => s.Id, s => new StepState(s.Id, StepStatus.Blocked));

    public static RunTransition Apply(PlaybookDefinition playbook, IReadOnlyDictionary<string, StepState> current, RunEvent @event, IRunContext context)
    {
        var steps = new Dictionary<string, StepState>(current);
        var effects = new List<RunEffect>();
        var refusal = @event switch
        {
            RunStarted or IncidentChanged => null,
            StepStarted e => Human(playbook, steps, e.StepId, s => s.Status == StepStatus.Ready
                ? Update(steps, s with { Status = StepStatus.InProgress })
                : $"step '{e.StepId}' is {Word(s.Status)}, not ready"),
            StepCompleted e => Human(playbook, steps, e.StepId, s => Complete(playbook, steps, effects, s, e, context)),
            DecisionTaken e => Human(playbook, steps, e.StepId, s => Decide(playbook, steps, effects, s, e, context)),
            ApprovalGiven e => Human(playbook, steps, e.StepId, s => Approve(playbook, steps, effects, s, e, context)),
            ApprovalRejected e => Human(playbook, steps, e.StepId, s => Reject(playbook, steps, s, e)),
            AutomatedStepSucceeded e => Known(playbook, steps, e.StepId, s => s.Open
                ? Finish(steps, effects, s, context.Now, "engine", null, e.Note)
                : $"step '{e.StepId}' is {Word(s.Status)}"),
            AutomatedStepFailed e => Known(playbook, steps, e.StepId, s => s.Open
                ? Update(steps, s with { Status = e.Final ? StepStatus.Failed : s.Status, Attempts = s.Attempts + 1, Note = e.Error })
                : $"step '{e.StepId}' is {Word(s.Status)}"),
            StepRetried e => Known(playbook, steps, e.StepId, s => s.Status switch
            {
                StepStatus.Failed => Update(steps, s with { Status = StepStatus.Ready, Attempts = 0, Note = $"retried by {e.By}" }),
                StepStatus.Ready or StepStatus.InProgress => null,
                _ => $"step '{e.StepId}' is {Word(s.Status)}",
            }),
            StepCancelled e => Known(playbook, steps, e.StepId, s => s.Resolved
                ? $"step '{e.StepId}' is {Word(s.Status)} already"
                : Update(steps, s with { Status = StepStatus.Cancelled, CompletedAt = context.Now, CompletedBy = e.By, Note = e.Reason })),
            _ => "unknown event",
        };

        if (refusal is not null)
        {
            return new RunTransition(current, [], refusal, false);
        }

        Advance(playbook, steps, effects, context);
        var changed = !steps.All(kv => current.TryGetValue(kv.Key, out var before) && before == kv.Value);
        return new RunTransition(steps, effects, null, changed);
    }

    /// <summary>Unblocks what can run, skips what its condition rules out, completes waits that hold; until nothing moves.</summary>
    private static void Advance(PlaybookDefinition playbook, Dictionary<string, StepState> steps, List<RunEffect> effects, IRunContext context)
    {
        var scope = new RunScope(steps, context.Scope);
        bool moved;
        do
        {
            moved = false;
            foreach (var definition in playbook.Steps)
            {
                var state = steps[definition.Id];
                if (state.Status == StepStatus.Blocked && definition.After.All(d => steps[d].Resolved))
                {
                    moved = true;
                    if (definition.When is { } when && !when.Evaluate(scope))
                    {
                        steps[definition.Id] = state with { Status = StepStatus.Skipped, CompletedAt = context.Now, Note = $"condition false: {when.Text}" };
                        effects.Add(new StepSkippedEffect(definition.Id, $"condition false: {when.Text}"));
                        continue;
                    }

                    steps[definition.Id] = state with { Status = StepStatus.Ready, ReadyAt = context.Now };
                    if (Opened(definition, context) is { } opened)
                    {
                        effects.Add(opened);
                    }
                }

                if (steps[definition.Id].Open && WaitHolds(definition, steps[definition.Id], context))
                {
                    moved = true;
                    Finish(steps, effects, steps[definition.Id], context.Now, "engine", null, "condition held");
                }
            }
        }
        while (moved);
    }

    /// <summary>What a step needs once ready: a task, background work, a timer; waits on milestones and events need nothing.</summary>
    private static RunEffect? Opened(StepDefinition step, IRunContext context) => step.Kind switch
    {
        StepKind.Wait when step.Wait?.Duration is { } duration => new TimerRequested(step.Id, context.Now + duration),
        StepKind.Wait => null,
        StepKind.Assessment or StepKind.Notify or StepKind.GenerateLetters when step.Automated => new AutomatedWorkRequested(step.Id),
        _ => new TaskOpened(step.Id),
    };

    /// <summary>Milestone steps whose milestone is already recorded and waits whose condition holds complete by themselves.</summary>
    private static bool WaitHolds(StepDefinition step, StepState state, IRunContext context) => step.Kind switch
    {
        StepKind.Milestone => context.HasMilestone(step.Milestone!.Value),
        StepKind.Wait when step.Wait!.Milestone is { } m => context.HasMilestone(m),
        StepKind.Wait when step.Wait!.Event is { } e => context.EventHolds(e),
        StepKind.Wait when step.Wait!.Duration is { } d => state.ReadyAt is { } ready && context.Now >= ready + d,
        _ => false,
    };

    private static string? Complete(PlaybookDefinition playbook, Dictionary<string, StepState> steps, List<RunEffect> effects, StepState state, StepCompleted e, IRunContext context)
    {
        var step = playbook.Step(e.StepId);
        switch (step.Kind)
        {
            case StepKind.Decision:
                return $"step '{step.Id}' is a decision: choose one of {string.Join(", ", step.Options.Select(o => o.Id))}";
            case StepKind.Approval:
                return $"step '{step.Id}' is an approval: each of {string.Join(", ", step.Approvers)} approves it";
            case StepKind.Wait:
                return $"step '{step.Id}' waits for {Describe(step.Wait!)}; it completes by itself";
            case StepKind.Milestone:
                var at = e.MilestoneAt ?? context.Now;
                if (at > context.Now + MilestoneRules.Skew)
                {
                    return "a milestone cannot be in the future";
                }

                effects.Add(new MilestoneToRecord(step.Id, step.Milestone!.Value, at));
                break;
        }

        return Finish(steps, effects, e.Evidence is { Count: > 0 } ? state with { Evidence = e.Evidence } : state, context.Now, e.By, null, e.Note);
    }

    private static string? Decide(PlaybookDefinition playbook, Dictionary<string, StepState> steps, List<RunEffect> effects, StepState state, DecisionTaken e, IRunContext context)
    {
        var step = playbook.Step(e.StepId);
        if (step.Kind != StepKind.Decision)
        {
            return $"step '{step.Id}' is a {Word(step.Kind)}, not a decision";
        }

        if (step.Options.All(o => o.Id != e.Option))
        {
            return $"'{e.Option}' is not an option of '{step.Id}': choose one of {string.Join(", ", step.Options.Select(o => o.Id))}";
        }

        return Finish(steps, effects, state, context.Now, e.By, e.Option, e.Rationale);
    }

    private static string? Approve(PlaybookDefinition playbook, Dictionary<string, StepState> steps, List<RunEffect> effects, StepState state, ApprovalGiven e, IRunContext context)
    {
        var step = playbook.Step(e.StepId);
        if (step.Kind != StepKind.Approval)
        {
            return $"step '{step.Id}' is a {Word(step.Kind)}, not an approval";
        }

        if (!step.Approvers.Contains(e.Role))
        {
            return $"'{e.Role}' is not an approver of '{step.Id}' ({string.Join(", ", step.Approvers)})";
        }

        var approvals = (state.Approvals ?? []).Where(r => r != e.Role).Append(e.Role).ToList();
        var next = state with { Approvals = approvals, Status = StepStatus.InProgress };
        if (step.Approvers.All(approvals.Contains))
        {
            return Finish(steps, effects, next, context.Now, e.By, "approved", null);
        }

        return Update(steps, next);
    }

    private static string? Reject(PlaybookDefinition playbook, Dictionary<string, StepState> steps, StepState state, ApprovalRejected e)
    {
        var step = playbook.Step(e.StepId);
        if (step.Kind != StepKind.Approval || !step.Approvers.Contains(e.Role))
        {
            return $"'{e.Role}' cannot reject '{step.Id}'";
        }

        // A rejection keeps the step open and clears the approvals: everyone approves the changed version again.
        return Update(steps, state with { Approvals = [], Status = StepStatus.InProgress, Note = $"rejected by {e.By}: {e.Comment}" });
    }

    private static string? Finish(Dictionary<string, StepState> steps, List<RunEffect> effects, StepState state, Instant now, string by, string? outcome, string? note)
    {
        steps[state.StepId] = state with { Status = StepStatus.Done, CompletedAt = now, CompletedBy = by, Outcome = outcome ?? state.Outcome, Note = note ?? state.Note };
        effects.Add(new StepDoneEffect(state.StepId));
        return null;
    }

    private static string? Update(Dictionary<string, StepState> steps, StepState state)
    {
        steps[state.StepId] = state;
        return null;
    }

    private static string? Known(PlaybookDefinition playbook, Dictionary<string, StepState> steps, string stepId, Func<StepState, string?> then) =>
        playbook.HasStep(stepId) ? then(steps[stepId]) : $"the playbook has no step '{stepId}'";

    /// <summary>People act only on steps that are open for them.</summary>
    private static string? Human(PlaybookDefinition playbook, Dictionary<string, StepState> steps, string stepId, Func<StepState, string?> then) =>
        Known(playbook, steps, stepId, s => s.Status switch
        {
            // A failed automated step can be completed by hand once the work is done.
            StepStatus.Ready or StepStatus.InProgress or StepStatus.Failed => then(s),
            StepStatus.Blocked => $"step '{stepId}' is waiting for {string.Join(", ", playbook.Step(stepId).After.Where(d => !steps[d].Resolved))}",
            _ => $"step '{stepId}' is {Word(s.Status)} already",
        });

    private static string Describe(WaitFor wait) =>
        wait.Milestone is { } m ? $"the {m.ToString().ToCamelCase()} milestone" : wait.Event ?? $"{wait.Duration}";

    private static string Word<T>(T value) where T : struct, Enum => value.ToString().ToCamelCase();

    /// <summary>Decisions come from the run's own, current step states; everything else from the incident.</summary>
    private sealed class RunScope(Dictionary<string, StepState> steps, IConditionScope incident) : IConditionScope
    {
        public ConditionValue Resolve(ConditionPath path) => path.Root == "decisions"
            ? steps.TryGetValue(path.Name, out var step) && step.Status == StepStatus.Done ? ConditionValue.Of(step.Outcome) : ConditionValue.Null
            : incident.Resolve(path);
    }
}
