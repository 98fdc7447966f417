using IncidentResponse.Core.Incidents;
using NodaTime;

namespace IncidentResponse.Core.Tests.Incidents;

public sealed class MilestoneRulesTests
{
    private static readonly Instant Now = Instant.FromUtc(2026, 3, 10, 12, 0);
    private static readonly Instant Discovered = Instant.FromUtc(2026, 3, 2, 15, 0);

    [Fact]
    public void A_breach_cannot_be_determined_before_it_was_discovered()
    {
        var recorded = new Dictionary<MilestoneKind, Instant> { [MilestoneKind.Discovered] = Discovered };
        Assert.NotNull(MilestoneRules.Check(recorded, MilestoneKind.BreachDetermined, Discovered - Duration.FromMinutes(1), Now));
        Assert.Null(MilestoneRules.Check(recorded, MilestoneKind.BreachDetermined, Discovered, Now));
    }

    [Fact]
    public void Moving_discovery_after_a_later_milestone_is_refused()
    {
        var recorded = new Dictionary<MilestoneKind, Instant> { [MilestoneKind.Contained] = Discovered + Duration.FromHours(5) };
        Assert.NotNull(MilestoneRules.Check(recorded, MilestoneKind.Discovered, Discovered + Duration.FromHours(6), Now));
    }

    [Fact]
    public void Milestones_cannot_be_in_the_future_beyond_clock_skew()
    {
        var none = new Dictionary<MilestoneKind, Instant>();
        Assert.Null(MilestoneRules.Check(none, MilestoneKind.Discovered, Now + Duration.FromMinutes(4), Now));
        Assert.NotNull(MilestoneRules.Check(none, MilestoneKind.Discovered, Now + Duration.FromMinutes(6), Now));
    }
}
