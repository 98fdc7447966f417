using System.Globalization;
using System.Text;
using NodaTime;

namespace IncidentResponse.Core.Deadlines;

/// <summary>One deadline as a calendar event: a stable id, when it is due, what and where to read more.</summary>
public sealed record CalendarEvent(string Uid, Instant Due, string Summary, string Description, Instant Stamp, bool Cancelled);

/// <summary>
/// An iCalendar (RFC 5545) feed of deadlines, for the incident commander's calendar: one event per
/// deadline at its due instant, with alarms a day and four hours before.
/// </summary>
public static class CalendarFeed
{
    public static string Write(string name, IEnumerable<CalendarEvent> events)
    {
        var ics = new StringBuilder();
        Line(ics, "BEGIN:VCALENDAR");
        Line(ics, "VERSION:2.0");
        Line(ics, "PRODID:-//IncidentResponse//Deadlines//EN");
        Line(ics, "CALSCALE:GREGORIAN");
        Line(ics, "METHOD:PUBLISH");
        Line(ics, "X-WR-CALNAME:" + Escape(name));
        foreach (var e in events)
        {
            Line(ics, "BEGIN:VEVENT");
            Line(ics, "UID:" + Escape(e.Uid));
            Line(ics, "DTSTAMP:" + Utc(e.Stamp));
            Line(ics, "DTSTART:" + Utc(e.Due));
            Line(ics, "DTEND:" + Utc(e.Due));
            Line(ics, "SUMMARY:" + Escape(e.Summary));
            Line(ics, "DESCRIPTION:" + Escape(e.Description));
            Line(ics, "STATUS:" + (e.Cancelled ? "CANCELLED" : "CONFIRMED"));
            Line(ics, "TRANSP:TRANSPARENT");
            foreach (var before in new[] { "-P1D", "-PT4H" })
            {
                Line(ics, "BEGIN:VALARM");
                Line(ics, "ACTION:DISPLAY");
                Line(ics, "DESCRIPTION:" + Escape(e.Summary));
                Line(ics, "TRIGGER:" + before);
                Line(ics, "END:VALARM");
            }

            Line(ics, "END:VEVENT");
        }

        Line(ics, "END:VCALENDAR");
        return ics.ToString();
    }

    private static string Utc(Instant instant) =>
        instant.ToDateTimeUtc().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    /// <summary>TEXT values escape backslash, semicolon, comma and newlines.</summary>
    private static string Escape(string text) => text
        .Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace(";", "\\;", StringComparison.Ordinal)
        .Replace(",", "\\,", StringComparison.Ordinal)
        .Replace("\r\n", "\\n", StringComparison.Ordinal)
        .Replace("\n", "\\n", StringComparison.Ordinal);

    /// <summary>Content lines end in CRLF and fold at 75 octets, never inside a UTF-8 sequence.</summary>
    private static void Line(StringBuilder ics, string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line);
        var start = 0;
        var limit = 75;
        while (bytes.Length - start > limit)
        {
            var end = start + limit;
            while ((bytes[end] & 0xC0) == 0x80)
            {
                end--;
            }

            ics.Append(Encoding.UTF8.GetString(bytes, start, end - start)).Append("\r\n ");
            start = end;
            limit = 74;
        }

        ics.Append(Encoding.UTF8.GetString(bytes, start, bytes.Length - start)).Append("\r\n");
    }
}
