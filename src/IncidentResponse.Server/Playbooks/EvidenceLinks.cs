using System.Text.RegularExpressions;
using IncidentResponse.Server.Api;

namespace IncidentResponse.Server.Playbooks;

/// <summary>
/// Links to the evidence of a completed step (docs/playbooks.md "Evidence"): absolute http(s) URLs, or
/// references to documents kept elsewhere as <c>doc:</c> followed by the document's identifier.
/// </summary>
public static partial class EvidenceLinks
{
    public const int MaxLinks = 20;
    public const int MaxLinkLength = 2000;

    /// <summary>The column holds every link, one a line.</summary>
    public const int MaxLength = MaxLinks * (MaxLinkLength + 1);

    public static Outcome<IReadOnlyList<string>?> Read(IReadOnlyList<string>? links)
    {
        if (links is null || links.Count == 0)
        {
            return new Outcome<IReadOnlyList<string>?>(null, null);
        }

        if (Require.AtMost("evidence", links.Count, MaxLinks) is { } tooMany)
        {
            return tooMany;
        }

        foreach (var link in links)
        {
            if (!IsLink(link))
            {
                return Failure.Invalid("evidence", $"'{Shorten(link)}' is neither an absolute http(s) URL nor a document reference (doc:IDENTIFIER).");
            }
        }

        return new Outcome<IReadOnlyList<string>?>(links.Distinct(StringComparer.Ordinal).ToList(), null);
    }

    public static string? Join(IReadOnlyList<string>? links) => links is { Count: > 0 } ? string.Join('\n', links) : null;

    public static IReadOnlyList<string> Split(string? stored) => stored?.Split('\n', StringSplitOptions.RemoveEmptyEntries) ?? [];

    private static bool IsLink(string? link) =>
        link is { Length: > 0 and <= MaxLinkLength }
        && ((Uri.TryCreate(link, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0) || DocumentReference().IsMatch(link));

    private static string Shorten(string? link) => link is null ? "" : link.Length > 80 ? link[..80] + "…" : link;

    [GeneratedRegex(@"^doc:[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$")]
    private static partial Regex DocumentReference();
}
