using IncidentResponse.Core.Incidents;
using IncidentResponse.Core.Playbooks;

namespace IncidentResponse.Core.Tests.Playbooks;

public sealed class RunMigrationTests
{
    private static readonly PlaybookLoader Loader = new(PlaybookFixture.Schema);
    private static readonly PlaybookDefinition V1 = Load(PlaybookFixture.Valid);

    private static PlaybookDefinition Load(string yaml) => Loader.Load("small.yaml", yaml).Playbook ?? throw new InvalidOperationException(
        string.Join("\n", Loader.Load("small.yaml", yaml).Problems));

    /// <summary>Version 2 of the small playbook, changed by the replacements given.</summary>
    private static PlaybookDefinition V2(params (string Old, string New)[] edits) =>
        Load(edits.Aggregate(PlaybookFixture.Valid.Replace("version: 1", "version: 2", StringComparison.Ordinal), (text, e) =>
        {
            Assert.Contains(e.Old, text, StringComparison.Ordinal);
            return text.Replace(e.Old, e.New, StringComparison.Ordinal);
        }));

    /// <summary>Runs version 1 through the events given.</summary>
    private static IReadOnlyDictionary<string, StepState> Run(params RunEvent[] events)
    {
        var steps = PlaybookRun.Initial(V1);
        foreach (var e in events.Prepend(new RunStarted()))
        {
            var transition = PlaybookRun.Apply(V1, steps, e, new StillIncident(MilestoneKind.Discovered));
            Assert.Null(transition.Refusal);
            steps = transition.Steps;
        }

        return steps;
    }

    private const string NewStep = """
          - id: brief-executives
            title: "Brief the executives"
            description: "Tell the executive team what happened, what is being done and what decisions they will be asked for."
            team: executive
            phase: detection
            kind: task
            after: [triage]
        """;

    /// <summary>The wait step of version 1, as its text stands in the file.</summary>
    private static readonly string WaitStep = PlaybookFixture.Valid[
        PlaybookFixture.Valid.IndexOf("  - id: wait-contained", StringComparison.Ordinal)..PlaybookFixture.Valid.IndexOf("  - id: review", StringComparison.Ordinal)];

    [Fact]
    public void Done_steps_keep_their_outcome_new_steps_are_evaluated_and_removed_steps_are_dropped()
    {
        var current = Run(new StepCompleted("triage", "priya", "two signals"), new DecisionTaken("le-decision", "defer", "sam", "counsel"));
        var target = V2((WaitStep, NewStep + "\n"), ("after: [approve-letters, wait-contained]", "after: [approve-letters]"));

        var plan = RunMigration.Plan(V1, target, current, new StillIncident(MilestoneKind.Discovered));

        Assert.Empty(plan.Conflicts);
        Assert.Equal((V1.ContentHash, 1, target.ContentHash, 2), (plan.FromHash, plan.FromVersion, plan.ToHash, plan.ToVersion));
        Assert.Equal(current["triage"], plan.States["triage"]);
        Assert.Equal("defer", plan.States["le-decision"].Outcome);
        Assert.Equal(new MigratedStep("brief-executives", StepChange.Added, null, StepStatus.Ready, null), plan.Steps.Single(s => s.StepId == "brief-executives"));
        var dropped = plan.Steps.Single(s => s.StepId == "wait-contained");
        Assert.Equal((StepChange.Dropped, StepStatus.Ready, (StepStatus?)null), (dropped.Change, dropped.Before, dropped.After));
        Assert.Contains("cancelled", dropped.Reason, StringComparison.Ordinal);
        Assert.Equal(["wait-contained"], plan.Dropped);
        Assert.False(plan.States.ContainsKey("wait-contained"));
        // The review no longer waits for the dropped step; it still waits for the approval.
        Assert.Equal(StepStatus.Blocked, plan.Steps.Single(s => s.StepId == "review").After);
    }

    [Fact]
    public void A_decision_whose_chosen_option_vanished_is_a_conflict_and_reopens()
    {
        var current = Run(new StepCompleted("triage", "priya", null), new DecisionTaken("le-decision", "defer", "sam", "counsel"));
        var target = V2(("- { id: defer, title: \"Defer\" }", "- { id: later, title: \"Ask again in a day\" }"));

        var plan = RunMigration.Plan(V1, target, current, new StillIncident(MilestoneKind.Discovered));

        var conflict = Assert.Single(plan.Conflicts);
        Assert.Equal("le-decision", conflict.StepId);
        Assert.Contains("'defer'", conflict.Reason, StringComparison.Ordinal);
        Assert.Null(plan.States["le-decision"].Outcome);
        Assert.Equal((StepChange.Reopened, StepStatus.Done, StepStatus.Ready), plan.Steps.Where(s => s.StepId == "le-decision").Select(s => (s.Change, s.Before, s.After)).Single());
    }

    [Fact]
    public void A_decision_whose_chosen_option_remains_is_kept_even_when_other_options_changed()
    {
        var current = Run(new StepCompleted("triage", "priya", null), new DecisionTaken("le-decision", "contact", "sam", "counsel"));
        var target = V2(("- { id: defer, title: \"Defer\" }", "- { id: later, title: \"Ask again in a day\" }"));

        var plan = RunMigration.Plan(V1, target, current, new StillIncident(MilestoneKind.Discovered));

        Assert.Empty(plan.Conflicts);
        Assert.Equal("contact", plan.States["le-decision"].Outcome);
        Assert.Equal(StepStatus.Ready, plan.Steps.Single(s => s.StepId == "le-contact").After);
    }

    [Fact]
    public void Work_in_progress_keeps_its_state_unless_the_step_changed_kind()
    {
        var current = Run(new StepStarted("triage", "priya"));
        var same = RunMigration.Plan(V1, V2(("Triage the alert", "Triage the alert and the logs")), current, new StillIncident(MilestoneKind.Discovered));
        Assert.Empty(same.Conflicts);
        Assert.Equal(current["triage"], same.States["triage"]);

        var changed = RunMigration.Plan(V1, V2(("    kind: task\n    due:", "    kind: milestone\n    milestone: discovered\n    due:")), current, new StillIncident(MilestoneKind.Discovered));
        var conflict = Assert.Single(changed.Conflicts);
        Assert.Equal("triage", conflict.StepId);
        Assert.Contains("now a milestone", conflict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_ready_step_that_now_waits_for_a_new_dependency_is_blocked_again()
    {
        var current = Run(new StepCompleted("triage", "priya", null));
        Assert.Equal(StepStatus.Ready, current["le-decision"].Status);
        var target = V2((WaitStep, WaitStep + NewStep + "\n"), ("    kind: decision\n    after: [triage]", "    kind: decision\n    after: [triage, brief-executives]"));

        var plan = RunMigration.Plan(V1, target, current, new StillIncident(MilestoneKind.Discovered));

        Assert.Empty(plan.Conflicts);
        Assert.Equal(StepStatus.Blocked, plan.States["le-decision"].Status);
        Assert.Equal(StepStatus.Ready, plan.Steps.Single(s => s.StepId == "brief-executives").After);
    }

    [Fact]
    public void Approvals_of_roles_that_no_longer_approve_do_not_count()
    {
        var current = Run(new StepCompleted("triage", "priya", null), new DecisionTaken("le-decision", "defer", "sam", "no"), new ApprovalGiven("approve-letters", "incidentCommander", "dana"));
        var target = V2(("approvers: [legal, incidentCommander]", "approvers: [legal, risk]"));

        var plan = RunMigration.Plan(V1, target, current, new StillIncident(MilestoneKind.Discovered));

        Assert.Equal(StepStatus.InProgress, plan.States["approve-letters"].Status);
        Assert.Empty(plan.States["approve-letters"].Approvals!);
    }

    [Fact]
    public void A_run_cannot_migrate_to_another_playbook()
    {
        var other = Loader.Load("other.yaml", PlaybookFixture.Valid.Replace("id: small", "id: other", StringComparison.Ordinal)).Playbook!;
        Assert.Throws<ArgumentException>(() => RunMigration.Plan(V1, other, Run(), new StillIncident(MilestoneKind.Discovered)));
    }
}
