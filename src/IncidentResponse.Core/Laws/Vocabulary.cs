namespace IncidentResponse.Core.Laws;

/// <summary>The data elements breach statutes name; a set of them is a bit mask.</summary>
public enum DataElement
{
    Name,
    Ssn,
    DriversLicenseOrStateId,
    Passport,
    MilitaryId,
    TaxpayerId,
    OtherGovernmentId,
    FinancialAccount,
    FinancialAccountWithAccessCode,
    PaymentCard,
    PaymentCardWithAccessCode,
    UsernameOrEmailWithPassword,
    SecurityQuestionAndAnswer,
    Medical,
    HealthInsurance,
    Biometric,
    GeneticData,
    DateOfBirth,
    MothersMaidenName,
    DigitalSignature,
    EmailAddress,
    PostalAddress,
    PhoneNumber,
    DeviceIdentifier,
    PreciseGeolocation,
}

public enum Recipient
{
    Individuals,
    Regulator,
    ConsumerReportingAgencies,
    Media,
    DataOwner,
}

public enum EntityFlag
{
    DataOwner,
    HipaaCoveredEntity,
    HipaaBusinessAssociate,
    SecRegistrant,
    NydfsCoveredEntity,
    GlbaFinancialInstitution,
    PhrVendor,
    EstablishedInEu,
}

public enum ClockStart
{
    Discovery,
    BreachDetermination,
    MaterialityDetermination,
    IndividualNotice,
    HarmDetermination,
    DiscoveryYearEnd,
}

public enum DeadlineKind
{
    Fixed,
    WithoutUnreasonableDelay,
    WithIndividuals,
}

public enum DeadlineUnit
{
    CalendarDays,
    BusinessDays,
    Hours,
}

public enum DelayEffect
{
    Pause,
    FreshWindow,
    None,
}

public enum Comparison
{
    MoreThan,
    AtLeast,
    LessThan,
    AtMost,
}

public enum ThresholdScope
{
    Rule,
    ResidenceKey,
}

public enum AppliesTo
{
    Owner,
    Maintainer,
    Any,
}

public enum ExemptionReason
{
    EncryptionSafeHarbor,
    RiskOfHarmException,
    BelowThreshold,
    DataNotCovered,
    DeemedCompliance,
}

public enum DeemedEffect
{
    Note,
    Exempt,
}

public enum Standard
{
    Fixed,
    WithoutUnreasonableDelay,
}

public enum HarmConclusion
{
    NotAssessed,
    HarmLikely,
    HarmNotLikely,
}

public enum DelayForm
{
    Written,
    Oral,
}

/// <summary>Residence keys: US states and territories as US-XX, other countries by ISO 3166-1 alpha-2.</summary>
public static class ResidenceKeys
{
    public static readonly IReadOnlyList<string> UnitedStates =
    [
        "US-AL", "US-AK", "US-AZ", "US-AR", "US-CA", "US-CO", "US-CT", "US-DE", "US-DC", "US-FL", "US-GA", "US-HI",
        "US-ID", "US-IL", "US-IN", "US-IA", "US-KS", "US-KY", "US-LA", "US-ME", "US-MD", "US-MA", "US-MI", "US-MN",
        "US-MS", "US-MO", "US-MT", "US-NE", "US-NV", "US-NH", "US-NJ", "US-NM", "US-NY", "US-NC", "US-ND", "US-OH",
        "US-OK", "US-OR", "US-PA", "US-RI", "US-SC", "US-SD", "US-TN", "US-TX", "US-UT", "US-VT", "US-VA", "US-WA",
        "US-WV", "US-WI", "US-WY", "US-PR", "US-GU", "US-VI",
    ];

    /// <summary>Other US territories that some federal rules count (no state statute is modelled for them).</summary>
    private static readonly string[] OtherUsTerritories = ["US-AS", "US-MP", "US-UM"];

    public static readonly IReadOnlyList<string> EuropeanUnion =
    [
        "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU",
        "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
    ];


    public static bool IsValid(string key) =>
        UnitedStates.Contains(key) || OtherUsTerritories.Contains(key)
        || (key.Length == 2 && char.IsAsciiLetterUpper(key[0]) && char.IsAsciiLetterUpper(key[1]) && key != "US");

    private static readonly string[] AllUnitedStates = [.. UnitedStates, .. OtherUsTerritories];

    /// <summary>Expands the wildcards a rule file may use: "US-*" and "EU-*" (one shared list each).</summary>
    public static IReadOnlyList<string> Expand(string pattern) => pattern switch
    {
        "US-*" => AllUnitedStates,
        "EU-*" => EuropeanUnion,
        _ => [pattern],
    };
}
