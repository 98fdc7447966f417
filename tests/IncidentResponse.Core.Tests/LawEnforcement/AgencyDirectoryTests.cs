using IncidentResponse.Core.LawEnforcement;
using IncidentResponse.Core.Laws;

namespace IncidentResponse.Core.Tests.LawEnforcement;

/// <summary>The shipped agency directory loads and covers every state and the District.</summary>
public sealed class AgencyDirectoryTests
{
    private static readonly AgencyDirectory Directory = AgencyDirectory.Current;

    public static TheoryData<string> StatesAndDistrict => [.. ResidenceKeys.UnitedStates.Where(k => k is not ("US-PR" or "US-GU" or "US-VI"))];

    public static TheoryData<string> AllKeys => [.. ResidenceKeys.UnitedStates];

    [Fact]
    public void The_shipped_directory_loads_every_kind_of_agency()
    {
        var kinds = Directory.Agencies.Select(a => a.Kind).ToHashSet();

        Assert.Equal(
            [AgencyKind.FbiFieldOffice, AgencyKind.UsssFieldOffice, AgencyKind.Ic3, AgencyKind.Cisa, AgencyKind.StateAttorneyGeneral, AgencyKind.Other],
            kinds.Order());
        Assert.Equal(56, Directory.Agencies.Count(a => a.Kind == AgencyKind.FbiFieldOffice));
    }

    [Theory]
    [MemberData(nameof(StatesAndDistrict))]
    public void Every_state_and_the_district_has_an_fbi_field_office(string jurisdiction) =>
        Assert.Contains(Directory.For(jurisdiction), a => a.Kind == AgencyKind.FbiFieldOffice);

    [Theory]
    [MemberData(nameof(AllKeys))]
    public void Every_state_district_and_territory_with_a_breach_law_has_one_attorney_general(string jurisdiction) =>
        Assert.Single(Directory.For(jurisdiction), a => a.Kind == AgencyKind.StateAttorneyGeneral);

    [Fact]
    public void Every_fbi_field_office_covers_a_jurisdiction_and_links_to_its_fbi_page()
    {
        Assert.All(Directory.Agencies.Where(a => a.Kind == AgencyKind.FbiFieldOffice), office =>
        {
            Assert.NotEmpty(office.Jurisdictions);
            Assert.StartsWith("https://www.fbi.gov/contact-us/field-offices/", office.Contact.Url, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void California_gets_its_four_fbi_offices_a_secret_service_office_its_attorney_general_and_the_federal_entries()
    {
        var agencies = Directory.For("US-CA");

        Assert.Equal(
            ["fbi-losangeles", "fbi-sacramento", "fbi-sandiego", "fbi-sanfrancisco"],
            agencies.Where(a => a.Kind == AgencyKind.FbiFieldOffice).Select(a => a.Id).Order(StringComparer.Ordinal));
        Assert.Contains(agencies, a => a.Kind == AgencyKind.UsssFieldOffice);
        Assert.Equal("ag-ca", Assert.Single(agencies, a => a.Kind == AgencyKind.StateAttorneyGeneral).Id);
        Assert.Contains(agencies, a => a.Kind == AgencyKind.Ic3);
        Assert.Contains(agencies, a => a.Kind == AgencyKind.Cisa);
        Assert.DoesNotContain(agencies, a => a.Kind == AgencyKind.LocalPolice);
    }

    [Fact]
    public void New_jersey_lists_the_state_police_its_statute_sends_breach_reports_to() =>
        Assert.Contains(Directory.For("US-NJ"), a => a.Id == "njsp-njccic" && a.Contact.Email == "databreach@cyber.nj.gov");

    [Fact]
    public void South_carolina_lists_the_consumer_affairs_department_its_statute_names_beside_the_attorney_general()
    {
        var agencies = Directory.For("US-SC");

        Assert.Contains(agencies, a => a.Id == "scdca" && a.Contact.Email == "scdca@scconsumer.gov");
        Assert.Single(agencies, a => a.Kind == AgencyKind.StateAttorneyGeneral);
    }

    [Fact]
    public void A_split_state_says_in_each_office_which_part_it_covers() =>
        Assert.All(Directory.For("US-TX").Where(a => a.Kind == AgencyKind.FbiFieldOffice), office => Assert.NotNull(office.CoverageNote));

    [Fact]
    public void Every_entry_below_high_confidence_says_why()
    {
        Assert.All(Directory.Agencies, a =>
        {
            Assert.Contains(a.Confidence, new[] { "high", "medium", "low" });
            Assert.True(a.Confidence == "high" || a.ConfidenceNote is { Length: > 0 }, a.Id);
            Assert.NotEmpty(a.Sources);
        });
    }

    [Fact]
    public void The_local_police_entry_is_a_template_to_fill_in()
    {
        var police = Directory.LocalPolice;

        Assert.Equal(AgencyKind.LocalPolice, police.Kind);
        Assert.Empty(police.Jurisdictions);
        Assert.True(police.Contact.IsEmpty);
        Assert.Same(police, Directory.ById("local-police"));
        Assert.DoesNotContain(police, Directory.Agencies);
    }

    [Fact]
    public void ById_finds_an_agency_and_returns_null_for_an_unknown_id()
    {
        Assert.Equal(AgencyKind.Ic3, Directory.ById("ic3")?.Kind);
        Assert.Null(Directory.ById("fbi-atlantis"));
    }

    [Fact]
    public void An_unknown_jurisdiction_gets_no_agencies() => Assert.Empty(Directory.For("XX-YY"));
}
