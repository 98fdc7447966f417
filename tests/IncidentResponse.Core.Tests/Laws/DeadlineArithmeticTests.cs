using IncidentResponse.Core.Laws;
using NodaTime;

namespace IncidentResponse.Core.Tests.Laws;

public sealed class DeadlineArithmeticTests
{
    private static readonly DateTimeZone NewYork = DateTimeZoneProviders.Tzdb["America/New_York"];

    [Fact]
    public void A_day_ends_at_its_last_second_in_the_entitys_zone_across_daylight_saving()
    {
        // 2026-03-08 is the spring-forward day in New York: the next midnight is at 04:00Z.
        Assert.Equal(Instant.FromUtc(2026, 3, 9, 3, 59, 59), LegalCalendar.EndOf(new LocalDate(2026, 3, 8), NewYork));
        Assert.Equal(Instant.FromUtc(2026, 3, 8, 4, 59, 59), LegalCalendar.EndOf(new LocalDate(2026, 3, 7), NewYork));
    }

    [Theory]
    [InlineData(2026, 3, 6, 4, 2026, 3, 12)]    // Friday + 4 business days
    [InlineData(2026, 11, 24, 4, 2026, 12, 1)]  // over Thanksgiving (26 Nov) and the weekend
    [InlineData(2026, 12, 23, 4, 2026, 12, 30)] // over Christmas (25 Dec)
    [InlineData(2027, 7, 1, 4, 2027, 7, 8)]     // Independence Day 2027 is a Sunday, observed Monday 5 July
    public void Business_days_skip_weekends_and_us_federal_holidays(int y, int m, int d, int days, int ey, int em, int ed) =>
        Assert.Equal(new LocalDate(ey, em, ed), LegalCalendar.AddBusinessDays(new LocalDate(y, m, d), days, BusinessCalendar.UsFederal));

    [Theory]
    [InlineData(2026, 3, 2, 1, 2026, 3, 4)]     // Town Meeting Day, the first Tuesday in March (1 V.S.A. § 371(a)(4))
    [InlineData(2026, 8, 14, 1, 2026, 8, 18)]   // Bennington Battle Day, Sunday 16 August 2026, kept on Monday 17 (§ 371(b))
    [InlineData(2025, 5, 23, 1, 2025, 5, 27)]   // Memorial Day, the last Monday in May
    [InlineData(2026, 11, 25, 1, 2026, 11, 27)] // Thanksgiving, the fourth Thursday in November; the Friday after is a business day
    [InlineData(2027, 12, 23, 1, 2027, 12, 27)] // Christmas 2027 is a Saturday, kept on Friday 24 December
    public void Vermont_business_days_skip_vermont_legal_holidays(int y, int m, int d, int days, int ey, int em, int ed)
    {
        var vermont = RuleBook.Current.ByCode["US-VT"].Versions[^1].Obligations.Single(o => o.Id == "attorney-general-preliminary").Deadline.Calendar;
        Assert.Equal("US-VT", vermont.Code);
        Assert.Equal(new LocalDate(ey, em, ed), LegalCalendar.AddBusinessDays(new LocalDate(y, m, d), days, vermont));
    }

    [Fact]
    public void The_sec_clock_runs_four_business_days_from_the_materiality_determination()
    {
        var (facts, _) = FactsReader.Read("""
            { "discoveredAt": "2026-11-20T15:00:00Z", "materialityDeterminedAt": "2026-11-24T20:00:00Z",
              "entity": { "timeZone": "America/New_York", "secRegistrant": true, "dataOwner": true } }
            """);
        var sec = Assert.Single(Assessment.Assess(facts!, RuleBook.Current).Obligations, o => o.Regime == "SEC");
        Assert.Equal(new LocalDate(2026, 12, 1), sec.DueDate);
        Assert.Equal(ClockStart.MaterialityDetermination, sec.ClockStart);
    }

    [Fact]
    public void Hours_are_exact_and_a_delay_still_in_force_suspends_a_pausable_deadline()
    {
        var (facts, _) = FactsReader.Read("""
            { "discoveredAt": "2026-03-02T15:00:00Z", "breachDeterminedAt": "2026-03-03T09:30:00Z",
              "entity": { "timeZone": "Europe/Berlin", "dataOwner": true }, "dataElements": ["emailAddress"],
              "affectedResidents": { "DE": 10 } }
            """);
        var gdpr = Assessment.Assess(facts!, RuleBook.Current).Obligations.Single(o => o.Regime == "GDPR" && o.Recipient == Recipient.Regulator);
        Assert.Equal(Instant.FromUtc(2026, 3, 6, 9, 30), gdpr.DueBy);

        var (california, _) = FactsReader.Read("""
            { "discoveredAt": "2026-03-02T15:00:00Z", "entity": { "timeZone": "America/Los_Angeles", "dataOwner": true },
              "dataElements": ["name", "ssn"], "affectedResidents": { "US-CA": 10 },
              "lawEnforcementDelays": [ { "requestedAt": "2026-03-05T00:00:00Z", "endsAt": null, "form": "written" } ] }
            """);
        var individuals = Assessment.Assess(california!, RuleBook.Current).Obligations.Single(o => o.Regime == "US-CA" && o.Recipient == Recipient.Individuals);
        Assert.Null(individuals.DueBy);
        Assert.Contains(individuals.Notes, n => n.Contains("in force", StringComparison.Ordinal));
    }
}
