using System.Collections.Concurrent;
using NodaTime;
using PublicHoliday;

namespace IncidentResponse.Core.Laws;

/// <summary>Legal day counting: "within N days" of an event on local date D ends with the last second of D + N.</summary>
public static class LegalCalendar
{
    private static readonly ConcurrentDictionary<int, HashSet<LocalDate>> FederalHolidays = new();

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
            if (IsBusinessDay(date, calendar))
            {
                counted++;
            }
        }

        return date;
    }

    public static bool IsBusinessDay(LocalDate date, BusinessCalendar calendar) =>
        date.DayOfWeek is not (IsoDayOfWeek.Saturday or IsoDayOfWeek.Sunday)
        && (calendar == BusinessCalendar.Weekends || !FederalHolidays.GetOrAdd(date.Year, Holidays).Contains(date));

    /// <summary>US federal holidays as observed (5 U.S.C. 6103), which is what the SEC's business days skip.</summary>
    private static HashSet<LocalDate> Holidays(int year) =>
        new USAPublicHoliday().PublicHolidays(year).Select(d => new LocalDate(d.Year, d.Month, d.Day)).ToHashSet();
}
