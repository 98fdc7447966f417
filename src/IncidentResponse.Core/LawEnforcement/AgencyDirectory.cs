using IncidentResponse.Core.Laws;

namespace IncidentResponse.Core.LawEnforcement;

/// <summary>
/// The reviewed directory of agencies a breach may be reported to (LawEnforcement/Agencies): FBI and Secret Service field
/// offices, IC3, CyWatch, CISA, attorneys general, state police a statute names, and the local-police template the user fills in.
/// </summary>
public sealed class AgencyDirectory
{
    private static readonly string[] Confidences = ["high", "medium", "low"];
    private static readonly Lazy<AgencyDirectory> Embedded = new(() => Parse(ReviewedData.Embedded("agencies/")));
    private readonly Dictionary<string, Agency> byId;

    private AgencyDirectory(IReadOnlyList<Agency> agencies, Agency localPolice)
    {
        Agencies = agencies;
        LocalPolice = localPolice;
        byId = agencies.ToDictionary(a => a.Id, StringComparer.Ordinal);
    }

    /// <summary>The directory shipped inside this library (src/IncidentResponse.Core/LawEnforcement/Agencies).</summary>
    public static AgencyDirectory Current => Embedded.Value;

    /// <summary>Every reviewed agency, in file order; the local-police template is not among them.</summary>
    public IReadOnlyList<Agency> Agencies { get; }

    /// <summary>The entry a user copies and fills in for the police department of the place of the breach (no jurisdiction, no channels).</summary>
    public Agency LocalPolice { get; }

    public Agency? ById(string id) => byId.GetValueOrDefault(id) ?? (id == LocalPolice.Id ? LocalPolice : null);

    /// <summary>The agencies covering one jurisdiction (US-CA): its FBI and Secret Service offices and attorney general, and the federal entries.</summary>
    public IReadOnlyList<Agency> For(string jurisdiction) =>
        Agencies.Where(a => a.Jurisdictions.Contains(jurisdiction, StringComparer.OrdinalIgnoreCase)).ToList();

    /// <summary>
    /// Parses and validates agency files given as (file name, YAML text); throws on the first bad field. Exactly one entry,
    /// of kind localPolice and marked template, may go without jurisdictions and channels.
    /// </summary>
    public static AgencyDirectory Parse(IEnumerable<(string File, string Text)> files)
    {
        var agencies = new List<Agency>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        Agency? localPolice = null;
        foreach (var (file, text) in files.OrderBy(f => f.File, StringComparer.Ordinal))
        {
            var dto = ReviewedData.Read<AgencyFileDto>(file, text);
            if (dto.Agencies is not { Count: > 0 })
            {
                throw new DataFileException(file, "agencies", "list at least one agency");
            }

            for (var i = 0; i < dto.Agencies.Count; i++)
            {
                var (agency, template) = Compile(file, $"agencies[{i}]", dto.Agencies[i]);
                if (!seen.TryAdd(agency.Id, file))
                {
                    throw new DataFileException(file, $"agencies[{i}].id", $"'{agency.Id}' is already used in {seen[agency.Id]}");
                }

                if (template)
                {
                    localPolice = localPolice is null ? agency : throw new DataFileException(file, $"agencies[{i}].template", "only one local-police template may exist");
                }
                else
                {
                    agencies.Add(agency);
                }
            }
        }

        CheckSplitsAreExplained(agencies, seen);
        return new AgencyDirectory(agencies, localPolice ?? throw new DataFileException("(directory)", "template", "no file declares the localPolice template"));
    }

    private static (Agency Agency, bool Template) Compile(string file, string at, AgencyDto? dto)
    {
        DataFileException Bad(string field, string problem) => new(file, $"{at}.{field}", problem);
        string Required(string? value, string field) => string.IsNullOrWhiteSpace(value) ? throw Bad(field, "is required") : value;

        if (dto is null)
        {
            throw new DataFileException(file, at, "is empty");
        }

        var id = Required(dto.Id, "id");
        at = $"{at} ({id})";
        var name = Required(dto.Name, "name");
        var kindText = Required(dto.Kind, "kind");
        var kind = Enum.GetValues<AgencyKind>().Cast<AgencyKind?>().FirstOrDefault(k => k.ToString()!.ToCamelCase() == kindText)
            ?? throw Bad("kind", $"'{kindText}' is not one of {string.Join(", ", Enum.GetValues<AgencyKind>().Select(k => k.ToString().ToCamelCase()))}");

        if (dto.Template && kind != AgencyKind.LocalPolice)
        {
            throw Bad("template", "only a localPolice entry is a template");
        }

        var jurisdictions = (dto.Jurisdictions ?? []).SelectMany(ResidenceKeys.Expand).ToList();
        if (jurisdictions.FirstOrDefault(j => !ResidenceKeys.IsValid(j) || !j.StartsWith("US-", StringComparison.Ordinal)) is { } unknown)
        {
            throw Bad("jurisdictions", $"'{unknown}' is not a US jurisdiction code (US-CA, US-DC, US-PR, or US-* for all)");
        }

        if (jurisdictions.Count == 0 && !dto.Template)
        {
            throw Bad("jurisdictions", "name at least one jurisdiction the agency covers");
        }

        var c = dto.Contact ?? new ChannelsDto();
        var contact = new AgencyChannels
        {
            Phone = Blank(c.Phone), Email = Blank(c.Email), Url = Blank(c.Url), OnlineForm = Blank(c.OnlineForm), Address = Blank(c.Address),
            TwentyFourSeven = c.TwentyFourSeven,
        };
        if (contact.IsEmpty && !dto.Template)
        {
            throw Bad("contact", "give at least one channel: phone, email, url, onlineForm or address");
        }

        if (dto.Sources is not { Count: > 0 } || dto.Sources.Any(string.IsNullOrWhiteSpace))
        {
            throw Bad("sources", "name at least one source the entry was checked against");
        }

        var confidence = Required(dto.Confidence, "confidence");
        if (!Confidences.Contains(confidence))
        {
            throw Bad("confidence", $"'{confidence}' is not one of high, medium, low");
        }

        if (confidence != "high" && string.IsNullOrWhiteSpace(dto.ConfidenceNote))
        {
            throw Bad("confidenceNote", $"confidence '{confidence}' needs a note saying what is uncertain");
        }

        var agency = new Agency
        {
            Id = id, Name = name, Kind = kind, Jurisdictions = jurisdictions, CoverageNote = Blank(dto.CoverageNote), Contact = contact,
            Handles = Required(dto.Handles, "handles"), Sources = dto.Sources, Confidence = confidence, ConfidenceNote = Blank(dto.ConfidenceNote),
        };
        return (agency, dto.Template);
    }

    /// <summary>A jurisdiction shared by several field offices of one kind is only useful if each says which part it covers.</summary>
    private static void CheckSplitsAreExplained(List<Agency> agencies, Dictionary<string, string> fileOf)
    {
        var unexplained = agencies
            .Where(a => a.Kind is AgencyKind.FbiFieldOffice or AgencyKind.UsssFieldOffice)
            .SelectMany(a => a.Jurisdictions.Select(j => (Agency: a, Jurisdiction: j)))
            .GroupBy(x => (x.Agency.Kind, x.Jurisdiction))
            .Where(g => g.Count() > 1)
            .SelectMany(g => g.Select(x => x.Agency))
            .FirstOrDefault(a => a.CoverageNote is null);
        if (unexplained is not null)
        {
            throw new DataFileException(fileOf[unexplained.Id], $"{unexplained.Id}.coverageNote",
                "this office shares a jurisdiction with another office of its kind; say which part it covers");
        }
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
