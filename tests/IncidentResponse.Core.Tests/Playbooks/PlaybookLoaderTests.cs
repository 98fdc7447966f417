using IncidentResponse.Core.Playbooks;

namespace IncidentResponse.Core.Tests.Playbooks;

public sealed class PlaybookLoaderTests
{
    private static readonly PlaybookLoader Loader = new(PlaybookFixture.Schema);

    private static List<string> Problems(string yaml, string file = "small.yaml") =>
        Loader.Load(file, yaml).Problems.Select(p => p.ToString()).ToList();

    [Fact]
    public void The_library_is_valid()
    {
        var files = Directory.GetFiles(PlaybookFixture.Folder, "*.yaml");
        Assert.True(files.Length >= 8);
        foreach (var file in files)
        {
            var (playbook, problems) = Loader.Load(Path.GetFileName(file), File.ReadAllText(file));
            Assert.True(problems.Count == 0, string.Join("\n", problems));
            Assert.NotNull(playbook);
            Assert.Equal(64, playbook!.ContentHash.Length);
        }
    }

    [Fact]
    public void The_fixture_is_valid()
    {
        var (playbook, problems) = Loader.Load("small.yaml", PlaybookFixture.Valid);
        Assert.Empty(problems);
        Assert.Equal(6, playbook!.Steps.Count);
        Assert.Equal(16, playbook.Step("le-decision").Line);
    }

    public static TheoryData<string, string, string> Broken() => new()
    {
        // what to replace, with what, the exact problem line
        { "after: [triage]\n    options:", "after: [triage, nowhere]\n    options:", "small.yaml:22: step le-decision: after[1]: 'nowhere' is not a step of this playbook" },
        { "after: [approve-letters, wait-contained]", "after: [approve-letters, review]", "small.yaml:58: step review: after[1]: a step cannot depend on itself" },
        { "after: [le-contact]", "after: [le-contact, review]", "small.yaml:35: step approve-letters: after: dependency cycle approve-letters -> review -> approve-letters" },
        { "== 'contact'", "== 'contakt'", "small.yaml:33: step le-contact: when: 'contakt' is not an option of decisions['le-decision'] (contact, defer)" },
        { "when: \"decisions['le-decision'] == 'contact'\"", "when: \"decisions['le-decision'] == 'contact' &&\"", "small.yaml:33: step le-contact: when: " },
        { "id: le-contact", "id: triage", "small.yaml:26: step triage: id: 'triage' is used by another step" },
        { "references: [nist-800-61r3]", "references: [sans]", "small.yaml:59: step review: references[0]: 'sans' is not among the playbook's references" },
        { "id: small", "id: other", "small.yaml:1: id: 'other' does not match the file name" },
        { "kind: lawEnforcement", "kind: phoneCall", "small.yaml:31: step le-contact: steps[2].kind: " },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void A_broken_file_is_refused_with_file_line_step_and_reason(string from, string to, string expected)
    {
        Assert.Contains(from, PlaybookFixture.Valid);
        var problems = Problems(PlaybookFixture.Valid.Replace(from, to, StringComparison.Ordinal));
        Assert.True(problems.Any(p => p.StartsWith(expected, StringComparison.Ordinal)),
            $"expected a problem starting with:\n  {expected}\ngot:\n  {string.Join("\n  ", problems)}");
    }

    [Fact]
    public void An_unknown_field_is_a_schema_error_on_its_step()
    {
        var problems = Problems(PlaybookFixture.Valid.Replace("    team: risk", "    team: risk\n    colour: blue", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("small.yaml:5", StringComparison.Ordinal) && p.Contains("step review: steps[5]", StringComparison.Ordinal));
    }

    [Fact]
    public void A_condition_reading_a_decision_that_is_not_an_ancestor_is_refused()
    {
        var yaml = PlaybookFixture.Valid.Replace("    after: [triage]\n    wait:", "    after: [triage]\n    when: \"decisions['le-decision'] == 'defer'\"\n    wait:", StringComparison.Ordinal);
        Assert.Contains(Problems(yaml), p => p.Contains("step wait-contained: when: reads decisions['le-decision'] but 'le-decision' is not among the steps this one comes after", StringComparison.Ordinal));
    }

    [Fact]
    public void Obligations_need_an_assessment_before_them()
    {
        var yaml = PlaybookFixture.Valid.Replace("when: \"decisions['le-decision'] == 'contact'\"", "when: \"obligations.regulator\"", StringComparison.Ordinal);
        Assert.Contains(Problems(yaml), p => p.Contains("reads obligations.regulator but no assessment step comes before this one", StringComparison.Ordinal));
    }

    [Fact]
    public void Invalid_yaml_names_the_line()
    {
        var problems = Problems("id: small\ntitle: [unclosed\n");
        Assert.Single(problems);
        Assert.StartsWith("small.yaml:", problems[0]);
        Assert.Contains("not valid YAML", problems[0]);
    }

    [Fact]
    public void The_graph_is_a_mermaid_flowchart_with_conditions_on_the_arrows()
    {
        var playbook = Loader.Load("small.yaml", PlaybookFixture.Valid).Playbook!;
        var graph = PlaybookGraph.Mermaid(playbook);
        Assert.StartsWith("flowchart TD", graph);
        Assert.Contains("le_decision{\"Decide on law enforcement", graph);
        Assert.Contains("le_decision -->|\"decisions['le-decision'] == 'contact'\"| le_contact", graph);
        Assert.Contains("approve_letters --> review", graph);
    }
}
