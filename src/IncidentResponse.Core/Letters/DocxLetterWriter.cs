using System.Globalization;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;

namespace IncidentResponse.Core.Letters;

/// <summary>A letter as a Word document (real Title and Heading 1 styles, the body font at the letter's size), and back to text.</summary>
public static class DocxLetterWriter
{
    public static void Write(LetterDocument letter, Stream output)
    {
        // The package needs a seekable stream; standard output is not one.
        using var buffer = new MemoryStream();
        using (var document = WordprocessingDocument.Create(buffer, WordprocessingDocumentType.Document))
        {
            var main = document.AddMainDocumentPart();
            main.AddNewPart<StyleDefinitionsPart>().Styles = Styles(letter.FontPt);
            var body = new Body(letter.Blocks.Select(Paragraph));
            body.Append(new SectionProperties(
                new PageSize { Width = 12240U, Height = 15840U },
                new PageMargin { Top = 1440, Bottom = 1440, Left = 1440U, Right = 1440U, Header = 720U, Footer = 720U, Gutter = 0U }));
            main.Document = new Document(body);
            main.Document.Save();
        }

        buffer.Position = 0;
        buffer.CopyTo(output);
    }

    /// <summary>The text of a Word letter, one paragraph a line, so a lawyer's DOCX can be checked like a text letter.</summary>
    public static string ReadText(Stream docx)
    {
        using var buffer = new MemoryStream();
        docx.CopyTo(buffer);
        buffer.Position = 0;
        using var document = WordprocessingDocument.Open(buffer, false);
        var body = document.MainDocumentPart?.Document?.Body ?? throw new InvalidDataException("the document has no body");
        return string.Join("\n", body.Descendants<Paragraph>().Select(p => p.InnerText)) + "\n";
    }

    private static Paragraph Paragraph(LetterBlock block)
    {
        if (block.Kind == BlockKind.Address)
        {
            // One paragraph, a line break between the lines, so the address stays together as one block.
            var run = new Run();
            foreach (var (line, i) in block.Text.Split('\n').Select((l, i) => (l, i)))
            {
                if (i > 0)
                {
                    run.Append(new Break());
                }

                run.Append(new Text(line) { Space = SpaceProcessingModeValues.Preserve });
            }

            return new Paragraph(new ParagraphProperties(new ParagraphStyleId { Val = "Normal" }), run);
        }

        var (style, text) = block.Kind switch
        {
            BlockKind.Title => ("Title", block.Text),
            BlockKind.Heading => ("Heading1", block.Text),
            BlockKind.ListItem => ("ListParagraph", "\u2022 " + block.Text),
            _ => ("Normal", block.Text),
        };
        return new Paragraph(
            new ParagraphProperties(new ParagraphStyleId { Val = style }),
            new Run(new Text(text) { Space = SpaceProcessingModeValues.Preserve }));
    }

    private static Styles Styles(int fontPt)
    {
        static string HalfPoints(int pt) => (pt * 2).ToString(CultureInfo.InvariantCulture);
        static RunProperties Font(int pt, bool bold)
        {
            var run = new RunProperties(new RunFonts { Ascii = "DejaVu Sans", HighAnsi = "DejaVu Sans", ComplexScript = "DejaVu Sans" });
            if (bold)
            {
                run.Append(new Bold());
            }

            run.Append(new FontSize { Val = HalfPoints(pt) }, new FontSizeComplexScript { Val = HalfPoints(pt) });
            return run;
        }

        static Style ParagraphStyle(string id, string name, int pt, bool bold, int? outline, int before, int after, int indent = 0)
        {
            var paragraph = new StyleParagraphProperties(new SpacingBetweenLines { Before = $"{before}", After = $"{after}" });
            if (outline is { } level)
            {
                paragraph.Append(new KeepNext(), new OutlineLevel { Val = level });
            }

            if (indent > 0)
            {
                paragraph.Append(new Indentation { Left = $"{indent}", Hanging = "240" });
            }

            var style = new Style(new StyleName { Val = name }, new PrimaryStyle(), paragraph, Font(pt, bold))
            {
                Type = StyleValues.Paragraph, StyleId = id,
            };
            if (id != "Normal")
            {
                style.InsertAt(new BasedOn { Val = "Normal" }, 1);
                style.InsertAt(new NextParagraphStyle { Val = "Normal" }, 2);
            }

            return style;
        }

        return new Styles(
            new DocDefaults(new RunPropertiesDefault(Font(fontPt, bold: false))),
            ParagraphStyle("Normal", "Normal", fontPt, bold: false, outline: null, before: 0, after: 160),
            ParagraphStyle("Title", "Title", fontPt + 7, bold: true, outline: null, before: 0, after: 240),
            ParagraphStyle("Heading1", "heading 1", fontPt + 3, bold: true, outline: 0, before: 240, after: 120),
            ParagraphStyle("ListParagraph", "List Paragraph", fontPt, bold: false, outline: null, before: 0, after: 60, indent: 480));
    }
}
