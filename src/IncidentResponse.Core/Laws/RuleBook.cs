using System.Security.Cryptography;
using System.Text;
using NodaTime;
using NodaTime.Text;

namespace IncidentResponse.Core.Laws;

/// <summary>A rule file that cannot be used, with the file and field at fault.</summary>
public sealed class RuleFileException(string file, string field, string problem) : DataFileException(file, field, problem);

/// <summary>The whole rule base: every jurisdiction and regime, validated, with a version stamp.</summary>
public sealed class RuleBook
{
    public static readonly IReadOnlyList<string> LetterElements =
    [
        "incidentDescription", "dateOfBreach", "dateOfDiscovery", "dateOfNotice", "typesOfInformation", "actionsTaken", "whatIndividualsCanDo",
        "entityContact", "tollFreeNumbers", "creditBureausContact", "ftcContact", "attorneyGeneralContact",
        "creditMonitoringOffer", "securityFreeze", "fraudAlert", "policeReport", "lawEnforcementDelay", "identityTheftAdvice",
        "identityTheftReporting", "fcraRights", "numberOfResidentsAffected",
    ];

    public static readonly IReadOnlyList<string> SubstituteMethods =
    [
        "email", "websitePosting", "statewideMedia", "majorMedia", "publicCommunication", "tollFreeNumber",
        "alternativeWrittenNotice", "telephone",
    ];

    private static readonly Lazy<RuleBook> Embedded = new(LoadEmbedded);

    private RuleBook(IReadOnlyList<Rule> rules, string version)
    {
        Rules = rules;
        Version = version;
        ByCode = rules.ToDictionary(r => r.Code, StringComparer.OrdinalIgnoreCase);
    }

    public IReadOnlyList<Rule> Rules { get; }
    public IReadOnlyDictionary<string, Rule> ByCode { get; }

    /// <summary>A short hash of every rule file's text: two assessments with the same stamp used the same law.</summary>
    public string Version { get; }

    /// <summary>The rule base shipped inside this library (src/IncidentResponse.Core/Laws/Rules).</summary>
    public static RuleBook Current => Embedded.Value;

    /// <summary>
    /// Parses and validates rule files and holiday calendar files given as (file name, YAML text); throws on the first
    /// bad field. A deadline may name a calendar by its code.
    /// </summary>
    public static RuleBook Parse(IEnumerable<(string File, string Text)> files, IEnumerable<(string File, string Text)>? calendarFiles = null)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var calendars = new Dictionary<string, BusinessCalendar>(StringComparer.Ordinal)
        {
            [BusinessCalendar.UsFederal.Code] = BusinessCalendar.UsFederal,
            [BusinessCalendar.Weekends.Code] = BusinessCalendar.Weekends,
        };
        foreach (var (file, text) in (calendarFiles ?? []).OrderBy(f => f.File, StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes("calendars/" + file + "\n" + text + "\n"));
            var calendar = new RuleCompiler(file, calendars).CompileCalendar(Read<CalendarFileDto>(file, text));
            if (!calendars.TryAdd(calendar.Code, calendar))
            {
                throw new RuleFileException(file, "code", "two calendars declare this code");
            }
        }

        var rules = new List<Rule>();
        foreach (var (file, text) in files.OrderBy(f => f.File, StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes(file + "\n" + text + "\n"));
            rules.Add(new RuleCompiler(file, calendars).Compile(Read<RuleFileDto>(file, text)));
        }

        var duplicate = rules.GroupBy(r => r.Code, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new RuleFileException(duplicate.Key, "code", "two files declare this code");
        }

        return new RuleBook(rules, Convert.ToHexStringLower(hash.GetHashAndReset())[..12]);
    }

    private static T Read<T>(string file, string text) =>
        ReviewedData.Read<T>(file, text, (f, field, problem) => new RuleFileException(f, field, problem));

    private static RuleBook LoadEmbedded() => Parse(ReviewedData.Embedded("rules/"), ReviewedData.Embedded("calendars/"));
}

/// <summary>Turns one file's text shape into the typed model, naming the field of any mistake.</summary>
internal sealed class RuleCompiler(string file, IReadOnlyDictionary<string, BusinessCalendar> calendars)
{
    private static readonly string[] Kinds = ["state", "territory", "district", "federal", "international"];
    private static readonly string[] Confidences = ["high", "medium", "low"];
    private static readonly string[] Triggers = ["acquisition", "access"];

    public Rule Compile(RuleFileDto dto)
    {
        var code = Required(dto.Code, "code");
        var expected = Path.GetFileNameWithoutExtension(file);
        if (!string.Equals(code, expected, StringComparison.Ordinal))
        {
            Fail("code", $"'{code}' does not match the file name '{expected}'");
        }

        var kind = OneOf(dto.Kind, "kind", Kinds);
        if (dto.Versions is not { Count: > 0 })
        {
            Fail("versions", "at least one version is required");
        }

        var versions = dto.Versions!.Select((v, i) => CompileVersion(v, $"versions[{i}]")).ToList();
        for (var i = 1; i < versions.Count; i++)
        {
            if (versions[i].Effective <= versions[i - 1].Effective)
            {
                Fail($"versions[{i}].effective", "versions must be in ascending order of effective date, without duplicates");
            }
        }

        return new Rule(code, Required(dto.Name, "name"), kind, versions);
    }

    private RuleVersion CompileVersion(RuleVersionDto v, string at)
    {
        var effectiveText = Required(v.Effective, $"{at}.effective");
        var parsed = LocalDatePattern.Iso.Parse(effectiveText);
        if (!parsed.Success)
        {
            Fail($"{at}.effective", $"'{effectiveText}' is not an ISO date (YYYY-MM-DD)");
        }

        var confidence = OneOf(v.Confidence, $"{at}.confidence", Confidences);
        if (confidence != "high" && string.IsNullOrWhiteSpace(v.ConfidenceNote))
        {
            Fail($"{at}.confidenceNote", $"confidence '{confidence}' needs a note saying what is uncertain");
        }

        if (v.Sources is not { Count: > 0 })
        {
            Fail($"{at}.sources", "name at least one source the entry was checked against");
        }

        var applicability = CompileApplicability(v.Applicability, $"{at}.applicability");
        var pi = v.PersonalInformation ?? Fail<PersonalInformationDto>($"{at}.personalInformation", "is required");
        var identifiers = pi.Identifiers is null ? null : Elements(pi.Identifiers, $"{at}.personalInformation.identifiers");
        if (identifiers is not null && (identifiers.Count == 0 || pi.WithName is not { Count: > 0 }))
        {
            Fail($"{at}.personalInformation.identifiers", "identifiers name what makes withName elements count: list at least one, with withName elements");
        }

        var personal = new PersonalInformation(
            pi.AnyIncident, Elements(pi.WithName, $"{at}.personalInformation.withName"),
            Elements(pi.Standalone, $"{at}.personalInformation.standalone"), pi.Note, identifiers);
        if (!personal.AnyIncident && personal.WithName.Count + personal.Standalone.Count == 0)
        {
            Fail($"{at}.personalInformation", "names no data element and is not anyIncident");
        }

        var enc = v.EncryptionSafeHarbor ?? Fail<EncryptionDto>($"{at}.encryptionSafeHarbor", "is required");
        if (!enc.Applies && enc.Recipients is { Count: > 0 })
        {
            Fail($"{at}.encryptionSafeHarbor.recipients", "recipients are listed but the safe harbor does not apply");
        }

        var encryption = new EncryptionSafeHarbor(enc.Applies, enc.LostIfKeyCompromised,
            enc.Recipients is null ? null : Recipients(enc.Recipients, $"{at}.encryptionSafeHarbor.recipients"), enc.Citation);

        var harm = v.RiskOfHarm ?? Fail<RiskOfHarmDto>($"{at}.riskOfHarm", "is required");
        var riskOfHarm = new RiskOfHarm(harm.Exception,
            harm.Recipients is null ? null : Recipients(harm.Recipients, $"{at}.riskOfHarm.recipients"),
            harm.RequiresWrittenDetermination, harm.RetainYears, harm.RequiresLawEnforcementConsultation, harm.Citation);

        var deemed = (v.DeemedCompliance ?? []).Select((d, i) => CompileDeemed(d, $"{at}.deemedCompliance[{i}]")).ToList();
        if (deemed.Count > MaxDeemed)
        {
            Fail($"{at}.deemedCompliance", $"at most {MaxDeemed} entries");
        }

        if (v.Obligations is not { Count: > 0 })
        {
            Fail($"{at}.obligations", "at least one obligation is required");
        }

        var obligations = v.Obligations!.Select((o, i) => CompileObligation(o, $"{at}.obligations[{i}]")).ToList();
        var duplicateId = obligations.GroupBy(o => o.Id).FirstOrDefault(g => g.Count() > 1);
        if (duplicateId is not null)
        {
            Fail($"{at}.obligations", $"the id '{duplicateId.Key}' is used twice");
        }

        for (var i = 0; i < deemed.Count; i++)
        {
            var spared = deemed[i].Recipients ?? [];
            for (var r = 0; r < spared.Count; r++)
            {
                if (!obligations.Exists(o => o.Recipient == spared[r]))
                {
                    Fail($"{at}.deemedCompliance[{i}].recipients[{r}]", $"the version has no obligation to '{spared[r].ToString().ToCamelCase()}'");
                }
            }
        }

        var onlyWhen = obligations.FindIndex(o => o.OnlyWhenRiskOfHarmExceptionApplied);
        if (onlyWhen >= 0 && !riskOfHarm.Exception)
        {
            Fail($"{at}.obligations[{onlyWhen}].onlyWhenRiskOfHarmExceptionApplied", "the rule has no risk-of-harm exception to apply");
        }

        return new RuleVersion(
            parsed.Value, Required(v.Citation, $"{at}.citation"), v.Sources!, confidence, v.ConfidenceNote, applicability, personal,
            OneOf(v.Trigger, $"{at}.trigger", Triggers), encryption, riskOfHarm, deemed, obligations,
            CompileSubstitute(v.SubstituteNotice, $"{at}.substituteNotice"), CompileLetter(v.LetterContent, $"{at}.letterContent"));
    }

    // The engine keeps one notes list per combination of entries that hold (docs/performance.md).
    private const int MaxDeemed = 8;

    private DeemedCompliance CompileDeemed(DeemedComplianceDto d, string at)
    {
        var effect = d.Effect is null ? DeemedEffect.Note : Word<DeemedEffect>(d.Effect, $"{at}.effect");
        if (d.Recipients is not null && effect != DeemedEffect.Exempt)
        {
            Fail($"{at}.recipients", "recipients name whom an exemption spares; the effect is not 'exempt'");
        }

        if (d.Recipients is { Count: 0 })
        {
            Fail($"{at}.recipients", "list at least one recipient, or leave recipients out to exempt the whole rule");
        }

        return new DeemedCompliance(
            Flag(d.EntityFlag, $"{at}.entityFlag"), Required(d.Citation, $"{at}.citation"), Required(d.Note, $"{at}.note"), effect,
            d.Recipients is null ? null : Recipients(d.Recipients, $"{at}.recipients"));
    }

    private Applicability CompileApplicability(ApplicabilityDto? a, string at)
    {
        if (a?.ResidenceKeys is not { Count: > 0 })
        {
            Fail($"{at}.residenceKeys", "at least one residence key is required");
        }

        foreach (var (key, i) in a!.ResidenceKeys!.Select((k, i) => (k, i)))
        {
            if (key is not ("US-*" or "EU-*") && !ResidenceKeys.IsValid(key))
            {
                Fail($"{at}.residenceKeys[{i}]", $"'{key}' is not a residence key (US-XX, an ISO country code, US-* or EU-*)");
            }
        }

        return new Applicability(
            a.ResidenceKeys!,
            (a.EntityRequiresAll ?? []).Select((f, i) => Flag(f, $"{at}.entityRequiresAll[{i}]")).ToList(),
            (a.EntityRequiresAny ?? []).Select((f, i) => Flag(f, $"{at}.entityRequiresAny[{i}]")).ToList(),
            a.AppliesWithoutResidents,
            a.AppliesWithoutResidentsWhenEntity is null ? null : Flag(a.AppliesWithoutResidentsWhenEntity, $"{at}.appliesWithoutResidentsWhenEntity"));
    }

    private ObligationRule CompileObligation(ObligationDto o, string at)
    {
        var recipient = Word<Recipient>(o.Recipient, $"{at}.recipient");
        if (recipient == Recipient.Regulator && string.IsNullOrWhiteSpace(o.Authority))
        {
            Fail($"{at}.authority", "a regulator obligation names its authority");
        }

        Threshold? threshold = null;
        if (o.Threshold is { } t)
        {
            if (t.Residents is not { } residents || residents < 0)
            {
                Fail($"{at}.threshold.residents", "a threshold needs a non-negative number of residents");
            }

            threshold = new Threshold(t.Residents!.Value, Word<Comparison>(t.Comparison, $"{at}.threshold.comparison"),
                t.Per is null ? ThresholdScope.Rule : Word<ThresholdScope>(t.Per, $"{at}.threshold.per"));
        }

        var deadline = CompileDeadline(o.Deadline ?? Fail<DeadlineDto>($"{at}.deadline", "is required"), $"{at}.deadline");
        var alternatives = o.Deadline!.OrEarlier?.Select((alternative, i) =>
        {
            var compiled = CompileDeadline(alternative, $"{at}.deadline.orEarlier[{i}]");
            if (alternative.OrEarlier is not null)
            {
                Fail($"{at}.deadline.orEarlier[{i}].orEarlier", "an earlier limit has no limits of its own");
            }

            return compiled.Kind == DeadlineKind.WithoutUnreasonableDelay
                ? Fail<Deadline>($"{at}.deadline.orEarlier[{i}].kind", "an earlier limit is fixed or withIndividuals")
                : compiled;
        }).ToList();
        if (alternatives is { Count: 0 })
        {
            Fail($"{at}.deadline.orEarlier", "list at least one limit, or leave orEarlier out");
        }

        DelayRule? delay = null;
        if (o.LawEnforcementDelay is { } l)
        {
            var effect = Word<DelayEffect>(l.Effect, $"{at}.lawEnforcementDelay.effect");
            if (effect == DelayEffect.FreshWindow && (l.Amount is null || l.Unit is null))
            {
                Fail($"{at}.lawEnforcementDelay", "a fresh window needs an amount and a unit");
            }

            delay = new DelayRule(effect, l.Amount, l.Unit is null ? null : Word<DeadlineUnit>(l.Unit, $"{at}.lawEnforcementDelay.unit"),
                l.OralLimitDays, l.RequiresWritten, l.Citation);
        }

        return new ObligationRule(
            Required(o.Id, $"{at}.id"), recipient, o.Authority,
            o.AppliesTo is null ? AppliesTo.Owner : Word<AppliesTo>(o.AppliesTo, $"{at}.appliesTo"),
            o.EntityFlag is null ? null : Flag(o.EntityFlag, $"{at}.entityFlag"),
            o.OnlyWhenRiskOfHarmExceptionApplied, threshold, deadline with { Alternatives = alternatives }, delay,
            Required(o.Citation, $"{at}.citation"), o.Notes);
    }

    private Deadline CompileDeadline(DeadlineDto d, string at)
    {
        var kind = Word<DeadlineKind>(d.Kind, $"{at}.kind");
        int? amount = null;
        DeadlineUnit? unit = null;
        ClockStart? from = null;
        var calendar = BusinessCalendar.UsFederal;
        if (kind == DeadlineKind.Fixed)
        {
            if (d.Amount is not { } n || n < 0)
            {
                Fail($"{at}.amount", "a fixed deadline needs a non-negative amount");
            }

            amount = d.Amount;
            unit = Word<DeadlineUnit>(d.Unit, $"{at}.unit");
            from = Word<ClockStart>(d.From, $"{at}.from");
            if (d.Calendar is not null && !calendars.TryGetValue(d.Calendar, out calendar!))
            {
                Fail($"{at}.calendar", $"'{d.Calendar}' is not a calendar ({string.Join(", ", calendars.Keys)})");
            }
        }
        else if (d.Amount is not null || d.Unit is not null || d.From is not null)
        {
            Fail(at, $"a '{d.Kind}' deadline takes no amount, unit or from");
        }

        return new Deadline(kind, amount, unit, from, calendar, d.Note);
    }

    public BusinessCalendar CompileCalendar(CalendarFileDto dto)
    {
        var code = Required(dto.Code, "code");
        if (!string.Equals(code, Path.GetFileNameWithoutExtension(file), StringComparison.Ordinal))
        {
            Fail("code", $"'{code}' does not match the file name '{Path.GetFileNameWithoutExtension(file)}'");
        }

        Required(dto.Name, "name");
        Required(dto.Citation, "citation");
        var confidence = OneOf(dto.Confidence, "confidence", Confidences);
        if (confidence != "high" && string.IsNullOrWhiteSpace(dto.ConfidenceNote))
        {
            Fail("confidenceNote", $"confidence '{confidence}' needs a note saying what is uncertain");
        }

        if (dto.Sources is not { Count: > 0 })
        {
            Fail("sources", "name at least one source the calendar was checked against");
        }

        if (dto.Holidays is not { Count: > 0 })
        {
            Fail("holidays", "at least one holiday is required");
        }

        var observed = dto.Observed is null ? HolidayObserved.None : Word<HolidayObserved>(dto.Observed, "observed");
        var holidays = dto.Holidays!.Select((h, i) => CompileHoliday(h, $"holidays[{i}]", observed)).ToList();
        return new BusinessCalendar(code, year => holidays.Select(h => h.In(year)));
    }

    private Holiday CompileHoliday(HolidayDto h, string at, HolidayObserved observed)
    {
        var name = Required(h.Name, $"{at}.name");
        if (h.Month is not (>= 1 and <= 12))
        {
            Fail($"{at}.month", "a month from 1 to 12 is required");
        }

        var month = h.Month!.Value;
        if (h.Day is not null == h.Weekday is not null)
        {
            Fail(at, "give either a day, or a weekday with nth");
        }

        if (h.Day is { } day && (day < 1 || day > CalendarSystem.Iso.GetDaysInMonth(2024, month)))
        {
            Fail($"{at}.day", $"month {month} has no day {day}");
        }

        IsoDayOfWeek? weekday = null;
        if (h.Weekday is not null)
        {
            weekday = Word<IsoDayOfWeek>(h.Weekday, $"{at}.weekday");
            if (h.Nth is not (>= 1 and <= 4 or -1))
            {
                Fail($"{at}.nth", "nth is 1 to 4, or -1 for the last");
            }
        }
        else if (h.Nth is not null)
        {
            Fail($"{at}.nth", "nth goes with a weekday");
        }

        return new Holiday(name, month, h.Day, weekday, h.Nth,
            h.Observed is null ? observed : Word<HolidayObserved>(h.Observed, $"{at}.observed"));
    }

    private SubstituteNotice? CompileSubstitute(SubstituteNoticeDto? s, string at)
    {
        if (s is null)
        {
            return null;
        }

        var methods = s.Methods ?? [];
        for (var i = 0; i < methods.Count; i++)
        {
            if (!RuleBook.SubstituteMethods.Contains(methods[i]))
            {
                Fail($"{at}.methods[{i}]", $"'{methods[i]}' is not a substitute-notice method ({string.Join(", ", RuleBook.SubstituteMethods)})");
            }
        }

        return new SubstituteNotice(s.CostExceeds, s.AffectedExceed, s.InsufficientContactInfo, methods, s.Citation);
    }

    private LetterContent? CompileLetter(LetterContentDto? l, string at)
    {
        if (l is null)
        {
            return null;
        }

        foreach (var (list, name) in new[] { (l.Required ?? [], "required"), (l.Forbidden ?? [], "forbidden") })
        {
            for (var i = 0; i < list.Count; i++)
            {
                if (!RuleBook.LetterElements.Contains(list[i]))
                {
                    Fail($"{at}.{name}[{i}]", $"'{list[i]}' is not a letter element");
                }
            }
        }

        var both = (l.Required ?? []).Intersect(l.Forbidden ?? []).FirstOrDefault();
        if (both is not null)
        {
            Fail($"{at}.forbidden", $"'{both}' is both required and forbidden");
        }

        CreditMonitoring? monitoring = null;
        if (l.CreditMonitoring is { } c)
        {
            if (c.Elements is not { Count: > 0 })
            {
                Fail($"{at}.creditMonitoring.elements", "name the data elements whose exposure triggers the offer");
            }

            monitoring = new CreditMonitoring(c.Months ?? Fail<int>($"{at}.creditMonitoring.months", "is required"), c.When,
                Elements(c.Elements, $"{at}.creditMonitoring.elements"), c.WithName, c.EntityCaused, c.ConsumerReportingAgencyMonths,
                c.FreeCreditReport);
        }

        return new LetterContent(l.Title, l.Headings ?? [], l.MinFontPt, l.Required ?? [], l.Forbidden ?? [], monitoring, l.Citation);
    }

    private List<DataElement> Elements(List<string>? words, string at) =>
        (words ?? []).Select((w, i) => Word<DataElement>(w, $"{at}[{i}]")).ToList();

    private List<Recipient> Recipients(List<string> words, string at) =>
        words.Select((w, i) => Word<Recipient>(w, $"{at}[{i}]")).ToList();

    private EntityFlag Flag(string? word, string at) => Word<EntityFlag>(word, at);

    private T Word<T>(string? word, string at) where T : struct, Enum
    {
        var text = Required(word, at);
        foreach (var value in Enum.GetValues<T>())
        {
            if (string.Equals(value.ToString().ToCamelCase(), text, StringComparison.Ordinal))
            {
                return value;
            }
        }

        return Fail<T>(at, $"'{text}' is not one of {string.Join(", ", Enum.GetNames<T>().Select(n => n.ToCamelCase()))}");
    }

    private string OneOf(string? word, string at, string[] allowed)
    {
        var text = Required(word, at);
        return allowed.Contains(text) ? text : Fail<string>(at, $"'{text}' is not one of {string.Join(", ", allowed)}");
    }

    private string Required(string? value, string at) =>
        string.IsNullOrWhiteSpace(value) ? Fail<string>(at, "is required") : value;

    private void Fail(string field, string problem) => throw new RuleFileException(file, field, problem);

    private T Fail<T>(string field, string problem) => throw new RuleFileException(file, field, problem);
}
