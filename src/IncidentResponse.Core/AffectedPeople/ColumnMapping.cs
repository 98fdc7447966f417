using IncidentResponse.Core.Laws;

namespace IncidentResponse.Core.AffectedPeople;

/// <summary>
/// Which header of an import file holds which part of a person (the wire JSON of an import). The data elements
/// come from one column listing element names, or from one yes/no column per element, or both; element names are
/// the law engine's (the facts' dataElements words: ssn, paymentCard, ...).
/// </summary>
public sealed record ColumnMapping
{
    public string? FullName { get; init; }
    public string? GivenName { get; init; }
    public string? FamilyName { get; init; }
    public IReadOnlyList<string>? AddressLines { get; init; }
    public string? City { get; init; }
    public string? State { get; init; }
    public string? PostalCode { get; init; }
    public string? Country { get; init; }
    public string? Email { get; init; }
    public string? DataElements { get; init; }
    /// <summary>What separates the names in the data elements column; ";" unless given.</summary>
    public string? DataElementSeparator { get; init; }
    /// <summary>Element name to the header of its yes/no column.</summary>
    public IReadOnlyDictionary<string, string>? DataElementColumns { get; init; }
    /// <summary>The country of a row whose country is blank or unmapped; "US" unless given.</summary>
    public string? DefaultCountry { get; init; }
}

/// <summary>A mapping that cannot be used on a file, with the mapping field at fault.</summary>
public sealed record MappingError(string Field, string Message);

/// <summary>A mapping matched to a file's header: column positions and the header names errors are reported under.</summary>
public sealed class ResolvedMapping
{
    private ResolvedMapping(IReadOnlyList<string> header) => Header = header;

    public IReadOnlyList<string> Header { get; }
    public int FullName { get; private init; } = -1;
    public int GivenName { get; private init; } = -1;
    public int FamilyName { get; private init; } = -1;
    public IReadOnlyList<int> AddressLines { get; private init; } = [];
    public int City { get; private init; } = -1;
    public int State { get; private init; } = -1;
    public int PostalCode { get; private init; } = -1;
    public int Country { get; private init; } = -1;
    public int Email { get; private init; } = -1;
    public int DataElements { get; private init; } = -1;
    public string Separator { get; private init; } = ";";
    public IReadOnlyList<(DataElement Element, int Column)> ElementColumns { get; private init; } = [];
    public required string DefaultCountry { get; init; }

    /// <summary>Matches the mapping to the header (names compared trimmed, ignoring case); every problem is listed.</summary>
    public static (ResolvedMapping? Mapping, IReadOnlyList<MappingError> Errors) Resolve(ColumnMapping mapping, IReadOnlyList<string> header)
    {
        var errors = new List<MappingError>();
        var names = header.Select(h => h.Trim()).ToList();

        int Column(string field, string? name)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                return -1;
            }

            var index = names.FindIndex(h => string.Equals(h, name.Trim(), StringComparison.OrdinalIgnoreCase));
            if (index < 0)
            {
                errors.Add(new MappingError(field, $"column '{name}' is not in the file's header ({string.Join(", ", names)})"));
            }

            return index;
        }

        var elementColumns = new List<(DataElement, int)>();
        foreach (var (word, column) in mapping.DataElementColumns ?? new Dictionary<string, string>())
        {
            if (PersonRows.ElementNamed(word) is { } element)
            {
                elementColumns.Add((element, Column($"dataElementColumns.{word}", column)));
            }
            else
            {
                errors.Add(new MappingError($"dataElementColumns.{word}", $"'{word}' is not a data element name ({PersonRows.ElementNames})"));
            }
        }

        var defaultCountry = PersonRows.CountryCode(mapping.DefaultCountry ?? "US");
        if (defaultCountry is null)
        {
            errors.Add(new MappingError("defaultCountry", $"'{mapping.DefaultCountry}' is not an ISO 3166-1 alpha-2 country code"));
        }

        var resolved = new ResolvedMapping(names)
        {
            FullName = Column("fullName", mapping.FullName),
            GivenName = Column("givenName", mapping.GivenName),
            FamilyName = Column("familyName", mapping.FamilyName),
            AddressLines = (mapping.AddressLines ?? []).Select((a, i) => Column($"addressLines[{i}]", a)).ToList(),
            City = Column("city", mapping.City),
            State = Column("state", mapping.State),
            PostalCode = Column("postalCode", mapping.PostalCode),
            Country = Column("country", mapping.Country),
            Email = Column("email", mapping.Email),
            DataElements = Column("dataElements", mapping.DataElements),
            Separator = string.IsNullOrEmpty(mapping.DataElementSeparator) ? ";" : mapping.DataElementSeparator,
            ElementColumns = elementColumns,
            DefaultCountry = defaultCountry ?? "US",
        };

        if (mapping.FullName is null && mapping.GivenName is null && mapping.FamilyName is null)
        {
            errors.Add(new MappingError("fullName", "map a name: fullName, or givenName and familyName"));
        }

        if (mapping.State is null && mapping.PostalCode is null && mapping.Country is null)
        {
            errors.Add(new MappingError("state", "map where people live: state, postalCode or country"));
        }

        if ((mapping.AddressLines ?? []).Count == 0 && mapping.Email is null)
        {
            errors.Add(new MappingError("addressLines", "map how people are reached: addressLines or email"));
        }

        return errors.Count == 0 ? (resolved, errors) : (null, errors);
    }

    /// <summary>The header name of a column, for the error report.</summary>
    public string NameOf(int column) => column >= 0 && column < Header.Count ? Header[column] : "(row)";
}
