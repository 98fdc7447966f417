using IncidentResponse.Core.AffectedPeople;
using IncidentResponse.Core.Laws;

namespace IncidentResponse.Core.Tests.AffectedPeople;

public sealed class PersonRowsTests
{
    private static readonly string[] Header = ["First", "Last", "Street", "Unit", "City", "ST", "ZIP", "Country", "E-mail", "Exposed", "SSN?"];

    private static readonly ColumnMapping Mapping = new()
    {
        GivenName = "first", FamilyName = "last", AddressLines = ["Street", "Unit"], City = "City", State = "ST", PostalCode = "ZIP",
        Country = "Country", Email = "E-mail", DataElements = "Exposed", DataElementColumns = new Dictionary<string, string> { ["ssn"] = "SSN?" },
    };

    private static (AffectedPerson? Person, IReadOnlyList<RowError> Errors) Read(params string[] fields)
    {
        var (map, errors) = ResolvedMapping.Resolve(Mapping, Header);
        Assert.Empty(errors);
        return PersonRows.Read(map!, new CsvRecord(7, fields, null));
    }

    [Fact]
    public void A_good_row_is_normalised()
    {
        var (person, errors) = Read(" Jane ", "Doe", "1  Main\nStreet", "", "Springfield", "il", "62701-1234", "", "Jane@Example.COM", "paymentCard; dateOfBirth", "yes");
        Assert.Empty(errors);
        Assert.Equal("Jane Doe", person!.Name);
        Assert.Equal(["1 Main Street"], person.AddressLines);
        Assert.Equal("US-IL", person.Residence);
        Assert.Equal("62701-1234", person.PostalCode);
        Assert.Equal("jane@example.com", person.Email);
        Assert.Equal([DataElement.Ssn, DataElement.PaymentCard, DataElement.DateOfBirth], AffectedPerson.ElementsOf(person.DataElements));
    }

    [Theory]
    [InlineData("02134", "US-MA")]
    [InlineData("10001", "US-NY")]
    [InlineData("733015555", "US-TX")]
    [InlineData("00601", "US-PR")]
    [InlineData("96910", "US-GU")]
    [InlineData("99501", "US-AK")]
    [InlineData("20500", "US-DC")]
    [InlineData("94105", "US-CA")]
    public void Without_a_state_the_ZIP_prefix_tells_the_state(string zip, string residence)
    {
        var (person, errors) = Read("A", "B", "1 Road", "", "", "", zip, "US", "", "", "");
        Assert.Empty(errors);
        Assert.Equal(residence, person!.Residence);
    }

    [Fact]
    public void A_stated_state_wins_over_the_ZIP_prefix() =>
        Assert.Equal("US-NJ", Read("A", "B", "1 Road", "", "", "NJ", "10001", "", "", "", "").Person!.Residence);

    [Fact]
    public void A_foreign_address_is_counted_under_its_country() =>
        Assert.Equal("CA", Read("A", "B", "1 Rue", "", "Montréal", "QC", "H2X 1Y4", "ca", "", "", "").Person!.Residence);

    [Theory]
    [InlineData("ZIP", "1234", "", "is not a US ZIP Code: four digits (a spreadsheet may have dropped its leading zero)")]
    [InlineData("ZIP", "ABCDE", "", "is not a US ZIP Code (five digits, or ZIP+4)")]
    [InlineData("ZIP", "09012", "", "ZIP Code prefix 090 tells no state of residence (military or unassigned); give a state")]
    [InlineData("ST", "", "ZZ", "'ZZ' is not a US state or territory code (two letters, as CA or PR)")]
    [InlineData("ST", "", "AE", "'AE' is a military post office: it tells no state of residence")]
    [InlineData("ST", "", "", "tells no state of residence: the row has neither a state nor a ZIP Code")]
    public void A_row_with_no_state_of_residence_is_reported_with_its_column(string column, string zip, string state, string reason)
    {
        var (person, errors) = Read("A", "B", "1 Road", "", "", state, zip, "", "", "", "");
        Assert.Null(person);
        Assert.Equal([new RowError(7, column, reason)], errors);
    }

    [Fact]
    public void Every_problem_of_a_row_is_listed_by_column()
    {
        var (person, errors) = Read("", "", "", "", "", "CA", "", "Narnia", "not-an-email", "ssn;telepathy", "maybe");
        Assert.Null(person);
        Assert.Equal(
        [
            new RowError(7, "First", "names nobody: the name is blank"),
            new RowError(7, "E-mail", "is not an email address (one @, a domain with a dot, no spaces)"),
            new RowError(7, "Country", "'Narnia' is not an ISO 3166-1 alpha-2 country code (or United States)"),
            new RowError(7, "Exposed", $"'telepathy' is not a data element name ({PersonRows.ElementNames})"),
            new RowError(7, "SSN?", "is not yes or no (yes, no, true, false, 1, 0, x or blank)"),
        ], errors);
    }

    [Fact]
    public void A_row_with_neither_address_nor_email_cannot_be_notified()
    {
        var (_, errors) = Read("A", "B", "", "", "", "CA", "", "", "", "", "");
        Assert.Equal([new RowError(7, "Street", "gives no postal address or email to send the notice to")], errors);
    }

    [Fact]
    public void A_row_with_the_wrong_number_of_fields_is_reported_as_a_whole()
    {
        var (_, errors) = Read("A", "B");
        Assert.Equal([new RowError(7, "(row)", "has 2 fields where the header has 11")], errors);
    }

    [Fact]
    public void The_mapping_names_every_column_missing_from_the_header_and_unknown_elements()
    {
        var mapping = Mapping with { Email = "Mail", DataElementColumns = new Dictionary<string, string> { ["ssn"] = "SSN?", ["telepathy"] = "T" } };
        var (map, errors) = ResolvedMapping.Resolve(mapping, Header);
        Assert.Null(map);
        Assert.Equal(["dataElementColumns.telepathy", "email"], errors.Select(e => e.Field).Order());
        Assert.StartsWith("column 'Mail' is not in the file's header (First, Last,", errors.Single(e => e.Field == "email").Message);
    }

    [Fact]
    public void A_mapping_must_say_who_where_and_how_to_reach()
    {
        var (_, errors) = ResolvedMapping.Resolve(new ColumnMapping(), Header);
        Assert.Equal(["addressLines", "fullName", "state"], errors.Select(e => e.Field).Order());
    }

    [Fact]
    public void The_same_person_written_differently_has_the_same_identity()
    {
        var a = Read("Jane", "Doe", "1 Main St.", "", "Springfield", "IL", "62701", "", "", "", "").Person!;
        var b = Read("JANE", "doe", "1 main st", "", "springfield", "il", "62701-0001", "USA", "jane@x.example", "ssn", "").Person!;
        var c = Read("Jane", "Doe", "2 Main St", "", "Springfield", "IL", "62701", "", "", "", "").Person!;
        Assert.Equal(a.IdentityText(), b.IdentityText());
        Assert.NotEqual(a.IdentityText(), c.IdentityText());
    }
}
