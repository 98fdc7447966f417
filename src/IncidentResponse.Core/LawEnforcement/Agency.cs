using System.Text.Json.Serialization;

namespace IncidentResponse.Core.LawEnforcement;

/// <summary>What sort of body an agency is; the deadline and playbook steps pick agencies by kind.</summary>
public enum AgencyKind
{
    FbiFieldOffice,
    UsssFieldOffice,
    Ic3,
    Cisa,
    StateAttorneyGeneral,
    LocalPolice,
    Other,
}

/// <summary>How to reach an agency, as it publishes it; any channel may be absent, at least one is present.</summary>
public sealed record AgencyChannels
{
    public string? Phone { get; init; }
    public string? Email { get; init; }
    public string? Url { get; init; }
    public string? OnlineForm { get; init; }
    public string? Address { get; init; }

    /// <summary>True only where the agency publishes round-the-clock reporting on one of these channels.</summary>
    public bool TwentyFourSeven { get; init; }

    [JsonIgnore]
    public bool IsEmpty =>
        string.IsNullOrWhiteSpace(Phone) && string.IsNullOrWhiteSpace(Email) && string.IsNullOrWhiteSpace(Url)
        && string.IsNullOrWhiteSpace(OnlineForm) && string.IsNullOrWhiteSpace(Address);
}

/// <summary>One agency a breach may be reported to, with the jurisdictions it covers and what its details were checked against.</summary>
public sealed record Agency
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required AgencyKind Kind { get; init; }

    /// <summary>Residence keys (US-CA); a federal agency lists them all.</summary>
    public required IReadOnlyList<string> Jurisdictions { get; init; }

    /// <summary>Which part of a jurisdiction it covers where the jurisdiction is split among offices of one kind.</summary>
    public string? CoverageNote { get; init; }

    public required AgencyChannels Contact { get; init; }
    public required string Handles { get; init; }
    public required IReadOnlyList<string> Sources { get; init; }
    public required string Confidence { get; init; }
    public string? ConfidenceNote { get; init; }
}
