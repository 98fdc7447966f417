using CsCheck;
using IncidentResponse.Core.Laws;
using NodaTime;

namespace IncidentResponse.Core.Tests.Laws;

/// <summary>Where the law is monotone, the engine must be too, over random facts.</summary>
public sealed class AssessmentPropertyTests
{
    private static readonly string[] Keys = [.. ResidenceKeys.UnitedStates, "DE", "FR", "GB", "CA"];
    private static readonly Instant Base = Instant.FromUtc(2026, 3, 2, 15, 0);

    private static readonly Gen<string> Key = Gen.Int[0, Keys.Length - 1].Select(i => Keys[i]);

    private static readonly Gen<BreachFacts> Facts =
        from elements in Gen.Enum<DataElement>().Array[0, 6]
        from residents in Gen.Select(Key, Gen.Long[0, 5000]).Array[1, 6]
        from owner in Gen.Bool
        from flags in Gen.Enum<EntityFlag>().Array[0, 3]
        from harm in Gen.Enum<HarmConclusion>()
        from determinedHours in Gen.Int[0, 200]
        from notifiedDays in Gen.Int[-1, 90]
        from materialityHours in Gen.Int[-1, 300]
        select new BreachFacts(
            Base, Base + Duration.FromHours(determinedHours),
            materialityHours < 0 ? null : Base + Duration.FromHours(materialityHours),
            notifiedDays < 0 ? null : Base + Duration.FromDays(notifiedDays),
            new EntityProfile(DateTimeZoneProviders.Tzdb["America/New_York"], "US-OH",
                flags.Append(owner ? EntityFlag.DataOwner : EntityFlag.PhrVendor).Where(f => owner || f != EntityFlag.DataOwner).ToHashSet()),
            elements.Distinct().ToArray(), new EncryptionFacts(false, false),
            residents.GroupBy(r => r.Item1).ToDictionary(g => g.Key, g => g.First().Item2),
            [], new HarmAssessment(harm, Base + Duration.FromDays(3), false));

    private static HashSet<string> Keyed(AssessmentResult r) => r.Obligations.Select(ObligationLedger.KeyOf).ToHashSet();

    [Fact]
    public void More_residents_never_remove_an_obligation()
    {
        Facts.Select(Key, Gen.Long[1, 100_000]).Sample((facts, key, more) =>
        {
            var before = Assessment.Assess(facts, RuleBook.Current);
            var residents = new Dictionary<string, long>(facts.AffectedResidents);
            residents[key] = residents.GetValueOrDefault(key) + more;
            var after = Assessment.Assess(facts with { AffectedResidents = residents }, RuleBook.Current);
            // HIPAA's and the HBNR's "fewer than 500" annual log gives way to the 500-or-more notice: same recipient, earlier.
            var lost = before.Obligations.Where(o => !Keyed(after).Contains(ObligationLedger.KeyOf(o)))
                .Where(o => !after.Obligations.Any(a => a.Regime == o.Regime && a.Recipient == o.Recipient && a.Authority == o.Authority));
            return !lost.Any();
        }, iter: 300);
    }

    [Fact]
    public void Encryption_with_an_uncompromised_key_never_adds_an_obligation()
    {
        Facts.Sample(facts =>
        {
            var plain = Keyed(Assessment.Assess(facts, RuleBook.Current));
            var encrypted = Keyed(Assessment.Assess(facts with { Encryption = new EncryptionFacts(true, false) }, RuleBook.Current));
            return encrypted.IsSubsetOf(plain);
        }, iter: 300);
    }

    [Fact]
    public void A_law_enforcement_delay_never_makes_a_deadline_earlier()
    {
        Facts.Select(Gen.Int[0, 40], Gen.Int[1, 60], Gen.Bool).Sample((facts, startDay, length, oral) =>
        {
            var before = Assessment.Assess(facts, RuleBook.Current).Obligations.ToDictionary(ObligationLedger.KeyOf);
            var delay = new LawEnforcementDelay(Base + Duration.FromDays(startDay), Base + Duration.FromDays(startDay + length), oral ? DelayForm.Oral : DelayForm.Written);
            var after = Assessment.Assess(facts with { LawEnforcementDelays = [delay] }, RuleBook.Current).Obligations;
            return after.All(o => !before.TryGetValue(ObligationLedger.KeyOf(o), out var b)
                || b.DueBy is null || o.DueBy is null || o.DueBy >= b.DueBy);
        }, iter: 300);
    }

    [Fact]
    public void The_same_facts_always_give_the_same_answer()
    {
        Facts.Sample(facts =>
            System.Text.Json.JsonSerializer.Serialize(Assessment.Assess(facts, RuleBook.Current), WireJson.Options)
            == System.Text.Json.JsonSerializer.Serialize(Assessment.Assess(facts, RuleBook.Current), WireJson.Options), iter: 50);
    }
}
