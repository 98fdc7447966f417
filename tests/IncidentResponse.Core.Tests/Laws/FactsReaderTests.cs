using IncidentResponse.Core.Laws;
using NodaTime;

namespace IncidentResponse.Core.Tests.Laws;

public sealed class FactsReaderTests
{
    private const string Example = """
        {
          "discoveredAt": "2026-03-02T15:00:00Z",
          "breachDeterminedAt": "2026-03-04T18:00:00Z",
          "materialityDeterminedAt": null,
          "individualsNotifiedAt": null,
          "entity": { "timeZone": "America/New_York", "headquarters": "US-OH", "dataOwner": true,
                      "hipaaCoveredEntity": false, "hipaaBusinessAssociate": false, "secRegistrant": false,
                      "nydfsCoveredEntity": false, "glbaFinancialInstitution": false, "phrVendor": false,
                      "establishedInEu": false },
          "dataElements": ["name", "ssn"],
          "encryption": { "encrypted": false, "keyCompromised": false },
          "affectedResidents": { "US-CA": 1200, "US-TX": 300, "DE": 40 },
          "lawEnforcementDelays": [ { "requestedAt": "2026-03-05T00:00:00Z", "endsAt": "2026-03-20T00:00:00Z", "form": "written" } ],
          "harmAssessment": { "conclusion": "notAssessed", "at": null, "lawEnforcementConsulted": false }
        }
        """;

    [Fact]
    public void The_contract_example_reads_whole()
    {
        var (facts, errors) = FactsReader.Read(Example);
        Assert.Empty(errors);
        Assert.Equal(Instant.FromUtc(2026, 3, 4, 18, 0), facts!.BreachDeterminedAt);
        Assert.True(facts.Entity.Has(EntityFlag.DataOwner));
        Assert.Equal([DataElement.Name, DataElement.Ssn], facts.DataElements);
        Assert.Equal(1200, facts.AffectedResidents["US-CA"]);
        Assert.Equal(DelayForm.Written, Assert.Single(facts.LawEnforcementDelays).Form);
    }

    [Fact]
    public void Omitted_fields_take_their_documented_defaults()
    {
        var (facts, errors) = FactsReader.Read("""{"discoveredAt": "2026-03-02T15:00:00Z", "entity": {"timeZone": "UTC"}}""");
        Assert.Empty(errors);
        Assert.Equal(facts!.DiscoveredAt, facts.BreachDeterminedAt);
        Assert.Empty(facts.Entity.Flags);
        Assert.Equal(HarmConclusion.NotAssessed, facts.HarmAssessment.Conclusion);
        Assert.False(facts.Encryption.Encrypted);
    }

    [Theory]
    [InlineData("\"discoveredAt\": \"2026-03-02T15:00:00Z\"", "\"discoveredAt\": \"last Tuesday\"", "discoveredAt")]
    [InlineData("\"timeZone\": \"America/New_York\"", "\"timeZone\": \"Eastern\"", "entity.timeZone")]
    [InlineData("\"US-TX\": 300", "\"US-TX\": -3", "affectedResidents.US-TX")]
    [InlineData("\"US-TX\": 300", "\"Texas\": 300", "affectedResidents.Texas")]
    [InlineData("[\"name\", \"ssn\"]", "[\"name\", \"shoeSize\"]", "dataElements[1]")]
    [InlineData("\"form\": \"written\"", "\"form\": \"telepathic\"", "lawEnforcementDelays[0].form")]
    [InlineData("\"endsAt\": \"2026-03-20T00:00:00Z\"", "\"endsAt\": \"2026-03-01T00:00:00Z\"", "lawEnforcementDelays[0].endsAt")]
    [InlineData("\"conclusion\": \"notAssessed\"", "\"conclusion\": \"maybe\"", "harmAssessment.conclusion")]
    [InlineData("\"breachDeterminedAt\": \"2026-03-04T18:00:00Z\"", "\"breachDeterminedAt\": \"2026-03-01T18:00:00Z\"", "breachDeterminedAt")]
    [InlineData("\"dataOwner\": true", "\"dataOwner\": \"yes\"", "entity.dataOwner")]
    [InlineData("\"materialityDeterminedAt\": null", "\"materialityDeterminedAt\": null, \"colour\": 1", "colour")]
    public void A_bad_fact_is_an_error_naming_its_field(string from, string to, string field)
    {
        var (facts, errors) = FactsReader.Read(Example.Replace(from, to, StringComparison.Ordinal));
        Assert.Null(facts);
        Assert.Contains(errors, e => e.Field == field);
    }

    [Fact]
    public void Malformed_json_is_one_error()
    {
        var (facts, errors) = FactsReader.Read("{\"discoveredAt\": ");
        Assert.Null(facts);
        Assert.Equal("$", Assert.Single(errors).Field);
    }
}
