using System.Text.Json;
using System.Text.Json.Nodes;
using IncidentResponse.Core.Laws;

namespace IncidentResponse.Core.Tests.Laws;

/// <summary>Every jurisdiction's case table, run against the shipped rule base. Each row cites its clause.</summary>
public sealed class RuleBaseTests
{
    public static TheoryData<RuleCase> Cases()
    {
        var data = new TheoryData<RuleCase>();
        foreach (var c in RuleCases.All())
        {
            data.Add(c);
        }

        return data;
    }

    [Fact]
    public void The_shipped_rule_base_loads_and_covers_every_jurisdiction_and_regime()
    {
        var codes = RuleBook.Current.Rules.Select(r => r.Code).ToHashSet();
        foreach (var key in ResidenceKeys.UnitedStates)
        {
            Assert.Contains(key, codes);
        }

        Assert.Superset(new HashSet<string> { "HIPAA", "SEC", "NYDFS", "GDPR", "UK-GDPR", "PIPEDA", "FTC-SAFEGUARDS", "FTC-HBNR" }, codes);
        Assert.Matches("^[0-9a-f]{12}$", RuleBook.Current.Version);
    }

    [Fact]
    public void Every_rule_file_has_a_case_table()
    {
        var tables = Directory.GetFiles(RuleCases.Directory, "*.yaml").Select(Path.GetFileNameWithoutExtension).ToHashSet();
        Assert.DoesNotContain(RuleBook.Current.Rules, r => !tables.Contains(r.Code));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Case(RuleCase c)
    {
        Assert.False(string.IsNullOrWhiteSpace(c.Citation), "every case names the clause it proves");
        var (facts, errors) = FactsReader.Read(c.Facts.ToJsonString());
        Assert.True(errors.Count == 0, string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")));
        var result = Assessment.Assess(facts!, RuleBook.Current);
        var json = JsonSerializer.SerializeToElement(result, WireJson.Options);
        var obligations = json.GetProperty("obligations").EnumerateArray().Where(o => o.GetProperty("regime").GetString() == c.Rule).ToList();
        var exemptions = json.GetProperty("exemptions").EnumerateArray().Where(o => o.GetProperty("regime").GetString() == c.Rule).ToList();
        Compare("obligation", c.Obligations, obligations, c);
        Compare("exemption", c.Exemptions, exemptions, c);
    }

    /// <summary>The expected list is complete: each expectation matches one distinct actual entry, and nothing is left over.</summary>
    private static void Compare(string what, JsonArray? expected, List<JsonElement> actual, RuleCase c)
    {
        var left = actual.ToList();
        foreach (var e in (expected ?? []).Select(n => n!.AsObject()))
        {
            var match = left.FindIndex(a => RuleCases.Matches(e, a));
            Assert.True(match >= 0,
                $"{c} [{c.Citation}]: expected {what} {e.ToJsonString()} not found among:\n  " + string.Join("\n  ", actual.Select(Short)));
            left.RemoveAt(match);
        }

        Assert.True(left.Count == 0, $"{c} [{c.Citation}]: unexpected {what}(s):\n  " + string.Join("\n  ", left.Select(Short)));
    }

    private static string Short(JsonElement e)
    {
        var fields = new[] { "recipient", "scope", "authority", "standard", "dueDate", "clockStart", "tolledDays", "residents", "reason", "citation" };
        return "{" + string.Join(", ", fields.Where(f => e.TryGetProperty(f, out var v) && v.ValueKind != JsonValueKind.Null).Select(f => $"{f}: {e.GetProperty(f)}")) + "}";
    }
}
