using IncidentResponse.Core.Laws;
using IncidentResponse.Core.Letters;

namespace IncidentResponse.Core.Tests.Letters;

public sealed class LetterRulesTests
{
    private static JurisdictionContent Synthetic(string code, string? title = null, string[]? headings = null, int? font = null,
        string[]? required = null, string[]? forbidden = null) =>
        new(code, code, "state", new LetterContent(title, headings ?? [], font, required ?? [], forbidden ?? [], null, $"{code} § 1"), $"{code} § 1");

    [Fact]
    public void The_default_group_is_every_jurisdiction_with_an_individual_notice_obligation()
    {
        var group = LetterRules.Resolve(LetterSamples.Northwind, null, RuleBook.Current);

        Assert.Equal(["US-CA", "US-IL", "US-WA"], group.Select(j => j.Code).Order());
    }

    [Fact]
    public void Each_jurisdiction_uses_the_version_the_assessment_uses()
    {
        var request = LetterSamples.Northwind;
        var washington = Assert.Single(LetterSamples.Group(request, "US-WA"));

        // Washington added the breach date to its letter in 2020; the sample's discovery is in 2026.
        Assert.Contains("dateOfBreach", washington.Content.Required);
        Assert.Equal(RuleBook.Current.ByCode["US-WA"].VersionOn(request.Facts.DiscoveryDate).LetterContent, washington.Content);
    }

    [Fact]
    public void An_unknown_code_is_an_error_naming_it()
    {
        var e = Assert.Throws<LetterException>(() => LetterSamples.Group(LetterSamples.Northwind, "US-CA", "US-XX"));

        Assert.Equal("group", e.Field);
        Assert.Contains("US-XX", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Merging_takes_the_union_of_required_and_forbidden_elements_each_with_every_citation()
    {
        var request = LetterSamples.Northwind;
        var merged = LetterRules.Merge(LetterSamples.Group(request, "US-CA", "US-IL", "US-WA"), request);

        Assert.Empty(merged.Conflicts);
        Assert.Equal(["US-CA", "US-IL", "US-WA"], merged.SourcesOf("creditBureausContact").Select(s => s.Jurisdiction));
        Assert.Equal("815 ILCS 530/10(a)", Assert.Single(merged.SourcesOf("ftcContact")).Citation);
        var forbidden = Assert.Single(merged.Forbidden);
        Assert.Equal("numberOfResidentsAffected", forbidden.Value);
        Assert.Equal("US-IL", Assert.Single(forbidden.Sources).Jurisdiction);
        Assert.Equal("Notice of Data Breach", merged.Title!.Value);
        Assert.Equal(5, merged.Headings.Count);
    }

    [Fact]
    public void The_stricter_font_size_wins()
    {
        var merged = LetterRules.Merge([Synthetic("A", font: 10), Synthetic("B", font: 12), Synthetic("C")], LetterSamples.Northwind);

        Assert.Equal(12, merged.MinFontPt!.Value);
        Assert.Equal("B", Assert.Single(merged.MinFontPt.Sources).Jurisdiction);
    }

    [Fact]
    public void An_element_one_law_requires_and_another_forbids_is_a_conflict_naming_both()
    {
        var request = LetterSamples.Northwind;
        var merged = LetterRules.Merge(LetterSamples.Group(request, "US-CA", "US-MA"), request);

        var conflict = Assert.Single(merged.Conflicts);
        Assert.Equal(ConflictKind.RequiredAndForbidden, conflict.Kind);
        Assert.Contains("incidentDescription", conflict.Description, StringComparison.Ordinal);
        Assert.Equal(["US-CA", "US-MA"], conflict.Sources.Select(s => s.Jurisdiction));
        Assert.Contains(conflict.Sources, s => s.Citation.StartsWith("M.G.L. c. 93H", StringComparison.Ordinal));
    }

    [Fact]
    public void Different_titles_conflict_and_the_same_title_does_not()
    {
        var request = LetterSamples.Northwind;

        Assert.Empty(LetterRules.Merge([Synthetic("A", title: "Notice of Data Breach"), Synthetic("B", title: "notice of data breach")], request).Conflicts);
        var conflict = Assert.Single(LetterRules.Merge([Synthetic("A", title: "Notice of Data Breach"), Synthetic("B", title: "Security Incident Notice")], request).Conflicts);
        Assert.Equal(ConflictKind.Title, conflict.Kind);
    }

    [Fact]
    public void Heading_orders_merge_when_compatible_and_conflict_when_reversed()
    {
        var request = LetterSamples.Northwind;
        var compatible = LetterRules.Merge([Synthetic("A", headings: ["One", "Three"]), Synthetic("B", headings: ["One", "Two", "Three"])], request);
        var reversed = LetterRules.Merge([Synthetic("A", headings: ["One", "Two"]), Synthetic("B", headings: ["Two", "One"])], request);

        Assert.Empty(compatible.Conflicts);
        Assert.Equal(["One", "Two", "Three"], compatible.Headings.Select(h => h.Value));
        Assert.Equal(ConflictKind.HeadingOrder, Assert.Single(reversed.Conflicts).Kind);
    }

    [Fact]
    public void A_split_puts_every_jurisdiction_in_exactly_one_part_and_no_part_conflicts()
    {
        var request = LetterSamples.Northwind;
        var group = LetterSamples.Group(request, "US-CA", "US-MA", "US-IL", "US-RI", "US-WA");

        var split = LetterRules.Split(group, request);

        Assert.Equal(group.Select(j => j.Code).Order(), split.SelectMany(p => p).Order());
        Assert.All(split, part => Assert.Empty(LetterRules.Merge(LetterSamples.Group(request, [.. part]), request).Conflicts));
        Assert.Equal([["US-CA", "US-IL", "US-WA"], ["US-MA"], ["US-RI"]], split);
    }

    [Fact]
    public void A_group_without_conflicts_is_not_split()
    {
        var request = LetterSamples.Northwind;

        Assert.Equal([["US-CA", "US-IL", "US-WA"]], LetterRules.Split(LetterSamples.Group(request, "US-CA", "US-IL", "US-WA"), request));
    }

    [Fact]
    public void An_offer_shorter_than_a_law_demands_is_a_finding_not_a_conflict()
    {
        var request = LetterSamples.Northwind; // 12 months, SSN involved
        var merged = LetterRules.Merge(LetterSamples.Group(request, "US-CA", "US-CT"), request);

        Assert.Empty(merged.Conflicts);
        Assert.Equal(24, merged.CreditMonitoring!.Months);
        var finding = Assert.Single(merged.Findings);
        Assert.Contains("US-CT demands 24", finding.Description, StringComparison.Ordinal);
        Assert.Equal("US-CT", Assert.Single(finding.Sources).Jurisdiction);
    }

    [Fact]
    public void No_offer_where_a_law_demands_one_is_a_finding()
    {
        var request = LetterSamples.Northwind with { Offer = null };

        var finding = Assert.Single(LetterRules.Merge(LetterSamples.Group(request, "US-DE"), request).Findings);

        Assert.Contains("No credit-monitoring offer", finding.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Pennsylvania_also_demands_a_free_credit_report()
    {
        var request = LetterSamples.Northwind with { Offer = new CreditMonitoringOffer(12, "ClearWatch Identity", null, false) };

        var finding = Assert.Single(LetterRules.Merge(LetterSamples.Group(request, "US-PA"), request).Findings);

        Assert.Contains("independent credit report", finding.Description, StringComparison.Ordinal);
        Assert.Empty(LetterRules.Merge(LetterSamples.Group(request, "US-PA"), request with { Offer = request.Offer! with { FreeCreditReport = true } }).Findings);
    }

    [Fact]
    public void A_credit_monitoring_demand_applies_only_to_the_data_it_names()
    {
        var noSsn = LetterSamples.Northwind;
        noSsn = noSsn with { Facts = noSsn.Facts with { DataElements = [DataElement.Name, DataElement.PaymentCard] } };

        var massachusetts = LetterRules.Merge(LetterSamples.Group(noSsn, "US-MA"), noSsn);

        Assert.Null(massachusetts.CreditMonitoring);
        Assert.False(massachusetts.Requires(LetterRules.CreditMonitoringOffer));
        Assert.Empty(massachusetts.Findings);
    }

    [Fact]
    public void California_demands_an_offer_only_when_the_entity_caused_the_breach()
    {
        var request = LetterSamples.Northwind;
        var notCaused = request with { Incident = request.Incident with { CausedByEntity = false } };

        Assert.Equal(12, LetterRules.Merge(LetterSamples.Group(request, "US-CA"), request).CreditMonitoring!.Months);
        Assert.Null(LetterRules.Merge(LetterSamples.Group(notCaused, "US-CA"), notCaused).CreditMonitoring);
    }

    [Fact]
    public void A_consumer_reporting_agency_owes_massachusetts_42_months()
    {
        var request = LetterSamples.Northwind;
        var agency = request with { Organisation = request.Organisation with { IsConsumerReportingAgency = true } };

        Assert.Equal(18, LetterRules.Merge(LetterSamples.Group(request, "US-MA"), request).CreditMonitoring!.Months);
        Assert.Equal(42, LetterRules.Merge(LetterSamples.Group(agency, "US-MA"), agency).CreditMonitoring!.Months);
    }
}
