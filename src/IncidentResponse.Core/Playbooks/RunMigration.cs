namespace IncidentResponse.Core.Playbooks;

public enum StepChange
{
    /// <summary>The step exists in both versions; its state carries over (an unstarted step may re-open as the new version says).</summary>
    Kept,
    /// <summary>The step's recorded work no longer fits the new version (a conflict); it starts over.</summary>
    Reopened,
    /// <summary>The step is new in the target version and is evaluated like any step.</summary>
    Added,
    /// <summary>The step is gone from the target version; its open task is cancelled.</summary>
    Dropped,
}

/// <summary>What happens to one step: its status before, and after the engine has evaluated the target version.</summary>
public sealed record MigratedStep(string StepId, StepChange Change, StepStatus? Before, StepStatus? After, string? Reason);

/// <summary>Recorded work that the target version cannot keep as it is.</summary>
public sealed record MigrationConflict(string StepId, string Reason);

/// <summary>
/// Moving a run to another version of its playbook: every step's fate, the conflicts, and the states to
/// store (before the engine advances them, as a start stores blocked steps and then applies RunStarted).
/// </summary>
public sealed record MigrationPlan(
    string FromHash, int FromVersion, string ToHash, int ToVersion,
    IReadOnlyList<MigratedStep> Steps, IReadOnlyList<MigrationConflict> Conflicts, IReadOnlyDictionary<string, StepState> States)
{
    public IEnumerable<string> Dropped => Steps.Where(s => s.Change == StepChange.Dropped).Select(s => s.StepId);
}

/// <summary>
/// Plans a run's migration to another version of its playbook (docs/playbooks.md "Migrating a running
/// incident"), mapping steps by id. Pure: the host stores the states and lets the engine advance them.
/// </summary>
public static class RunMigration
{
    public static MigrationPlan Plan(PlaybookDefinition from, PlaybookDefinition to, IReadOnlyDictionary<string, StepState> current, IRunContext context)
    {
        if (from.Id != to.Id)
        {
            throw new ArgumentException($"A run of '{from.Id}' cannot migrate to '{to.Id}'.", nameof(to));
        }

        var states = new Dictionary<string, StepState>();
        var changes = new Dictionary<string, (StepChange Change, string? Reason)>();
        var conflicts = new List<MigrationConflict>();
        foreach (var step in to.Steps)
        {
            if (!from.HasStep(step.Id) || !current.TryGetValue(step.Id, out var state))
            {
                states[step.Id] = new StepState(step.Id, StepStatus.Blocked);
                changes[step.Id] = (StepChange.Added, null);
            }
            else if (Conflict(from.Step(step.Id), step, state) is { } conflict)
            {
                conflicts.Add(new MigrationConflict(step.Id, conflict));
                states[step.Id] = new StepState(step.Id, StepStatus.Blocked, Note: $"reopened by migration to version {to.Version}: {conflict}");
                changes[step.Id] = (StepChange.Reopened, conflict);
            }
            else
            {
                states[step.Id] = Carried(from.Step(step.Id), step, state);
                changes[step.Id] = (StepChange.Kept, null);
            }
        }

        // A step that was ready but now waits for a dependency the new version added is not ready any more.
        foreach (var step in to.Steps.Where(s => states[s.Id].Status == StepStatus.Ready && !s.After.All(d => states[d].Resolved)))
        {
            states[step.Id] = new StepState(step.Id, StepStatus.Blocked);
        }

        // What the engine will make of it: new steps become ready or are skipped by their condition.
        var evaluated = PlaybookRun.Apply(to, states, new IncidentChanged(), context).Steps;
        var steps = to.Steps
            .Select(s => new MigratedStep(s.Id, changes[s.Id].Change, current.GetValueOrDefault(s.Id)?.Status, evaluated[s.Id].Status, changes[s.Id].Reason))
            .Concat(from.Steps.Where(s => !to.HasStep(s.Id)).Select(s => Dropped(s.Id, current.GetValueOrDefault(s.Id)?.Status)))
            .ToList();
        return new MigrationPlan(from.ContentHash, from.Version, to.ContentHash, to.Version, steps, conflicts, states);
    }

    /// <summary>Why recorded work cannot carry over: work under way on a step whose kind changed, or a decision for an option that is gone.</summary>
    private static string? Conflict(StepDefinition before, StepDefinition after, StepState state)
    {
        if (state.Status is StepStatus.InProgress or StepStatus.Failed && before.Kind != after.Kind)
        {
            return $"in progress as a {Word(before.Kind)}, now a {Word(after.Kind)}";
        }

        if (state.Status == StepStatus.Done && before.Kind == StepKind.Decision && after.Kind == StepKind.Decision
            && state.Outcome is { } chosen && after.Options.All(o => o.Id != chosen))
        {
            return $"decided '{chosen}', which is no longer an option ({string.Join(", ", after.Options.Select(o => o.Id))})";
        }

        return null;
    }

    /// <summary>Resolved and started steps keep their state and outcome; an unstarted step opens again as the new version says.</summary>
    private static StepState Carried(StepDefinition before, StepDefinition after, StepState state) => state.Status switch
    {
        StepStatus.Ready when before.Kind != after.Kind => new StepState(state.StepId, StepStatus.Blocked),
        // Approvals given by roles that no longer approve the step do not count towards it.
        StepStatus.InProgress when after.Kind == StepKind.Approval && state.Approvals is { } given =>
            state with { Approvals = given.Where(after.Approvers.Contains).ToList() },
        _ => state,
    };

    private static MigratedStep Dropped(string stepId, StepStatus? before) => new(stepId, StepChange.Dropped, before, null,
        before is StepStatus.Ready or StepStatus.InProgress or StepStatus.Failed ? "not in the new version: its open task is cancelled" : "not in the new version");

    private static string Word(StepKind kind) => kind.ToString().ToCamelCase();
}
