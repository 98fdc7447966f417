using IncidentResponse.Core.LawEnforcement;
using IncidentResponse.Core.Laws;
using NodaTime;

namespace IncidentResponse.Core.Tests.LawEnforcement;

/// <summary>A delay request as made, renewed and lifted, and what the law engine makes of it.</summary>
public sealed class DelayRequestTests
{
    private static readonly Instant March10 = Instant.FromUtc(2026, 3, 10, 15, 0);

    private static DelayRequest Written(Instant from, int days) => new([new DelayTerm(from, from + Duration.FromDays(days), DelayForm.Written)], null);

    [Fact]
    public void Each_request_is_a_delay_for_the_engine_and_a_lift_cuts_them_all_short()
    {
        var lifted = March10 + Duration.FromDays(20);
        var delay = new DelayRequest(
            [new DelayTerm(March10, March10 + Duration.FromDays(14), DelayForm.Oral), new DelayTerm(March10 + Duration.FromDays(10), null, DelayForm.Written)],
            lifted);
        var other = Written(March10 - Duration.FromDays(1), 2);

        var facts = DelayRequest.Facts([delay, other]);

        Assert.Equal(
            [
                new LawEnforcementDelay(March10 - Duration.FromDays(1), March10 + Duration.FromDays(1), DelayForm.Written),
                new LawEnforcementDelay(March10, March10 + Duration.FromDays(14), DelayForm.Oral),
                new LawEnforcementDelay(March10 + Duration.FromDays(10), lifted, DelayForm.Written),
            ],
            facts);
        Assert.Equal(lifted, delay.EndsAt);
    }

    [Fact]
    public void A_delay_is_in_force_until_it_expires_or_is_lifted()
    {
        var delay = Written(March10, 30);
        Assert.Equal(DelayStatus.InForce, delay.StatusAt(March10 + Duration.FromDays(29)));
        Assert.Equal(DelayStatus.Expired, delay.StatusAt(March10 + Duration.FromDays(30)));
        Assert.Equal(DelayStatus.Lifted, (delay with { LiftedAt = March10 + Duration.FromDays(5) }).StatusAt(March10 + Duration.FromDays(6)));
        Assert.Equal(DelayStatus.InForce, new DelayRequest([new DelayTerm(March10, null, DelayForm.Written)], null).StatusAt(March10 + Duration.FromDays(400)));
    }

    [Fact]
    public void Renewals_and_lifts_are_refused_where_they_make_no_sense()
    {
        var delay = Written(March10, 30);
        Assert.Null(delay.CheckRenewal(new DelayTerm(March10 + Duration.FromDays(29), March10 + Duration.FromDays(60), DelayForm.Written)));
        Assert.Null(delay.CheckRenewal(new DelayTerm(March10 + Duration.FromDays(31), March10 + Duration.FromDays(60), DelayForm.Written))?.Field);
        Assert.Contains("new delay", delay.CheckRenewal(new DelayTerm(March10 + Duration.FromDays(31), March10 + Duration.FromDays(60), DelayForm.Written))?.Message);
        Assert.Equal(new DelayProblem("requestedAt", "A renewal comes after the request it renews."), delay.CheckRenewal(new DelayTerm(March10 - Duration.FromDays(1), March10 + Duration.FromDays(60), DelayForm.Written)));
        Assert.Contains("expires after", delay.CheckRenewal(new DelayTerm(March10 + Duration.FromDays(2), March10 + Duration.FromDays(1), DelayForm.Written))?.Message);
        Assert.Contains("lifted", (delay with { LiftedAt = March10 }).CheckRenewal(new DelayTerm(March10, null, DelayForm.Written))?.Message);
        Assert.Contains("expires after", DelayRequest.CheckFirst(new DelayTerm(March10, March10, DelayForm.Oral))?.Message);

        Assert.Null(delay.CheckLift(March10 + Duration.FromDays(3)));
        Assert.Contains("already expired", delay.CheckLift(March10 + Duration.FromDays(30))?.Message);
        Assert.Contains("after it was requested", delay.CheckLift(March10 - Duration.FromDays(1))?.Message);
        Assert.Contains("already lifted", (delay with { LiftedAt = March10 }).CheckLift(March10 + Duration.FromDays(1))?.Message);
    }

    // Texas: the individuals' 60 days pause for a delay (§ 521.053(d)); the Attorney General's do not (§ 521.053(i)).
    // Florida: the individuals' 30 days pause only for a written request (§ 501.171(4)(b)).
    private static readonly BreachFacts Breach = FactsReader.Read("""
        { "discoveredAt": "2026-03-02T15:00:00Z", "breachDeterminedAt": "2026-03-03T15:00:00Z",
          "entity": { "timeZone": "America/Chicago", "dataOwner": true }, "dataElements": ["name", "ssn"],
          "affectedResidents": { "US-TX": 300, "US-FL": 600 } }
        """).Facts!;

    private static Obligation Of(BreachFacts facts, string regime, Recipient recipient) =>
        Assessment.Assess(facts, RuleBook.Current).Obligations.Single(o => o.Regime == regime && o.Recipient == recipient);

    [Fact]
    public void A_renewal_made_after_the_original_due_date_keeps_the_clock_paused_while_the_delay_held_it()
    {
        var texasDue = Of(Breach, "US-TX", Recipient.Individuals).DueBy!.Value;
        var first = new DelayTerm(March10, texasDue + Duration.FromDays(8), DelayForm.Written);
        var renewal = new DelayTerm(texasDue + Duration.FromDays(6), texasDue + Duration.FromDays(38), DelayForm.Written);
        var delayed = Breach with { LawEnforcementDelays = DelayRequest.Facts([new DelayRequest([first, renewal], null)]) };

        var individuals = Of(delayed, "US-TX", Recipient.Individuals);
        var paused = (int)Math.Ceiling(((texasDue + Duration.FromDays(38)) - March10).TotalDays);
        Assert.Equal(paused, individuals.TolledDays);
        Assert.Equal(Of(Breach, "US-TX", Recipient.Regulator).DueBy, Of(delayed, "US-TX", Recipient.Regulator).DueBy);
    }

    [Fact]
    public void A_rule_that_wants_the_request_in_writing_pauses_only_from_the_written_renewal()
    {
        var oral = new DelayTerm(March10, March10 + Duration.FromDays(30), DelayForm.Oral);
        var written = new DelayTerm(March10 + Duration.FromDays(20), March10 + Duration.FromDays(40), DelayForm.Written);
        var delayed = Breach with { LawEnforcementDelays = DelayRequest.Facts([new DelayRequest([oral, written], null)]) };

        Assert.Equal(20, Of(delayed, "US-FL", Recipient.Individuals).TolledDays);
        Assert.Equal(40, Of(delayed, "US-TX", Recipient.Individuals).TolledDays);
    }

    [Fact]
    public void Lifting_a_delay_early_gives_back_the_days_it_no_longer_holds()
    {
        var delay = Written(March10, 30);
        var lifted = Breach with { LawEnforcementDelays = DelayRequest.Facts([delay with { LiftedAt = March10 + Duration.FromDays(12) }]) };

        Assert.Equal(12, Of(lifted, "US-TX", Recipient.Individuals).TolledDays);
    }
}
