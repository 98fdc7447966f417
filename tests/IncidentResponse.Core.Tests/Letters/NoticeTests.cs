using IncidentResponse.Core.Laws;
using IncidentResponse.Core.Letters;

namespace IncidentResponse.Core.Tests.Letters;

public sealed class NoticeTests
{
    public static TheoryData<LetterKind, string[]> KindsWithGroups() => new()
    {
        { LetterKind.Individuals, ["US-CA", "US-WA"] },
        { LetterKind.StateRegulators, ["US-CA"] },
        { LetterKind.ConsumerReportingAgencies, ["US-FL"] },
        { LetterKind.Hhs, ["HIPAA"] },
        { LetterKind.Sec, ["SEC"] },
        { LetterKind.SupervisoryAuthority, ["GDPR", "UK-GDPR"] },
        { LetterKind.Nydfs, ["NYDFS"] },
        { LetterKind.Media, ["HIPAA"] },
        { LetterKind.SubstituteNotice, ["US-CA", "US-WA"] },
    };

    [Theory]
    [MemberData(nameof(KindsWithGroups))]
    public void Each_kind_has_a_template_that_renders_and_passes_its_own_check(LetterKind kind, string[] group)
    {
        var request = LetterSamples.Generous;
        var draft = Notices.Draft(kind, request, group, RuleBook.Current, ContactDirectory.Current);
        Assert.NotNull(draft.Document);

        var text = draft.Document!.ToText();
        var report = Notices.Check(kind, text, request, group, RuleBook.Current, ContactDirectory.Current);
        Assert.True(report.Passed, string.Join("\n", report.Checks.Where(c => c.Status == CheckStatus.Missing || c.Status == CheckStatus.ForbiddenPresent)
            .Select(c => $"{c.Requirement} {c.Subject}: {c.Detail}")));
        Assert.All(report.Checks, c => Assert.NotEmpty(c.Sources));
        Assert.All(report.Checks.SelectMany(c => c.Sources), s => Assert.False(string.IsNullOrWhiteSpace(s.Citation)));
    }

    [Fact]
    public void Every_element_of_the_catalogue_is_checked_with_its_citation()
    {
        foreach (var (kind, content) in NoticeCatalogue.Current)
        {
            var group = KindsWithGroups().Single(row => (LetterKind)row[0] == kind)[1] as string[];
            var requirements = Notices.Resolve(kind, LetterSamples.Generous, group, RuleBook.Current);
            Assert.Equal(content.Elements.Select(e => e.Id), requirements.Elements.Select(e => e.Element.Id));
        }

        Assert.Equal(Enum.GetValues<LetterKind>().Except([LetterKind.Individuals]).Order(), NoticeCatalogue.Current.Keys.Order());
    }

    [Fact]
    public void A_gdpr_notice_without_the_likely_consequences_fails_citing_article_33_3_c()
    {
        var request = LetterSamples.Generous;
        string[] group = ["GDPR"];
        var text = Notices.Draft(LetterKind.SupervisoryAuthority, request, group, RuleBook.Current, ContactDirectory.Current).Document!.ToText();
        var edited = text.Replace("likely consequences", "effects", StringComparison.OrdinalIgnoreCase);

        var report = Notices.Check(LetterKind.SupervisoryAuthority, edited, request, group, RuleBook.Current, ContactDirectory.Current);

        Assert.False(report.Passed);
        var missing = Assert.Single(report.Checks, c => c.Status == CheckStatus.Missing);
        Assert.Equal("likelyConsequences", missing.Requirement);
        Assert.Contains(missing.Sources, s => s.Jurisdiction == "GDPR" && s.Citation.Contains("Art. 33(3)(c)", StringComparison.Ordinal));
    }

    [Fact]
    public void The_sec_draft_names_item_1_05_and_cites_the_rule_file()
    {
        var request = LetterSamples.Generous;
        var text = Notices.Draft(LetterKind.Sec, request, ["SEC"], RuleBook.Current, ContactDirectory.Current).Document!.ToText();
        var report = Notices.Check(LetterKind.Sec, text, request, ["SEC"], RuleBook.Current, ContactDirectory.Current);

        Assert.Contains("Item 1.05", text, StringComparison.Ordinal);
        var item = Assert.Single(report.Checks, c => c.Requirement == "item105");
        Assert.Equal(RuleBook.Current.ByCode["SEC"].Versions[^1].Obligations.Single().Citation, item.Sources.Single().Citation);
        foreach (var part in new[] { "nature", "scope", "timing", "materialImpact" })
        {
            Assert.Contains(report.Checks, c => c.Requirement == part && c.Status == CheckStatus.Satisfied && c.Sources.All(s => s.Citation.StartsWith("Form 8-K Item 1.05(a)", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public void Unreviewed_form_fields_are_findings_with_their_note_not_silent_guesses()
    {
        var report = Notices.Check(LetterKind.Hhs, "", LetterSamples.Generous, ["HIPAA"], RuleBook.Current, ContactDirectory.Current);

        Assert.Contains(report.Findings, f => f.Requirement == "typeOfBreach" && f.Description.StartsWith("Not reviewed against the rule base", StringComparison.Ordinal));
        Assert.DoesNotContain(report.Findings, f => f.Requirement == "secretaryNotice");
        Assert.False(report.Passed);
    }

    [Fact]
    public void The_default_group_comes_from_the_assessment_for_the_notice_s_recipient()
    {
        var request = LetterSamples.Generous;
        var sec = request with { Facts = request.Facts with { Entity = request.Facts.Entity with { Flags = new HashSet<EntityFlag> { EntityFlag.DataOwner, EntityFlag.SecRegistrant } } } };

        Assert.Equal(["SEC"], Notices.Resolve(LetterKind.Sec, sec, null, RuleBook.Current).Letter.Group);
        var states = Notices.Resolve(LetterKind.StateRegulators, request, null, RuleBook.Current);
        Assert.Contains("US-CA", states.Letter.Group);
        Assert.All(states.Recipients, r => Assert.StartsWith("US-", r.Code, StringComparison.Ordinal));
        Assert.Throws<LetterException>(() => Notices.Resolve(LetterKind.Nydfs, request, null, RuleBook.Current));
    }

    [Fact]
    public void A_code_the_notice_does_not_serve_is_refused_naming_it()
    {
        var e = Assert.Throws<LetterException>(() => Notices.Resolve(LetterKind.Sec, LetterSamples.Generous, ["US-CA"], RuleBook.Current));
        Assert.Equal("group", e.Field);
        Assert.Contains("US-CA", e.Problem, StringComparison.Ordinal);
        Assert.Throws<LetterException>(() => Notices.Resolve(LetterKind.Hhs, LetterSamples.Generous, ["US-ZZ"], RuleBook.Current));
    }

    [Fact]
    public void A_substitute_notice_lists_each_jurisdiction_s_conditions_and_keeps_out_what_one_forbids()
    {
        var request = LetterSamples.Generous;
        var requirements = Notices.Resolve(LetterKind.SubstituteNotice, request, ["US-CA", "US-MA"], RuleBook.Current);
        var text = Notices.Draft(LetterKind.SubstituteNotice, request, ["US-CA", "US-MA"], RuleBook.Current, ContactDirectory.Current).Document!.ToText();

        Assert.Contains("Cal. Civ. Code § 1798.82(j)(3)", text, StringComparison.Ordinal);
        Assert.Contains(requirements.Letter.Forbidden, f => f.Value == "incidentDescription");
        Assert.Contains(requirements.Letter.Findings, f => f.Requirement == "incidentDescription");
        Assert.DoesNotContain(request.Incident.Summary, text, StringComparison.Ordinal);
        var report = Notices.Check(LetterKind.SubstituteNotice, text, request, ["US-CA", "US-MA"], RuleBook.Current, ContactDirectory.Current);
        Assert.True(report.Passed, string.Join("\n", report.Checks.Where(c => c.Status is CheckStatus.Missing or CheckStatus.ForbiddenPresent).Select(c => $"{c.Requirement}: {c.Detail}")));
    }

    [Fact]
    public void A_catalogue_entry_without_a_citation_or_with_an_unknown_element_is_refused()
    {
        static string Catalogue(string element) => $$"""
            sec:
              recipient: regulator
              regimes: [SEC]
              title: "T"
              elements:
                - {{element}}
            """;

        Assert.NotEmpty(NoticeCatalogue.Parse(Catalogue("""{ id: nature, anyOf: ["nature"], citation: "Item 1.05(a)", reviewed: true }""")));
        Assert.Throws<DataFileException>(() => NoticeCatalogue.Parse(Catalogue("""{ id: nature, anyOf: ["nature"], reviewed: true }""")));
        Assert.Throws<DataFileException>(() => NoticeCatalogue.Parse(Catalogue("""{ id: nature, element: nosuchElement, citation: "x", reviewed: true }""")));
        Assert.Throws<DataFileException>(() => NoticeCatalogue.Parse(Catalogue("""{ id: field, anyOf: ["field"], citation: "portal", reviewed: false }""")));
    }

    [Theory]
    [MemberData(nameof(KindsWithGroups))]
    public void Each_built_in_template_works_on_the_sample_and_a_broken_one_is_refused(LetterKind kind, string[] group)
    {
        Assert.NotEmpty(group);
        var draft = Notices.TryTemplate(kind, Notices.DefaultTemplate(kind), RuleBook.Current, ContactDirectory.Current);
        Assert.NotEmpty(draft.Document!.Blocks);

        var e = Assert.Throws<LetterException>(() => Notices.TryTemplate(kind, "{% if organisation.name %}never closed", RuleBook.Current, ContactDirectory.Current));
        Assert.Equal("template", e.Field);
        Assert.Throws<LetterException>(() => Notices.TryTemplate(kind, "{% comment %}nothing{% endcomment %}", RuleBook.Current, ContactDirectory.Current));
    }
}
