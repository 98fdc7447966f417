using System.Text.RegularExpressions;
using IncidentResponse.Core.Laws;
using IncidentResponse.Core.Letters;
using NodaTime;

namespace IncidentResponse.Core.Tests.Letters;

/// <summary>Table-driven over the rule base: one row per jurisdiction with letter content rules, one case per requirement.</summary>
public sealed class LetterCheckerTests
{
    public static TheoryData<string> Jurisdictions() => [.. LetterSamples.CodesWithContentRules()];

    [Fact]
    public void The_rule_base_has_jurisdictions_with_content_rules()
    {
        Assert.Contains("US-CA", LetterSamples.CodesWithContentRules());
        Assert.True(LetterSamples.CodesWithContentRules().Count() > 25);
    }

    [Fact]
    public void The_checker_knows_every_letter_element_of_the_rule_base()
    {
        Assert.Equal(RuleBook.LetterElements.Order(), LetterChecker.KnownElements.Order());
    }

    [Fact]
    public void Every_jurisdiction_that_requires_its_attorney_generals_contact_has_a_reviewed_one()
    {
        var requiring = RuleBook.Current.Rules
            .Where(r => r.Versions.Any(v => v.LetterContent?.Required.Contains("attorneyGeneralContact") == true))
            .Select(r => r.Code).ToList();

        Assert.NotEmpty(requiring);
        Assert.All(requiring, code => Assert.True(ContactDirectory.Current.AttorneysGeneral.ContainsKey(code), $"no contact for {code}"));
    }

    [Theory]
    [MemberData(nameof(Jurisdictions))]
    public void A_drafted_letter_passes_its_own_jurisdictions_checks(string code)
    {
        var request = LetterSamples.Generous;

        var report = LetterSamples.Check(LetterSamples.Draft(request, code).ToText(), request, code);

        Assert.True(report.Passed, Failures(report));
        Assert.NotEmpty(report.Checks);
    }

    [Theory]
    [MemberData(nameof(Jurisdictions))]
    public void A_letter_missing_each_required_element_fails_with_that_elements_citation(string code)
    {
        var request = LetterSamples.Generous;
        var letter = LetterSamples.Draft(request, code).ToText();
        var required = LetterSamples.Check(letter, request, code).Checks
            .Where(c => c.Status == CheckStatus.Satisfied && !LetterRules.Merge(LetterSamples.Group(request, code), request).Forbids(c.Requirement))
            .ToList();

        foreach (var check in required)
        {
            var without = Redact(letter, Evidence(check, request));

            var failed = LetterSamples.Check(without, request, code).Checks
                .Single(c => c.Requirement == check.Requirement && c.Subject == check.Subject);

            Assert.True(failed.Status == CheckStatus.Missing, $"{code} {check.Requirement} {check.Subject}: {failed.Detail}");
            Assert.Equal(check.Sources, failed.Sources);
            Assert.Contains(failed.Sources, s => s.Jurisdiction == code && s.Citation.Length > 0);
        }
    }

    [Theory]
    [InlineData("US-IL", "numberOfResidentsAffected", "This incident affected 1,605 individuals.")]
    [InlineData("US-MA", "numberOfResidentsAffected", "About 310 Massachusetts residents were affected.")]
    [InlineData("US-MA", "incidentDescription", "A ransomware attack encrypted our servers.")]
    public void A_forbidden_element_in_the_letter_fails_with_its_citation(string code, string element, string sentence)
    {
        var request = LetterSamples.Generous;
        var letter = LetterSamples.Draft(request, code).ToText();
        Assert.Equal(CheckStatus.Satisfied, LetterSamples.Check(letter, request, code).Checks.Single(c => c.Requirement == element).Status);

        var report = LetterSamples.Check(letter + "\n" + sentence + "\n", request, code);

        var check = report.Checks.Single(c => c.Requirement == element);
        Assert.Equal(CheckStatus.ForbiddenPresent, check.Status);
        Assert.Equal(code, Assert.Single(check.Sources).Jurisdiction);
        Assert.False(report.Passed);
    }

    [Fact]
    public void Headings_out_of_order_are_missing_and_say_so()
    {
        var request = LetterSamples.Generous;
        var letter = LetterSamples.Draft(request, "US-CA").ToText()
            .Replace("What We Are Doing", "@@", StringComparison.Ordinal)
            .Replace("What You Can Do", "What We Are Doing", StringComparison.Ordinal)
            .Replace("@@", "What You Can Do", StringComparison.Ordinal);

        var check = LetterSamples.Check(letter, request, "US-CA").Checks.Single(c => c.Subject == "What You Can Do");

        Assert.Equal(CheckStatus.Missing, check.Status);
        Assert.Contains("before", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lawyers_letter_in_other_words_and_date_forms_passes()
    {
        var request = LetterSamples.Northwind;
        var letter = """
            NOTICE OF DATA BREACH
            Dear Customer: Northwind Outfitters, Inc. writes to you on 6/24/2026.
            WHAT HAPPENED: Between 05/28/2026 and 2 June 2026 a hacker used a vendor's login. Notice was not delayed by law enforcement.
            WHAT INFORMATION WAS INVOLVED: your name, SSN and payment card number.
            WHAT WE ARE DOING: we have secured the vendor account. We are offering twelve months of credit monitoring.
            WHAT YOU CAN DO: we recommend that you place a fraud alert or a credit freeze. Contact Equifax (800) 685-1111,
            Experian 888.397.3742 and TransUnion 1 888 909 8872, or the FTC at 877-438-4338.
            FOR MORE INFORMATION: call (888) 555-0147.
            """;

        var report = LetterSamples.Check(letter, request, "US-CA", "US-IL", "US-WA");

        Assert.True(report.Passed, Failures(report));
    }

    [Fact]
    public void Offer_terms_are_read_in_months_or_years()
    {
        Assert.Equal(24, new LetterText("a 24-month membership").LongestTermInMonths());
        Assert.Equal(24, new LetterText("two years of identity protection, or 18 months").LongestTermInMonths());
        Assert.Equal(0, new LetterText("call 1-888-555-0147").LongestTermInMonths());
    }

    [Fact]
    public void Dates_are_recognised_in_the_forms_people_write()
    {
        var date = new LocalDate(2026, 6, 2);

        Assert.All(["June 2, 2026", "Jun. 2, 2026", "2 June 2026", "06/02/2026", "6/2/2026", "2026-06-02", "June 2nd, 2026"],
            written => Assert.True(new LetterText($"on {written} we").HasDate(date), written));
        Assert.False(new LetterText("on June 20, 2026").HasDate(date));
    }

    private static string Failures(LetterCheckReport report) =>
        string.Join("\n", report.Checks.Where(c => c.Status is CheckStatus.Missing or CheckStatus.ForbiddenPresent)
            .Select(c => $"{c.Requirement} {c.Subject}: {c.Detail}"));

    /// <summary>The words that let a check find its requirement in our own draft: removing them must make it fail.</summary>
    private static IEnumerable<string> Evidence(LetterCheck check, LetterRequest request)
    {
        var contacts = ContactDirectory.Current;
        IEnumerable<string> DateOf(LocalDate date) => LetterText.DateForms(date);
        return check.Requirement switch
        {
            "title" or "heading" => [check.Subject!],
            "incidentDescription" => [request.Incident.Summary, .. LetterChecker.NatureWords],
            "dateOfBreach" => DateOf(check.Subject == LetterText.Written(request.Incident.OccurredFrom)
                ? request.Incident.OccurredFrom : request.Incident.OccurredTo!.Value),
            "dateOfDiscovery" => DateOf(request.Facts.DiscoveryDate),
            "dateOfNotice" => DateOf(request.NoticeDate),
            "typesOfInformation" => DataElementWords.Accepted(Enum.Parse<DataElement>(check.Subject!, ignoreCase: true)).Select(w => w.Split('+')[0]),
            "actionsTaken" => LetterChecker.ActionWords,
            "whatIndividualsCanDo" => LetterChecker.AdviceWords,
            "entityContact" => request.Organisation.ContactPoints,
            "tollFreeNumbers" => [contacts.CreditBureaus.Single(b => b.Name == check.Subject).Phone],
            "creditBureausContact" => [check.Subject!],
            "ftcContact" => [contacts.Ftc.Name, "FTC"],
            "attorneyGeneralContact" => [contacts.AttorneysGeneral[check.Subject!].Phone, contacts.AttorneysGeneral[check.Subject!].Website],
            "creditMonitoringOffer" => LetterChecker.MonitoringWords,
            "securityFreeze" => ["security freeze", "credit freeze"],
            "fraudAlert" => ["fraud alert"],
            "policeReport" => ["police report"],
            "lawEnforcementDelay" => ["law enforcement"],
            "identityTheftAdvice" or "identityTheftReporting" => ["identity theft"],
            "fcraRights" => ["Fair Credit Reporting Act"],
            "numberOfResidentsAffected" => [request.Facts.AffectedResidents.Values.Sum().ToString("N0", System.Globalization.CultureInfo.InvariantCulture)],
            _ => throw new InvalidOperationException($"no evidence known for {check.Requirement}"),
        };
    }

    private static string Redact(string letter, IEnumerable<string> phrases) =>
        phrases.OrderByDescending(p => p.Length).Aggregate(letter,
            (text, phrase) => Regex.Replace(text, Regex.Escape(phrase), "[removed]", RegexOptions.IgnoreCase));
}
