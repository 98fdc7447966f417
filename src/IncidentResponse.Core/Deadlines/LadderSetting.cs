using NodaTime;
using NodaTime.Text;

namespace IncidentResponse.Core.Deadlines;

/// <summary>
/// A reminder ladder as people write it (organisation default, one deadline's override): rungs before or
/// after the due instant as ISO-8601 periods, each to owner, teamLead or incidentCommander, and how often
/// the overdue reminder repeats ("P1D"; "PT0S" for never). Overdue repeats go to the team lead first, then
/// the incident commander.
/// </summary>
public sealed record LadderSetting(IReadOnlyList<LadderRungSetting> Rungs, string? OverdueEvery);

/// <summary>One rung: exactly one of before and after ("PT0S" either way is the due instant).</summary>
public sealed record LadderRungSetting(string? Before, string? After, string To);

/// <summary>A setting read into a ladder, or the field that is wrong and why.</summary>
public sealed record LadderReading(Ladder? Ladder, string? Field, string? Error);

public static class LadderSettings
{
    public const int MaxRungs = 20;
    private static readonly Duration Longest = Duration.FromDays(366);

    public static LadderReading Read(LadderSetting setting)
    {
        if (setting.Rungs is null || setting.Rungs.Count == 0)
        {
            return Invalid("rungs", "A ladder needs at least one rung.");
        }

        if (setting.Rungs.Count > MaxRungs)
        {
            return Invalid("rungs", $"A ladder has at most {MaxRungs} rungs.");
        }

        var steps = new List<LadderStep>();
        for (var i = 0; i < setting.Rungs.Count; i++)
        {
            var rung = setting.Rungs[i];
            var field = $"rungs[{i}]";
            if (rung is null || (rung.Before is null) == (rung.After is null))
            {
                return Invalid(field, "Give exactly one of 'before' and 'after'.");
            }

            if (Offset(rung.Before ?? rung.After!) is not { } offset)
            {
                return Invalid($"{field}.{(rung.Before is null ? "after" : "before")}", "Write an ISO-8601 period of at most a year, e.g. P7D or PT4H.");
            }

            EscalationLevel level;
            try
            {
                level = ReminderLadder.Level(rung.To ?? "");
            }
            catch (ArgumentException e)
            {
                return Invalid($"{field}.to", e.Message.Split(" (Parameter", 2)[0]);
            }

            var beforeDue = rung.Before is null ? -offset : offset;
            if (steps.Any(s => s.BeforeDue == beforeDue))
            {
                return Invalid(field, "Two rungs fall at the same offset.");
            }

            steps.Add(new LadderStep(beforeDue, level));
        }

        var every = Duration.FromDays(1);
        if (setting.OverdueEvery is not null)
        {
            if (Offset(setting.OverdueEvery) is not { } parsed)
            {
                return Invalid("overdueEvery", "Write an ISO-8601 period of at most a year, e.g. P1D, or PT0S for no repeat.");
            }

            if (parsed > Duration.Zero && parsed < Duration.FromHours(1))
            {
                return Invalid("overdueEvery", "Overdue reminders repeat at most hourly.");
            }

            every = parsed;
        }

        return new LadderReading(
            new Ladder(steps.OrderByDescending(s => s.BeforeDue).ToList(), every, Ladder.Default.OverdueEscalation), null, null);
    }

    private static Duration? Offset(string text)
    {
        var result = PeriodPattern.NormalizingIso.Parse(text);
        if (!result.Success || result.Value.Months != 0 || result.Value.Years != 0)
        {
            return null;
        }

        var duration = result.Value.ToDuration();
        return duration < Duration.Zero || duration > Longest ? null : duration;
    }

    private static LadderReading Invalid(string field, string error) => new(null, field, error);
}
