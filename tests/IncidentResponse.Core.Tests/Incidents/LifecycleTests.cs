using IncidentResponse.Core.Incidents;

namespace IncidentResponse.Core.Tests.Incidents;

public sealed class LifecycleTests
{
    private static TransitionDecision Decide(IncidentStatus from, IncidentStatus to, string? reason = null, string? overrideReason = null, int openTasks = 0, int openObligations = 0) =>
        Lifecycle.Decide(new LifecycleContext(from, openTasks, openObligations), new TransitionRequest(to, reason, overrideReason));

    [Theory]
    [InlineData(IncidentStatus.Detected, IncidentStatus.Triage)]
    [InlineData(IncidentStatus.Triage, IncidentStatus.Contained)]
    [InlineData(IncidentStatus.Contained, IncidentStatus.Eradicated)]
    [InlineData(IncidentStatus.Contained, IncidentStatus.Notification)]
    [InlineData(IncidentStatus.Eradicated, IncidentStatus.Recovered)]
    [InlineData(IncidentStatus.Recovered, IncidentStatus.Notification)]
    [InlineData(IncidentStatus.Notification, IncidentStatus.Closed)]
    public void The_forward_path_is_allowed_without_a_reason(IncidentStatus from, IncidentStatus to)
    {
        var decision = Decide(from, to);
        Assert.True(decision.Allowed, decision.Refusal);
        Assert.Equal(to, decision.Status);
    }

    [Theory]
    [InlineData(IncidentStatus.Detected, IncidentStatus.Recovered)]
    [InlineData(IncidentStatus.Detected, IncidentStatus.Notification)]
    [InlineData(IncidentStatus.Triage, IncidentStatus.Recovered)]
    [InlineData(IncidentStatus.Closed, IncidentStatus.Notification)]
    [InlineData(IncidentStatus.Eradicated, IncidentStatus.Closed)]
    [InlineData(IncidentStatus.Triage, IncidentStatus.Triage)]
    public void Transitions_outside_the_table_are_refused_and_the_status_stays(IncidentStatus from, IncidentStatus to)
    {
        var decision = Decide(from, to);
        Assert.False(decision.Allowed);
        Assert.Equal(from, decision.Status);
        Assert.Contains("Allowed:", decision.Refusal);
    }

    [Theory]
    [InlineData(IncidentStatus.Detected, IncidentStatus.Closed)]
    [InlineData(IncidentStatus.Contained, IncidentStatus.Triage)]
    [InlineData(IncidentStatus.Eradicated, IncidentStatus.Contained)]
    [InlineData(IncidentStatus.Notification, IncidentStatus.Recovered)]
    [InlineData(IncidentStatus.Closed, IncidentStatus.Triage)]
    public void Going_back_or_dismissing_needs_a_reason(IncidentStatus from, IncidentStatus to)
    {
        Assert.False(Decide(from, to).Allowed);
        Assert.False(Decide(from, to, reason: "  ").Allowed);
        Assert.True(Decide(from, to, reason: "new evidence").Allowed);
    }

    [Fact]
    public void Closing_with_open_work_needs_an_override_reason_which_is_recorded()
    {
        var refused = Decide(IncidentStatus.Notification, IncidentStatus.Closed, openTasks: 2, openObligations: 1);
        Assert.False(refused.Allowed);
        Assert.Contains("2 open task(s) and 1 open obligation(s)", refused.Refusal);

        var overridden = Decide(IncidentStatus.Notification, IncidentStatus.Closed, overrideReason: "Regulator waived notice", openTasks: 2);
        Assert.True(overridden.Allowed);
        Assert.True(overridden.Overridden);
        Assert.False(Decide(IncidentStatus.Notification, IncidentStatus.Closed).Overridden);
    }

    [Fact]
    public void Containment_and_closure_record_their_milestones()
    {
        Assert.Equal([MilestoneKind.Contained], Decide(IncidentStatus.Triage, IncidentStatus.Contained).MilestonesToRecord);
        Assert.Equal([MilestoneKind.Closed], Decide(IncidentStatus.Notification, IncidentStatus.Closed).MilestonesToRecord);
        Assert.Empty(Decide(IncidentStatus.Detected, IncidentStatus.Triage).MilestonesToRecord);
    }

    [Fact]
    public void Every_status_but_none_is_reachable_and_every_status_has_a_way_out()
    {
        foreach (var status in Enum.GetValues<IncidentStatus>())
        {
            Assert.NotEmpty(Lifecycle.Next(status));
            if (status != IncidentStatus.Detected)
            {
                Assert.Contains(Enum.GetValues<IncidentStatus>(), s => Lifecycle.Next(s).Contains(status));
            }
        }
    }

    [Fact]
    public void References_are_zero_padded_per_year()
    {
        Assert.Equal("INC-2026-0001", IncidentReference.Format(2026, 1));
        Assert.Equal("INC-2027-12345", IncidentReference.Format(2027, 12345));
    }
}
