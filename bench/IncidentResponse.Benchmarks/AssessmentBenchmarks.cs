using BenchmarkDotNet.Attributes;
using IncidentResponse.Core.Laws;

namespace IncidentResponse.Benchmarks;

/// <summary>
/// One assessment of a breach touching every jurisdiction and regime in the rule base: residents in all 54
/// US jurisdictions, the EU, the UK and Canada, a HIPAA- and SEC-regulated entity, a law-enforcement delay.
/// The baseline reads the facts JSON only, to show what the engine adds on top of parsing.
/// </summary>
[MemoryDiagnoser]
public class AssessmentBenchmarks
{
    private BreachFacts facts = null!;
    private string json = null!;
    private RuleBook rules = null!;

    [GlobalSetup]
    public void Setup()
    {
        rules = RuleBook.Current;
        var residents = string.Join(", ", ResidenceKeys.UnitedStates.Select((k, i) => $"\"{k}\": {100 + (i * 37)}"));
        json = $$"""
            {
              "discoveredAt": "2026-03-02T15:00:00Z", "breachDeterminedAt": "2026-03-04T18:00:00Z",
              "materialityDeterminedAt": "2026-03-06T20:00:00Z",
              "entity": { "timeZone": "America/New_York", "headquarters": "US-OH", "dataOwner": true,
                          "hipaaCoveredEntity": true, "secRegistrant": true, "nydfsCoveredEntity": true, "establishedInEu": true },
              "dataElements": ["name", "ssn", "driversLicenseOrStateId", "medical", "emailAddress", "usernameOrEmailWithPassword"],
              "affectedResidents": { {{residents}}, "DE": 40, "FR": 12, "GB": 30, "CA": 25 },
              "lawEnforcementDelays": [ { "requestedAt": "2026-03-05T00:00:00Z", "endsAt": "2026-03-20T00:00:00Z", "form": "written" } ]
            }
            """;
        var (parsed, errors) = FactsReader.Read(json);
        if (errors.Count > 0)
        {
            throw new InvalidOperationException(string.Join("; ", errors));
        }

        facts = parsed!;
    }

    [Benchmark(Description = "assess all jurisdictions")]
    public AssessmentResult AssessAll() => Assessment.Assess(facts, rules);

    [Benchmark(Baseline = true, Description = "read facts JSON only")]
    public BreachFacts? ReadFacts() => FactsReader.Read(json).Facts;

    [Benchmark(Description = "read facts JSON + assess")]
    public AssessmentResult ReadAndAssess() => Assessment.Assess(FactsReader.Read(json).Facts!, rules);
}
