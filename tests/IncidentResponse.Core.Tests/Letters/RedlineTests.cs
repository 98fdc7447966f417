using IncidentResponse.Core.Letters;

namespace IncidentResponse.Core.Tests.Letters;

public sealed class RedlineTests
{
    [Fact]
    public void Identical_texts_are_one_unchanged_segment()
    {
        Assert.Equal([new RedlineSegment(RedlineOp.Equal, "We took steps.")], Redline.Compare("We took steps.", "We took steps."));
    }

    [Fact]
    public void A_changed_word_is_a_deletion_then_an_insertion_between_shared_text()
    {
        Assert.Equal(
            [new(RedlineOp.Equal, "We offer "), new(RedlineOp.Deleted, "12"), new(RedlineOp.Inserted, "24"), new(RedlineOp.Equal, " months of monitoring.")],
            Redline.Compare("We offer 12 months of monitoring.", "We offer 24 months of monitoring."));
    }

    [Fact]
    public void Added_and_removed_sentences_are_whole_insertions_and_deletions()
    {
        Assert.Equal(
            [new(RedlineOp.Equal, "First. "), new(RedlineOp.Inserted, "Second. "), new(RedlineOp.Equal, "Third.")],
            Redline.Compare("First. Third.", "First. Second. Third."));
        Assert.Equal([new(RedlineOp.Deleted, "All gone")], Redline.Compare("All gone", ""));
        Assert.Equal([new(RedlineOp.Inserted, "From nothing")], Redline.Compare("", "From nothing"));
    }

    [Fact]
    public void The_html_marks_insertions_and_deletions_and_escapes_the_text()
    {
        var html = Redline.ToHtml(Redline.Compare("Call <us> at 555", "Call <us> & write at 555"));

        Assert.Equal("<div class=\"redline\" style=\"white-space: pre-wrap\">Call &lt;us&gt; <ins>&amp; write </ins>at 555</div>", html);
        Assert.EndsWith(">one <del>old </del>word</div>", Redline.ToHtml(Redline.Compare("one old word", "one word")), StringComparison.Ordinal);
    }

    [Fact]
    public void Both_texts_are_recovered_and_the_script_is_as_short_as_the_longest_common_subsequence_allows()
    {
        var random = new Random(1705);
        string[] words = ["we", "you", "notice", "data", " ", " ", ".", ",", "\n"];
        for (var run = 0; run < 300; run++)
        {
            var before = string.Concat(Enumerable.Range(0, random.Next(0, 25)).Select(_ => words[random.Next(words.Length)]));
            var after = string.Concat(Enumerable.Range(0, random.Next(0, 25)).Select(_ => words[random.Next(words.Length)]));

            var segments = Redline.Compare(before, after);

            Assert.Equal(before, string.Concat(segments.Where(s => s.Op != RedlineOp.Inserted).Select(s => s.Text)));
            Assert.Equal(after, string.Concat(segments.Where(s => s.Op != RedlineOp.Deleted).Select(s => s.Text)));
            var shared = segments.Where(s => s.Op == RedlineOp.Equal).Sum(s => Redline.Tokens(s.Text).Length);
            Assert.Equal(Lcs(Redline.Tokens(before), Redline.Tokens(after)), shared);
        }
    }

    /// <summary>The length of the longest common subsequence, by the textbook table: what a shortest edit script keeps.</summary>
    private static int Lcs(string[] a, string[] b)
    {
        var table = new int[a.Length + 1, b.Length + 1];
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                table[i, j] = a[i - 1] == b[j - 1] ? table[i - 1, j - 1] + 1 : Math.Max(table[i - 1, j], table[i, j - 1]);
            }
        }

        return table[a.Length, b.Length];
    }
}
