using IncidentResponse.Server.Persistence;

namespace IncidentResponse.Server.Organisations;

/// <summary>The organisation profile the law engine needs: who we are and where.</summary>
public sealed class Organisation : IVersioned
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public required string TimeZone { get; set; }
    public required string Headquarters { get; set; }
    public bool HipaaCoveredEntity { get; set; }
    public bool HipaaBusinessAssociate { get; set; }
    public bool SecRegistrant { get; set; }
    public bool NydfsCoveredEntity { get; set; }
    public bool GlbaFinancialInstitution { get; set; }
    public bool PhrVendor { get; set; }
    public bool EstablishedInEu { get; set; }

    /// <summary>How letters tell people to reach the organisation; drafts start from these (docs/letters.md).</summary>
    public string? ContactShortName { get; set; }
    public string? ContactAddress { get; set; }
    public string? ContactPhone { get; set; }
    public string? ContactWebsite { get; set; }
    public string? ContactEmail { get; set; }

    /// <summary>The organisation's default reminder ladder (LadderSetting JSON); none means the built-in one.</summary>
    public string? ReminderLadder { get; set; }
    /// <summary>Days individuals' personal data is kept once notification is complete; then it may be purged.</summary>
    public int AffectedPeopleRetentionDays { get; set; } = DefaultRetentionDays;
    public const int DefaultRetentionDays = 90;
    public const int MaxRetentionDays = 3650;
    public int Version { get; set; }
    public List<InventorySystem> Systems { get; set; } = [];
}

public enum SystemCategory
{
    StoreNetwork,
    PointOfSale,
    Website,
    MobileApp,
    BluetoothBeacon,
    SmartShelf,
    RfidReader,
    LoyaltyDatabase,
    Email,
    Other,
}

/// <summary>A system of the data inventory and the data elements it holds.</summary>
public sealed class InventorySystem
{
    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }
    public required string Name { get; set; }
    public SystemCategory Category { get; set; }
    public List<string> DataElements { get; set; } = [];
    public string? Vendor { get; set; }
    public string? Residency { get; set; }
}
