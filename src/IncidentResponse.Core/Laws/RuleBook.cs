using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using NodaTime.Text;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace IncidentResponse.Core.Laws;

/// <summary>A rule file that cannot be used, with the file and field at fault.</summary>
public sealed class RuleFileException(string file, string field, string problem)
    : Exception($"{file}: {field}: {problem}")
{
    public string File { get; } = file;
    public string Field { get; } = field;
    public string Problem { get; } = problem;
}

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

    /// <summary>Parses and validates rule files given as (file name, YAML text); throws on the first bad field.</summary>
    public static RuleBook Parse(IEnumerable<(string File, string Text)> files)
    {
        var deserializer = new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).Build();
        var rules = new List<Rule>();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (file, text) in files.OrderBy(f => f.File, StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes(file + "\n" + text + "\n"));
            RuleFileDto dto;
            try
            {
                dto = deserializer.Deserialize<RuleFileDto>(text) ?? throw new RuleFileException(file, "(file)", "the file is empty");
            }
            catch (YamlException e)
            {
                throw new RuleFileException(file, $"line {e.Start.Line}, column {e.Start.Column}", (e.InnerException ?? e).Message);
            }

            rules.Add(new RuleCompiler(file).Compile(dto));
        }

        var duplicate = rules.GroupBy(r => r.Code, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new RuleFileException(duplicate.Key, "code", "two files declare this code");
        }

        return new RuleBook(rules, Convert.ToHexStringLower(hash.GetHashAndReset())[..12]);
    }

    private static RuleBook LoadEmbedded()
    {
        var assembly = typeof(RuleBook).Assembly;
        var files = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("rules/", StringComparison.Ordinal))
            .Select(n => (n["rules/".Length..], Read(assembly, n)))
            .ToList();
        return Parse(files);
    }

    private static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}

/// <summary>Turns one file's text shape into the typed model, naming the field of any mistake.</summary>
internal sealed class RuleCompiler(string file)
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
        var personal = new PersonalInformation(
            pi.AnyIncident, Elements(pi.WithName, $"{at}.personalInformation.withName"),
            Elements(pi.Standalone, $"{at}.personalInformation.standalone"), pi.Note);
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

        var deemed = (v.DeemedCompliance ?? []).Select((d, i) => new DeemedCompliance(
            Flag(d.EntityFlag, $"{at}.deemedCompliance[{i}].entityFlag"),
            Required(d.Citation, $"{at}.deemedCompliance[{i}].citation"),
            Required(d.Note, $"{at}.deemedCompliance[{i}].note"))).ToList();

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

        var d = o.Deadline ?? Fail<DeadlineDto>($"{at}.deadline", "is required");
        var kind = Word<DeadlineKind>(d.Kind, $"{at}.deadline.kind");
        int? amount = null;
        DeadlineUnit? unit = null;
        ClockStart? from = null;
        var calendar = BusinessCalendar.UsFederal;
        if (kind == DeadlineKind.Fixed)
        {
            if (d.Amount is not { } n || n < 0)
            {
                Fail($"{at}.deadline.amount", "a fixed deadline needs a non-negative amount");
            }

            amount = d.Amount;
            unit = Word<DeadlineUnit>(d.Unit, $"{at}.deadline.unit");
            from = Word<ClockStart>(d.From, $"{at}.deadline.from");
            if (d.Calendar is not null)
            {
                calendar = d.Calendar switch
                {
                    "US-federal" => BusinessCalendar.UsFederal,
                    "weekends" => BusinessCalendar.Weekends,
                    _ => Fail<BusinessCalendar>($"{at}.deadline.calendar", $"'{d.Calendar}' is not a calendar (US-federal, weekends)"),
                };
            }
        }
        else if (d.Amount is not null || d.Unit is not null || d.From is not null)
        {
            Fail($"{at}.deadline", $"a '{d.Kind}' deadline takes no amount, unit or from");
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
            o.OnlyWhenRiskOfHarmExceptionApplied, threshold, new Deadline(kind, amount, unit, from, calendar, d.Note), delay,
            Required(o.Citation, $"{at}.citation"), o.Notes);
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
