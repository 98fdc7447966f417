using IncidentResponse.Core.Incidents;
using IncidentResponse.Core.Playbooks;
using NodaTime;

namespace IncidentResponse.Core.Tests.Playbooks;

public sealed class StepDueTests
{
    private static readonly DateTimeZone NewYork = DateTimeZoneProviders.Tzdb["America/New_York"];
    private static readonly Instant Discovered = Instant.FromUtc(2026, 3, 2, 15, 0);

    private static DueAnchors Anchors(Instant? clock = null, Instant? stepDone = null) => new(
        new Dictionary<MilestoneKind, Instant> { [MilestoneKind.Discovered] = Discovered },
        stepDone is { } s ? new Dictionary<string, Instant> { ["scope"] = s } : [],
        clock is { } c ? new Dictionary<string, Instant> { ["earliestIndividualNotice"] = c } : [],
        NewYork);

    [Fact]
    public void Hours_after_a_milestone_are_exact() =>
        Assert.Equal(Discovered + Duration.FromHours(4), StepDue.Compute(new DueRule(DueAnchor.Milestone, "discovered", 4, null, null), Anchors()));

    [Fact]
    public void Days_are_calendar_days_in_the_entitys_zone_across_daylight_saving()
    {
        // 2026-03-08 springs forward in New York: 7 days later is the same wall-clock time, 23 hours less than 7x24.
        var due = StepDue.Compute(new DueRule(DueAnchor.Milestone, "discovered", null, 7, null), Anchors());
        Assert.Equal(Discovered + Duration.FromDays(7) - Duration.FromHours(1), due);
    }

    [Fact]
    public void Before_a_legal_clock_is_a_negative_offset()
    {
        var clock = Instant.FromUtc(2026, 4, 2, 3, 59, 59); // end of 1 April in New York
        var due = StepDue.Compute(new DueRule(DueAnchor.LegalClock, "earliestIndividualNotice", null, -7, null), Anchors(clock));
        Assert.Equal(new LocalDateTime(2026, 3, 25, 23, 59, 59), due!.Value.InZone(NewYork).LocalDateTime);
    }

    [Fact]
    public void Without_an_anchor_the_fallback_applies_and_else_there_is_no_due_date()
    {
        var rule = new DueRule(DueAnchor.LegalClock, "earliestIndividualNotice", null, -7,
            new DueRule(DueAnchor.Step, "scope", 24, null, null));
        Assert.Null(StepDue.Compute(rule, Anchors()));
        var scoped = Discovered + Duration.FromDays(3);
        Assert.Equal(scoped + Duration.FromHours(24), StepDue.Compute(rule, Anchors(stepDone: scoped)));
        var clock = Instant.FromUtc(2026, 4, 2, 3, 59, 59);
        Assert.Equal(clock - Duration.FromDays(7), StepDue.Compute(rule, Anchors(clock, scoped)));
    }
}
