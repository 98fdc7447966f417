using NodaTime;
using NodaTime.TimeZones;

namespace IncidentResponse.Core.Laws;

/// <summary>One thing someone must be told, by when, and under which law.</summary>
public sealed record Obligation(
    string Regime,
    string ObligationId,
    Recipient Recipient,
    string? Scope,
    string? Authority,
    Instant? DueBy,
    LocalDate? DueDate,
    Standard Standard,
    ClockStart? ClockStart,
    Instant? ClockStartAt,
    int TolledDays,
    long Residents,
    string Citation,
    LocalDate RuleVersion,
    string Confidence,
    IReadOnlyList<string> Notes);

/// <summary>Why a regime (or one recipient of it) needs no notice.</summary>
public sealed record Exemption(string Regime, Recipient? Recipient, ExemptionReason Reason, string Citation, string? Note);

/// <summary>The earliest fixed due date for one kind of recipient, across every regime.</summary>
public sealed record ControllingDeadline(Recipient Recipient, string Regime, Instant DueBy, LocalDate DueDate, string Citation);

public sealed record AssessmentResult(
    string RulesVersion,
    IReadOnlyList<Obligation> Obligations,
    IReadOnlyList<Exemption> Exemptions,
    IReadOnlyList<ControllingDeadline> ControllingDeadlines);

/// <summary>
/// The law engine: given the facts of a breach and the rule base, every obligation with its deadline and
/// every exemption with its reason. Pure: no clock, no I/O (docs/law-rules.md says how each rule reads).
/// </summary>
public static class Assessment
{
    private static readonly int RecipientCount = Enum.GetValues<Recipient>().Length;

    public static AssessmentResult Assess(BreachFacts facts, RuleBook rules)
    {
        // Room for a few obligations per rule: a breach touching many jurisdictions never regrows the list.
        var obligations = new List<Obligation>(rules.Rules.Count * 3);
        var exemptions = new List<Exemption>();
        var discoveryDate = facts.DiscoveredAt.InZone(facts.Entity.TimeZone).Date;
        var evaluation = new RuleEvaluation(facts, discoveryDate, obligations, exemptions, new AssessmentCache(facts.Entity.TimeZone));
        // Indexed loops over the model's IReadOnlyLists here and below: foreach would box an enumerator per loop.
        for (var i = 0; i < rules.Rules.Count; i++)
        {
            var rule = rules.Rules[i];
            evaluation.Run(rule, rule.VersionOn(discoveryDate));
        }

        // The earliest fixed due date per recipient kind (a loop: this runs on every assessment).
        var earliest = new Obligation?[RecipientCount];
        foreach (var o in obligations)
        {
            if (o is { Standard: Standard.Fixed, DueBy: { } due } && (earliest[(int)o.Recipient] is not { } best || due < best.DueBy))
            {
                earliest[(int)o.Recipient] = o;
            }
        }

        var controlling = new List<ControllingDeadline>();
        foreach (var o in earliest)
        {
            if (o is not null)
            {
                controlling.Add(new ControllingDeadline(o.Recipient, o.Regime, o.DueBy!.Value, o.DueDate!.Value, o.Citation));
            }
        }

        return new AssessmentResult(rules.Version, obligations, exemptions, controlling);
    }

    /// <summary>Evaluates one rule after another for one set of facts; <see cref="Run"/> resets the per-rule state.</summary>
    private sealed class RuleEvaluation(
        BreachFacts facts, LocalDate discoveryDate, List<Obligation> obligations, List<Exemption> exemptions, AssessmentCache dates)
    {
        private readonly long elements = ElementSet.Of(facts.DataElements);
        private readonly int entityFlags = FlagMask(facts.Entity.Flags);
        private readonly List<ObligationRule> belowThreshold = [];
        private readonly List<ObligationRule> tiersMet = [];
        // The deemed-compliance entry that spares each recipient kind under the rule being evaluated, if any.
        private readonly DeemedCompliance?[] sparedBy = new DeemedCompliance?[RecipientCount];
        private Rule law = null!;
        private RuleVersion version = null!;
        private int firstExemption;
        private IReadOnlyList<string>? versionNotes;
        private DateTimeZone Zone => facts.Entity.TimeZone;

        public void Run(Rule rule, RuleVersion ruleVersion)
        {
            law = rule;
            version = ruleVersion;
            firstExemption = exemptions.Count;
            versionNotes = null;
            belowThreshold.Clear();
            tiersMet.Clear();
            Array.Clear(sparedBy);
            Evaluate();
        }

        private static int FlagMask(IReadOnlySet<EntityFlag> flags)
        {
            var mask = 0;
            foreach (var flag in flags)
            {
                mask |= 1 << (int)flag;
            }

            return mask;
        }

        private bool Has(EntityFlag flag) => (entityFlags & (1 << (int)flag)) != 0;

        private void Evaluate()
        {
            var applicability = version.Applicability;
            if (!EntityQualifies(applicability))
            {
                return;
            }

            var residents = Residents();
            var withoutResidents = applicability.AppliesWithoutResidents
                || (applicability.AppliesWithoutResidentsWhenEntity is { } flag && Has(flag));
            if (residents == 0 && !withoutResidents)
            {
                return;
            }

            if (!version.PersonalInformation.Covers(elements))
            {
                Exempt(null, ExemptionReason.DataNotCovered, version.Citation,
                    "None of the affected data elements is personal information under this law" +
                    (version.PersonalInformation.Note is { } note ? $" ({note})." : "."));
                return;
            }

            if (ExemptedAsRegulatedElsewhere())
            {
                return;
            }

            var encryption = version.EncryptionSafeHarbor;
            var safeHarbor = encryption.Applies && facts.Encryption.Encrypted && !(facts.Encryption.KeyCompromised && encryption.LostIfKeyCompromised);
            if (safeHarbor && encryption.Recipients is null)
            {
                Exempt(null, ExemptionReason.EncryptionSafeHarbor, encryption.Citation ?? version.Citation,
                    "The data was encrypted and the key was not compromised.");
                return;
            }

            var harm = version.RiskOfHarm;
            var harmException = harm.Exception && facts.HarmAssessment.Conclusion == HarmConclusion.HarmNotLikely
                && (!harm.RequiresLawEnforcementConsultation || facts.HarmAssessment.LawEnforcementConsulted);

            // Individuals first: other deadlines may run from the individuals' notice.
            var ordered = version.IndividualsFirst;
            Obligation? individuals = null;
            for (var d = 0; d < ordered.Count; d++)
            {
                var duty = ordered[d];
                if (!AppliesToEntity(duty))
                {
                    continue;
                }

                if (sparedBy[(int)duty.Recipient] is { } deemed)
                {
                    Exempt(duty.Recipient, ExemptionReason.DeemedCompliance, deemed.Citation, deemed.Note);
                    continue;
                }

                if (safeHarbor && encryption.Recipients!.Contains(duty.Recipient))
                {
                    Exempt(duty.Recipient, ExemptionReason.EncryptionSafeHarbor, encryption.Citation ?? version.Citation,
                        "The data was encrypted and the key was not compromised.");
                    continue;
                }

                if (duty.OnlyWhenRiskOfHarmExceptionApplied)
                {
                    if (harmException)
                    {
                        Add(duty, null, residents, individuals);
                    }

                    continue;
                }

                if (harmException && (harm.Recipients is null || harm.Recipients.Contains(duty.Recipient)))
                {
                    Exempt(duty.Recipient, ExemptionReason.RiskOfHarmException, harm.Citation ?? version.Citation,
                        "The entity determined that harm is not likely" + (harm.RequiresWrittenDetermination
                            ? $"; keep the written determination{(harm.RetainYears is { } y ? $" for {y} years" : "")}."
                            : "."));
                    continue;
                }

                if (duty.Threshold is { Per: ThresholdScope.ResidenceKey } perKey)
                {
                    Obligation? first = null;
                    var keys = version.Applicability.ExpandedKeys;
                    for (var k = 0; k < keys.Count; k++)
                    {
                        var key = keys[k];
                        if (facts.AffectedResidents.TryGetValue(key, out var count) && perKey.IsMet(count))
                        {
                            // Every state's notice under one rule runs on the same clock: compute it once.
                            if (first is null)
                            {
                                first = Add(duty, key, count, individuals);
                            }
                            else
                            {
                                obligations.Add(first with { Scope = key, Residents = count });
                                tiersMet.Add(duty);
                            }
                        }
                    }

                    if (first is null)
                    {
                        belowThreshold.Add(duty);
                    }

                    continue;
                }

                if (duty.Threshold is { } threshold && !threshold.IsMet(residents))
                {
                    belowThreshold.Add(duty);
                    continue;
                }

                var added = Add(duty, null, residents, individuals);
                if (duty.Recipient == Recipient.Individuals)
                {
                    individuals ??= added;
                }
            }

            // Tiered thresholds (HIPAA's "500 or more" / "fewer than 500"): one tier always fails, and the
            // tier that applies is the answer, so a failed tier is no exemption when its twin produced an obligation.
            foreach (var failed in belowThreshold)
            {
                if (!TierMet(failed))
                {
                    Exempt(failed.Recipient, ExemptionReason.BelowThreshold, failed.Citation, failed.BelowThresholdText);
                }
            }
        }

        /// <summary>
        /// Applies the deemed-compliance entries that exempt this entity: true when one exempts the whole rule (its
        /// exemption is recorded); otherwise notes which recipients the others spare.
        /// </summary>
        private bool ExemptedAsRegulatedElsewhere()
        {
            var entries = version.DeemedCompliance;
            for (var i = 0; i < entries.Count; i++)
            {
                var deemed = entries[i];
                if (deemed.Effect != DeemedEffect.Exempt || !Has(deemed.EntityFlag))
                {
                    continue;
                }

                if (deemed.Recipients is null)
                {
                    Exempt(null, ExemptionReason.DeemedCompliance, deemed.Citation, deemed.Note);
                    return true;
                }

                for (var r = 0; r < deemed.Recipients.Count; r++)
                {
                    sparedBy[(int)deemed.Recipients[r]] ??= deemed;
                }
            }

            return false;
        }

        private bool TierMet(ObligationRule failed)
        {
            foreach (var met in tiersMet)
            {
                if (met.Recipient == failed.Recipient && met.Authority == failed.Authority)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The notes every obligation of this version carries for this entity: deemed compliance, confidence.</summary>
        private IReadOnlyList<string> VersionNotes => versionNotes ??= version.VersionNotes(version.DeemedFor(entityFlags));

        private Instant EndOf(LocalDate date) => dates.EndOf(date);

        private bool EntityQualifies(Applicability applicability)
        {
            for (var i = 0; i < applicability.EntityRequiresAll.Count; i++)
            {
                if (!Has(applicability.EntityRequiresAll[i]))
                {
                    return false;
                }
            }

            if (applicability.EntityRequiresAny.Count == 0)
            {
                return true;
            }

            for (var i = 0; i < applicability.EntityRequiresAny.Count; i++)
            {
                if (Has(applicability.EntityRequiresAny[i]))
                {
                    return true;
                }
            }

            return false;
        }

        private long Residents() => dates.Residents(version.Applicability.ExpandedKeys, facts.AffectedResidents);

        private bool AppliesToEntity(ObligationRule rule)
        {
            var owner = Has(EntityFlag.DataOwner);
            var role = rule.AppliesTo switch
            {
                AppliesTo.Owner => owner,
                AppliesTo.Maintainer => !owner,
                _ => true,
            };
            return role && (rule.EntityFlag is not { } flag || Has(flag));
        }

        private Obligation Add(ObligationRule rule, string? scope, long residents, Obligation? individuals)
        {
            var due = DeadlineFor(rule, individuals);
            var obligation = new Obligation(
                law.Code, rule.Id, rule.Recipient, scope, rule.Authority, due.DueBy, due.DueDate, due.Standard, due.ClockStart, due.ClockStartAt,
                due.TolledDays, residents, rule.Citation, version.Effective, version.Confidence, rule.NotesWith(due.Note, VersionNotes));
            obligations.Add(obligation);
            if (rule.Threshold is not null)
            {
                tiersMet.Add(rule);
            }

            return obligation;
        }

        /// <summary>The due date, with at most one note on the situation (a string made once: notes lists are shared).</summary>
        private Due DeadlineFor(ObligationRule rule, Obligation? individuals)
        {
            var due = DueUnder(rule, rule.Deadline, individuals);
            // "Whichever is sooner": the earliest limit that has a due date controls.
            var alternatives = rule.Deadline.OrEarlier;
            for (var i = 0; i < alternatives.Count; i++)
            {
                var other = DueUnder(rule, alternatives[i], individuals);
                if (other.DueBy is { } by && (due.DueBy is not { } current || by < current))
                {
                    due = other;
                }
            }

            return due;
        }

        private Due DueUnder(ObligationRule rule, Deadline deadline, Obligation? individuals)
        {
            switch (deadline.Kind)
            {
                case DeadlineKind.WithoutUnreasonableDelay:
                    return Due.Open(null, null) with { Note = OpenEndedDelayNote(rule) };
                case DeadlineKind.WithIndividuals:
                    if (facts.IndividualsNotifiedAt is { } sent)
                    {
                        return new Due(sent, dates.LocalDateOf(sent), Standard.Fixed, ClockStart.IndividualNotice, sent, 0);
                    }

                    return (individuals is { Standard: Standard.Fixed, DueBy: not null }
                        ? new Due(individuals.DueBy, individuals.DueDate, Standard.Fixed, individuals.ClockStart, individuals.ClockStartAt, individuals.TolledDays)
                        : Due.Open(ClockStart.IndividualNotice, null)) with { Note = WithIndividualsNote };
            }

            var (start, startDate) = ClockStartFor(deadline.From!.Value, individuals);
            if (start is null)
            {
                return new Due(null, null, Standard.Fixed, deadline.From, null, 0, deadline.From switch
                {
                    ClockStart.MaterialityDetermination => "The clock starts when materiality is determined; it has not been.",
                    ClockStart.IndividualNotice => "The clock starts when individuals are notified.",
                    ClockStart.HarmDetermination => "The clock starts at the harm determination; none is recorded.",
                    _ => "The clock has not started.",
                });
            }

            var (dueBy, dueDate) = Add(start.Value, startDate!.Value, deadline.Amount!.Value, deadline.Unit!.Value, deadline.Calendar);
            return ApplyDelays(rule.LawEnforcementDelay, deadline, new Due(dueBy, dueDate, Standard.Fixed, deadline.From, start, 0));
        }

        private const string WithIndividualsNote = "Due no later than the notice to individuals.";
        private const string NoEffectNote = "A law-enforcement delay does not move this deadline.";
        private const string InForceNote = "A law-enforcement delay is in force: the deadline is suspended until it ends.";
        private const string OpenEndedMayWaitNote = "Notice may wait until law enforcement determines it will no longer impede the investigation.";
        private const string OpenEndedUnchangedNote = "A law-enforcement delay does not change this obligation.";

        private string? OpenEndedDelayNote(ObligationRule rule) =>
            facts.LawEnforcementDelays.Count == 0 ? null
            : rule.LawEnforcementDelay is { Effect: not DelayEffect.None } ? OpenEndedMayWaitNote : OpenEndedUnchangedNote;


        private (Instant? Start, LocalDate? Date) ClockStartFor(ClockStart from, Obligation? individuals)
        {
            Instant? start = from switch
            {
                ClockStart.Discovery => facts.DiscoveredAt,
                ClockStart.BreachDetermination => facts.BreachDeterminedAt,
                ClockStart.MaterialityDetermination => facts.MaterialityDeterminedAt,
                ClockStart.IndividualNotice => facts.IndividualsNotifiedAt ?? (individuals?.Standard == Standard.Fixed ? individuals.DueBy : null),
                ClockStart.HarmDetermination => facts.HarmAssessment.At,
                _ => null,
            };
            if (from == ClockStart.DiscoveryYearEnd)
            {
                var yearEnd = new LocalDate(discoveryDate.Year, 12, 31);
                return (yearEnd.PlusDays(1).AtStartOfDayInZone(Zone).ToInstant(), yearEnd);
            }

            return start is null ? (null, null) : (start, dates.LocalDateOf(start.Value));
        }

        private (Instant DueBy, LocalDate DueDate) Add(Instant start, LocalDate startDate, int amount, DeadlineUnit unit, BusinessCalendar calendar)
        {
            switch (unit)
            {
                case DeadlineUnit.Hours:
                    var dueBy = start + Duration.FromHours(amount);
                    return (dueBy, dates.LocalDateOf(dueBy));
                case DeadlineUnit.BusinessDays:
                    var business = LegalCalendar.AddBusinessDays(startDate, amount, calendar);
                    return (EndOf(business), business);
                default:
                    var date = startDate.PlusDays(amount);
                    return (EndOf(date), date);
            }
        }

        /// <summary>Applies the law-enforcement delays this obligation's rule honours to a fixed due date.</summary>
        private Due ApplyDelays(DelayRule? delayRule, Deadline deadline, Due due)
        {
            if (facts.LawEnforcementDelays.Count == 0 || due.DueBy is null)
            {
                return due;
            }

            if (delayRule is null || delayRule.Effect == DelayEffect.None)
            {
                return due with { Note = NoEffectNote };
            }

            var windows = dates.DelayWindows(delayRule, due.DueBy.Value, facts.LawEnforcementDelays);
            if (windows.Count == 0)
            {
                return due;
            }

            var lastEnd = Instant.MinValue;
            foreach (var window in windows)
            {
                if (window.End is not { } end)
                {
                    return due with { DueBy = null, DueDate = null, Note = InForceNote };
                }

                lastEnd = Instant.Max(lastEnd, end);
            }

            var unit = deadline.Unit!.Value;
            if (delayRule.Effect == DelayEffect.FreshWindow)
            {
                var (freshBy, freshDate) = Add(lastEnd, dates.LocalDateOf(lastEnd), delayRule.Amount!.Value, delayRule.Unit!.Value, deadline.Calendar);
                return freshBy <= due.DueBy
                    ? due with { Note = delayRule.Text }
                    : due with { DueBy = freshBy, DueDate = freshDate, TolledDays = Period.Between(due.DueDate!.Value, freshDate, PeriodUnits.Days).Days, Note = delayRule.Text };
            }

            // Pause: the clock stops for the part of each delay that overlaps its running window.
            var dueBy = due.DueBy.Value;
            var dueDate = due.DueDate!.Value;
            var tolled = 0;
            var clockStart = due.ClockStartAt!.Value;
            foreach (var (from, to) in windows)
            {
                var overlapStart = Instant.Max(from, clockStart);
                if (overlapStart >= dueBy || to!.Value <= overlapStart)
                {
                    continue;
                }

                var overlap = to.Value - overlapStart;
                if (unit == DeadlineUnit.Hours)
                {
                    dueBy += overlap;
                    dueDate = dates.LocalDateOf(dueBy);
                    tolled += (int)Math.Ceiling(overlap.TotalDays);
                }
                else
                {
                    var days = (int)Math.Ceiling(overlap.TotalDays);
                    dueDate = unit == DeadlineUnit.BusinessDays ? LegalCalendar.AddBusinessDays(dueDate, days, deadline.Calendar) : dueDate.PlusDays(days);
                    dueBy = EndOf(dueDate);
                    tolled += days;
                }
            }

            return due with { DueBy = dueBy, DueDate = dueDate, TolledDays = tolled, Note = tolled > 0 ? delayRule.Text : null };
        }

        private void Exempt(Recipient? recipient, ExemptionReason reason, string citation, string? note)
        {
            for (var i = firstExemption; i < exemptions.Count; i++)
            {
                if (exemptions[i].Recipient == recipient && exemptions[i].Reason == reason)
                {
                    return;
                }
            }

            exemptions.Add(new Exemption(law.Code, recipient, reason, citation, note));
        }
    }

    /// <summary>Arithmetic done once per assessment: the zone's offset periods, the federal rules' one resident list, delay windows.</summary>
    private sealed class AssessmentCache(DateTimeZone zone)
    {
        // The zone's offset periods met so far (usually one or two: standard and daylight time).
        private readonly List<ZoneInterval> intervals = new(2);
        private readonly Dictionary<IReadOnlyList<string>, long> residents = new(ReferenceEqualityComparer.Instance);
        private readonly Dictionary<(bool, int?, ulong), List<(Instant From, Instant? End)>> delayWindows = [];


        /// <summary>
        /// The delays that count for a rule, merged where they overlap (End null = still in force): those requested before the
        /// original due instant, and those requested while a counted one still held the clock. They depend only on the rule's
        /// delay terms and which delays were requested before the original due instant.
        /// </summary>
        public List<(Instant From, Instant? End)> DelayWindows(DelayRule rule, Instant originalDue, IReadOnlyList<LawEnforcementDelay> delays)
        {
            if (delays.Count > 64)
            {
                return EffectiveDelays(rule, originalDue, delays);
            }

            var before = 0UL;
            for (var i = 0; i < delays.Count; i++)
            {
                if (delays[i].RequestedAt < originalDue)
                {
                    before |= 1UL << i;
                }
            }

            var key = (rule.RequiresWritten, rule.OralLimitDays, before);
            if (!delayWindows.TryGetValue(key, out var windows))
            {
                windows = EffectiveDelays(rule, originalDue, delays);
                delayWindows[key] = windows;
            }

            return windows;
        }

        private static List<(Instant From, Instant? End)> EffectiveDelays(DelayRule delayRule, Instant originalDue, IReadOnlyList<LawEnforcementDelay> delays)
        {
            var windows = new List<(Instant From, Instant? End)>();
            for (var i = 0; i < delays.Count; i++)
            {
                var delay = delays[i];
                // A request made while a counted delay holds the clock (a renewal) counts even after the original due instant.
                var whileHeld = windows.Count > 0 && (windows[^1].End is null || delay.RequestedAt <= windows[^1].End);
                if ((delay.RequestedAt >= originalDue && !whileHeld) || (delayRule.RequiresWritten && delay.Form == DelayForm.Oral))
                {
                    continue;
                }

                var end = delay.EndsAt;
                if (delay.Form == DelayForm.Oral && delayRule.OralLimitDays is { } limit)
                {
                    var cap = delay.RequestedAt + Duration.FromDays(limit);
                    end = end is null || end > cap ? cap : end;
                }

                if (whileHeld)
                {
                    var last = windows[^1];
                    windows[^1] = (last.From, last.End is null || end is null ? null : Instant.Max(last.End.Value, end.Value));
                }
                else
                {
                    windows.Add((delay.RequestedAt, end));
                }
            }

            return windows;
        }

        /// <summary>Residents over a key list; the federal rules share one "US-*" list, summed once.</summary>
        public long Residents(IReadOnlyList<string> keys, IReadOnlyDictionary<string, long> counts)
        {
            if (residents.TryGetValue(keys, out var total))
            {
                return total;
            }

            for (var i = 0; i < keys.Count; i++)
            {
                if (counts.TryGetValue(keys[i], out var count))
                {
                    total += count;
                }
            }

            residents[keys] = total;
            return total;
        }

        /// <summary>
        /// The last second of a local date: its next midnight at the offset of the period it falls in. A midnight within a
        /// day of an offset change may be skipped or repeated, so those take the zone's own mapping.
        /// </summary>
        public Instant EndOf(LocalDate date)
        {
            var midnight = date.PlusDays(1).AtMidnight();
            foreach (var interval in intervals)
            {
                var candidate = midnight.WithOffset(interval.WallOffset).ToInstant();
                if ((!interval.HasStart || candidate - interval.Start >= Duration.FromDays(1))
                    && (!interval.HasEnd || interval.End - candidate >= Duration.FromDays(1)))
                {
                    return candidate - Duration.FromSeconds(1);
                }
            }

            var end = LegalCalendar.EndOf(date, zone);
            IntervalAt(end);
            return end;
        }

        public LocalDate LocalDateOf(Instant instant) => instant.WithOffset(IntervalAt(instant).WallOffset).Date;

        private ZoneInterval IntervalAt(Instant instant)
        {
            foreach (var interval in intervals)
            {
                if (interval.Contains(instant))
                {
                    return interval;
                }
            }

            var found = zone.GetZoneInterval(instant);
            intervals.Add(found);
            return found;
        }
    }

    /// <summary>A deadline as computed, with at most one note on the situation (the clock, a law-enforcement delay).</summary>
    private readonly record struct Due(
        Instant? DueBy, LocalDate? DueDate, Standard Standard, ClockStart? ClockStart, Instant? ClockStartAt, int TolledDays, string? Note = null)
    {
        public static Due Open(ClockStart? start, Instant? at) => new(null, null, Standard.WithoutUnreasonableDelay, start, at, 0);
    }
}
