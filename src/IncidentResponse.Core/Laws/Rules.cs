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

    /// <summary>The version the assessment uses for these facts: the one in force on the local date of discovery.</summary>
    public RuleVersion VersionFor(BreachFacts facts) => VersionOn(facts.DiscoveryDate);
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
    LetterContent? LetterContent)
{
    /// <summary>The obligations with notice to individuals first: other deadlines may run from it.</summary>
    internal IReadOnlyList<ObligationRule> IndividualsFirst { get; } =
        [.. Obligations.Where(o => o.Recipient == Recipient.Individuals), .. Obligations.Where(o => o.Recipient != Recipient.Individuals)];

    /// <summary>The note every obligation of a less-than-certain version carries (made once, shared).</summary>
    internal string? ConfidenceText { get; } = Confidence == "high" ? null : $"Rule confidence {Confidence}: {ConfidenceNote}";

    /// <summary>The notes every obligation of this version carries when no deemed-compliance flag applies.</summary>
    internal IReadOnlyList<string> StaticNotes { get; } = Confidence == "high" ? [] : [$"Rule confidence {Confidence}: {ConfidenceNote}"];
}

public sealed record Applicability(
    IReadOnlyList<string> ResidenceKeys,
    IReadOnlyList<EntityFlag> EntityRequiresAll,
    IReadOnlyList<EntityFlag> EntityRequiresAny,
    bool AppliesWithoutResidents,
    EntityFlag? AppliesWithoutResidentsWhenEntity)
{
    /// <summary>The residence keys with wildcards expanded.</summary>
    public IReadOnlyList<string> ExpandedKeys { get; } = ResidenceKeys.Count == 1
        ? Laws.ResidenceKeys.Expand(ResidenceKeys[0])
        : ResidenceKeys.SelectMany(Laws.ResidenceKeys.Expand).Distinct().ToArray();
}

public sealed record PersonalInformation(
    bool AnyIncident, IReadOnlyList<DataElement> WithName, IReadOnlyList<DataElement> Standalone, string? Note)
{
    internal long WithNameMask { get; } = ElementSet.Of(WithName);
    internal long StandaloneMask { get; } = ElementSet.Of(Standalone);

    public bool Covers(long elements) =>
        AnyIncident || (elements & StandaloneMask) != 0
        || ((elements & ElementSet.NameBit) != 0 && (elements & WithNameMask) != 0);
}

public sealed record EncryptionSafeHarbor(bool Applies, bool LostIfKeyCompromised, IReadOnlyList<Recipient>? Recipients, string? Citation);

public sealed record RiskOfHarm(
    bool Exception, IReadOnlyList<Recipient>? Recipients, bool RequiresWrittenDetermination, int? RetainYears,
    bool RequiresLawEnforcementConsultation, string? Citation);

public sealed record DeemedCompliance(EntityFlag EntityFlag, string Citation, string Note)
{
    internal string Text { get; } = $"{Note} ({Citation})";
}

public sealed record Threshold(int Residents, Comparison Comparison, ThresholdScope Per)
{
    /// <summary>The plain-language condition, made once: "Required only when more than 500 residents are affected."</summary>
    internal string Text { get; } =
        $"Required only when {Comparison switch { Comparison.MoreThan => "more than", Comparison.AtLeast => "at least", Comparison.LessThan => "fewer than", _ => "at most" }} {Residents} residents are affected{(Per == ThresholdScope.ResidenceKey ? " in one jurisdiction" : "")}.";

    public bool IsMet(long count) => Comparison switch
    {
        Comparison.MoreThan => count > Residents,
        Comparison.AtLeast => count >= Residents,
        Comparison.LessThan => count < Residents,
        _ => count <= Residents,
    };
}

public sealed record Deadline(DeadlineKind Kind, int? Amount, DeadlineUnit? Unit, ClockStart? From, BusinessCalendar Calendar, string? Note);

public sealed record DelayRule(DelayEffect Effect, int? Amount, DeadlineUnit? Unit, int? OralLimitDays, bool RequiresWritten, string? Citation)
{
    /// <summary>What the delay does to the deadline, in words, made once.</summary>
    internal string Text { get; } = Effect switch
    {
        DelayEffect.FreshWindow => $"After a law-enforcement delay, notice is due within {Amount} {Unit switch { DeadlineUnit.Hours => "hours", DeadlineUnit.BusinessDays => "business days", _ => "days" }} of its end" + (Citation is null ? "." : $" ({Citation})."),
        DelayEffect.Pause => "The deadline is paused while a law-enforcement delay runs" + (Citation is null ? "." : $" ({Citation})."),
        _ => "A law-enforcement delay does not move this deadline.",
    };
}

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
    string? Notes)
{
    /// <summary>The exemption note when the threshold is not met, made once.</summary>
    internal string? BelowThresholdText { get; } = Threshold is null ? null : Authority is null ? Threshold.Text : $"{Authority}: {Threshold.Text}";
}

public sealed record SubstituteNotice(long? CostExceeds, long? AffectedExceed, bool InsufficientContactInfo, IReadOnlyList<string> Methods, string? Citation);

/// <summary>
/// A demand to offer credit monitoring or identity-theft protection: <see cref="Months"/> at no cost when any of
/// <see cref="Elements"/> was involved (with the name too when <see cref="WithName"/>), and, when
/// <see cref="EntityCaused"/>, only if the entity was the source of the breach.
/// </summary>
public sealed record CreditMonitoring(
    int Months, string? When, IReadOnlyList<DataElement> Elements, bool WithName, bool EntityCaused,
    int? ConsumerReportingAgencyMonths, bool FreeCreditReport);

public sealed record LetterContent(
    string? Title, IReadOnlyList<string> Headings, int? MinFontPt, IReadOnlyList<string> Required, IReadOnlyList<string> Forbidden,
    CreditMonitoring? CreditMonitoring, string? Citation);

internal static class ElementSet
{
    public const long NameBit = 1L << (int)DataElement.Name;

    public static long Of(IEnumerable<DataElement> elements) => elements.Aggregate(0L, (mask, e) => mask | (1L << (int)e));
}
