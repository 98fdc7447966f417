using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Fluid;
using IncidentResponse.Core.Laws;

namespace IncidentResponse.Core.Letters;

/// <summary>A drafted letter, or, when one letter cannot satisfy the whole group, the conflicts and a split that works.</summary>
public sealed record LetterDraft(LetterRequirements Requirements, LetterDocument? Document, IReadOnlyList<IReadOnlyList<string>> Split);

/// <summary>Drafts the letter to individuals for a group from a Liquid template (Letters/Templates/individuals.liquid by default).</summary>
public static class LetterDrafter
{
    /// <summary>Body text size when no law asks for more.</summary>
    public const int DefaultFontPt = 11;

    public const string DefaultTitle = "Notice of Data Breach";

    /// <summary>The template's sections, in order, with the California model-form headings they print by default.</summary>
    public static readonly IReadOnlyList<(string Section, string Heading)> Sections =
    [
        ("whatHappened", "What Happened"),
        ("whatInformation", "What Information Was Involved"),
        ("whatWeAreDoing", "What We Are Doing"),
        ("whatYouCanDo", "What You Can Do"),
        ("forMoreInformation", "For More Information"),
    ];

    /// <summary>The elements only US consumer advice satisfies: credit reports, bureaus, the FTC.</summary>
    private static readonly string[] UsConsumerElements =
        ["tollFreeNumbers", "creditBureausContact", "ftcContact", "fraudAlert", "securityFreeze", "identityTheftAdvice"];

    private static readonly FluidParser Parser = new();
    private static readonly Lazy<IFluidTemplate> Default = new(() => ParseTemplate(ReadDefaultTemplate()));

    public static string ReadDefaultTemplate()
    {
        using var stream = typeof(LetterDrafter).Assembly.GetManifestResourceStream("letters/templates/individuals.liquid")!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>Drafts the letter for the group; <paramref name="template"/> overrides the embedded template's text.</summary>
    public static LetterDraft Draft(LetterRequest request, IReadOnlyList<JurisdictionContent> group, ContactDirectory contacts, string? template = null)
    {
        var requirements = LetterRules.Merge(group, request);
        if (requirements.Conflicts.Count > 0)
        {
            return new LetterDraft(requirements, null, LetterRules.Split(group, request));
        }

        var marked = Render(template is null ? Default.Value : ParseTemplate(template), Model(request, requirements, group, contacts));
        var font = Math.Max(requirements.MinFontPt?.Value ?? 0, DefaultFontPt);
        return new LetterDraft(requirements, LetterDocument.Parse(marked, font), [group.Select(j => j.Code).ToList()]);
    }

    internal static IFluidTemplate ParseTemplate(string text) =>
        Parser.TryParse(text, out var template, out var error) ? template : throw new LetterException("template", error);

    /// <summary>The template's output (the light markup) for a model.</summary>
    internal static string Render(IFluidTemplate template, IReadOnlyDictionary<string, object?> model)
    {
        var context = new TemplateContext(new TemplateOptions { CultureInfo = CultureInfo.InvariantCulture });
        foreach (var (name, value) in model)
        {
            context.SetValue(name, value);
        }

        return template.Render(context, NullEncoder.Default, true);
    }

    internal static Dictionary<string, object?> OrganisationModel(Organisation org) => new()
    {
        ["name"] = org.Name, ["callName"] = org.ShortName ?? org.Name, ["address"] = org.Address, ["phone"] = org.Phone,
        ["email"] = org.Email, ["website"] = org.Website, ["contactPoints"] = ContactSentence(org),
    };

    internal static Dictionary<string, object?> IncidentModel(LetterRequest request, bool discoveryForbidden)
    {
        var incident = request.Incident;
        return new()
        {
            ["summary"] = incident.Summary,
            ["dates"] = incident.OccurredTo is { } to && to != incident.OccurredFrom
                ? $"The incident occurred between {LetterText.Written(incident.OccurredFrom)} and {LetterText.Written(to)}."
                : $"The incident occurred on {LetterText.Written(incident.OccurredFrom)}.",
            ["discovered"] = discoveryForbidden ? null : $"We discovered it on {LetterText.Written(request.Facts.DiscoveryDate)}.",
        };
    }

    private static Dictionary<string, object?> Model(
        LetterRequest request, LetterRequirements requirements, IReadOnlyList<JurisdictionContent> group, ContactDirectory contacts)
    {
        var org = request.Organisation;
        var delayed = request.Facts.LawEnforcementDelays.Count > 0;
        var sections = SectionHeadings(requirements);
        return new()
        {
            ["title"] = requirements.Title?.Value ?? DefaultTitle,
            ["noticeDate"] = LetterText.Written(request.NoticeDate),
            ["deliveryMethod"] = request.DeliveryMethod.ToString().ToCamelCase(),
            ["organisation"] = OrganisationModel(org),
            ["headings"] = sections.ToDictionary(s => s.Key, s => (object?)s.Value),
            ["sections"] = sections.ToDictionary(s => s.Key, s => (object?)true),
            ["show"] = RuleBook.LetterElements.ToDictionary(e => e, e => (object?)!requirements.Forbids(e)),
            ["usConsumerAdvice"] = group.Any(j => j.IsUnitedStates) || UsConsumerElements.Any(requirements.Requires),
            ["incident"] = IncidentModel(request, requirements.Forbids("dateOfDiscovery")),
            ["affectedCount"] = requirements.Requires("numberOfResidentsAffected")
                ? request.Facts.AffectedResidents.Values.Sum().ToString("N0", CultureInfo.InvariantCulture) : null,
            ["delaySentence"] = requirements.Forbids("lawEnforcementDelay") ? null
                : delayed ? "This notice was delayed at the request of law enforcement so that it would not impede a criminal investigation."
                : requirements.Requires("lawEnforcementDelay") ? "This notice was not delayed because of a law enforcement investigation." : null,
            ["lawEnforcementInvolved"] = delayed,
            ["information"] = request.Facts.DataElements.Select(e => (object?)DataElementWords.Plain(e)).ToList(),
            ["offer"] = request.Offer is not { } offer || requirements.Forbids(LetterRules.CreditMonitoringOffer) ? null : new Dictionary<string, object?>
            {
                ["months"] = offer.Months, ["provider"] = offer.Provider,
                ["enrollBy"] = offer.EnrollBy is { } by ? LetterText.Written(by) : null, ["freeCreditReport"] = offer.FreeCreditReport,
            },
            ["creditBureaus"] = contacts.CreditBureaus.Select(b => (object?)Agency(b, null)).ToList(),
            ["ftc"] = Agency(contacts.Ftc, null),
            ["attorneysGeneral"] = requirements.SourcesOf("attorneyGeneralContact").Select(s => s.Jurisdiction).Distinct()
                .Select(code => contacts.AttorneysGeneral.TryGetValue(code, out var ag)
                    ? (object?)Agency(ag, group.First(j => j.Code == code).Name)
                    : throw new LetterException("attorneyGeneralContact", $"no reviewed attorney-general contact for {code} in Letters/Contacts/contacts.yaml"))
                .ToList(),
        };
    }

    /// <summary>The heading of each section the letter prints; a required heading the template has no section for is an error.</summary>
    private static Dictionary<string, string> SectionHeadings(LetterRequirements requirements)
    {
        var last = -1;
        foreach (var required in requirements.Headings)
        {
            var at = Sections.ToList().FindIndex(s => string.Equals(s.Heading, required.Value, StringComparison.OrdinalIgnoreCase));
            if (at < 0 || at < last)
            {
                throw new LetterException("headings", at < 0
                    ? $"the template has no section for the required heading '{required.Value}'"
                    : $"the template prints '{required.Value}' before '{Sections[last].Heading}', the other way round from the law");
            }

            last = at;
        }

        // "What Happened" describes the incident: left out where describing it is forbidden, unless a law requires the heading.
        var describe = !requirements.Forbids("incidentDescription")
            || requirements.Headings.Any(h => string.Equals(h.Value, Sections[0].Heading, StringComparison.OrdinalIgnoreCase));
        return Sections.Where(s => describe || s.Section != "whatHappened").ToDictionary(s => s.Section, s => s.Heading);
    }

    internal static Dictionary<string, object?> Agency(AgencyContact agency, string? jurisdiction) => new()
    {
        ["name"] = agency.Name, ["address"] = agency.Address, ["phone"] = agency.Phone, ["website"] = agency.Website,
        ["jurisdiction"] = jurisdiction,
    };

    /// <summary>"1-888-555-0147, www.northwind.example/notice or 410 Harbor Way, Suite 200, Oakland, CA 94607".</summary>
    private static string ContactSentence(Organisation org)
    {
        var points = org.ContactPoints;
        return points.Count == 1 ? points[0] : $"{string.Join(", ", points.Take(points.Count - 1))} or {points[^1]}";
    }
}
