namespace IncidentResponse.Core.LawEnforcement;

// The YAML shape of an agency file, exactly as written by reviewers (docs/law-enforcement.md). Everything is
// text here; AgencyDirectory turns it into Agency records and names the file and field of any mistake.
#pragma warning disable CA1812 // Instantiated by the YAML deserializer.

internal sealed class AgencyFileDto
{
    public List<AgencyDto>? Agencies { get; set; }
}

internal sealed class AgencyDto
{
    public string? Id { get; set; }
    public string? Name { get; set; }
    public string? Kind { get; set; }
    public bool Template { get; set; }
    public List<string>? Jurisdictions { get; set; }
    public string? CoverageNote { get; set; }
    public ChannelsDto? Contact { get; set; }
    public string? Handles { get; set; }
    public List<string>? Sources { get; set; }
    public string? Confidence { get; set; }
    public string? ConfidenceNote { get; set; }
}

internal sealed class ChannelsDto
{
    public string? Phone { get; set; }
    public string? Email { get; set; }
    public string? Url { get; set; }
    public string? OnlineForm { get; set; }
    public string? Address { get; set; }
    public bool TwentyFourSeven { get; set; }
}
