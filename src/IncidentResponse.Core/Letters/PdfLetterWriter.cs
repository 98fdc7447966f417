using System.Text;
using PdfSharp.Drawing;
using PdfSharp.Fonts;
using PdfSharp.Pdf;

namespace IncidentResponse.Core.Letters;

/// <summary>
/// A letter as a PDF on US Letter paper, set in the embedded DejaVu Sans so it renders the same on any machine. An
/// address block sits where the window of a #10 envelope shows it when the letter is folded in three: 2 inches from
/// the top, 1 inch from the left, within 4 by 1.125 inches.
/// </summary>
public static class PdfLetterWriter
{
    private const double Margin = 72;
    private const double WindowTop = 144;
    private static readonly Lock Registration = new();

    /// <summary>Writes the letter and returns its number of pages.</summary>
    public static int Write(LetterDocument letter, Stream output)
    {
        RegisterFont();
        using var document = new PdfDocument();
        document.Info.Title = letter.Blocks.FirstOrDefault(b => b.Kind == BlockKind.Title)?.Text ?? "Letter";
        var pages = new PageWriter(document);
        foreach (var block in letter.Blocks)
        {
            if (block.Kind == BlockKind.Address)
            {
                pages.WriteAddress(block.Text.Split('\n'), new XFont(EmbeddedFontResolver.Family, letter.FontPt, XFontStyleEx.Regular));
                continue;
            }

            var (size, style, before, indent) = block.Kind switch
            {
                BlockKind.Title => (letter.FontPt + 7, XFontStyleEx.Bold, 0.0, 0.0),
                BlockKind.Heading => (letter.FontPt + 3, XFontStyleEx.Bold, letter.FontPt * 1.2, 0.0),
                BlockKind.ListItem => (letter.FontPt, XFontStyleEx.Regular, letter.FontPt * 0.2, 18.0),
                _ => (letter.FontPt, XFontStyleEx.Regular, letter.FontPt * 0.8, 0.0),
            };
            pages.Write(block.Kind == BlockKind.ListItem ? "\u2022 " + block.Text : block.Text,
                new XFont(EmbeddedFontResolver.Family, size, style), before, indent, keepWithNext: block.Kind == BlockKind.Heading);
        }

        pages.Close();
        var pageCount = document.PageCount;
        using var buffer = new MemoryStream();
        document.Save(buffer, false);
        buffer.Position = 0;
        buffer.CopyTo(output);
        return pageCount;
    }

    private static void RegisterFont()
    {
        lock (Registration)
        {
            GlobalFontSettings.FontResolver ??= new EmbeddedFontResolver();
        }
    }

    /// <summary>Lays words out line by line, starting a new page when the next line would cross the bottom margin.</summary>
    private sealed class PageWriter
    {
        private const double PageWidth = 612;
        private const double PageHeight = 792;
        private readonly PdfDocument document;
        private XGraphics graphics;
        private double y;

        public PageWriter(PdfDocument document)
        {
            this.document = document;
            graphics = NewPage();
        }

        public void Write(string text, XFont font, double spaceBefore, double indent, bool keepWithNext)
        {
            var lineHeight = font.GetHeight() * 1.15;
            var lines = Wrap(text, font, PageWidth - (2 * Margin) - indent);
            // A heading never ends a page: it needs its own lines and the first line of what follows.
            var needed = spaceBefore + (lineHeight * (keepWithNext ? lines.Count + 1 : 1));
            if (y > Margin && y + needed > PageHeight - Margin)
            {
                graphics = NewPage();
            }
            else if (y > Margin)
            {
                y += spaceBefore;
            }

            foreach (var line in lines)
            {
                if (y + lineHeight > PageHeight - Margin)
                {
                    graphics = NewPage();
                }

                graphics.DrawString(line, font, XBrushes.Black, new XPoint(Margin + indent, y + font.GetHeight()));
                y += lineHeight;
            }
        }

        /// <summary>The address lines, tight, in the envelope window of the first page; the letter goes on below them.</summary>
        public void WriteAddress(IReadOnlyList<string> lines, XFont font)
        {
            var lineHeight = font.GetHeight() * 1.15;
            y = Math.Max(y, WindowTop);
            foreach (var line in lines)
            {
                graphics.DrawString(line, font, XBrushes.Black, new XPoint(Margin, y + font.GetHeight()));
                y += lineHeight;
            }

            y += lineHeight;
        }

        public void Close() => graphics.Dispose();

        private List<string> Wrap(string text, XFont font, double width)
        {
            var lines = new List<string>();
            var line = new StringBuilder();
            foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = line.Length == 0 ? word : $"{line} {word}";
                if (line.Length > 0 && graphics.MeasureString(candidate, font).Width > width)
                {
                    lines.Add(line.ToString());
                    line.Clear().Append(word);
                }
                else
                {
                    line.Clear().Append(candidate);
                }
            }

            lines.Add(line.ToString());
            return lines;
        }

        private XGraphics NewPage()
        {
            graphics?.Dispose();
            var page = document.AddPage();
            page.Width = XUnit.FromPoint(PageWidth);
            page.Height = XUnit.FromPoint(PageHeight);
            y = Margin;
            return XGraphics.FromPdfPage(page);
        }
    }
}

/// <summary>Resolves every family to the embedded DejaVu Sans (bold and italic simulated): no system font is needed.</summary>
internal sealed class EmbeddedFontResolver : IFontResolver
{
    public const string Family = "DejaVu Sans";
    private const string Face = "DejaVuSans";

    private static readonly Lazy<byte[]> Font = new(() =>
    {
        using var stream = typeof(EmbeddedFontResolver).Assembly.GetManifestResourceStream("letters/fonts/DejaVuSans.ttf")!;
        using var bytes = new MemoryStream();
        stream.CopyTo(bytes);
        return bytes.ToArray();
    });

    public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) => new(Face, bold, italic);

    public byte[]? GetFont(string faceName) => faceName == Face ? Font.Value : null;
}
