using System.Runtime.CompilerServices;
using System.Text;
using IncidentResponse.Core.Laws;

namespace IncidentResponse.Core.AffectedPeople;

/// <summary>One person of an import, normalised: the personal part is sealed before storage, the rest is counted.</summary>
public sealed record AffectedPerson(
    string Name, IReadOnlyList<string> AddressLines, string? City, string? State, string? PostalCode, string Country, string? Email,
    string Residence, int DataElements)
{
    /// <summary>The data elements as the law engine's vocabulary.</summary>
    public static IEnumerable<DataElement> ElementsOf(int mask) =>
        Enum.GetValues<DataElement>().Where(e => (mask & (1 << (int)e)) != 0);

    /// <summary>
    /// What makes two rows the same person: the normalised name with the postal address, or with the email when
    /// there is no street address. Case, spacing and punctuation do not tell people apart.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public string IdentityText()
    {
        var text = new StringBuilder();
        Append(text, Name);
        if (AddressLines.Count > 0)
        {
            foreach (var line in AddressLines)
            {
                Append(text, line);
            }

            Append(text, City);
            Append(text, Residence);
            Append(text, PostalCode is { Length: >= 5 } zip ? zip[..5] : PostalCode);
        }
        else
        {
            Append(text, Email);
        }

        return text.ToString();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Append(StringBuilder text, string? value)
    {
        foreach (var c in value ?? "")
        {
            if (char.IsLetterOrDigit(c) || c == '@')
            {
                text.Append(char.ToUpperInvariant(c));
            }
        }

        text.Append('\u001F');
    }
}

/// <summary>A row that was not imported: its row number (the header is row 1), the header of the column at fault, why.</summary>
public sealed record RowError(long Row, string Column, string Reason);

/// <summary>
/// Turns a CSV record into a normalised person, or into the precise reasons it cannot be one. Runs once per row of
/// files of a million rows, so its methods are compiled optimised from the first row rather than waiting their turn
/// for the runtime's background re-compilation.
/// </summary>
public static class PersonRows
{
    public const int NameLength = 300;
    public const int FieldLength = 200;

    private static readonly DataElement[] Elements = Enum.GetValues<DataElement>();
    private static readonly Dictionary<string, DataElement> ByName =
        Elements.ToDictionary(e => e.ToString(), e => e, StringComparer.OrdinalIgnoreCase);

    public static readonly string ElementNames = string.Join(", ", Elements.Select(e => e.ToString().ToCamelCase()));

    private static readonly string[] UnitedStatesNames = ["US", "USA", "U.S.", "U.S.A.", "UNITED STATES", "UNITED STATES OF AMERICA"];
    private static readonly string[] MilitaryStates = ["AA", "AE", "AP"];

    public static DataElement? ElementNamed(string word) => ByName.TryGetValue(word.Trim(), out var e) ? e : null;

    /// <summary>An ISO 3166-1 alpha-2 code ("United States" and its abbreviations read as US), or null.</summary>
    public static string? CountryCode(string value)
    {
        var upper = value.Trim().ToUpperInvariant();
        if (UnitedStatesNames.Contains(upper))
        {
            return "US";
        }

        return upper.Length == 2 && char.IsAsciiLetterUpper(upper[0]) && char.IsAsciiLetterUpper(upper[1]) ? upper : null;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (AffectedPerson? Person, IReadOnlyList<RowError> Errors) Read(ResolvedMapping map, CsvRecord record)
    {
        var errors = new List<RowError>();
        void Fail(int column, string reason) => errors.Add(new RowError(record.Row, map.NameOf(column), reason));

        if (record.Malformed is { } malformed)
        {
            Fail(-1, $"not valid CSV: {malformed}");
            return (null, errors);
        }

        if (record.Fields.Count != map.Header.Count)
        {
            Fail(-1, $"has {record.Fields.Count} fields where the header has {map.Header.Count}");
            return (null, errors);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        string? Text(int column, int limit)
        {
            if (column < 0)
            {
                return null;
            }

            var value = Collapse(record.Fields[column]);
            if (value.Length == 0)
            {
                return null;
            }

            if (value.Length > limit)
            {
                Fail(column, $"is longer than {limit} characters");
                return null;
            }

            if (value.AsSpan().ContainsAnyInRange('\0', '\u001F') || value.AsSpan().ContainsAnyInRange('\u007F', '\u009F'))
            {
                Fail(column, "contains a control character");
                return null;
            }

            return value;
        }

        var name = Text(map.FullName, NameLength);
        if (name is null)
        {
            var given = Text(map.GivenName, FieldLength);
            var family = Text(map.FamilyName, FieldLength);
            name = given is null ? family : family is null ? given : $"{given} {family}";
        }

        if (name is null && errors.Count == 0)
        {
            Fail(map.FullName >= 0 ? map.FullName : map.GivenName >= 0 ? map.GivenName : map.FamilyName, "names nobody: the name is blank");
        }

        var lines = new List<string>(map.AddressLines.Count);
        foreach (var column in map.AddressLines)
        {
            if (Text(column, FieldLength) is { } line)
            {
                lines.Add(line);
            }
        }

        var city = Text(map.City, FieldLength);
        var email = Text(map.Email, 320)?.ToLowerInvariant();
        if (email is not null && !EmailAddresses.IsPlausible(email))
        {
            Fail(map.Email, "is not an email address (one @, a domain with a dot, no spaces)");
        }

        if (lines.Count == 0 && email is null)
        {
            Fail(map.AddressLines.Count > 0 ? map.AddressLines[0] : map.Email, "gives no postal address or email to send the notice to");
        }

        var countryText = Text(map.Country, FieldLength);
        var country = countryText is null ? map.DefaultCountry : CountryCode(countryText);
        if (country is null)
        {
            Fail(map.Country, $"'{countryText}' is not an ISO 3166-1 alpha-2 country code (or United States)");
        }

        var state = Text(map.State, FieldLength)?.ToUpperInvariant();
        var postal = Text(map.PostalCode, 20);
        string? residence = null;
        if (country == "US")
        {
            (residence, postal) = UnitedStatesResidence(map, state, postal, Fail);
        }
        else if (country is not null)
        {
            residence = country;
        }

        var elements = DataElementsOf(map, record, Fail);
        if (errors.Count > 0)
        {
            return (null, errors);
        }

        return (new AffectedPerson(name!, lines, city, state, postal, country!, email, residence!, elements), errors);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (string? Residence, string? Postal) UnitedStatesResidence(ResolvedMapping map, string? state, string? postal, Action<int, string> fail)
    {
        if (postal is not null)
        {
            var digits = postal.Replace("-", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal);
            var allDigits = !digits.AsSpan().ContainsAnyExceptInRange('0', '9');
            if (allDigits && digits.Length is 5 or 9)
            {
                postal = digits.Length == 9 ? $"{digits[..5]}-{digits[5..]}" : digits;
            }
            else
            {
                fail(map.PostalCode, allDigits && digits.Length == 4
                    ? "is not a US ZIP Code: four digits (a spreadsheet may have dropped its leading zero)"
                    : "is not a US ZIP Code (five digits, or ZIP+4)");
                return (null, null);
            }
        }

        if (state is not null)
        {
            if (MilitaryStates.Contains(state))
            {
                fail(map.State, $"'{state}' is a military post office: it tells no state of residence");
                return (null, postal);
            }

            var key = "US-" + state;
            if (state.Length == 2 && ResidenceKeys.IsValid(key))
            {
                return (key, postal);
            }

            fail(map.State, $"'{state}' is not a US state or territory code (two letters, as CA or PR)");
            return (null, postal);
        }

        if (postal is not null)
        {
            if (ZipPrefixes.Residence(postal) is { } byZip)
            {
                return (byZip, postal);
            }

            fail(map.PostalCode, $"ZIP Code prefix {postal[..3]} tells no state of residence (military or unassigned); give a state");
            return (null, postal);
        }

        fail(map.State >= 0 ? map.State : map.PostalCode >= 0 ? map.PostalCode : map.Country,
            "tells no state of residence: the row has neither a state nor a ZIP Code");
        return (null, null);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int DataElementsOf(ResolvedMapping map, CsvRecord record, Action<int, string> fail)
    {
        var mask = 0;
        if (map.DataElements >= 0)
        {
            foreach (var word in record.Fields[map.DataElements].Split(map.Separator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (ElementNamed(word) is { } element)
                {
                    mask |= 1 << (int)element;
                }
                else
                {
                    fail(map.DataElements, $"'{word}' is not a data element name ({ElementNames})");
                }
            }
        }

        foreach (var (element, column) in map.ElementColumns)
        {
            switch (record.Fields[column].Trim().ToUpperInvariant())
            {
                case "Y" or "YES" or "TRUE" or "1" or "X":
                    mask |= 1 << (int)element;
                    break;
                case "" or "N" or "NO" or "FALSE" or "0":
                    break;
                default:
                    fail(column, "is not yes or no (yes, no, true, false, 1, 0, x or blank)");
                    break;
            }
        }

        return mask;
    }

    /// <summary>Trims and turns every run of white space (line breaks of a quoted field too) into one space.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static string Collapse(string value)
    {
        var trimmed = value.AsSpan().Trim();
        var clean = true;
        for (var i = 0; i < trimmed.Length && clean; i++)
        {
            clean = !char.IsWhiteSpace(trimmed[i]) || (trimmed[i] == ' ' && trimmed[i + 1] != ' ');
        }

        if (clean)
        {
            return trimmed.Length == value.Length ? value : trimmed.ToString();
        }

        var text = new StringBuilder(trimmed.Length);
        foreach (var c in trimmed)
        {
            if (!char.IsWhiteSpace(c))
            {
                text.Append(c);
            }
            else if (text[^1] != ' ')
            {
                text.Append(' ');
            }
        }

        return text.ToString();
    }
}
