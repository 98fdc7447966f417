using IncidentResponse.Core.Laws;

namespace IncidentResponse.Core.Letters;

/// <summary>One letter to draft: its kind and the rule codes it answers (none: the codes the incident's assessment gives).</summary>
public sealed record PlannedLetter(LetterKind Kind, IReadOnlyList<string>? Codes);

/// <summary>An obligation to a recipient that no kind of letter serves: someone answers it by hand.</summary>
public sealed record UnservedObligation(Recipient Recipient, string Regime);

/// <summary>
/// The letters a playbook's <c>generateLetters</c> step drafts for the recipients it names: one letter to individuals
/// when any individuals' obligation exists, and for every other recipient the notice kinds of the catalogue that serve
/// the obligations' regimes, each with the codes it answers. Substitute notice is a fallback someone chooses; it is
/// never planned.
/// </summary>
public sealed record LetterPlan(IReadOnlyList<PlannedLetter> Letters, IReadOnlyList<UnservedObligation> Unserved)
{
    public static LetterPlan For(
        IEnumerable<(string Regime, Recipient Recipient)> obligations, IReadOnlyCollection<Recipient> recipients,
        IReadOnlyDictionary<LetterKind, NoticeContent> catalogue)
    {
        var wanted = obligations.Where(o => recipients.Contains(o.Recipient)).Distinct().ToList();
        var letters = new List<PlannedLetter>();
        if (wanted.Any(o => o.Recipient == Recipient.Individuals))
        {
            letters.Add(new PlannedLetter(LetterKind.Individuals, null));
        }

        var codes = new SortedDictionary<LetterKind, SortedSet<string>>();
        var unserved = new List<UnservedObligation>();
        foreach (var (regime, recipient) in wanted.Where(o => o.Recipient != Recipient.Individuals))
        {
            var kinds = catalogue.Values.Where(c => !c.Substitute && c.Recipient == recipient && c.Serves(regime)).Select(c => c.Kind).ToList();
            if (kinds.Count == 0)
            {
                unserved.Add(new UnservedObligation(recipient, regime));
            }

            foreach (var kind in kinds)
            {
                (codes.TryGetValue(kind, out var set) ? set : codes[kind] = new SortedSet<string>(StringComparer.Ordinal)).Add(regime);
            }
        }

        letters.AddRange(codes.Select(c => new PlannedLetter(c.Key, c.Value.ToList())));
        return new LetterPlan(letters, unserved.OrderBy(u => u.Recipient).ThenBy(u => u.Regime, StringComparer.Ordinal).ToList());
    }
}
