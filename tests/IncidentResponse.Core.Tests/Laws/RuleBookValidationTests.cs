using IncidentResponse.Core.Laws;

namespace IncidentResponse.Core.Tests.Laws;

/// <summary>A malformed or contradictory rule file stops loading with a message naming the file and the field.</summary>
public sealed class RuleBookValidationTests
{
    private const string Valid = """
        code: US-XX
        name: Example
        kind: state
        versions:
          - effective: 2020-01-01
            citation: "Example Code § 1"
            sources: ["Example Code § 1"]
            confidence: high
            confidenceNote: null
            applicability: { residenceKeys: [US-CA] }
            personalInformation: { withName: [ssn] }
            trigger: acquisition
            encryptionSafeHarbor: { applies: true, lostIfKeyCompromised: true }
            riskOfHarm: { exception: false }
            deemedCompliance:
              - entityFlag: glbaFinancialInstitution
                effect: exempt
                recipients: [individuals]
                citation: "Example Code § 2"
                note: "Notice under the federal regime is enough."
            obligations:
              - id: individuals
                recipient: individuals
                deadline: { kind: fixed, amount: 30, unit: calendarDays, from: discovery }
                citation: "Example Code § 1(a)"
        """;

    private const string Calendar = """
        code: US-XX
        name: Example holidays
        citation: "Example Code § 9"
        sources: ["Example Code § 9"]
        confidence: medium
        confidenceNote: "Whether Harvest Day moves off a weekend is not settled."
        observed: nearestWeekday
        holidays:
          - { name: Founders Day, month: 3, weekday: tuesday, nth: 1 }
          - { name: Harvest Day, month: 8, day: 16 }
        """;

    private static RuleFileException Refused(string yaml, string calendar = Calendar) =>
        Assert.Throws<RuleFileException>(() => RuleBook.Parse([("US-XX.yaml", yaml)], [("US-XX.yaml", calendar)]));

    [Fact]
    public void A_valid_file_loads()
    {
        var book = RuleBook.Parse([("US-XX.yaml", Valid)]);
        Assert.Equal("US-XX", Assert.Single(book.Rules).Code);
    }

    [Theory]
    [InlineData("unit: calendarDays", "unit: fortnights", "versions[0].obligations[0].deadline.unit", "'fortnights' is not one of calendarDays, businessDays, hours")]
    [InlineData("withName: [ssn]", "withName: [shoeSize]", "versions[0].personalInformation.withName[0]", "'shoeSize' is not one of")]
    [InlineData("confidence: high", "confidence: medium", "versions[0].confidenceNote", "needs a note")]
    [InlineData("code: US-XX", "code: US-YY", "code", "does not match the file name")]
    [InlineData("residenceKeys: [US-CA]", "residenceKeys: [California]", "versions[0].applicability.residenceKeys[0]", "is not a residence key")]
    [InlineData("amount: 30, ", "", "versions[0].obligations[0].deadline.amount", "needs a non-negative amount")]
    [InlineData("citation: \"Example Code § 1(a)\"", "citation: \"\"", "versions[0].obligations[0].citation", "is required")]
    [InlineData("recipient: individuals", "recipient: regulator", "versions[0].obligations[0].authority", "names its authority")]
    [InlineData("trigger: acquisition", "trigger: vibes", "versions[0].trigger", "'vibes' is not one of acquisition, access")]
    [InlineData("from: discovery }", "from: discovery, orEarlier: [{ kind: withoutUnreasonableDelay }] }", "versions[0].obligations[0].deadline.orEarlier[0].kind", "fixed or withIndividuals")]
    [InlineData("from: discovery }", "from: discovery, orEarlier: [{ kind: withIndividuals, orEarlier: [{ kind: withIndividuals }] }] }", "versions[0].obligations[0].deadline.orEarlier[0].orEarlier", "no limits of its own")]
    [InlineData("from: discovery }", "from: discovery, orEarlier: [] }", "versions[0].obligations[0].deadline.orEarlier", "at least one limit")]
    [InlineData("from: discovery }", "from: discovery, orEarlier: [{ kind: fixed, amount: 5, unit: weeks, from: discovery }] }", "versions[0].obligations[0].deadline.orEarlier[0].unit", "'weeks' is not one of")]
    [InlineData("effect: exempt", "effect: ignore", "versions[0].deemedCompliance[0].effect", "'ignore' is not one of note, exempt")]
    [InlineData("recipients: [individuals]", "recipients: [media]", "versions[0].deemedCompliance[0].recipients[0]", "no obligation to 'media'")]
    [InlineData("recipients: [individuals]", "recipients: []", "versions[0].deemedCompliance[0].recipients", "at least one recipient")]
    [InlineData("effect: exempt", "effect: note", "versions[0].deemedCompliance[0].recipients", "the effect is not 'exempt'")]
    [InlineData("entityFlag: glbaFinancialInstitution", "entityFlag: bank", "versions[0].deemedCompliance[0].entityFlag", "'bank' is not one of")]
    [InlineData("withName: [ssn]", "withName: [ssn], identifiers: [] ", "versions[0].personalInformation.identifiers", "list at least one")]
    [InlineData("withName: [ssn]", "withName: [ssn], identifiers: [fax] ", "versions[0].personalInformation.identifiers[0]", "'fax' is not one of")]
    [InlineData("from: discovery }", "from: discovery, calendar: US-ZZ }", "versions[0].obligations[0].deadline.calendar", "'US-ZZ' is not a calendar (US-federal, weekends, US-XX)")]
    [InlineData("day: 16", "day: 32", "holidays[1].day", "month 8 has no day 32")]
    [InlineData("nth: 1", "nth: 5", "holidays[0].nth", "nth is 1 to 4, or -1")]
    [InlineData("weekday: tuesday", "weekday: caturday", "holidays[0].weekday", "'caturday' is not one of")]
    [InlineData("month: 8, day: 16", "month: 8, day: 16, weekday: friday, nth: 1", "holidays[1]", "either a day, or a weekday")]
    [InlineData("observed: nearestWeekday", "observed: never", "observed", "'never' is not one of none, nearestWeekday, sundayToMonday")]
    public void A_bad_field_is_named_with_its_file(string from, string to, string field, string problem)
    {
        // The rule file and the calendar file share a name; each row changes the one that holds the text.
        var error = Refused(Valid.Replace(from, to, StringComparison.Ordinal), Calendar.Replace(from, to, StringComparison.Ordinal));
        Assert.Equal("US-XX.yaml", error.File);
        Assert.Equal(field, error.Field);
        Assert.Contains(problem, error.Problem);
        Assert.StartsWith("US-XX.yaml: " + field + ": ", error.Message);
    }

    [Fact]
    public void An_unknown_field_is_refused_with_its_line()
    {
        var error = Refused(Valid.Replace("trigger: acquisition", "trigger: acquisition\n    triggr: access", StringComparison.Ordinal));
        Assert.Contains("line", error.Field);
        Assert.Contains("triggr", error.Problem);
    }

    [Fact]
    public void Contradictions_are_refused()
    {
        var outOfOrder = Valid + "\n" + Valid[Valid.IndexOf("  - effective", StringComparison.Ordinal)..].Replace("2020-01-01", "2019-01-01", StringComparison.Ordinal);
        Assert.Equal("versions[1].effective", Refused(outOfOrder).Field);

        var duplicateIds = Valid + """

                  - id: individuals
                    recipient: individuals
                    deadline: { kind: withoutUnreasonableDelay }
                    citation: "Example Code § 1(b)"
            """;
        Assert.Contains("used twice", Refused(duplicateIds).Problem);

        var harmOnlyWithoutException = Valid.Replace("        citation: \"Example Code § 1(a)\"", "        citation: \"Example Code § 1(a)\"\n        onlyWhenRiskOfHarmExceptionApplied: true", StringComparison.Ordinal);
        Assert.Contains("no risk-of-harm exception", Refused(harmOnlyWithoutException).Problem);

        var openEndedWithAmount = Valid.Replace("kind: fixed, amount: 30", "kind: withoutUnreasonableDelay, amount: 30", StringComparison.Ordinal);
        Assert.Contains("takes no amount", Refused(openEndedWithAmount).Problem);
    }


    [Fact]
    public void A_deadline_counts_business_days_on_a_state_calendar_named_by_its_code()
    {
        var book = RuleBook.Parse([("US-XX.yaml", Valid.Replace("from: discovery }", "from: discovery, calendar: US-XX }", StringComparison.Ordinal)
            .Replace("unit: calendarDays", "unit: businessDays", StringComparison.Ordinal))], [("US-XX.yaml", Calendar)]);
        var calendar = book.Rules[0].Versions[0].Obligations[0].Deadline.Calendar;
        Assert.Equal("US-XX", calendar.Code);
        Assert.False(calendar.IsBusinessDay(new NodaTime.LocalDate(2026, 3, 3)));
        Assert.False(calendar.IsBusinessDay(new NodaTime.LocalDate(2026, 8, 17)));
        Assert.True(calendar.IsBusinessDay(new NodaTime.LocalDate(2026, 3, 4)));
    }

    [Fact]
    public void The_version_in_force_is_the_latest_on_or_before_discovery()
    {
        var rule = RuleBook.Current.ByCode["US-CA"];
        Assert.Equal(new NodaTime.LocalDate(2026, 1, 1), rule.VersionOn(new NodaTime.LocalDate(2026, 1, 1)).Effective);
        Assert.Equal(new NodaTime.LocalDate(2022, 1, 1), rule.VersionOn(new NodaTime.LocalDate(2025, 12, 31)).Effective);
        Assert.Equal(rule.Versions[0], rule.VersionOn(new NodaTime.LocalDate(1999, 1, 1)));
    }
}
