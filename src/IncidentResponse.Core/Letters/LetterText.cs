using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using NodaTime;

namespace IncidentResponse.Core.Letters;

/// <summary>A letter's text made comparable: lower case, straight quotes, single spaces; with the phone numbers it contains.</summary>
internal sealed partial class LetterText
{
    private static readonly string[] MonthNames = CultureInfo.InvariantCulture.DateTimeFormat.MonthNames;

    public LetterText(string text)
    {
        Normal = Normalise(text);
        Phones = PhonePattern().Matches(Normal).Select(m => Digits(m.Value)).ToHashSet(StringComparer.Ordinal);
        Sentences = SentenceEnd().Split(Normal).Where(s => s.Length > 0).ToList();
    }

    public string Normal { get; }
    public IReadOnlySet<string> Phones { get; }
    public IReadOnlyList<string> Sentences { get; }

    public static string Normalise(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            builder.Append(c switch
            {
                '\u2018' or '\u2019' or '\u02bc' => '\'',
                '\u201c' or '\u201d' => '"',
                '\u2010' or '\u2011' or '\u2012' or '\u2013' or '\u2014' => '-',
                _ when char.IsWhiteSpace(c) => ' ',
                _ => char.ToLowerInvariant(c),
            });
        }

        return Spaces().Replace(builder.ToString(), " ").Trim();
    }

    public bool Has(string phrase) => Normal.Contains(Normalise(phrase), StringComparison.Ordinal);

    /// <summary>One wording; parts joined with "+" must all appear.</summary>
    public bool HasAll(string wording) => wording.Split('+').All(Has);

    public int IndexOf(string phrase, int from = 0) => Normal.IndexOf(Normalise(phrase), from, StringComparison.Ordinal);

    /// <summary>A telephone number in any usual layout: (202) 727-3400, 202-727-3400, 1-202-727-3400, 202.727.3400.</summary>
    public bool HasPhone(string phone) => Phones.Contains(Digits(phone));

    /// <summary>A website with or without its scheme and "www.".</summary>
    public bool HasWebsite(string website) => Has(BareSite(website));

    /// <summary>A date in a form people write: June 2, 2026; Jun. 2, 2026; 2 June 2026; 06/02/2026; 6/2/2026; 2026-06-02.</summary>
    public bool HasDate(LocalDate date) => DateForms(date).Any(Has);

    public static IEnumerable<string> DateForms(LocalDate date)
    {
        var month = MonthNames[date.Month - 1];
        foreach (var name in new[] { month, month[..3] + ".", month[..3] }.Distinct())
        {
            foreach (var day in new[] { $"{date.Day}", $"{date.Day}{Ordinal(date.Day)}" })
            {
                yield return $"{name} {day}, {date.Year}";
                yield return $"{name} {day} {date.Year}";
                yield return $"{day} {name} {date.Year}";
            }
        }

        yield return date.ToString("MM/dd/yyyy", CultureInfo.InvariantCulture);
        yield return date.ToString("M/d/yyyy", CultureInfo.InvariantCulture);
        yield return date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    }

    /// <summary>How the generator writes a date: June 2, 2026.</summary>
    public static string Written(LocalDate date) => date.ToString("MMMM d, yyyy", CultureInfo.InvariantCulture);

    public static string BareSite(string website)
    {
        var site = website.Trim().ToLowerInvariant();
        foreach (var prefix in new[] { "https://", "http://", "www." })
        {
            site = site.StartsWith(prefix, StringComparison.Ordinal) ? site[prefix.Length..] : site;
        }

        return site.TrimEnd('/');
    }

    /// <summary>The largest length of service the letter states, in months ("24 months", "24-month", "two years").</summary>
    public int LongestTermInMonths()
    {
        var longest = 0;
        foreach (Match m in TermPattern().Matches(Normal))
        {
            var amount = m.Groups[1].Value switch
            {
                "one" => 1, "two" => 2, "three" => 3, "four" => 4, "five" => 5, "six" => 6,
                "twelve" => 12, "eighteen" => 18, "twenty-four" => 24,
                var digits => int.Parse(digits, CultureInfo.InvariantCulture),
            };
            longest = Math.Max(longest, m.Groups[2].Value.StartsWith('y') ? amount * 12 : amount);
        }

        return longest;
    }

    /// <summary>A count of people: "1,204 individuals", "37 Rhode Island residents", "affected 120 customers".</summary>
    public bool StatesACountOfPeople() => PeopleCount().IsMatch(Normal);

    private static string Digits(string phone)
    {
        var digits = new string(phone.Where(char.IsAsciiDigit).ToArray());
        return digits.Length == 11 && digits[0] == '1' ? digits[1..] : digits;
    }

    private static string Ordinal(int day) => (day % 100) switch
    {
        11 or 12 or 13 => "th",
        _ => (day % 10) switch { 1 => "st", 2 => "nd", 3 => "rd", _ => "th" },
    };

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    [GeneratedRegex(@"(?<![\d-])(?:1[-. ]?)?(?:\(\d{3}\) ?|\d{3}[-. ])\d{3}[-. ]\d{4}(?!\d)")]
    private static partial Regex PhonePattern();

    [GeneratedRegex(@"(?<=[.!?])\s+")]
    private static partial Regex SentenceEnd();

    [GeneratedRegex(@"\b(\d{1,3}|one|two|three|four|five|six|twelve|eighteen|twenty-four)[- ](months?|years?)\b")]
    private static partial Regex TermPattern();

    [GeneratedRegex(@"\b\d{1,3}(?:,\d{3})*(?: [a-z]+){0,3} (?:residents|individuals|people|persons|customers|consumers|patients|employees)\b")]
    private static partial Regex PeopleCount();
}
