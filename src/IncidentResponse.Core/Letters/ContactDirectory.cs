namespace IncidentResponse.Core.Letters;

/// <summary>An agency a letter tells people to contact, with what its details were checked against.</summary>
public sealed record AgencyContact(
    string Name, string Address, string Phone, string Website, IReadOnlyList<string> Sources, string Confidence, string? ConfidenceNote);

/// <summary>The reviewed contact details letters print: the FTC, the nationwide credit bureaus, attorneys general (Letters/Contacts).</summary>
public sealed class ContactDirectory
{
    private const string File = "contacts.yaml";

    private static readonly Lazy<ContactDirectory> Embedded = new(() => Parse(ReviewedData.Embedded("letters/contacts/").Single(f => f.File == File).Text));

    private ContactDirectory(AgencyContact ftc, IReadOnlyList<AgencyContact> creditBureaus, IReadOnlyDictionary<string, AgencyContact> attorneysGeneral)
    {
        Ftc = ftc;
        CreditBureaus = creditBureaus;
        AttorneysGeneral = attorneysGeneral;
    }

    public static ContactDirectory Current => Embedded.Value;

    public AgencyContact Ftc { get; }
    public IReadOnlyList<AgencyContact> CreditBureaus { get; }

    /// <summary>By rule code (US-MD): the office a letter names where the jurisdiction requires its attorney general's contact.</summary>
    public IReadOnlyDictionary<string, AgencyContact> AttorneysGeneral { get; }

    /// <summary>Parses and validates the directory; a missing field throws a <see cref="DataFileException"/> naming it.</summary>
    public static ContactDirectory Parse(string yaml)
    {
        var dto = ReviewedData.Read<ContactsDto>(File, yaml);
        return new ContactDirectory(
            Compile(dto.Ftc, "ftc"),
            (dto.CreditBureaus ?? []).Select((c, i) => Compile(c, $"creditBureaus[{i}]")).ToList(),
            (dto.AttorneysGeneral ?? []).ToDictionary(p => p.Key, p => Compile(p.Value, $"attorneysGeneral.{p.Key}"), StringComparer.OrdinalIgnoreCase));
    }

    private static AgencyContact Compile(ContactDto? c, string at)
    {
        string Required(string? value, string field) =>
            string.IsNullOrWhiteSpace(value) ? throw new DataFileException(File, $"{at}.{field}", "is required") : value;

        if (c is null)
        {
            throw new DataFileException(File, at, "is required");
        }

        var confidence = Required(c.Confidence, "confidence");
        if (confidence != "high" && string.IsNullOrWhiteSpace(c.ConfidenceNote))
        {
            throw new DataFileException(File, $"{at}.confidenceNote", $"confidence '{confidence}' needs a note saying what is uncertain");
        }

        if (c.Sources is not { Count: > 0 })
        {
            throw new DataFileException(File, $"{at}.sources", "name at least one source the entry was checked against");
        }

        return new AgencyContact(Required(c.Name, "name"), Required(c.Address, "address"), Required(c.Phone, "phone"),
            Required(c.Website, "website"), c.Sources, confidence, c.ConfidenceNote);
    }

#pragma warning disable CA1812 // Instantiated by the YAML deserializer.
    private sealed class ContactsDto
    {
        public ContactDto? Ftc { get; set; }
        public List<ContactDto>? CreditBureaus { get; set; }
        public Dictionary<string, ContactDto>? AttorneysGeneral { get; set; }
    }

    private sealed class ContactDto
    {
        public string? Name { get; set; }
        public string? Address { get; set; }
        public string? Phone { get; set; }
        public string? Website { get; set; }
        public List<string>? Sources { get; set; }
        public string? Confidence { get; set; }
        public string? ConfidenceNote { get; set; }
    }
#pragma warning restore CA1812
}
