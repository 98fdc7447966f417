using IncidentResponse.Core.Laws;

namespace IncidentResponse.Core.AffectedPeople;

/// <summary>
/// The state or territory of residence a US ZIP Code stands for, by its three-digit prefix, read from the reviewed
/// data file zip-prefixes.yaml (ranges with their source). A prefix outside every range tells no state.
/// </summary>
public static class ZipPrefixes
{
    private const string File = "zip-prefixes.yaml";

    private static readonly string?[] ByPrefix = Load();

    /// <summary>US-XX for a five-digit ZIP Code (or ZIP+4), or null when its prefix names no state.</summary>
    public static string? Residence(string zip) =>
        zip.Length >= 3 && char.IsAsciiDigit(zip[0]) && char.IsAsciiDigit(zip[1]) && char.IsAsciiDigit(zip[2])
            ? ByPrefix[((zip[0] - '0') * 100) + ((zip[1] - '0') * 10) + (zip[2] - '0')]
            : null;

    private static string?[] Load()
    {
        var (_, text) = ReviewedData.Embedded("affected-people/").Single(f => f.File == File);
        var dto = ReviewedData.Read<ZipPrefixFileDto>(File, text);
        if (string.IsNullOrWhiteSpace(dto.Source))
        {
            throw new DataFileException(File, "source", "name the source of the prefix allocation");
        }

        var table = new string?[1000];
        foreach (var (range, i) in (dto.Ranges ?? []).Select((r, i) => (r, i)))
        {
            if (!int.TryParse(range.From, out var from) || !int.TryParse(range.To, out var to) || from > to || to > 999
                || range.Residence is null || !ResidenceKeys.IsValid(range.Residence) || !range.Residence.StartsWith("US-", StringComparison.Ordinal))
            {
                throw new DataFileException(File, $"ranges[{i}]", "a range is three-digit from and to (from <= to) and a US-XX residence");
            }

            for (var p = from; p <= to; p++)
            {
                if (table[p] is not null)
                {
                    throw new DataFileException(File, $"ranges[{i}]", $"prefix {p:000} is already given to {table[p]}");
                }

                table[p] = range.Residence;
            }
        }

        return table;
    }

    private sealed class ZipPrefixFileDto
    {
        public string? Source { get; set; }
        public string? Reviewed { get; set; }
        public List<string>? Notes { get; set; }
        public List<ZipRangeDto>? Ranges { get; set; }
    }

    private sealed class ZipRangeDto
    {
        public string? From { get; set; }
        public string? To { get; set; }
        public string? Residence { get; set; }
    }
}
