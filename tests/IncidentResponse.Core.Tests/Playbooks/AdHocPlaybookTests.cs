using IncidentResponse.Core.Identity;
using IncidentResponse.Core.Incidents;
using IncidentResponse.Core.Playbooks;

namespace IncidentResponse.Core.Tests.Playbooks;

public sealed class AdHocPlaybookTests
{
    [Fact]
    public void Ad_hoc_tasks_run_like_task_steps_and_one_waits_for_the_task_it_follows()
    {
        var playbook = AdHocPlaybook.Definition([
            new AdHocTask("task-1", "Call the insurer", "Call the breach hotline.", Team.Legal, Phase.Detection, null),
            new AdHocTask("task-2", "Send the claim form", "Fill in the claim form.", Team.Legal, Phase.Notification, "task-1"),
        ]);
        var started = PlaybookRun.Apply(playbook, PlaybookRun.Initial(playbook), new IncidentChanged(), new StillIncident());
        Assert.Equal([new TaskOpened("task-1")], started.Effects);
        Assert.Equal(StepStatus.Blocked, started.Steps["task-2"].Status);

        var done = PlaybookRun.Apply(playbook, started.Steps, new StepCompleted("task-1", "sam", "claim 42", Evidence: ["https://tickets.example/42"]), new StillIncident());
        Assert.Equal(["https://tickets.example/42"], done.Steps["task-1"].Evidence);
        Assert.Equal(StepStatus.Ready, done.Steps["task-2"].Status);
    }

    [Theory]
    [InlineData(Team.Legal, Role.Legal, true)]
    [InlineData(Team.Legal, Role.It, false)]
    [InlineData(Team.It, Role.IncidentCommander, true)]
    [InlineData(Team.Executive, Role.IncidentCommander, true)]
    [InlineData(Team.CustomerService, Role.Administrator, true)]
    [InlineData(Team.Risk, Role.Observer, false)]
    [InlineData(Team.Communications, Role.Facilitator, false)]
    public void Who_may_be_given_a_teams_task(Team team, Role role, bool allowed) => Assert.Equal(allowed, Teams.MayWorkOn(team, [role]));

    [Fact]
    public void A_task_without_a_phase_belongs_to_the_phase_the_incident_is_in()
    {
        Assert.Equal(Phase.Detection, AdHocPlaybook.PhaseOf(IncidentStatus.Triage));
        Assert.Equal(Phase.Eradication, AdHocPlaybook.PhaseOf(IncidentStatus.Contained));
        Assert.Equal(Phase.PostIncident, AdHocPlaybook.PhaseOf(IncidentStatus.Closed));
    }
}
