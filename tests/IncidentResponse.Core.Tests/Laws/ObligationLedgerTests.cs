using IncidentResponse.Core.Laws;
using NodaTime;

namespace IncidentResponse.Core.Tests.Laws;

public sealed class ObligationLedgerTests
{
    private static AssessmentResult Assess(string residents, bool encrypted = false)
    {
        var (facts, errors) = FactsReader.Read($$"""
            { "discoveredAt": "2026-03-02T15:00:00Z", "entity": { "timeZone": "America/New_York", "dataOwner": true },
              "dataElements": ["name", "ssn"], "encryption": { "encrypted": {{(encrypted ? "true" : "false")}} }, "affectedResidents": {{residents}} }
            """);
        Assert.Empty(errors);
        return Assessment.Assess(facts!, RuleBook.Current);
    }

    private static List<LedgerEntry> Standing(AssessmentResult r, ObligationStatus status = ObligationStatus.Pending) =>
        r.Obligations.Select(o => new LedgerEntry(ObligationLedger.KeyOf(o), o, status, null)).ToList();

    [Fact]
    public void A_first_assessment_adds_everything()
    {
        var result = Assess("""{ "US-CA": 10 }""");
        var change = ObligationLedger.Diff([], result);
        Assert.Equal(result.Obligations.Count, change.Added.Count);
        Assert.Empty(change.Changed);
        Assert.Empty(change.Withdrawn);
    }

    [Fact]
    public void The_same_facts_change_nothing()
    {
        var result = Assess("""{ "US-CA": 10, "US-NY": 30 }""");
        var change = ObligationLedger.Diff(Standing(result), Assess("""{ "US-CA": 10, "US-NY": 30 }"""));
        Assert.Empty(change.Added);
        Assert.Empty(change.Changed);
        Assert.Empty(change.Withdrawn);
        Assert.Equal(result.Obligations.Count, change.Unchanged.Count);
    }

    [Fact]
    public void New_residents_add_and_change_and_a_dropped_state_is_withdrawn_with_its_reason()
    {
        var before = Assess("""{ "US-CA": 10, "US-NY": 30 }""");
        var after = Assess("""{ "US-CA": 600 }""");
        var change = ObligationLedger.Diff(Standing(before), after);
        Assert.Contains(change.Added, o => o.Regime == "US-CA" && o.Recipient == Recipient.Regulator);
        Assert.Contains(change.Changed, c => c.After.Regime == "US-CA" && c.After.Residents == 600);
        Assert.Contains(change.Withdrawn, w => w.Entry.Obligation.Regime == "US-NY" && w.Reason.StartsWith(ObligationLedger.WithdrawnPrefix, StringComparison.Ordinal));

        var encrypted = ObligationLedger.Diff(Standing(after), Assess("""{ "US-CA": 600 }""", encrypted: true));
        Assert.All(encrypted.Withdrawn, w => Assert.Contains("encryptionSafeHarbor", w.Reason));
    }

    [Fact]
    public void A_withdrawn_obligation_that_is_due_again_comes_back_as_a_change()
    {
        var result = Assess("""{ "US-CA": 10 }""");
        var withdrawn = result.Obligations.Select(o => new LedgerEntry(ObligationLedger.KeyOf(o), o, ObligationStatus.NotRequired, ObligationLedger.WithdrawnPrefix + ": x")).ToList();
        var change = ObligationLedger.Diff(withdrawn, result);
        Assert.Equal(result.Obligations.Count, change.Changed.Count);
        Assert.Empty(change.Added);
    }
}
