using System.Collections.Concurrent;
using NodaTime;
using PublicHoliday;

namespace IncidentResponse.Core.Laws;

/// <summary>Legal day counting: "within N days" of an event on local date D ends with the last second of D + N.</summary>
public static class LegalCalendar
{
    /// <summary>The last instant of a local date in a zone (the start of the next day, less one second).</summary>
    public static Instant EndOf(LocalDate date, DateTimeZone zone) =>
        date.PlusDays(1).AtStartOfDayInZone(zone).ToInstant() - Duration.FromSeconds(1);

    public static LocalDate AddBusinessDays(LocalDate from, int days, BusinessCalendar calendar)
    {
        var date = from;
        var counted = 0;
        while (counted < days)
        {
            date = date.PlusDays(1);
            if (calendar.IsBusinessDay(date))
            {
                counted++;
            }
        }

        return date;
    }
}

/// <summary>
/// Which days a statute's "business days" count: Monday to Friday less the calendar's holidays. US-federal is what the
/// SEC's business days skip; a state's own legal holidays come from a calendar file (Laws/Calendars/*.yaml).
/// </summary>
public sealed class BusinessCalendar
{
    /// <summary>US federal holidays as observed (5 U.S.C. 6103).</summary>
    public static readonly BusinessCalendar UsFederal = new("US-federal",
        year => new USAPublicHoliday().PublicHolidays(year).Select(d => new LocalDate(d.Year, d.Month, d.Day)));

    /// <summary>Weekends only, no holidays.</summary>
    public static readonly BusinessCalendar Weekends = new("weekends", _ => []);

    private readonly Func<int, IEnumerable<LocalDate>> holidaysIn;
    private readonly ConcurrentDictionary<int, HashSet<LocalDate>> byYear = new();

    public BusinessCalendar(string code, Func<int, IEnumerable<LocalDate>> holidaysIn)
    {
        Code = code;
        this.holidaysIn = holidaysIn;
    }

    public string Code { get; }

    public bool IsBusinessDay(LocalDate date) =>
        date.DayOfWeek is not (IsoDayOfWeek.Saturday or IsoDayOfWeek.Sunday)
        && !byYear.GetOrAdd(date.Year, year => [.. holidaysIn(year)]).Contains(date);

    public override string ToString() => Code;
}

/// <summary>One legal holiday of a state calendar: a fixed date, or the nth (or last) weekday of a month.</summary>
public sealed record Holiday(string Name, int Month, int? Day, IsoDayOfWeek? Weekday, int? Nth, HolidayObserved Observed)
{
    /// <summary>The day the holiday is kept in a year (a fixed date on a weekend moves as <see cref="Observed"/> says).</summary>
    public LocalDate In(int year)
    {
        if (Day is { } day)
        {
            var date = new LocalDate(year, Month, day);
            return (Observed, date.DayOfWeek) switch
            {
                (HolidayObserved.NearestWeekday, IsoDayOfWeek.Saturday) => date.PlusDays(-1),
                (HolidayObserved.NearestWeekday or HolidayObserved.SundayToMonday, IsoDayOfWeek.Sunday) => date.PlusDays(1),
                _ => date,
            };
        }

        if (Nth is < 0)
        {
            var last = new LocalDate(year, Month, 1).PlusMonths(1).PlusDays(-1);
            return last.DayOfWeek == Weekday ? last : last.Previous(Weekday!.Value);
        }

        var first = new LocalDate(year, Month, 1);
        var firstMatch = first.DayOfWeek == Weekday ? first : first.Next(Weekday!.Value);
        return firstMatch.PlusWeeks(Nth!.Value - 1);
    }
}

public enum HolidayObserved
{
    /// <summary>Kept on its date, even on a weekend.</summary>
    None,

    /// <summary>Saturday moves to the Friday before, Sunday to the Monday after.</summary>
    NearestWeekday,

    /// <summary>Only Sunday moves, to the Monday after.</summary>
    SundayToMonday,
}
