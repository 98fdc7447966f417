using IncidentResponse.Core.AffectedPeople;

namespace IncidentResponse.Core.Tests.AffectedPeople;

public sealed class CsvRecordReaderTests
{
    private static List<CsvRecord> ReadAll(string text, int chunk = 0)
    {
        // A tiny-chunk reader proves that quotes and line ends split across buffer refills still parse.
        TextReader source = chunk == 0 ? new StringReader(text) : new TrickleReader(text, chunk);
        var reader = new CsvRecordReader(source);
        var records = new List<CsvRecord>();
        while (reader.Read() is { } r)
        {
            records.Add(r);
        }

        return records;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void Quoted_fields_keep_commas_line_breaks_and_doubled_quotes(int chunk)
    {
        var records = ReadAll("name,address\r\n\"Doe, Jane\",\"1 Main St\nApt 2\"\r\n\"Say \"\"hi\"\"\",\"\"\n", chunk);
        Assert.Equal(3, records.Count);
        Assert.Equal(["Doe, Jane", "1 Main St\nApt 2"], records[1].Fields);
        Assert.Equal(["Say \"hi\"", ""], records[2].Fields);
        Assert.All(records, r => Assert.Null(r.Malformed));
    }

    [Fact]
    public void A_byte_order_mark_is_not_part_of_the_first_header()
    {
        var records = ReadAll("\uFEFFname,email\nA,a@x.example\n");
        Assert.Equal("name", records[0].Fields[0]);
    }

    [Fact]
    public void Rows_are_numbered_as_a_spreadsheet_shows_them_blank_lines_included_embedded_breaks_not()
    {
        var records = ReadAll("h1,h2\n\"a\nb\",c\n\nd,e\rf,g");
        Assert.Equal([1L, 2L, 4L, 5L], records.Select(r => r.Row));
        Assert.Equal(["f", "g"], records[3].Fields);
    }

    [Fact]
    public void A_stray_quote_makes_only_its_row_malformed()
    {
        var records = ReadAll("a,b\nx\"y,z\n\"ok\"junk,1\nfine,2\n");
        Assert.Equal("field 1 has a quote inside an unquoted value or text after its closing quote", records[1].Malformed);
        Assert.NotNull(records[2].Malformed);
        Assert.Null(records[3].Malformed);
        Assert.Equal(["fine", "2"], records[3].Fields);
    }

    [Fact]
    public void An_unclosed_quote_is_reported_at_the_end_of_the_file()
    {
        var records = ReadAll("a,b\n1,\"never closed\n2,3\n");
        Assert.Equal("field 2 opens a quote that is never closed", records[1].Malformed);
    }

    [Fact]
    public void Escape_round_trips_through_the_reader()
    {
        string[] values = ["plain", "with, comma", "with \"quote\"", "two\nlines", ""];
        var line = string.Join(',', values.Select(CsvField.Escape));
        Assert.Equal(values, ReadAll(line + "\n")[0].Fields);
    }

    private sealed class TrickleReader(string text, int chunk) : TextReader
    {
        private int position;

        public override int Read(char[] buffer, int index, int count)
        {
            var n = Math.Min(Math.Min(count, chunk), text.Length - position);
            text.CopyTo(position, buffer, index, n);
            position += n;
            return n;
        }
    }
}
