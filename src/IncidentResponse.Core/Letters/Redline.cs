using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace IncidentResponse.Core.Letters;

public enum RedlineOp
{
    Equal,
    Inserted,
    Deleted,
}

/// <summary>A run of text that both versions share, or that one of them adds or drops.</summary>
public sealed record RedlineSegment(RedlineOp Op, string Text);

/// <summary>
/// A word-level redline between two versions of a letter: the shortest edit script over words, spaces and punctuation
/// (Myers' O(ND) algorithm), as segments and as HTML with &lt;ins&gt; and &lt;del&gt;.
/// </summary>
public static partial class Redline
{
    public static IReadOnlyList<RedlineSegment> Compare(string before, string after)
    {
        var a = Tokens(before);
        var b = Tokens(after);
        var prefix = 0;
        while (prefix < a.Length && prefix < b.Length && a[prefix] == b[prefix])
        {
            prefix++;
        }

        var suffix = 0;
        while (suffix < a.Length - prefix && suffix < b.Length - prefix && a[^(suffix + 1)] == b[^(suffix + 1)])
        {
            suffix++;
        }

        var edits = new List<(RedlineOp Op, string Token)>();
        edits.AddRange(a[..prefix].Select(t => (RedlineOp.Equal, t)));
        edits.AddRange(Myers(a[prefix..^suffix], b[prefix..^suffix]));
        edits.AddRange(a[^suffix..].Select(t => (RedlineOp.Equal, t)));
        return Merge(edits);
    }

    /// <summary>The redline as an HTML fragment: shared text escaped, insertions in &lt;ins&gt;, deletions in &lt;del&gt;.</summary>
    public static string ToHtml(IReadOnlyList<RedlineSegment> segments)
    {
        var html = new StringBuilder("<div class=\"redline\" style=\"white-space: pre-wrap\">");
        foreach (var s in segments)
        {
            var text = WebUtility.HtmlEncode(s.Text);
            html.Append(s.Op switch
            {
                RedlineOp.Inserted => $"<ins>{text}</ins>",
                RedlineOp.Deleted => $"<del>{text}</del>",
                _ => text,
            });
        }

        return html.Append("</div>").ToString();
    }

    /// <summary>Words, runs of white space and single punctuation marks: joined again they give the text back exactly.</summary>
    internal static string[] Tokens(string text) => TokenPattern().Matches(text).Select(m => m.Value).ToArray();

    /// <summary>The shortest edit script from a to b: the furthest-reaching D-paths, then the path walked back.</summary>
    private static List<(RedlineOp, string)> Myers(string[] a, string[] b)
    {
        int n = a.Length, m = b.Length, offset = n + m + 1;
        var v = new int[2 * offset + 1];
        var trace = new List<int[]>();
        for (var d = 0; d <= n + m; d++)
        {
            // Only diagonals -d..d are read when walking back: keep that slice, not the whole array.
            trace.Add(v[(offset - d)..(offset + d + 1)]);
            for (var k = -d; k <= d; k += 2)
            {
                var x = k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
                var y = x - k;
                while (x < n && y < m && a[x] == b[y])
                {
                    x++;
                    y++;
                }

                v[offset + k] = x;
                if (x >= n && y >= m)
                {
                    return Walk(a, b, trace);
                }
            }
        }

        throw new InvalidOperationException("unreachable: an edit script of length n + m always exists");
    }

    private static List<(RedlineOp, string)> Walk(string[] a, string[] b, List<int[]> trace)
    {
        var edits = new List<(RedlineOp, string)>();
        int x = a.Length, y = b.Length;
        for (var d = trace.Count - 1; d >= 0; d--)
        {
            var v = trace[d];
            var k = x - y;
            var previousK = k == -d || (k != d && v[d + k - 1] < v[d + k + 1]) ? k + 1 : k - 1;
            var previousX = d == 0 ? 0 : v[d + previousK];
            var previousY = previousX - previousK;
            while (x > previousX && y > previousY)
            {
                edits.Add((RedlineOp.Equal, a[--x]));
                y--;
            }

            if (d > 0)
            {
                if (x == previousX)
                {
                    edits.Add((RedlineOp.Inserted, b[--y]));
                }
                else
                {
                    edits.Add((RedlineOp.Deleted, a[--x]));
                }
            }
        }

        edits.Reverse();
        return edits;
    }

    /// <summary>Adjacent tokens of one kind joined; within a changed stretch, deletions before insertions.</summary>
    private static List<RedlineSegment> Merge(List<(RedlineOp Op, string Token)> edits)
    {
        var segments = new List<RedlineSegment>();
        var deleted = new StringBuilder();
        var inserted = new StringBuilder();
        void Flush()
        {
            if (deleted.Length > 0)
            {
                segments.Add(new RedlineSegment(RedlineOp.Deleted, deleted.ToString()));
            }

            if (inserted.Length > 0)
            {
                segments.Add(new RedlineSegment(RedlineOp.Inserted, inserted.ToString()));
            }

            deleted.Clear();
            inserted.Clear();
        }

        foreach (var (op, token) in edits)
        {
            switch (op)
            {
                case RedlineOp.Deleted:
                    deleted.Append(token);
                    break;
                case RedlineOp.Inserted:
                    inserted.Append(token);
                    break;
                default:
                    Flush();
                    if (segments.Count > 0 && segments[^1].Op == RedlineOp.Equal)
                    {
                        segments[^1] = segments[^1] with { Text = segments[^1].Text + token };
                    }
                    else
                    {
                        segments.Add(new RedlineSegment(RedlineOp.Equal, token));
                    }

                    break;
            }
        }

        Flush();
        return segments;
    }

    [GeneratedRegex(@"\s+|[\p{L}\p{N}]+|[^\s\p{L}\p{N}]")]
    private static partial Regex TokenPattern();
}
