using System.Globalization;
using System.Text;
using IncidentResponse.Core.Laws;

namespace IncidentResponse.Core.Letters;

/// <summary>One addressee of a notice as the rule base names it: the regime, the authority, the clause and what it says.</summary>
public sealed record NoticeRecipient(string Code, string Name, string? Authority, string Citation, string? Deadline, string? Notes, long Residents);

/// <summary>An element a notice must contain, with every clause that asks for it.</summary>
public sealed record CitedElement(NoticeElement Element, IReadOnlyList<LawSource> Sources);

/// <summary>The content rules of one notice for one group: its recipients, its cited elements, what the group forbids.</summary>
public sealed record NoticeRequirements(
    NoticeContent Content,
    IReadOnlyList<NoticeRecipient> Recipients,
    IReadOnlyList<CitedElement> Elements,
    IReadOnlyList<SubstituteNoticeTerms> Substitute,
    LetterRequirements Letter);

/// <summary>When one jurisdiction allows substitute notice and how it is given (the rule file's substituteNotice).</summary>
public sealed record SubstituteNoticeTerms(string Code, string Name, SubstituteNotice Terms);

/// <summary>
/// Every kind of letter through one door: the letter to individuals (LetterRules, LetterDrafter, LetterChecker) and the
/// notices to regulators, agencies, the media and substitute notice (Letters/Notices/notices.yaml and the rule base).
/// </summary>
public static class Notices
{
    private static readonly Dictionary<LetterKind, Lazy<Fluid.IFluidTemplate>> Parsed =
        Enum.GetValues<LetterKind>().ToDictionary(k => k, k => new Lazy<Fluid.IFluidTemplate>(() => LetterDrafter.ParseTemplate(DefaultTemplate(k))));

    /// <summary>The built-in template of a kind (Letters/Templates/&lt;kind&gt;.liquid).</summary>
    public static string DefaultTemplate(LetterKind kind)
    {
        var name = $"letters/templates/{kind.ToString().ToCamelCase()}.liquid";
        using var stream = typeof(Notices).Assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>Drafts a letter of the kind for the group (or the group the assessment gives); <paramref name="template"/> replaces the built-in one.</summary>
    public static LetterDraft Draft(LetterKind kind, LetterRequest request, IReadOnlyList<string>? codes, RuleBook rules, ContactDirectory contacts, string? template = null)
    {
        if (kind == LetterKind.Individuals)
        {
            return LetterDrafter.Draft(request, LetterRules.Resolve(request, codes, rules), contacts, template);
        }

        var requirements = Resolve(kind, request, codes, rules);
        var parsed = template is null ? Parsed[kind].Value : LetterDrafter.ParseTemplate(template);
        var marked = LetterDrafter.Render(parsed, Model(request, requirements, contacts));
        return new LetterDraft(requirements.Letter, LetterDocument.Parse(marked, LetterDrafter.DefaultFontPt), [requirements.Letter.Group]);
    }

    /// <summary>Checks a letter's text against the kind's content rules for the group, citing each element.</summary>
    public static LetterCheckReport Check(LetterKind kind, string text, LetterRequest request, IReadOnlyList<string>? codes, RuleBook rules, ContactDirectory contacts)
    {
        if (kind == LetterKind.Individuals)
        {
            return LetterChecker.Check(text, request, LetterRules.Merge(LetterRules.Resolve(request, codes, rules), request), contacts);
        }

        var requirements = Resolve(kind, request, codes, rules);
        var report = LetterChecker.Check(text, request, requirements.Letter, contacts);
        var letter = new LetterText(text);
        var phrases = requirements.Elements.Where(e => e.Element.Element is null).Select(e =>
        {
            var found = e.Element.AnyOf.Any(letter.Has);
            var looked = $"one of {string.Join(", ", e.Element.AnyOf.Select(w => $"'{w}'"))}";
            return new LetterCheck(e.Element.Id, null, found ? CheckStatus.Satisfied : CheckStatus.Missing, (found ? "Found " : "Not found: ") + looked, e.Sources);
        }).ToList();
        var checks = report.Checks.Concat(phrases).ToList();
        return report with { Checks = checks, Passed = checks.All(c => c.Status is CheckStatus.Satisfied or CheckStatus.NotCheckable) };
    }

    /// <summary>
    /// Proves a replacement template works: it must parse and render a letter for a sample incident (a sample group the
    /// kind serves). Returns the draft; a template that does not parse or render throws a <see cref="LetterException"/>.
    /// </summary>
    public static LetterDraft TryTemplate(LetterKind kind, string template, RuleBook rules, ContactDirectory contacts)
    {
        var (sample, _) = LetterRequestReader.Read(SampleRequest);
        var content = kind == LetterKind.Individuals ? null : NoticeCatalogue.Current[kind];
        var group = content is null ? ["US-CA"] : rules.Rules.Where(r => content.Serves(r.Code) && (content.Substitute
                ? r.VersionFor(sample!.Facts).SubstituteNotice is { Methods.Count: > 0 }
                : r.VersionFor(sample!.Facts).Obligations.Any(o => o.Recipient == content.Recipient)))
            .Select(r => r.Code).Take(1).ToList();
        var draft = Draft(kind, sample!, group, rules, contacts, template);
        return draft.Document is { Blocks.Count: > 0 } ? draft : throw new LetterException("template", "the template renders an empty letter");
    }

    private const string SampleRequest = """
        {
          "facts": { "discoveredAt": "2026-06-03T17:30:00Z",
                     "entity": { "timeZone": "America/New_York", "dataOwner": true, "hipaaCoveredEntity": true, "secRegistrant": true,
                                 "nydfsCoveredEntity": true, "establishedInEu": true },
                     "dataElements": ["name", "ssn"], "affectedResidents": { "US-CA": 1200, "US-NY": 800, "DE": 40 } },
          "organisation": { "name": "Sample Organisation", "phone": "1-800-555-0100", "website": "www.example.com/notice" },
          "incident": { "summary": "An unauthorized party accessed a customer database.", "occurredFrom": "2026-05-28", "occurredTo": "2026-06-02" },
          "offer": { "creditMonitoringMonths": 24, "provider": "Sample Monitoring" },
          "noticeDate": "2026-06-24",
          "deliveryMethod": "mail"
        }
        """;

    /// <summary>The recipients, cited elements and forbidden elements of a notice; an unknown or unserved code, or an empty group, throws.</summary>
    public static NoticeRequirements Resolve(LetterKind kind, LetterRequest request, IReadOnlyList<string>? codes, RuleBook rules)
    {
        var content = NoticeCatalogue.Current[kind];
        var group = codes ?? Assessment.Assess(request.Facts, rules).Obligations
            .Where(o => o.Recipient == content.Recipient && content.Serves(o.Regime)
                && (!content.Substitute || rules.ByCode[o.Regime].VersionFor(request.Facts).SubstituteNotice is { Methods.Count: > 0 }))
            .Select(o => o.Regime).Distinct(StringComparer.Ordinal).ToList();
        if (group.Count == 0)
        {
            throw new LetterException("group", codes is null
                ? $"no jurisdiction requires a {kind.ToString().ToCamelCase()} notice for these facts; name the jurisdictions with a group"
                : "name at least one jurisdiction");
        }

        var recipients = new List<NoticeRecipient>();
        var substitute = new List<SubstituteNoticeTerms>();
        foreach (var code in group.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (!rules.ByCode.TryGetValue(code, out var rule))
            {
                throw new LetterException("group", $"'{code}' is not a rule code (see `ir laws list`)");
            }

            var version = rule.VersionFor(request.Facts);
            var residents = request.Facts.AffectedResidents.TryGetValue(rule.Code, out var count) ? count
                : request.Facts.AffectedResidents.Values.Sum();
            if (content.Substitute)
            {
                if (version.SubstituteNotice is not { Methods.Count: > 0 } terms)
                {
                    throw new LetterException("group", $"{rule.Code} provides no substitute notice in the rule base");
                }

                substitute.Add(new SubstituteNoticeTerms(rule.Code, rule.Name, terms));
                recipients.Add(new NoticeRecipient(rule.Code, rule.Name, null, terms.Citation ?? version.Citation, null, null, residents));
                continue;
            }

            var obligations = version.Obligations.Where(o => o.Recipient == content.Recipient).ToList();
            if (!content.Serves(rule.Code) || obligations.Count == 0)
            {
                throw new LetterException("group", $"{rule.Code} has no {content.Recipient.ToString().ToCamelCase()} notice that a {kind.ToString().ToCamelCase()} letter answers");
            }

            recipients.AddRange(obligations.Select(o =>
                new NoticeRecipient(rule.Code, rule.Name, o.Authority, o.Citation, o.Deadline.Note, o.Notes, residents)));
        }

        var codesUsed = recipients.Select(r => r.Code).Distinct().ToList();
        var forbidden = content.Recipient is Recipient.Individuals or Recipient.Media
            ? LetterRules.Merge(LetterRules.Resolve(request, codesUsed, rules), request).Forbidden
            : [];
        var elements = new List<CitedElement>();
        var findings = new List<LetterFinding>();
        foreach (var element in content.Elements)
        {
            IReadOnlyList<LawSource> sources = element.FromRuleBase
                ? recipients.Select(r => new LawSource(r.Code, r.Citation)).Distinct().ToList()
                : codesUsed.Select(c => new LawSource(c, element.Citation!)).ToList();
            if (element.Element is { } vocabulary && forbidden.FirstOrDefault(f => f.Value == vocabulary) is { } against)
            {
                findings.Add(new LetterFinding(element.Id,
                    $"'{vocabulary}' is asked for here but forbidden by {string.Join(", ", against.Sources.Select(s => s.Jurisdiction).Distinct())}; it is left out.",
                    [.. sources, .. against.Sources]));
                continue;
            }

            elements.Add(new CitedElement(element, sources));
            if (!element.Reviewed)
            {
                findings.Add(new LetterFinding(element.Id, $"Not reviewed against the rule base: {element.Note}", sources));
            }
        }

        var required = elements.Where(e => e.Element.Element is not null)
            .GroupBy(e => e.Element.Element!)
            .Select(g => new Cited<string>(g.Key, g.SelectMany(e => e.Sources).Distinct().ToList()))
            .ToList();
        var letter = new LetterRequirements(codesUsed, null, [], null, required, forbidden, null, [], findings);
        return new NoticeRequirements(content, recipients, elements, substitute, letter);
    }

    private static Dictionary<string, object?> Model(LetterRequest request, NoticeRequirements requirements, ContactDirectory contacts)
    {
        var show = RuleBook.LetterElements.ToDictionary(e => e, e => (object?)!requirements.Letter.Forbids(e));
        var delayed = request.Facts.LawEnforcementDelays.Count > 0;
        return new()
        {
            ["title"] = requirements.Content.Title,
            ["noticeDate"] = LetterText.Written(request.NoticeDate),
            ["organisation"] = LetterDrafter.OrganisationModel(request.Organisation),
            ["incident"] = LetterDrafter.IncidentModel(request, requirements.Letter.Forbids("dateOfDiscovery")),
            ["discoveryDate"] = LetterText.Written(request.Facts.DiscoveryDate),
            ["show"] = show,
            ["information"] = request.Facts.DataElements.Select(e => (object?)DataElementWords.Plain(e)).ToList(),
            ["affectedCount"] = Count(request.Facts.AffectedResidents.Values.Sum()),
            ["recipients"] = requirements.Recipients.Select(r => (object?)new Dictionary<string, object?>
            {
                ["jurisdiction"] = r.Code, ["name"] = r.Name, ["authority"] = r.Authority, ["citation"] = r.Citation,
                ["deadline"] = r.Deadline, ["notes"] = r.Notes, ["residents"] = Count(r.Residents),
            }).ToList(),
            ["substitute"] = requirements.Substitute.Select(s => (object?)new Dictionary<string, object?>
            {
                ["jurisdiction"] = s.Code, ["name"] = s.Name, ["citation"] = s.Terms.Citation,
                ["costExceeds"] = s.Terms.CostExceeds is { } cost ? Count(cost) : null,
                ["affectedExceed"] = s.Terms.AffectedExceed is { } over ? Count(over) : null,
                ["insufficientContactInfo"] = s.Terms.InsufficientContactInfo,
                ["methods"] = s.Terms.Methods.Select(m => (object?)m).ToList(),
            }).ToList(),
            ["elements"] = requirements.Elements.Select(e => (object?)new Dictionary<string, object?>
            {
                ["id"] = e.Element.Id, ["citations"] = string.Join("; ", e.Sources.Select(s => s.Citation).Distinct()),
                ["reviewed"] = e.Element.Reviewed, ["note"] = e.Element.Note,
            }).ToList(),
            ["offer"] = request.Offer is not { } offer ? null : new Dictionary<string, object?>
            {
                ["months"] = offer.Months, ["provider"] = offer.Provider,
                ["enrollBy"] = offer.EnrollBy is { } by ? LetterText.Written(by) : null, ["freeCreditReport"] = offer.FreeCreditReport,
            },
            ["delaySentence"] = delayed && !requirements.Letter.Forbids("lawEnforcementDelay")
                ? "Notice was delayed at the request of law enforcement so that it would not impede a criminal investigation." : null,
            ["creditBureaus"] = contacts.CreditBureaus.Select(b => (object?)LetterDrafter.Agency(b, null)).ToList(),
        };
    }

    private static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
