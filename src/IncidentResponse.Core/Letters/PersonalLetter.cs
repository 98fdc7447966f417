using System.Globalization;
using IncidentResponse.Core.AffectedPeople;
using IncidentResponse.Core.Laws;

namespace IncidentResponse.Core.Letters;

/// <summary>One person a letter goes to: the opened personal data, the data elements known to be theirs, and the mailing's reference.</summary>
public sealed record LetterRecipient(PersonalData Person, IReadOnlySet<DataElement> DataElements, string Reference);

/// <summary>
/// An approved letter made personal for one recipient without changing what was approved: the address block for a
/// window envelope (the reference first, so returned mail can be matched without opening it), "Dear name," instead
/// of the generic salutation, and the "what information was involved" list narrowed to the person's own elements.
/// The list is only ever narrowed: an item the person's elements do not explain is dropped only when it names a
/// known element, and when none of the person's elements is in the approved list the approved list stays whole.
/// </summary>
public static class PersonalLetter
{
    private static readonly string InformationHeading =
        LetterDrafter.Sections.Single(s => s.Section == "whatInformation").Heading;

    public static LetterDocument For(LetterDocument approved, LetterRecipient recipient)
    {
        var blocks = new List<LetterBlock>(approved.Blocks.Count + 1);
        var addressed = false;
        var greeted = false;
        var information = InformationItems(approved);
        var keep = ItemsToKeep(approved, information, recipient.DataElements);
        for (var i = 0; i < approved.Blocks.Count; i++)
        {
            var block = approved.Blocks[i];
            if (!addressed && block.Kind != BlockKind.Title)
            {
                blocks.Add(new LetterBlock(BlockKind.Address, string.Join('\n', AddressLines(recipient))));
                addressed = true;
            }

            if (!greeted && IsGenericSalutation(block))
            {
                blocks.Add(block with { Text = $"Dear {recipient.Person.Name}," });
                greeted = true;
                continue;
            }

            if (information.Contains(i) && !keep.Contains(i))
            {
                continue;
            }

            blocks.Add(block);
        }

        if (!addressed)
        {
            blocks.Add(new LetterBlock(BlockKind.Address, string.Join('\n', AddressLines(recipient))));
        }

        return new LetterDocument(blocks, approved.FontPt);
    }

    /// <summary>
    /// The window lines: reference, name, street lines, "City, ST 12345", and the country's code when it is not the
    /// United States (the print vendor's address standardisation expands it).
    /// </summary>
    public static IReadOnlyList<string> AddressLines(LetterRecipient recipient)
    {
        var person = recipient.Person;
        var lines = new List<string> { $"Ref. {recipient.Reference}", person.Name };
        lines.AddRange(person.AddressLines);
        var place = string.Join(" ", new[] { person.State, person.PostalCode }.Where(p => !string.IsNullOrWhiteSpace(p)));
        var last = string.Join(", ", new[] { person.City, place }.Where(p => !string.IsNullOrWhiteSpace(p)));
        if (last.Length > 0)
        {
            lines.Add(last);
        }

        if (!string.Equals(person.Country, "US", StringComparison.OrdinalIgnoreCase))
        {
            lines.Add(person.Country.ToUpper(CultureInfo.InvariantCulture));
        }

        return lines;
    }

    /// <summary>The letter's one greeting to a reader it does not name: "Dear Northwind customer,", before the first heading.</summary>
    private static bool IsGenericSalutation(LetterBlock block) =>
        block.Kind == BlockKind.Paragraph && block.Text.StartsWith("Dear ", StringComparison.Ordinal) && block.Text.EndsWith(',')
        && block.Text.Length < 80;

    /// <summary>The positions of the list items under the "What Information Was Involved" heading.</summary>
    private static HashSet<int> InformationItems(LetterDocument letter)
    {
        var items = new HashSet<int>();
        var inSection = false;
        for (var i = 0; i < letter.Blocks.Count; i++)
        {
            var block = letter.Blocks[i];
            if (block.Kind is BlockKind.Heading or BlockKind.Title)
            {
                inSection = string.Equals(block.Text, InformationHeading, StringComparison.OrdinalIgnoreCase);
            }
            else if (inSection && block.Kind == BlockKind.ListItem)
            {
                items.Add(i);
            }
        }

        return items;
    }

    private static HashSet<int> ItemsToKeep(LetterDocument letter, HashSet<int> items, IReadOnlySet<DataElement> own)
    {
        var named = items.ToDictionary(i => i, i => ElementNamed(letter.Blocks[i].Text));
        var ownItems = named.Where(n => n.Value is { } e && own.Contains(e)).Select(n => n.Key).ToHashSet();
        if (ownItems.Count == 0)
        {
            return items;
        }

        // An item that names no known element might be the person's: it stays.
        ownItems.UnionWith(named.Where(n => n.Value is null).Select(n => n.Key));
        return ownItems;
    }

    /// <summary>
    /// The element a list item names: the generator's own words exactly, else the element whose accepted wording
    /// matches with the most letters ("mother's maiden name" is the maiden name, not the name).
    /// </summary>
    internal static DataElement? ElementNamed(string item)
    {
        var text = new LetterText(item);
        DataElement? best = null;
        var bestLength = 0;
        foreach (var element in Enum.GetValues<DataElement>())
        {
            if (text.Normal == LetterText.Normalise(DataElementWords.Plain(element)))
            {
                return element;
            }

            foreach (var wording in DataElementWords.Accepted(element).Where(text.HasAll))
            {
                var length = wording.Replace("+", "", StringComparison.Ordinal).Length;
                if (length > bestLength)
                {
                    (best, bestLength) = (element, length);
                }
            }
        }

        return best;
    }
}
