using IncidentResponse.Core.Laws;

namespace IncidentResponse.Core.Letters;

/// <summary>Where a requirement comes from: one jurisdiction's rule and the clause that says so.</summary>
public sealed record LawSource(string Jurisdiction, string Citation);

/// <summary>A value a letter must have, with every law that asks for it.</summary>
public sealed record Cited<T>(T Value, IReadOnlyList<LawSource> Sources);

/// <summary>The longest credit-monitoring offer the group's laws demand for these facts.</summary>
public sealed record CreditMonitoringDemand(int Months, bool FreeCreditReport, IReadOnlyList<LawSource> Sources);

public enum ConflictKind
{
    RequiredAndForbidden,
    Title,
    HeadingOrder,
}

/// <summary>Two laws of one group that no single letter can satisfy together.</summary>
public sealed record LetterConflict(ConflictKind Kind, string Description, IReadOnlyList<LawSource> Sources);

/// <summary>Something the organisation must fix outside the letter's wording (e.g. an offer shorter than a law demands).</summary>
public sealed record LetterFinding(string Requirement, string Description, IReadOnlyList<LawSource> Sources);

/// <summary>One jurisdiction's letter content rules in the version in force for the facts; <see cref="Kind"/> as in the rule file.</summary>
public sealed record JurisdictionContent(string Code, string Name, string Kind, LetterContent Content, string Citation)
{
    /// <summary>A US state, territory, district or federal regime: its residents use US credit bureaus and the FTC.</summary>
    public bool IsUnitedStates => Kind != "international";
}

/// <summary>The merged content rules for one letter sent to the residents of every jurisdiction in <see cref="Group"/>.</summary>
public sealed record LetterRequirements(
    IReadOnlyList<string> Group,
    Cited<string>? Title,
    IReadOnlyList<Cited<string>> Headings,
    Cited<int>? MinFontPt,
    IReadOnlyList<Cited<string>> Required,
    IReadOnlyList<Cited<string>> Forbidden,
    CreditMonitoringDemand? CreditMonitoring,
    IReadOnlyList<LetterConflict> Conflicts,
    IReadOnlyList<LetterFinding> Findings)
{
    public bool Requires(string element) => Required.Any(r => r.Value == element);

    public bool Forbids(string element) => Forbidden.Any(r => r.Value == element);

    public IReadOnlyList<LawSource> SourcesOf(string element) => Required.FirstOrDefault(r => r.Value == element)?.Sources ?? [];
}

/// <summary>
/// Merges the letter content rules of a group of jurisdictions: union of required and of forbidden elements, the
/// largest minimum font, one title and one heading order; names the conflicts and proposes a split that has none.
/// </summary>
public static class LetterRules
{
    public const string CreditMonitoringOffer = "creditMonitoringOffer";

    /// <summary>
    /// The recipient group's content rules, each in the version the assessment uses. Without codes, the group is every
    /// regime with an individual-notice obligation for these facts. An unknown code or an empty group throws.
    /// </summary>
    public static IReadOnlyList<JurisdictionContent> Resolve(LetterRequest request, IReadOnlyList<string>? codes, RuleBook rules)
    {
        var group = codes ?? Assessment.Assess(request.Facts, rules).Obligations.Where(o => o.Recipient == Recipient.Individuals)
            .Select(o => o.Regime).Distinct(StringComparer.Ordinal).ToList();
        if (group.Count == 0)
        {
            throw new LetterException("group", codes is null
                ? "no jurisdiction requires notice to individuals for these facts; name the recipients' jurisdictions with --group"
                : "name at least one jurisdiction");
        }

        return group.Distinct(StringComparer.OrdinalIgnoreCase).Select(code =>
        {
            if (!rules.ByCode.TryGetValue(code, out var rule))
            {
                throw new LetterException("group", $"'{code}' is not a rule code (see `ir laws list`)");
            }

            var version = rule.VersionFor(request.Facts);
            var content = version.LetterContent ?? new LetterContent(null, [], null, [], [], null, null);
            return new JurisdictionContent(rule.Code, rule.Name, rule.Kind, content, content.Citation ?? version.Citation);
        }).ToList();
    }

    public static LetterRequirements Merge(IReadOnlyList<JurisdictionContent> group, LetterRequest request)
    {
        var required = new CitedSet<string>();
        var forbidden = new CitedSet<string>();
        var findings = new List<LetterFinding>();
        var demands = new List<(int Months, bool FreeReport, LawSource Source)>();
        Cited<int>? font = null;
        foreach (var j in group)
        {
            var source = new LawSource(j.Code, j.Citation);
            var monitoring = j.Content.CreditMonitoring is { } m && Applies(m, request) ? m : null;
            foreach (var element in j.Content.Required.Where(e => e != CreditMonitoringOffer || monitoring is not null))
            {
                required.Add(element, source);
            }

            foreach (var element in j.Content.Forbidden)
            {
                forbidden.Add(element, source);
            }

            if (monitoring is not null)
            {
                required.Add(CreditMonitoringOffer, source);
                var months = request.Organisation.IsConsumerReportingAgency ? monitoring.ConsumerReportingAgencyMonths ?? monitoring.Months : monitoring.Months;
                demands.Add((months, monitoring.FreeCreditReport, source));
            }

            if (j.Content.MinFontPt is { } pt)
            {
                font = font is null || pt > font.Value ? new Cited<int>(pt, [source])
                    : pt == font.Value ? font with { Sources = [.. font.Sources, source] } : font;
            }
        }

        var conflicts = new List<LetterConflict>();
        foreach (var element in required.Items.Where(r => forbidden.Contains(r.Value)))
        {
            var against = forbidden.Items.First(f => f.Value == element.Value);
            conflicts.Add(new LetterConflict(ConflictKind.RequiredAndForbidden,
                $"'{element.Value}' is required by {Codes(element.Sources)} and forbidden by {Codes(against.Sources)}",
                [.. element.Sources, .. against.Sources]));
        }

        var title = MergeTitle(group, conflicts);
        var headings = MergeHeadings(group, conflicts);
        var demand = demands.Count == 0 ? null
            : new CreditMonitoringDemand(demands.Max(d => d.Months), demands.Any(d => d.FreeReport), demands.Select(d => d.Source).ToList());
        if (demand is not null)
        {
            findings.AddRange(OfferFindings(demand, demands, request.Offer));
        }

        return new LetterRequirements(group.Select(j => j.Code).ToList(), title, headings, font, required.Items, forbidden.Items, demand,
            conflicts, findings);
    }

    /// <summary>
    /// Sub-groups that each have no conflict: every jurisdiction joins the first sub-group it agrees with, or opens a new one
    /// (greedy, in the group's order). A group without conflicts stays whole.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<string>> Split(IReadOnlyList<JurisdictionContent> group, LetterRequest request)
    {
        var parts = new List<List<JurisdictionContent>>();
        foreach (var j in group)
        {
            var home = parts.FirstOrDefault(p => Merge([.. p, j], request).Conflicts.Count == 0);
            if (home is null)
            {
                parts.Add([j]);
            }
            else
            {
                home.Add(j);
            }
        }

        return parts.Select(p => (IReadOnlyList<string>)p.Select(j => j.Code).ToList()).ToList();
    }

    /// <summary>Whether a law's credit-monitoring demand applies to these facts.</summary>
    public static bool Applies(CreditMonitoring demand, LetterRequest request)
    {
        var elements = request.Facts.DataElements;
        return demand.Elements.Any(elements.Contains)
            && (!demand.WithName || elements.Contains(DataElement.Name))
            && (!demand.EntityCaused || request.Incident.CausedByEntity);
    }

    private static IEnumerable<LetterFinding> OfferFindings(
        CreditMonitoringDemand demand, List<(int Months, bool FreeReport, LawSource Source)> demands, CreditMonitoringOffer? offer)
    {
        if (offer is null)
        {
            yield return new LetterFinding(CreditMonitoringOffer,
                $"No credit-monitoring offer is given, but {Codes(demand.Sources)} demand{(demand.Sources.Count == 1 ? "s" : "")} one of at least {demand.Months} months at no cost.",
                demand.Sources);
            yield break;
        }

        var shortOf = demands.Where(d => d.Months > offer.Months).ToList();
        if (shortOf.Count > 0)
        {
            yield return new LetterFinding(CreditMonitoringOffer,
                $"The offer runs {offer.Months} months; {string.Join(", ", shortOf.Select(d => $"{d.Source.Jurisdiction} demands {d.Months}"))}.",
                shortOf.Select(d => d.Source).ToList());
        }

        var report = demands.Where(d => d.FreeReport).Select(d => d.Source).ToList();
        if (report.Count > 0 && !offer.FreeCreditReport)
        {
            yield return new LetterFinding(CreditMonitoringOffer,
                $"{Codes(report)} also demand{(report.Count == 1 ? "s" : "")} one independent credit report at no cost for people who cannot get one free; the offer does not include it.",
                report);
        }
    }

    private static Cited<string>? MergeTitle(IReadOnlyList<JurisdictionContent> group, List<LetterConflict> conflicts)
    {
        var titles = group.Where(j => j.Content.Title is not null)
            .GroupBy(j => j.Content.Title!.Trim(), StringComparer.OrdinalIgnoreCase)
            .Select(g => new Cited<string>(g.Key, g.Select(j => new LawSource(j.Code, j.Citation)).ToList()))
            .ToList();
        if (titles.Count > 1)
        {
            conflicts.Add(new LetterConflict(ConflictKind.Title,
                $"different titles are required: {string.Join("; ", titles.Select(t => $"'{t.Value}' by {Codes(t.Sources)}"))}",
                titles.SelectMany(t => t.Sources).ToList()));
        }

        return titles.FirstOrDefault();
    }

    /// <summary>One heading order that keeps every jurisdiction's order; a heading pair in opposite orders is a conflict.</summary>
    private static List<Cited<string>> MergeHeadings(IReadOnlyList<JurisdictionContent> group, List<LetterConflict> conflicts)
    {
        var merged = new List<Cited<string>>();
        foreach (var j in group)
        {
            var source = new LawSource(j.Code, j.Citation);
            var cursor = -1;
            foreach (var heading in j.Content.Headings)
            {
                var at = merged.FindIndex(h => string.Equals(h.Value, heading, StringComparison.OrdinalIgnoreCase));
                if (at < 0)
                {
                    merged.Insert(++cursor, new Cited<string>(heading, [source]));
                    continue;
                }

                if (at < cursor)
                {
                    var earlier = merged[cursor];
                    conflicts.Add(new LetterConflict(ConflictKind.HeadingOrder,
                        $"'{heading}' comes before '{earlier.Value}' for {Codes(merged[at].Sources)} and after it for {j.Code}",
                        [.. merged[at].Sources, source]));
                    continue;
                }

                merged[at] = merged[at] with { Sources = [.. merged[at].Sources, source] };
                cursor = at;
            }
        }

        return merged;
    }

    private static string Codes(IEnumerable<LawSource> sources) => string.Join(", ", sources.Select(s => s.Jurisdiction).Distinct());

    /// <summary>Values in first-seen order, each with every source that named it.</summary>
    private sealed class CitedSet<T> where T : notnull
    {
        private readonly List<Cited<T>> items = [];

        public IReadOnlyList<Cited<T>> Items => items;

        public bool Contains(T value) => items.Any(i => EqualityComparer<T>.Default.Equals(i.Value, value));

        public void Add(T value, LawSource source)
        {
            var at = items.FindIndex(i => EqualityComparer<T>.Default.Equals(i.Value, value));
            if (at < 0)
            {
                items.Add(new Cited<T>(value, [source]));
            }
            else if (!items[at].Sources.Contains(source))
            {
                items[at] = items[at] with { Sources = [.. items[at].Sources, source] };
            }
        }
    }
}
