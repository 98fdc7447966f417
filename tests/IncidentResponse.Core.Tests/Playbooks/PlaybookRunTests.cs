using IncidentResponse.Core.Incidents;
using IncidentResponse.Core.Playbooks;
using IncidentResponse.Core.Playbooks.Conditions;
using NodaTime;

namespace IncidentResponse.Core.Tests.Playbooks;

public sealed class PlaybookRunTests
{
    private static readonly PlaybookDefinition Small = new PlaybookLoader(PlaybookFixture.Schema).Load("small.yaml", PlaybookFixture.Valid).Playbook!;

    /// <summary>An incident as the run sees it: decisions taken so far, milestones recorded, the clock.</summary>
    private sealed class Incident : IRunContext, IConditionScope
    {
        public Instant Now { get; set; } = Instant.FromUtc(2026, 3, 2, 15, 0);
        public HashSet<MilestoneKind> Milestones { get; } = [MilestoneKind.Discovered];
        public IReadOnlyDictionary<string, StepState> Steps { get; set; } = PlaybookRun.Initial(Small);
        public IConditionScope Scope => this;

        public bool HasMilestone(MilestoneKind milestone) => Milestones.Contains(milestone);

        public bool EventHolds(string waitEvent) => false;

        public ConditionValue Resolve(ConditionPath path) => ConditionValue.Null;

        public RunTransition Apply(RunEvent e)
        {
            var transition = PlaybookRun.Apply(Small, Steps, e, this);
            Steps = transition.Steps;
            return transition;
        }
    }

    [Fact]
    public void Starting_opens_only_the_steps_without_dependencies()
    {
        var incident = new Incident();
        var start = incident.Apply(new RunStarted());
        Assert.Equal(StepStatus.Ready, incident.Steps["triage"].Status);
        Assert.Equal(StepStatus.Blocked, incident.Steps["le-decision"].Status);
        Assert.Equal([new TaskOpened("triage")], start.Effects);
    }

    [Fact]
    public void A_decision_branches_the_run_one_way_or_the_other()
    {
        foreach (var (option, contact) in new[] { ("contact", StepStatus.Ready), ("defer", StepStatus.Skipped) })
        {
            var incident = new Incident();
            incident.Apply(new RunStarted());
            incident.Apply(new StepCompleted("triage", "priya", "two signals"));
            var decided = incident.Apply(new DecisionTaken("le-decision", option, "sam", "counsel's advice"));
            Assert.Null(decided.Refusal);
            Assert.Equal(contact, incident.Steps["le-contact"].Status);
            // A skipped branch never blocks what comes after it.
            Assert.Equal(contact == StepStatus.Skipped ? StepStatus.Ready : StepStatus.Blocked, incident.Steps["approve-letters"].Status);
        }
    }

    [Fact]
    public void An_approval_needs_every_approver_and_a_rejection_starts_over()
    {
        var incident = new Incident();
        incident.Apply(new RunStarted());
        incident.Apply(new StepCompleted("triage", "priya", null));
        incident.Apply(new DecisionTaken("le-decision", "defer", "sam", "no"));
        incident.Apply(new ApprovalGiven("approve-letters", "legal", "sam"));
        Assert.Equal(StepStatus.InProgress, incident.Steps["approve-letters"].Status);
        incident.Apply(new ApprovalRejected("approve-letters", "incidentCommander", "dana", "wrong date"));
        Assert.Empty(incident.Steps["approve-letters"].Approvals!);
        incident.Apply(new ApprovalGiven("approve-letters", "incidentCommander", "dana"));
        Assert.Equal(StepStatus.InProgress, incident.Steps["approve-letters"].Status);
        incident.Apply(new ApprovalGiven("approve-letters", "legal", "sam"));
        Assert.Equal(StepStatus.Done, incident.Steps["approve-letters"].Status);
        Assert.NotNull(incident.Apply(new ApprovalGiven("approve-letters", "it", "priya")).Refusal);
    }

    [Fact]
    public void A_wait_completes_when_its_milestone_is_recorded_and_at_once_if_it_already_was()
    {
        var incident = new Incident();
        incident.Apply(new RunStarted());
        incident.Apply(new StepCompleted("triage", "priya", null));
        Assert.Equal(StepStatus.Ready, incident.Steps["wait-contained"].Status);
        Assert.False(incident.Apply(new IncidentChanged()).Changed);
        incident.Milestones.Add(MilestoneKind.Contained);
        Assert.True(incident.Apply(new IncidentChanged()).Changed);
        Assert.Equal(StepStatus.Done, incident.Steps["wait-contained"].Status);

        var already = new Incident();
        already.Milestones.Add(MilestoneKind.Contained);
        already.Apply(new RunStarted());
        already.Apply(new StepCompleted("triage", "priya", null));
        Assert.Equal(StepStatus.Done, already.Steps["wait-contained"].Status);
    }

    [Fact]
    public void The_same_event_twice_changes_the_run_once()
    {
        var incident = new Incident();
        incident.Apply(new RunStarted());
        Assert.Null(incident.Apply(new StepCompleted("triage", "priya", null)).Refusal);
        var again = incident.Apply(new StepCompleted("triage", "priya", null));
        Assert.Equal("step 'triage' is done already", again.Refusal);
        Assert.False(again.Changed);
        Assert.Empty(again.Effects);
    }

    [Fact]
    public void Steps_cannot_be_acted_on_out_of_turn_or_with_the_wrong_action()
    {
        var incident = new Incident();
        incident.Apply(new RunStarted());
        Assert.Equal("step 'le-decision' is waiting for triage", incident.Apply(new DecisionTaken("le-decision", "contact", "sam", "x")).Refusal);
        incident.Apply(new StepCompleted("triage", "priya", null));
        Assert.StartsWith("step 'le-decision' is a decision", incident.Apply(new StepCompleted("le-decision", "sam", null)).Refusal);
        Assert.StartsWith("'maybe' is not an option", incident.Apply(new DecisionTaken("le-decision", "maybe", "sam", "x")).Refusal);
        Assert.Equal("the playbook has no step 'ghost'", incident.Apply(new StepCompleted("ghost", "x", null)).Refusal);
    }

    [Fact]
    public void The_run_finishes_when_every_step_is_done_or_skipped()
    {
        var incident = new Incident();
        incident.Apply(new RunStarted());
        incident.Apply(new StepCompleted("triage", "priya", null));
        incident.Apply(new DecisionTaken("le-decision", "contact", "sam", "ransom group known to FBI"));
        incident.Apply(new StepCompleted("le-contact", "sam", "case 2026-123"));
        incident.Apply(new ApprovalGiven("approve-letters", "legal", "sam"));
        incident.Apply(new ApprovalGiven("approve-letters", "incidentCommander", "dana"));
        incident.Milestones.Add(MilestoneKind.Contained);
        incident.Apply(new IncidentChanged());
        var last = incident.Apply(new StepCompleted("review", "lee", "actions in the risk register"));
        Assert.True(last.Finished);
    }

    [Fact]
    public void The_whole_library_can_be_started()
    {
        var loader = new PlaybookLoader(PlaybookFixture.Schema);
        foreach (var file in Directory.GetFiles(PlaybookFixture.Folder, "*.yaml"))
        {
            var playbook = loader.Load(Path.GetFileName(file), File.ReadAllText(file)).Playbook!;
            var transition = PlaybookRun.Apply(playbook, PlaybookRun.Initial(playbook), new RunStarted(), new Incident());
            Assert.Contains(transition.Steps.Values, s => s.Status == StepStatus.Ready);
        }
    }
}
