using IncidentResponse.Core.AffectedPeople;
using IncidentResponse.Core.Laws;
using IncidentResponse.Core.Letters;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using UglyToad.PdfPig;

namespace IncidentResponse.Core.Tests.Letters;

public sealed class PersonalLetterTests
{
    private static readonly string[] Group = ["US-CA", "US-IL", "US-WA"];

    private static readonly PersonalData Jane = new("Jane Doe", ["1 Main St", "Apt 4"], "Springfield", "IL", "62701", "US", "jane@example.com");

    /// <summary>The sample letter, which lists name, Social Security number and card number.</summary>
    private static LetterDocument Approved => LetterSamples.Draft(LetterSamples.Northwind, Group);

    private static LetterRecipient Recipient(PersonalData person, params DataElement[] elements) =>
        new(person, elements.ToHashSet(), "7F3A9C21-0000042");

    private static List<string> Information(LetterDocument letter)
    {
        var heading = letter.Blocks.ToList().FindIndex(b => b.Text == "What Information Was Involved");
        return letter.Blocks.Skip(heading + 1).TakeWhile(b => b.Kind != BlockKind.Heading).Where(b => b.Kind == BlockKind.ListItem).Select(b => b.Text).ToList();
    }

    [Fact]
    public void The_address_block_follows_the_title_with_the_reference_first_and_the_salutation_names_the_person()
    {
        var letter = PersonalLetter.For(Approved, Recipient(Jane, DataElement.Name));

        Assert.Equal(BlockKind.Title, letter.Blocks[0].Kind);
        Assert.Equal(new LetterBlock(BlockKind.Address, "Ref. 7F3A9C21-0000042\nJane Doe\n1 Main St\nApt 4\nSpringfield, IL 62701"), letter.Blocks[1]);
        Assert.Contains(letter.Blocks, b => b.Text == "Dear Jane Doe,");
        Assert.DoesNotContain(letter.Blocks, b => b.Text == "Dear Northwind customer,");
        Assert.Equal(Approved.Blocks.Count + 1 - 2, letter.Blocks.Count);
    }

    [Fact]
    public void The_information_list_is_narrowed_to_the_persons_own_elements()
    {
        Assert.Equal(["name", "Social Security number", "credit or debit card number"], Information(Approved));

        var letter = PersonalLetter.For(Approved, Recipient(Jane, DataElement.Name, DataElement.Ssn));

        Assert.Equal(["name", "Social Security number"], Information(letter));
    }

    [Fact]
    public void An_element_the_approved_letter_does_not_list_is_never_added()
    {
        var letter = PersonalLetter.For(Approved, Recipient(Jane, DataElement.PaymentCard, DataElement.Medical, DataElement.Passport));

        Assert.Equal(["credit or debit card number"], Information(letter));
        Assert.DoesNotContain(letter.Blocks, b => b.Text.Contains("medical", StringComparison.OrdinalIgnoreCase) || b.Text.Contains("passport", StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData(new DataElement[0])]
    [InlineData(new[] { DataElement.Medical })]
    public void Without_a_known_element_of_the_persons_in_the_list_the_approved_list_stays_whole(DataElement[] elements)
    {
        var letter = PersonalLetter.For(Approved, Recipient(Jane, elements));

        Assert.Equal(Information(Approved), Information(letter));
    }

    [Fact]
    public void An_item_that_names_no_known_element_stays_because_it_may_be_the_persons()
    {
        var approved = LetterDocument.Parse(
            "# Notice\n\nDear Contoso member,\n\n## What Information Was Involved\n\n- name\n- loyalty programme tier\n- Social Security number\n\n## What We Are Doing\n\n- name of the investigator\n", 11);

        var letter = PersonalLetter.For(approved, Recipient(Jane, DataElement.Ssn));

        Assert.Equal(["loyalty programme tier", "Social Security number"], Information(letter));
        Assert.Contains(letter.Blocks, b => b.Text == "name of the investigator");
    }

    [Theory]
    [InlineData("mother's maiden name", DataElement.MothersMaidenName)]
    [InlineData("financial account number with the access code or password for the account", DataElement.FinancialAccountWithAccessCode)]
    [InlineData("bank account number", DataElement.FinancialAccount)]
    [InlineData("Name", DataElement.Name)]
    [InlineData("your SSN", DataElement.Ssn)]
    public void A_list_item_is_read_as_the_element_it_names_most_specifically(string item, DataElement expected) =>
        Assert.Equal(expected, PersonalLetter.ElementNamed(item));

    [Fact]
    public void A_letter_without_a_generic_salutation_gets_none_added_and_a_foreign_address_ends_with_its_country()
    {
        var approved = LetterDocument.Parse("# Notice\n\nWe write about an incident.\n", 11);
        var person = new PersonalData("Émile Zola", ["21 rue de Bruxelles"], "Paris", null, "75009", "FR", null);

        var letter = PersonalLetter.For(approved, Recipient(person));

        Assert.Equal(["Notice", "Ref. 7F3A9C21-0000042\nÉmile Zola\n21 rue de Bruxelles\nParis, 75009\nFR", "We write about an incident."], letter.Blocks.Select(b => b.Text));
    }

    [Fact]
    public void The_pdf_shows_the_address_in_the_envelope_window_and_only_the_persons_elements()
    {
        using var bytes = new MemoryStream();

        var pages = PdfLetterWriter.Write(PersonalLetter.For(Approved, Recipient(Jane, DataElement.Name, DataElement.PaymentCard)), bytes);

        using var pdf = PdfDocument.Open(bytes.ToArray());
        Assert.Equal(pdf.NumberOfPages, pages);
        var first = pdf.GetPage(1);
        var words = first.GetWords().ToList();
        // A #10 window: 2 to 3.125 inches from the top of the page, 1 inch from the left (PDF y counts from the bottom).
        var doe = words.First(w => w.Text == "Doe");
        Assert.InRange(doe.BoundingBox.Top, 792 - (3.125 * 72), 792 - (2 * 72));
        Assert.InRange(words.First(w => w.Text == "Jane").BoundingBox.Left, 71, 73);
        var text = string.Join(" ", pdf.GetPages().SelectMany(p => p.GetWords()).Select(w => w.Text));
        Assert.Contains("Dear Jane Doe,", text, StringComparison.Ordinal);
        Assert.Contains("credit or debit card number", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Social Security number", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_html_and_text_renderings_keep_the_address_lines_apart()
    {
        var letter = PersonalLetter.For(LetterDocument.Parse("# Notice\n\nBody <b>.\n", 11), Recipient(Jane));

        Assert.Contains("<address>Ref. 7F3A9C21-0000042<br>\nJane Doe<br>\n1 Main St<br>\nApt 4<br>\nSpringfield, IL 62701</address>", letter.ToHtml(), StringComparison.Ordinal);
        Assert.StartsWith("Notice\n\nRef. 7F3A9C21-0000042\nJane Doe\n", letter.ToText(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_docx_keeps_the_address_in_one_paragraph_with_a_break_between_lines()
    {
        using var bytes = new MemoryStream();
        DocxLetterWriter.Write(PersonalLetter.For(LetterDocument.Parse("# Notice\n\nBody.\n", 11), Recipient(Jane)), bytes);
        bytes.Position = 0;

        using var word = WordprocessingDocument.Open(bytes, false);
        var address = word.MainDocumentPart!.Document!.Body!.Elements<Paragraph>().ElementAt(1);
        Assert.Equal(4, address.Descendants<Break>().Count());
        Assert.Equal(["Ref. 7F3A9C21-0000042", "Jane Doe", "1 Main St", "Apt 4", "Springfield, IL 62701"], address.Descendants<Text>().Select(t => t.Text));
    }
}
