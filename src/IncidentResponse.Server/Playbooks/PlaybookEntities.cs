using IncidentResponse.Core.Playbooks;
using IncidentResponse.Server.Persistence;
using NodaTime;

namespace IncidentResponse.Server.Playbooks;

/// <summary>A playbook definition as loaded, stored by content hash: a run pins the exact text it started with.</summary>
public sealed class StoredPlaybook
{
    public required string Hash { get; set; }
    public required string PlaybookId { get; set; }
    public int Version { get; set; }
    public required string Yaml { get; set; }
    public Instant LoadedAt { get; set; }
}

/// <summary>One playbook running on one incident.</summary>
public sealed class PlaybookRunRecord : IVersioned
{
    public Guid Id { get; set; }
    public Guid IncidentId { get; set; }
    public required string PlaybookId { get; set; }
    public required string DefinitionHash { get; set; }
    public Instant StartedAt { get; set; }
    public Instant? FinishedAt { get; set; }
    public int Version { get; set; }
    public List<RunStepRecord> Steps { get; set; } = [];

    /// <summary>
    /// A copy whose list of steps is its own but holds this run's step records: a transition replaces a step with
    /// <see cref="Writable"/> before it changes it, and leaves this run (a snapshot other requests share) as it was.
    /// </summary>
    public PlaybookRunRecord Copy()
    {
        var copy = (PlaybookRunRecord)MemberwiseClone();
        copy.Steps = [.. Steps];
        return copy;
    }

    /// <summary>The step, made this copy's own first (once): changing it changes no run this one was copied from.</summary>
    public RunStepRecord Writable(string stepId, ISet<string> owned)
    {
        var index = Steps.FindIndex(s => s.StepId == stepId);
        if (owned.Add(stepId))
        {
            Steps[index] = Steps[index].Copy();
        }

        return Steps[index];
    }
}

/// <summary>
/// One step of a run: its state, and the durable wait it stands for. The (run, step) key is unique, so an
/// event delivered twice, or by two nodes at once, moves a step exactly once.
/// </summary>
public sealed class RunStepRecord
{
    public Guid RunId { get; set; }
    public required string StepId { get; set; }
    public StepStatus Status { get; set; }
    public Instant? ReadyAt { get; set; }
    public Instant? CompletedAt { get; set; }
    public string? CompletedBy { get; set; }
    public string? Outcome { get; set; }
    public string? Approvals { get; set; }
    public int Attempts { get; set; }
    public string? Note { get; set; }
    public Guid? AssigneeId { get; set; }
    /// <summary>When a duration wait wakes the run, on the incident's clock (an exercise's simulated time).</summary>
    public Instant? WakeAt { get; set; }
    /// <summary>The real instant the incident's clock reaches <see cref="WakeAt"/> (none while an exercise is paused); the sweep delivers it.</summary>
    public Instant? WakeFireAt { get; set; }
    public Team Team { get; set; }
    public StepKind Kind { get; set; }
    public bool Automated { get; set; }
    public required string Title { get; set; }
    /// <summary>Links to the evidence of the work, one a line, given when the step was completed.</summary>
    public string? Evidence { get; set; }
    // An ad-hoc task carries what a playbook step's definition would say (docs/playbooks.md "Ad-hoc tasks").
    public string? Description { get; set; }
    public Phase? Phase { get; set; }
    public string? After { get; set; }
    /// <summary>The instant an ad-hoc task is due; a playbook step's due date follows its due rule instead.</summary>
    public Instant? DueAt { get; set; }

    public RunStepRecord Copy() => (RunStepRecord)MemberwiseClone();
}
