using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using IncidentResponse.Core.Laws;
using IncidentResponse.Core.Letters;
using UglyToad.PdfPig;

namespace IncidentResponse.Core.Tests.Letters;

public sealed class LetterRenderingTests
{
    private static readonly string[] Group = ["US-CA", "US-IL", "US-WA"];

    [Fact]
    public void The_template_markup_becomes_title_headings_paragraphs_and_list_items()
    {
        var document = LetterDocument.Parse("# Notice\n\nfirst line\nsame paragraph\n\n## Heading\n- one\n- two\n\nlast", 11);

        Assert.Equal(
            [new LetterBlock(BlockKind.Title, "Notice"), new LetterBlock(BlockKind.Paragraph, "first line same paragraph"),
             new LetterBlock(BlockKind.Heading, "Heading"), new LetterBlock(BlockKind.ListItem, "one"), new LetterBlock(BlockKind.ListItem, "two"),
             new LetterBlock(BlockKind.Paragraph, "last")],
            document.Blocks);
        Assert.Equal("Notice\n\nfirst line same paragraph\n\nHeading\n\n- one\n- two\n\nlast\n", document.ToText());
    }

    [Fact]
    public void The_california_letter_has_its_title_and_headings_in_order()
    {
        var text = LetterSamples.Draft(LetterSamples.Northwind, Group).ToText();

        var positions = new[] { "Notice of Data Breach", "What Happened", "What Information Was Involved", "What We Are Doing", "What You Can Do", "For More Information" }
            .Select(h => text.IndexOf($"{h}\n", StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(-1, positions);
        Assert.Equal(positions.Order(), positions);
    }

    [Fact]
    public void A_massachusetts_letter_leaves_out_what_happened_and_the_count()
    {
        var request = LetterSamples.Generous;

        var text = LetterSamples.Draft(request, "US-MA").ToText();

        Assert.DoesNotContain("What Happened", text, StringComparison.Ordinal);
        Assert.DoesNotContain(request.Incident.Summary, text, StringComparison.Ordinal);
        Assert.Contains("police report", text, StringComparison.Ordinal);
        Assert.Contains("42 months of credit monitoring", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rhode_island_letter_states_the_number_affected_and_the_attorney_general()
    {
        var text = LetterSamples.Draft(LetterSamples.Generous, "US-RI").ToText();

        Assert.Contains("The incident affected 1,605 individuals.", text, StringComparison.Ordinal);
        Assert.Contains("Residents of Rhode Island can also obtain information about preventing identity theft from the Rhode Island Office of the Attorney General", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_law_enforcement_delay_is_stated_when_one_occurred()
    {
        var request = LetterSamples.Northwind;
        var delayed = request with
        {
            Facts = request.Facts with { LawEnforcementDelays = [new LawEnforcementDelay(request.Facts.DiscoveredAt, null, DelayForm.Written)] },
        };

        Assert.Contains("delayed at the request of law enforcement", LetterSamples.Draft(delayed, "US-WA").ToText(), StringComparison.Ordinal);
        Assert.DoesNotContain("delayed", LetterSamples.Draft(request, "US-WA").ToText(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_html_letter_escapes_text_and_uses_real_headings()
    {
        var request = LetterSamples.Northwind;
        request = request with { Incident = request.Incident with { Summary = "A <script> tag & more." } };

        var html = LetterSamples.Draft(request, Group).ToHtml();

        Assert.Contains("<h1>Notice of Data Breach</h1>", html, StringComparison.Ordinal);
        Assert.Contains("<h2>What Happened</h2>", html, StringComparison.Ordinal);
        Assert.Contains("A &lt;script&gt; tag &amp; more.", html, StringComparison.Ordinal);
        Assert.Contains("font-size: 11pt", html, StringComparison.Ordinal);
    }

    [Fact]
    public void A_template_given_as_text_replaces_the_built_in_one()
    {
        var request = LetterSamples.Northwind;
        var draft = LetterDrafter.Draft(request, LetterSamples.Group(request, "US-WA"), ContactDirectory.Current, "# {{ title }}\n\nHello from {{ organisation.name }}.");

        Assert.Equal("Notice of Data Breach\n\nHello from Northwind Outfitters, Inc..\n", draft.Document!.ToText());
    }

    [Fact]
    public void A_template_that_does_not_parse_is_an_error_naming_the_template()
    {
        var request = LetterSamples.Northwind;

        var e = Assert.Throws<LetterException>(() => LetterDrafter.Draft(request, LetterSamples.Group(request, "US-WA"), ContactDirectory.Current, "{% if %}"));

        Assert.Equal("template", e.Field);
    }

    [Fact]
    public void The_docx_letter_opens_with_real_headings_and_at_least_the_required_font_size()
    {
        // A law asking for 14 pt: the body and every style are at least that large.
        var document = new LetterDocument(LetterSamples.Draft(LetterSamples.Northwind, Group).Blocks, 14);
        using var bytes = new MemoryStream();

        DocxLetterWriter.Write(document, bytes);

        bytes.Position = 0;
        using var word = WordprocessingDocument.Open(bytes, false);
        var paragraphs = word.MainDocumentPart!.Document!.Body!.Elements<Paragraph>().ToList();
        string StyleOf(Paragraph p) => p.ParagraphProperties?.ParagraphStyleId?.Val?.Value ?? "";
        Assert.Equal("Notice of Data Breach", paragraphs.Single(p => StyleOf(p) == "Title").InnerText);
        Assert.Equal(["What Happened", "What Information Was Involved", "What We Are Doing", "What You Can Do", "For More Information"],
            paragraphs.Where(p => StyleOf(p) == "Heading1").Select(p => p.InnerText));
        Assert.Contains(paragraphs, p => p.InnerText.Contains("Federal Trade Commission", StringComparison.Ordinal));
        var styles = word.MainDocumentPart.StyleDefinitionsPart!.Styles!;
        Assert.Equal("28", styles.Elements<Style>().Single(s => s.StyleId == "Normal").StyleRunProperties!.FontSize!.Val!.Value);
        Assert.All(styles.Elements<Style>(), s => Assert.True(int.Parse(s.StyleRunProperties!.FontSize!.Val!.Value!, System.Globalization.CultureInfo.InvariantCulture) >= 28));
        Assert.Equal(0, styles.Elements<Style>().Single(s => s.StyleId == "Heading1").StyleParagraphProperties!.OutlineLevel!.Val!.Value);
    }

    [Fact]
    public void The_docx_letter_read_back_as_text_passes_the_same_checks()
    {
        var request = LetterSamples.Northwind;
        using var bytes = new MemoryStream();
        DocxLetterWriter.Write(LetterSamples.Draft(request, Group), bytes);
        bytes.Position = 0;

        var text = DocxLetterWriter.ReadText(bytes);

        Assert.StartsWith("Notice of Data Breach\n", text, StringComparison.Ordinal);
        Assert.True(LetterSamples.Check(text, request, Group).Passed);
    }

    [Fact]
    public void The_pdf_letter_opens_and_its_text_passes_the_same_checks()
    {
        var request = LetterSamples.Northwind;
        var document = LetterSamples.Draft(request, Group);
        using var bytes = new MemoryStream();

        PdfLetterWriter.Write(document, bytes);

        using var pdf = PdfDocument.Open(bytes.ToArray());
        var text = string.Join("\n", pdf.GetPages().Select(p => string.Join(" ", p.GetWords().Select(w => w.Text))));
        Assert.Equal("Notice of Data Breach", pdf.Information.Title);
        Assert.Contains("Notice of Data Breach", text, StringComparison.Ordinal);
        Assert.Contains("What Information Was Involved", text, StringComparison.Ordinal);
        var report = LetterSamples.Check(text, request, Group);
        Assert.True(report.Passed, string.Join("; ", report.Checks.Where(c => c.Status == CheckStatus.Missing).Select(c => $"{c.Requirement} {c.Subject}")));
    }

    [Fact]
    public void A_long_pdf_letter_flows_onto_more_pages_at_the_letters_font_size()
    {
        var body = string.Join("\n\n", Enumerable.Range(1, 60).Select(i => $"Paragraph {i} says enough words to need a line or two on a letter page."));
        using var bytes = new MemoryStream();

        PdfLetterWriter.Write(LetterDocument.Parse($"# Long\n\n{body}", 12), bytes);

        using var pdf = PdfDocument.Open(bytes.ToArray());
        Assert.True(pdf.NumberOfPages > 1);
        var words = pdf.GetPages().SelectMany(p => p.GetWords()).ToList();
        Assert.Contains(words, w => w.Text == "60");
        Assert.All(words.Where(w => w.Text == "Paragraph"), w => Assert.InRange(w.Letters[0].PointSize, 11.9, 12.1));
    }

    [Fact]
    public void A_letter_only_to_gdpr_recipients_leaves_out_us_credit_advice()
    {
        var request = LetterSamples.Northwind;

        var text = LetterSamples.Draft(request, "GDPR").ToText();

        Assert.DoesNotContain("Equifax", text, StringComparison.Ordinal);
        Assert.DoesNotContain("annualcreditreport", text, StringComparison.Ordinal);
        Assert.Contains("12 months of credit monitoring", text, StringComparison.Ordinal);
        Assert.True(LetterSamples.Check(text, request, "GDPR").Passed);
        Assert.Contains("Equifax", LetterSamples.Draft(request, "GDPR", "US-WA").ToText(), StringComparison.Ordinal);
    }
}
