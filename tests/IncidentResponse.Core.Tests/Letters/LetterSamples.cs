using IncidentResponse.Core.Laws;
using IncidentResponse.Core.Letters;

namespace IncidentResponse.Core.Tests.Letters;

/// <summary>The sample letter input (Samples/northwind.json) and variations of it.</summary>
internal static class LetterSamples
{
    public static string Json => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Letters", "Samples", "northwind.json"));

    public static LetterRequest Northwind
    {
        get
        {
            var (request, errors) = LetterRequestReader.Read(Json);
            Assert.Empty(errors);
            return request!;
        }
    }

    /// <summary>Data that triggers every credit-monitoring demand, and an offer long enough for all of them.</summary>
    public static LetterRequest Generous => Northwind with
    {
        Facts = Northwind.Facts with
        {
            DataElements = [DataElement.Name, DataElement.Ssn, DataElement.DriversLicenseOrStateId, DataElement.FinancialAccount, DataElement.PaymentCard],
        },
        Offer = new CreditMonitoringOffer(42, "ClearWatch Identity", null, FreeCreditReport: true),
    };

    public static IReadOnlyList<JurisdictionContent> Group(LetterRequest request, params string[] codes) =>
        LetterRules.Resolve(request, codes, RuleBook.Current);

    public static LetterDocument Draft(LetterRequest request, params string[] codes)
    {
        var draft = LetterDrafter.Draft(request, Group(request, codes), ContactDirectory.Current);
        Assert.True(draft.Document is not null, string.Join("; ", draft.Requirements.Conflicts.Select(c => c.Description)));
        return draft.Document!;
    }

    public static LetterCheckReport Check(string letter, LetterRequest request, params string[] codes) =>
        LetterChecker.Check(letter, request, LetterRules.Merge(Group(request, codes), request), ContactDirectory.Current);

    /// <summary>Every jurisdiction or regime whose letter content rules ask for anything, in the version the sample uses.</summary>
    public static IEnumerable<string> CodesWithContentRules() =>
        RuleBook.Current.Rules
            .Where(r => r.VersionFor(Northwind.Facts).LetterContent is { } c
                && (c.Required.Count + c.Forbidden.Count + c.Headings.Count > 0 || c.Title is not null || c.CreditMonitoring is not null))
            .Select(r => r.Code);
}
