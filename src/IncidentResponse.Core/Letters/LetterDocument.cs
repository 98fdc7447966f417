using System.Net;
using System.Text;

namespace IncidentResponse.Core.Letters;

public enum BlockKind
{
    Title,
    Heading,
    Paragraph,
    ListItem,

    /// <summary>A recipient's name and postal address, one line per '\n': set where a window envelope shows it.</summary>
    Address,
}

public sealed record LetterBlock(BlockKind Kind, string Text);

/// <summary>
/// A letter as title, headings, paragraphs and list items: what every output format renders. Parsed from a template's
/// output, where "# " starts the title, "## " a heading, "- " a list item, and a blank line ends a paragraph.
/// </summary>
public sealed class LetterDocument(IReadOnlyList<LetterBlock> blocks, int fontPt)
{
    public IReadOnlyList<LetterBlock> Blocks { get; } = blocks;

    /// <summary>The body font size every rendering uses (headings and title are larger).</summary>
    public int FontPt { get; } = fontPt;

    /// <summary>The same letter with a banner paragraph first and last (an exercise letter's "not for distribution").</summary>
    public LetterDocument WithBanner(string banner) =>
        new([new LetterBlock(BlockKind.Paragraph, banner), .. Blocks, new LetterBlock(BlockKind.Paragraph, banner)], FontPt);

    public static LetterDocument Parse(string marked, int fontPt)
    {
        var blocks = new List<LetterBlock>();
        var paragraph = new StringBuilder();
        void EndParagraph()
        {
            if (paragraph.Length > 0)
            {
                blocks.Add(new LetterBlock(BlockKind.Paragraph, paragraph.ToString()));
                paragraph.Clear();
            }
        }

        foreach (var raw in marked.Split('\n'))
        {
            var line = raw.Trim();
            var block = line switch
            {
                _ when line.StartsWith("## ", StringComparison.Ordinal) => new LetterBlock(BlockKind.Heading, line[3..].Trim()),
                _ when line.StartsWith("# ", StringComparison.Ordinal) => new LetterBlock(BlockKind.Title, line[2..].Trim()),
                _ when line.StartsWith("- ", StringComparison.Ordinal) => new LetterBlock(BlockKind.ListItem, line[2..].Trim()),
                _ => null,
            };
            if (line.Length == 0 || block is not null)
            {
                EndParagraph();
                if (block is { Text.Length: > 0 })
                {
                    blocks.Add(block);
                }

                continue;
            }

            paragraph.Append(paragraph.Length > 0 ? " " : "").Append(line);
        }

        EndParagraph();
        return new LetterDocument(blocks, fontPt);
    }

    /// <summary>The letter in the template markup again: what <see cref="Parse"/> reads back to the same blocks (an address reads back as a paragraph).</summary>
    public string ToMarkup() => string.Concat(Blocks.Select((b, i) =>
        (i == 0 ? "" : b.Kind == BlockKind.ListItem && Blocks[i - 1].Kind == BlockKind.ListItem ? "\n" : "\n\n") + b.Kind switch
        {
            BlockKind.Title => "# ",
            BlockKind.Heading => "## ",
            BlockKind.ListItem => "- ",
            _ => "",
        } + b.Text)) + "\n";

    public string ToText()
    {
        var text = new StringBuilder();
        for (var i = 0; i < Blocks.Count; i++)
        {
            var block = Blocks[i];
            var tight = i > 0 && block.Kind == BlockKind.ListItem && Blocks[i - 1].Kind == BlockKind.ListItem;
            if (i > 0 && !tight)
            {
                text.Append('\n');
            }

            text.Append(block.Kind == BlockKind.ListItem ? "- " : "").Append(block.Text).Append('\n');
        }

        return text.ToString();
    }

    public string ToHtml()
    {
        var html = new StringBuilder();
        var title = Blocks.FirstOrDefault(b => b.Kind == BlockKind.Title)?.Text ?? "Letter";
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<title>").Append(WebUtility.HtmlEncode(title)).Append("</title>\n")
            .Append("<style>body { font-family: \"DejaVu Sans\", Arial, sans-serif; font-size: ").Append(FontPt)
            .Append("pt; max-width: 42em; margin: 2em auto; line-height: 1.4; }</style>\n</head>\n<body>\n");
        var inList = false;
        foreach (var block in Blocks)
        {
            if (inList && block.Kind != BlockKind.ListItem)
            {
                html.Append("</ul>\n");
                inList = false;
            }

            var text = WebUtility.HtmlEncode(block.Text);
            switch (block.Kind)
            {
                case BlockKind.Title:
                    html.Append("<h1>").Append(text).Append("</h1>\n");
                    break;
                case BlockKind.Heading:
                    html.Append("<h2>").Append(text).Append("</h2>\n");
                    break;
                case BlockKind.ListItem:
                    html.Append(inList ? "" : "<ul>\n").Append("<li>").Append(text).Append("</li>\n");
                    inList = true;
                    break;
                case BlockKind.Address:
                    html.Append("<address>").Append(text.Replace("\n", "<br>\n", StringComparison.Ordinal)).Append("</address>\n");
                    break;
                default:
                    html.Append("<p>").Append(text).Append("</p>\n");
                    break;
            }
        }

        html.Append(inList ? "</ul>\n" : "").Append("</body>\n</html>\n");
        return html.ToString();
    }
}
