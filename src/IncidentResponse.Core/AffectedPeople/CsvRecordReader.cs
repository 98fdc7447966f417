using System.Runtime.CompilerServices;
using System.Text;

namespace IncidentResponse.Core.AffectedPeople;

/// <summary>One CSV record: its fields, its row number (the header is row 1, as a spreadsheet counts) and why it is malformed, if it is.</summary>
public sealed record CsvRecord(long Row, IReadOnlyList<string> Fields, string? Malformed);

/// <summary>
/// Reads RFC 4180 CSV from a text stream one record at a time, holding one buffer and one record, never the file:
/// quoted fields with embedded commas, line breaks and doubled quotes; CRLF, LF or CR line ends; a leading byte
/// order mark. Blank lines count as rows but yield no record. A record with a stray quote is returned as malformed
/// (the reader carries on at the next line end), so one bad row never hides the rest of the file. Compiled optimised
/// from the first record: an import runs it a million times in a row.
/// </summary>
public sealed class CsvRecordReader(TextReader reader)
{
    private readonly char[] buffer = new char[64 * 1024];
    private readonly StringBuilder field = new();
    private int position;
    private int length;
    private long row;
    private bool started;

    /// <summary>The next non-blank record, or null at the end of the stream.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public CsvRecord? Read()
    {
        while (true)
        {
            if (!Fill())
            {
                return null;
            }

            row++;
            var fields = new List<string>();
            var malformed = ReadRecord(fields);
            if (malformed is null && fields.Count == 1 && fields[0].Length == 0)
            {
                continue;
            }

            return new CsvRecord(row, fields, malformed);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool Fill()
    {
        if (position < length)
        {
            return true;
        }

        length = reader.Read(buffer, 0, buffer.Length);
        position = 0;
        if (!started && length > 0)
        {
            started = true;
            if (buffer[0] == '\uFEFF')
            {
                position = 1;
                return Fill();
            }
        }

        return length > 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private string? ReadRecord(List<string> fields)
    {
        field.Clear();
        var quoted = false;
        var afterQuote = false;
        string? malformed = null;
        while (Fill())
        {
            if (quoted)
            {
                var start = position;
                var quote = Array.IndexOf(buffer, '"', start, length - start);
                if (quote < 0)
                {
                    field.Append(buffer, start, length - start);
                    position = length;
                    continue;
                }

                field.Append(buffer, start, quote - start);
                position = quote + 1;
                if (!Fill())
                {
                    quoted = false;
                    afterQuote = true;
                    break;
                }

                if (buffer[position] == '"')
                {
                    field.Append('"');
                    position++;
                }
                else
                {
                    quoted = false;
                    afterQuote = true;
                }

                continue;
            }

            var c = buffer[position++];
            switch (c)
            {
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    afterQuote = false;
                    break;
                case '\r':
                    if (Fill() && buffer[position] == '\n')
                    {
                        position++;
                    }

                    fields.Add(field.ToString());
                    return malformed;
                case '\n':
                    fields.Add(field.ToString());
                    return malformed;
                case '"' when field.Length == 0 && !afterQuote:
                    quoted = true;
                    break;
                default:
                    if (c == '"' || afterQuote)
                    {
                        malformed ??= $"field {fields.Count + 1} has a quote inside an unquoted value or text after its closing quote";
                    }

                    field.Append(c);
                    break;
            }
        }

        if (quoted)
        {
            malformed ??= $"field {fields.Count + 1} opens a quote that is never closed";
        }

        fields.Add(field.ToString());
        return malformed;
    }
}

/// <summary>Writing CSV: one field as RFC 4180 wants it.</summary>
public static class CsvField
{
    private static readonly char[] Special = [',', '"', '\r', '\n'];

    /// <summary>The value as is, or quoted with its quotes doubled when it holds a comma, quote or line break.</summary>
    public static string Escape(string value) =>
        value.IndexOfAny(Special) < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
