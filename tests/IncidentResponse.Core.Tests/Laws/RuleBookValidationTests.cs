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

    private static RuleFileException Refused(string yaml) =>
        Assert.Throws<RuleFileException>(() => RuleBook.Parse([("US-XX.yaml", yaml)]));

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
    public void A_bad_field_is_named_with_its_file(string from, string to, string field, string problem)
    {
        var error = Refused(Valid.Replace(from, to, StringComparison.Ordinal));
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
    public void The_version_in_force_is_the_latest_on_or_before_discovery()
    {
        var rule = RuleBook.Current.ByCode["US-CA"];
        Assert.Equal(new NodaTime.LocalDate(2026, 1, 1), rule.VersionOn(new NodaTime.LocalDate(2026, 1, 1)).Effective);
        Assert.Equal(new NodaTime.LocalDate(2022, 1, 1), rule.VersionOn(new NodaTime.LocalDate(2025, 12, 31)).Effective);
        Assert.Equal(rule.Versions[0], rule.VersionOn(new NodaTime.LocalDate(1999, 1, 1)));
    }
}
