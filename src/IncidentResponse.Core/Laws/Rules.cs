using NodaTime;

namespace IncidentResponse.Core.Laws;

/// <summary>One jurisdiction or regime with its dated versions, newest last.</summary>
public sealed record Rule(string Code, string Name, string Kind, IReadOnlyList<RuleVersion> Versions)
{
    /// <summary>The version in force on a date; before the first modelled version, the first one.</summary>
    public RuleVersion VersionOn(LocalDate date)
    {
        for (var i = Versions.Count - 1; i >= 0; i--)
        {
            if (Versions[i].Effective <= date)
            {
                return Versions[i];
            }
        }

        return Versions[0];
    }
}

public sealed record RuleVersion(
    LocalDate Effective,
    string Citation,
    IReadOnlyList<string> Sources,
    string Confidence,
    string? ConfidenceNote,
    Applicability Applicability,
    PersonalInformation PersonalInformation,
    string Trigger,
    EncryptionSafeHarbor EncryptionSafeHarbor,
    RiskOfHarm RiskOfHarm,
    IReadOnlyList<DeemedCompliance> DeemedCompliance,
    IReadOnlyList<ObligationRule> Obligations,
    SubstituteNotice? SubstituteNotice,
    LetterContent? LetterContent);

public sealed record Applicability(
    IReadOnlyList<string> ResidenceKeys,
    IReadOnlyList<EntityFlag> EntityRequiresAll,
    IReadOnlyList<EntityFlag> EntityRequiresAny,
    bool AppliesWithoutResidents,
    EntityFlag? AppliesWithoutResidentsWhenEntity)
{
    /// <summary>The residence keys with wildcards expanded.</summary>
    public IReadOnlyList<string> ExpandedKeys { get; } = ResidenceKeys.SelectMany(Laws.ResidenceKeys.Expand).Distinct().ToArray();
}

public sealed record PersonalInformation(
    bool AnyIncident, IReadOnlyList<DataElement> WithName, IReadOnlyList<DataElement> Standalone, string? Note)
{
    internal long WithNameMask { get; } = ElementSet.Of(WithName);
    internal long StandaloneMask { get; } = ElementSet.Of(Standalone);

    public bool Covers(long elements) =>
        AnyIncident || (elements & StandaloneMask) != 0
        || ((elements & ElementSet.Of([DataElement.Name])) != 0 && (elements & WithNameMask) != 0);
}

public sealed record EncryptionSafeHarbor(bool Applies, bool LostIfKeyCompromised, IReadOnlyList<Recipient>? Recipients, string? Citation);

public sealed record RiskOfHarm(
    bool Exception, IReadOnlyList<Recipient>? Recipients, bool RequiresWrittenDetermination, int? RetainYears,
    bool RequiresLawEnforcementConsultation, string? Citation);

public sealed record DeemedCompliance(EntityFlag EntityFlag, string Citation, string Note);

public sealed record Threshold(int Residents, Comparison Comparison, ThresholdScope Per)
{
    public bool IsMet(long count) => Comparison switch
    {
        Comparison.MoreThan => count > Residents,
        Comparison.AtLeast => count >= Residents,
        Comparison.LessThan => count < Residents,
        _ => count <= Residents,
    };
}

public sealed record Deadline(DeadlineKind Kind, int? Amount, DeadlineUnit? Unit, ClockStart? From, BusinessCalendar Calendar, string? Note);

public sealed record DelayRule(DelayEffect Effect, int? Amount, DeadlineUnit? Unit, int? OralLimitDays, bool RequiresWritten, string? Citation);

public sealed record ObligationRule(
    string Id,
    Recipient Recipient,
    string? Authority,
    AppliesTo AppliesTo,
    EntityFlag? EntityFlag,
    bool OnlyWhenRiskOfHarmExceptionApplied,
    Threshold? Threshold,
    Deadline Deadline,
    DelayRule? LawEnforcementDelay,
    string Citation,
    string? Notes);

public sealed record SubstituteNotice(long? CostExceeds, long? AffectedExceed, bool InsufficientContactInfo, IReadOnlyList<string> Methods, string? Citation);

public sealed record CreditMonitoring(int Months, string? When);

public sealed record LetterContent(
    string? Title, IReadOnlyList<string> Headings, int? MinFontPt, IReadOnlyList<string> Required, IReadOnlyList<string> Forbidden,
    CreditMonitoring? CreditMonitoring, string? Citation);

internal static class ElementSet
{
    public static long Of(IEnumerable<DataElement> elements) => elements.Aggregate(0L, (mask, e) => mask | (1L << (int)e));
}
