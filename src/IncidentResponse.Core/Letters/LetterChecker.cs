using IncidentResponse.Core.Laws;
using NodaTime;

namespace IncidentResponse.Core.Letters;

public enum CheckStatus
{
    Satisfied,
    Missing,
    ForbiddenPresent,
    NotCheckable,
}

/// <summary>One requirement checked against a letter: what was looked for, whether it was found, and which laws ask for it.</summary>
public sealed record LetterCheck(string Requirement, string? Subject, CheckStatus Status, string Detail, IReadOnlyList<LawSource> Sources);

/// <summary>The checker's findings for one letter and one recipient group; it passes when nothing is missing or forbidden-present.</summary>
public sealed record LetterCheckReport(
    IReadOnlyList<string> Group,
    bool Passed,
    IReadOnlyList<LetterCheck> Checks,
    IReadOnlyList<LetterConflict> Conflicts,
    IReadOnlyList<LetterFinding> Findings);

/// <summary>
/// Checks any letter text (drafted here or written by a lawyer) against a group's merged content rules. Every check is
/// a plain search for words, dates, numbers or contacts that the detail names, so a reviewer can repeat it by hand.
/// </summary>
public static class LetterChecker
{
    /// <summary>Words that tell how a breach happened (Massachusetts forbids saying so; others require a description).</summary>
    public static readonly IReadOnlyList<string> NatureWords =
    [
        "unauthorized", "unauthorised", "ransomware", "malware", "phishing", "hacker", "hacked", "cyberattack", "cyber attack",
        "attacker", "compromised", "stolen", "exfiltrat", "intrusion", "threat actor",
    ];

    internal static readonly string[] ActionWords =
    [
        "we have taken", "we took", "we are taking", "steps to", "we have secured", "we secured", "we are reviewing",
        "we have reviewed", "we have implemented", "we have notified", "we are offering", "measures",
    ];

    internal static readonly string[] AdviceWords =
    [
        "you can", "you may", "you should", "we encourage you", "we recommend", "remain vigilant",
    ];

    internal static readonly string[] IdentityTheftSteps =
    [
        "credit report", "account statements", "fraud alert", "security freeze", "identitytheft.gov",
    ];

    internal static readonly string[] MonitoringWords =
    [
        "credit monitoring", "identity monitoring", "identity theft protection", "identity protection",
    ];

    private delegate IEnumerable<(string? Subject, bool Found, string Looked)> Detector(LetterText letter, CheckContext context);

    /// <summary>Each letter element of the rule vocabulary (RuleBook.LetterElements) and how its presence is detected.</summary>
    private static readonly Dictionary<string, Detector> Detectors = new(StringComparer.Ordinal)
    {
        ["incidentDescription"] = (l, c) =>
        [(null, l.Has(c.Request.Incident.Summary) || NatureWords.Any(l.Has),
            $"the incident summary given in the input, or a word telling how it happened ({string.Join(", ", NatureWords)})")],
        ["dateOfBreach"] = (l, c) => new[] { c.Request.Incident.OccurredFrom, c.Request.Incident.OccurredTo }.OfType<LocalDate>().Distinct()
            .Select(d => Date(l, d, "the breach date")),
        ["dateOfDiscovery"] = (l, c) => [Date(l, c.Request.Facts.DiscoveryDate, "the discovery date (local to the organisation)")],
        ["dateOfNotice"] = (l, c) => [Date(l, c.Request.NoticeDate, "the notice date")],
        ["typesOfInformation"] = (l, c) => c.Request.Facts.DataElements.Select(e =>
            ((string?)e.ToString().ToCamelCase(), DataElementWords.Accepted(e).Any(l.HasAll),
                $"the data element named as one of: {string.Join(", ", DataElementWords.Accepted(e).Select(w => $"'{w.Replace("+", "' with '", StringComparison.Ordinal)}'"))}")),
        ["actionsTaken"] = (l, _) => [(null, ActionWords.Any(l.Has), $"what the organisation did: one of {Quoted(ActionWords)}")],
        ["whatIndividualsCanDo"] = (l, _) => [(null, AdviceWords.Any(l.Has), $"advice to the reader: one of {Quoted(AdviceWords)}")],
        ["entityContact"] = (l, c) =>
        [(c.Request.Organisation.Name,
            new[] { c.Request.Organisation.Name, c.Request.Organisation.ShortName }.OfType<string>().Any(l.Has) && c.Request.Organisation.ContactPoints.Any(p => Found(l, p)),
            $"the organisation's name or short name with one of its contact points ({string.Join("; ", c.Request.Organisation.ContactPoints)})")],
        ["tollFreeNumbers"] = (l, c) => c.Contacts.CreditBureaus.Select(b =>
            ((string?)b.Name, l.HasPhone(b.Phone), $"{b.Name}'s toll-free number {b.Phone}")),
        ["creditBureausContact"] = (l, c) => c.Contacts.CreditBureaus.Select(b =>
            ((string?)b.Name, l.Has(b.Name) && (l.HasPhone(b.Phone) || l.HasWebsite(b.Website) || l.Has(b.Address)),
                $"'{b.Name}' with its telephone number, website or address ({b.Phone}; {b.Website}; {b.Address})")),
        ["ftcContact"] = (l, c) =>
        [(c.Contacts.Ftc.Name, (l.Has(c.Contacts.Ftc.Name) || l.Has("ftc")) && (l.HasPhone(c.Contacts.Ftc.Phone) || l.HasWebsite(c.Contacts.Ftc.Website) || l.Has("ftc.gov")),
            $"'{c.Contacts.Ftc.Name}' with {c.Contacts.Ftc.Phone}, {c.Contacts.Ftc.Website} or ftc.gov")],
        ["attorneyGeneralContact"] = (l, c) => c.Requirements.SourcesOf("attorneyGeneralContact").Select(s => s.Jurisdiction).Distinct().Select(code =>
            c.Contacts.AttorneysGeneral.TryGetValue(code, out var ag)
                ? ((string?)code, l.Has("attorney general") && (l.HasPhone(ag.Phone) || l.HasWebsite(ag.Website)),
                    $"'Attorney General' with the {ag.Name}'s telephone number {ag.Phone} or website {ag.Website}")
                : (code, false, $"no reviewed contact for {code} in Letters/Contacts/contacts.yaml")),
        ["creditMonitoringOffer"] = (l, c) =>
        [(null, MonitoringWords.Any(l.Has) && l.LongestTermInMonths() >= (c.Requirements.CreditMonitoring?.Months ?? 1),
            $"an offer of {Quoted(MonitoringWords)} for at least {c.Requirements.CreditMonitoring?.Months ?? 1} months (\"24 months\", \"24-month\", \"two years\")")],
        ["securityFreeze"] = (l, _) => [(null, l.Has("security freeze") || l.Has("credit freeze"), "'security freeze' or 'credit freeze'")],
        ["fraudAlert"] = (l, _) => [(null, l.Has("fraud alert"), "'fraud alert'")],
        ["policeReport"] = (l, _) => [(null, l.Has("police report"), "'police report'")],
        ["lawEnforcementDelay"] = (l, _) =>
            [(null, l.Sentences.Any(s => s.Contains("law enforcement", StringComparison.Ordinal) && s.Contains("delay", StringComparison.Ordinal)),
                "a sentence saying whether notice was delayed for law enforcement ('law enforcement' and 'delay' in one sentence)")],
        ["identityTheftAdvice"] = (l, _) =>
            [(null, l.Has("identity theft") && IdentityTheftSteps.Any(l.Has), $"'identity theft' with a step against it: one of {Quoted(IdentityTheftSteps)}")],
        ["identityTheftReporting"] = (l, _) =>
            [(null, l.Sentences.Any(s => s.Contains("report", StringComparison.Ordinal) && s.Contains("identity theft", StringComparison.Ordinal)
                    && (s.Contains("law enforcement", StringComparison.Ordinal) || s.Contains("police", StringComparison.Ordinal))),
                "a sentence advising to report identity theft to law enforcement ('report', 'identity theft' and 'law enforcement' or 'police' in one sentence)")],
        ["fcraRights"] = (l, _) => [(null, l.Has("fair credit reporting act"), "'Fair Credit Reporting Act'")],
        ["numberOfResidentsAffected"] = (l, _) =>
            [(null, l.StatesACountOfPeople(), "a number of people ('1,204 individuals', '37 Rhode Island residents', '120 customers')")],
    };

    /// <summary>The vocabulary the checker knows; a test holds it equal to the rule base's.</summary>
    public static IReadOnlyCollection<string> KnownElements => Detectors.Keys;

    public static LetterCheckReport Check(string letter, LetterRequest request, LetterRequirements requirements, ContactDirectory contacts)
    {
        var text = new LetterText(letter);
        var context = new CheckContext(request, requirements, contacts);
        var checks = new List<LetterCheck>();
        if (requirements.Title is { } title)
        {
            checks.Add(new LetterCheck("title", title.Value, text.Has(title.Value) ? CheckStatus.Satisfied : CheckStatus.Missing,
                $"the title '{title.Value}'", title.Sources));
        }

        checks.AddRange(Headings(text, requirements.Headings));
        if (requirements.MinFontPt is { } font)
        {
            checks.Add(new LetterCheck("minFontPt", $"{font.Value}pt", CheckStatus.NotCheckable,
                $"text carries no font size; DOCX and PDF drafts use at least {font.Value} pt", font.Sources));
        }

        foreach (var required in requirements.Required)
        {
            foreach (var (subject, found, looked) in Detectors[required.Value](text, context))
            {
                checks.Add(new LetterCheck(required.Value, subject, found ? CheckStatus.Satisfied : CheckStatus.Missing,
                    (found ? "Found " : "Not found: ") + looked, required.Sources));
            }
        }

        foreach (var forbidden in requirements.Forbidden)
        {
            foreach (var (subject, found, looked) in Detectors[forbidden.Value](text, context))
            {
                checks.Add(new LetterCheck(forbidden.Value, subject, found ? CheckStatus.ForbiddenPresent : CheckStatus.Satisfied,
                    (found ? "Forbidden, but found " : "Absent as required: ") + looked, forbidden.Sources));
            }
        }

        var passed = checks.All(c => c.Status is CheckStatus.Satisfied or CheckStatus.NotCheckable);
        return new LetterCheckReport(requirements.Group, passed, checks, requirements.Conflicts, requirements.Findings);
    }

    /// <summary>Each required heading, found after the one before it.</summary>
    private static IEnumerable<LetterCheck> Headings(LetterText text, IReadOnlyList<Cited<string>> headings)
    {
        var after = 0;
        Cited<string>? previous = null;
        foreach (var heading in headings)
        {
            var at = text.IndexOf(heading.Value, after);
            if (at >= 0)
            {
                after = at + heading.Value.Length;
                yield return new LetterCheck("heading", heading.Value, CheckStatus.Satisfied, $"Found the heading '{heading.Value}' in order", heading.Sources);
            }
            else
            {
                var detail = text.IndexOf(heading.Value) >= 0 && previous is not null
                    ? $"The heading '{heading.Value}' appears, but before '{previous.Value}'"
                    : $"Not found: the heading '{heading.Value}'";
                yield return new LetterCheck("heading", heading.Value, CheckStatus.Missing, detail, heading.Sources);
            }

            previous = heading;
        }
    }

    private static (string? Subject, bool Found, string Looked) Date(LetterText text, LocalDate date, string what) =>
        (LetterText.Written(date), text.HasDate(date), $"{what} {LetterText.Written(date)} in a usual form (June 2, 2026; 06/02/2026; 2026-06-02)");

    private static bool Found(LetterText text, string contactPoint) =>
        text.HasPhone(contactPoint) || text.Has(contactPoint) || text.HasWebsite(contactPoint);

    private static string Quoted(IEnumerable<string> words) => string.Join(", ", words.Select(w => $"'{w}'"));

    private sealed record CheckContext(LetterRequest Request, LetterRequirements Requirements, ContactDirectory Contacts);
}
