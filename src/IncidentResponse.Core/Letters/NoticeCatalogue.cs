using IncidentResponse.Core.Laws;

namespace IncidentResponse.Core.Letters;

/// <summary>Whom a letter is written to; each kind has its template in Letters/Templates (camelCase name + .liquid).</summary>
public enum LetterKind
{
    Individuals,
    StateRegulators,
    ConsumerReportingAgencies,
    Hhs,
    Sec,
    SupervisoryAuthority,
    Nydfs,
    Media,
    SubstituteNotice,
}

/// <summary>
/// One thing a notice must contain: found by a letter-vocabulary <see cref="Element"/> detector or by any of
/// <see cref="AnyOf"/>; cited to <see cref="Citation"/>, or to the group's rule files when <see cref="FromRuleBase"/>.
/// </summary>
public sealed record NoticeElement(
    string Id, string? Element, IReadOnlyList<string> AnyOf, string? Citation, bool FromRuleBase, bool Reviewed, string? Note);

/// <summary>What one kind of notice answers in the rule base and what it must contain.</summary>
public sealed record NoticeContent(
    LetterKind Kind, Recipient Recipient, IReadOnlyList<string> Regimes, bool Substitute, string Title, IReadOnlyList<NoticeElement> Elements)
{
    /// <summary>Whether a rule code is one this notice serves: "US-*" is every US state code, "*" every code.</summary>
    public bool Serves(string code) => Regimes.Any(r => r == "*" || r == code || (r.EndsWith('*') && code.StartsWith(r[..^1], StringComparison.Ordinal)));
}

/// <summary>The reviewed content lists of the notices to agencies, the media and substitute notice (Letters/Notices/notices.yaml).</summary>
public static class NoticeCatalogue
{
    private const string File = "notices.yaml";

    private static readonly Lazy<IReadOnlyDictionary<LetterKind, NoticeContent>> Embedded =
        new(() => Parse(ReviewedData.Embedded("letters/notices/").Single(f => f.File == File).Text));

    public static IReadOnlyDictionary<LetterKind, NoticeContent> Current => Embedded.Value;

    /// <summary>Parses and validates the catalogue; a missing or inconsistent field throws a <see cref="DataFileException"/> naming it.</summary>
    public static IReadOnlyDictionary<LetterKind, NoticeContent> Parse(string yaml)
    {
        var dto = ReviewedData.Read<Dictionary<string, KindDto>>(File, yaml);
        var kinds = new Dictionary<LetterKind, NoticeContent>();
        foreach (var (name, kind) in dto)
        {
            if (!Enum.TryParse<LetterKind>(name, ignoreCase: true, out var letterKind) || letterKind == LetterKind.Individuals)
            {
                throw new DataFileException(File, name, "is not a notice kind (the letter to individuals has its own rules)");
            }

            if (!Enum.TryParse<Recipient>(kind.Recipient, ignoreCase: true, out var recipient))
            {
                throw new DataFileException(File, $"{name}.recipient", $"'{kind.Recipient}' is not a recipient of the rule base");
            }

            var elements = (kind.Elements ?? []).Select((e, i) => Compile(e, $"{name}.elements[{i}]")).ToList();
            if (elements.Count == 0 || kind.Regimes is not { Count: > 0 } || string.IsNullOrWhiteSpace(kind.Title))
            {
                throw new DataFileException(File, name, "needs regimes, a title and at least one element");
            }

            kinds[letterKind] = new NoticeContent(letterKind, recipient, kind.Regimes, kind.Substitute, kind.Title, elements);
        }

        return kinds;
    }

    private static NoticeElement Compile(ElementDto e, string at)
    {
        if (string.IsNullOrWhiteSpace(e.Id))
        {
            throw new DataFileException(File, $"{at}.id", "is required");
        }

        if ((e.Element is null) == (e.AnyOf is not { Count: > 0 }))
        {
            throw new DataFileException(File, at, "give either a letter-vocabulary element or anyOf phrases");
        }

        if (e.Element is not null && !LetterChecker.KnownElements.Contains(e.Element))
        {
            throw new DataFileException(File, $"{at}.element", $"'{e.Element}' is not in the letter vocabulary");
        }

        if (!e.FromRuleBase && string.IsNullOrWhiteSpace(e.Citation))
        {
            throw new DataFileException(File, $"{at}.citation", "cite the clause, or take the sources fromRuleBase");
        }

        if (e.Reviewed is not { } reviewed)
        {
            throw new DataFileException(File, $"{at}.reviewed", "is required (true or false)");
        }

        if (!reviewed && string.IsNullOrWhiteSpace(e.Note))
        {
            throw new DataFileException(File, $"{at}.note", "an unreviewed element needs a note saying what was not checked");
        }

        return new NoticeElement(e.Id, e.Element, e.AnyOf ?? [], e.Citation, e.FromRuleBase, reviewed, e.Note);
    }

#pragma warning disable CA1812 // Instantiated by the YAML deserializer.
    private sealed class KindDto
    {
        public string? Recipient { get; set; }
        public List<string>? Regimes { get; set; }
        public bool Substitute { get; set; }
        public string? Title { get; set; }
        public List<ElementDto>? Elements { get; set; }
    }

    private sealed class ElementDto
    {
        public string? Id { get; set; }
        public string? Element { get; set; }
        public List<string>? AnyOf { get; set; }
        public string? Citation { get; set; }
        public bool FromRuleBase { get; set; }
        public bool? Reviewed { get; set; }
        public string? Note { get; set; }
    }
#pragma warning restore CA1812
}
