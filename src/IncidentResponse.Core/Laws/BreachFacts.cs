using NodaTime;

namespace IncidentResponse.Core.Laws;

/// <summary>The facts of a breach the law engine judges (the JSON contract in docs/assessment.md).</summary>
public sealed record BreachFacts(
    Instant DiscoveredAt,
    Instant BreachDeterminedAt,
    Instant? MaterialityDeterminedAt,
    Instant? IndividualsNotifiedAt,
    EntityProfile Entity,
    IReadOnlyList<DataElement> DataElements,
    EncryptionFacts Encryption,
    IReadOnlyDictionary<string, long> AffectedResidents,
    IReadOnlyList<LawEnforcementDelay> LawEnforcementDelays,
    HarmAssessment HarmAssessment)
{
    /// <summary>The local date of discovery in the entity's time zone: the date that picks each rule's version.</summary>
    public LocalDate DiscoveryDate => DiscoveredAt.InZone(Entity.TimeZone).Date;
}

public sealed record EntityProfile(DateTimeZone TimeZone, string? Headquarters, IReadOnlySet<EntityFlag> Flags)
{
    public bool Has(EntityFlag flag) => Flags.Contains(flag);
}

public sealed record EncryptionFacts(bool Encrypted, bool KeyCompromised);

public sealed record LawEnforcementDelay(Instant RequestedAt, Instant? EndsAt, DelayForm Form);

public sealed record HarmAssessment(HarmConclusion Conclusion, Instant? At, bool LawEnforcementConsulted);
