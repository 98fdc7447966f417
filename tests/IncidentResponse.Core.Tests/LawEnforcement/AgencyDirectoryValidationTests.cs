using IncidentResponse.Core.LawEnforcement;

namespace IncidentResponse.Core.Tests.LawEnforcement;

/// <summary>A malformed agency file stops loading with a message naming the file and the field.</summary>
public sealed class AgencyDirectoryValidationTests
{
    private const string Template = """
        agencies:
          - id: local-police
            name: Local police department
            kind: localPolice
            template: true
            handles: Police reports
            sources: ["Example"]
            confidence: high
        """;

    private const string Office = """
        agencies:
          - id: fbi-example
            name: FBI Example Field Office
            kind: fbiFieldOffice
            jurisdictions: [US-CA]
            contact: { url: "https://example.test" }
            handles: Intrusions
            sources: ["Example list"]
            confidence: medium
            confidenceNote: Not opened.
        """;

    private static AgencyDirectory Load(params (string File, string Text)[] files) =>
        AgencyDirectory.Parse([("local-police.yaml", Template), .. files]);

    private static DataFileException Refused(string yaml) =>
        Assert.Throws<DataFileException>(() => Load(("offices.yaml", yaml)));

    [Fact]
    public void A_valid_file_loads()
    {
        var directory = Load(("offices.yaml", Office));

        var office = Assert.Single(directory.For("US-CA"));
        Assert.Equal("fbi-example", office.Id);
        Assert.Equal("https://example.test", office.Contact.Url);
    }

    [Fact]
    public void The_federal_wildcard_covers_every_us_jurisdiction()
    {
        var directory = Load(("offices.yaml", Office.Replace("[US-CA]", "[US-*]", StringComparison.Ordinal)));

        Assert.Single(directory.For("US-GU"));
        Assert.Single(directory.For("US-WY"));
    }

    [Theory]
    [InlineData("[US-CA]", "[US-ZZ]", "agencies[0] (fbi-example).jurisdictions", "'US-ZZ' is not a US jurisdiction code")]
    [InlineData("[US-CA]", "[DE]", "agencies[0] (fbi-example).jurisdictions", "'DE' is not a US jurisdiction code")]
    [InlineData("    jurisdictions: [US-CA]\n", "", "agencies[0] (fbi-example).jurisdictions", "name at least one jurisdiction")]
    [InlineData("name: FBI Example Field Office", "name: \"\"", "agencies[0] (fbi-example).name", "is required")]
    [InlineData("id: fbi-example", "id: \" \"", "agencies[0].id", "is required")]
    [InlineData("contact: { url: \"https://example.test\" }", "contact: { twentyFourSeven: true }", "agencies[0] (fbi-example).contact", "at least one channel")]
    [InlineData("kind: fbiFieldOffice", "kind: FbiFieldOffice", "agencies[0] (fbi-example).kind", "'FbiFieldOffice' is not one of")]
    [InlineData("kind: fbiFieldOffice", "kind: fbiFieldOffice\n    template: true", "agencies[0] (fbi-example).template", "only a localPolice entry")]
    [InlineData("sources: [\"Example list\"]", "sources: []", "agencies[0] (fbi-example).sources", "at least one source")]
    [InlineData("confidence: medium", "confidence: sure", "agencies[0] (fbi-example).confidence", "'sure' is not one of")]
    [InlineData("confidenceNote: Not opened.", "confidenceNote: \"\"", "agencies[0] (fbi-example).confidenceNote", "needs a note")]
    [InlineData("handles: Intrusions", "handles: \"\"", "agencies[0] (fbi-example).handles", "is required")]
    public void A_bad_field_is_named_with_its_file(string find, string replace, string field, string problem)
    {
        var e = Refused(Office.Replace(find, replace, StringComparison.Ordinal));

        Assert.Equal("offices.yaml", e.File);
        Assert.Equal(field, e.Field);
        Assert.Contains(problem, e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_duplicate_id_names_the_second_file_and_the_first()
    {
        var e = Assert.Throws<DataFileException>(() => Load(("a.yaml", Office), ("b.yaml", Office)));

        Assert.Equal("b.yaml", e.File);
        Assert.Equal("agencies[0].id", e.Field);
        Assert.Contains("already used in a.yaml", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_offices_of_one_kind_sharing_a_state_must_each_say_which_part_they_cover()
    {
        var second = Office.Replace("fbi-example", "fbi-other", StringComparison.Ordinal)
            .Replace("jurisdictions: [US-CA]", "jurisdictions: [US-CA]\n    coverageNote: Southern part", StringComparison.Ordinal);

        var e = Assert.Throws<DataFileException>(() => Load(("a.yaml", Office), ("b.yaml", second)));

        Assert.Equal("a.yaml", e.File);
        Assert.Equal("fbi-example.coverageNote", e.Field);
    }

    [Fact]
    public void A_yaml_syntax_error_names_the_line()
    {
        var e = Refused("agencies:\n  - id: [unclosed\n");

        Assert.Equal("offices.yaml", e.File);
        Assert.StartsWith("line ", e.Field, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_agency_list_is_refused() =>
        Assert.Equal("agencies", Refused("agencies: []\n").Field);

    [Fact]
    public void A_directory_without_the_local_police_template_is_refused()
    {
        var e = Assert.Throws<DataFileException>(() => AgencyDirectory.Parse([("offices.yaml", Office)]));

        Assert.Equal("template", e.Field);
    }

    [Fact]
    public void A_second_template_is_refused()
    {
        var e = Assert.Throws<DataFileException>(() => Load(("more.yaml", Template.Replace("id: local-police", "id: local-police-2", StringComparison.Ordinal))));

        Assert.Equal("more.yaml", e.File);
        Assert.Equal("agencies[0].template", e.Field);
    }
}
