namespace IncidentResponse.Core.Incidents;

public enum IncidentKind
{
    Ransomware,
    DataExfiltration,
    LostOrStolenDevice,
    BusinessEmailCompromise,
    Insider,
    ThirdPartyVendor,
    IotDeviceCompromise,
    MisdirectedDisclosure,
    CredentialStuffing,
    Other,
}

public enum Severity
{
    Low,
    Medium,
    High,
    Critical,
}

public enum IncidentStatus
{
    Detected,
    Triage,
    Contained,
    Eradicated,
    Recovered,
    Notification,
    Closed,
}

public enum MilestoneKind
{
    Occurred,
    Discovered,
    BreachDetermined,
    Contained,
    MaterialityDetermined,
    Closed,
}

/// <summary>The six leads every incident names, one person each.</summary>
public enum TeamLeadRole
{
    IncidentCommander,
    Legal,
    It,
    Risk,
    Communications,
    CustomerService,
}
