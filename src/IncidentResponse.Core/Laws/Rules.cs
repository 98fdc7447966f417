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

    private readonly IReadOnlyList<string>?[] notesByDeemed = new IReadOnlyList<string>?[1 << DeemedCompliance.Count];

    /// <summary>Which deemed-compliance entries hold for an entity (bit i = entry i), from its flag mask.</summary>
    internal int DeemedFor(int entityFlags)
    {
        var mask = 0;
        for (var i = 0; i < DeemedCompliance.Count; i++)
        {
            if ((entityFlags & (1 << (int)DeemedCompliance[i].EntityFlag)) != 0)
            {
                mask |= 1 << i;
            }
        }

        return mask;
    }

    /// <summary>
    /// The notes every obligation of this version carries for an entity: the deemed-compliance entries that hold
    /// (by <see cref="DeemedFor"/>), then the confidence note. Made once per combination and shared.
    /// </summary>
    internal IReadOnlyList<string> VersionNotes(int deemed) => notesByDeemed[deemed] ??= BuildVersionNotes(deemed);

    private System.Collections.ObjectModel.ReadOnlyCollection<string> BuildVersionNotes(int deemed)
    {
        var notes = new List<string>();
        for (var i = 0; i < DeemedCompliance.Count; i++)
        {
            if ((deemed & (1 << i)) != 0)
            {
                notes.Add(DeemedCompliance[i].Text);
            }
        }

        if (Confidence != "high")
        {
            notes.Add($"Rule confidence {Confidence}: {ConfidenceNote}");
        }

        return notes.AsReadOnly();
    }
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

/// <summary>
/// Which data the statute covers: <see cref="WithName"/> elements count only alongside one of the
/// <see cref="Identifiers"/> (the name, unless the statute also accepts e.g. a telephone number or address);
/// <see cref="Standalone"/> elements count on their own.
/// </summary>
public sealed record PersonalInformation(
    bool AnyIncident, IReadOnlyList<DataElement> WithName, IReadOnlyList<DataElement> Standalone, string? Note,
    IReadOnlyList<DataElement>? Identifiers = null)
{
    internal long WithNameMask { get; } = ElementSet.Of(WithName);
    internal long StandaloneMask { get; } = ElementSet.Of(Standalone);
    internal long IdentifierMask { get; } = Identifiers is null ? ElementSet.NameBit : ElementSet.Of(Identifiers);

    public bool Covers(long elements) =>
        AnyIncident || (elements & StandaloneMask) != 0
        || ((elements & IdentifierMask) != 0 && (elements & WithNameMask) != 0);
}

public sealed record EncryptionSafeHarbor(bool Applies, bool LostIfKeyCompromised, IReadOnlyList<Recipient>? Recipients, string? Citation);

public sealed record RiskOfHarm(
    bool Exception, IReadOnlyList<Recipient>? Recipients, bool RequiresWrittenDetermination, int? RetainYears,
    bool RequiresLawEnforcementConsultation, string? Citation);

/// <summary>
/// A provision for entities regulated under another regime (HIPAA, GLBA): with <see cref="DeemedEffect.Note"/> the
/// obligations stand and carry the note; with <see cref="DeemedEffect.Exempt"/> the statute excludes the entity or deems
/// its notice under the other regime enough, for the whole rule or only for <see cref="Recipients"/>.
/// </summary>
public sealed record DeemedCompliance(
    EntityFlag EntityFlag, string Citation, string Note, DeemedEffect Effect = DeemedEffect.Note, IReadOnlyList<Recipient>? Recipients = null)
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

/// <summary>When notice is due; <see cref="OrEarlier"/> lists other limits of a "whichever is sooner" clause.</summary>
public sealed record Deadline(
    DeadlineKind Kind, int? Amount, DeadlineUnit? Unit, ClockStart? From, BusinessCalendar Calendar, string? Note,
    IReadOnlyList<Deadline>? Alternatives = null)
{
    public IReadOnlyList<Deadline> OrEarlier => Alternatives ?? [];
}

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

    // Each (situation, version notes) pair seen so far with its notes list; replaced whole, never changed, so readers need no lock.
    private (string? Situation, IReadOnlyList<string> VersionNotes, IReadOnlyList<string> Notes)[] noteSets = [];

    /// <summary>
    /// The notes of an obligation made from this rule: the deadline wording, the rule's own notes, at most one note on
    /// the situation (the clock has not started, a law-enforcement delay) and the version's notes. Every part is a
    /// string made when the rule base loads, so the lists are made once and shared by every assessment.
    /// </summary>
    internal IReadOnlyList<string> NotesWith(string? situation, IReadOnlyList<string> versionNotes)
    {
        var sets = noteSets;
        foreach (var set in sets)
        {
            if (ReferenceEquals(set.Situation, situation) && ReferenceEquals(set.VersionNotes, versionNotes))
            {
                return set.Notes;
            }
        }

        var notes = new List<string>(3 + versionNotes.Count);
        if (Deadline.Note is { } deadlineNote)
        {
            notes.Add(deadlineNote);
        }

        if (Notes is { } ruleNotes)
        {
            notes.Add(ruleNotes);
        }

        if (situation is not null)
        {
            notes.Add(situation);
        }

        notes.AddRange(versionNotes);
        var made = notes.AsReadOnly();
        // A lost race only makes one list twice.
        noteSets = [.. sets, (situation, versionNotes, made)];
        return made;
    }
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
