using IncidentResponse.Core.Incidents;

namespace IncidentResponse.Core.Playbooks;

/// <summary>A task someone added to an incident by hand, outside any playbook.</summary>
public sealed record AdHocTask(string Id, string Title, string Description, Team Team, Phase Phase, string? After);

/// <summary>
/// An incident's ad-hoc tasks run as one more playbook run whose definition is the tasks themselves
/// (docs/playbooks.md "Ad-hoc tasks"): each is a task step, ready once the task it follows is resolved,
/// so the engine, the inbox and the deadline board treat it like any other step.
/// </summary>
public static class AdHocPlaybook
{
    public const string Id = "ad-hoc";

    /// <summary>The hash the ad-hoc run pins: its definition is built from its tasks, not stored text.</summary>
    public const string Hash = "ad-hoc";

    public static PlaybookDefinition Definition(IEnumerable<AdHocTask> tasks) =>
        new(Id, "Ad-hoc tasks", 0, [], "Tasks added to the incident by hand.", [], tasks.Select(Step).ToList(), Hash);

    /// <summary>The phase a task belongs to when its author names none: the phase the incident is in.</summary>
    public static Phase PhaseOf(IncidentStatus status) => status switch
    {
        IncidentStatus.Detected or IncidentStatus.Triage => Phase.Detection,
        IncidentStatus.Contained => Phase.Eradication,
        IncidentStatus.Eradicated => Phase.Recovery,
        IncidentStatus.Recovered or IncidentStatus.Notification => Phase.Notification,
        _ => Phase.PostIncident,
    };

    private static StepDefinition Step(AdHocTask task) => new(
        task.Id, task.Title, task.Description, task.Team, null, task.Phase, StepKind.Task, task.After is null ? [] : [task.After],
        null, null, [], [], false, [], [], null, null, null, [], [], 0);
}
