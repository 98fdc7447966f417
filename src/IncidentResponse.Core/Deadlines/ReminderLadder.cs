using System.Globalization;
using NodaTime;

namespace IncidentResponse.Core.Deadlines;

/// <summary>Who a rung goes to, in escalation order.</summary>
public enum EscalationLevel
{
    Owner,
    TeamLead,
    IncidentCommander,
}

/// <summary>One offset of a ladder: before the due instant (positive), at it (zero) or after it (negative).</summary>
public sealed record LadderStep(Duration BeforeDue, EscalationLevel To);

/// <summary>
/// A reminder and escalation ladder: fixed rungs around the due instant, then a repeating overdue rung.
/// </summary>
public sealed record Ladder(IReadOnlyList<LadderStep> Steps, Duration OverdueEvery, IReadOnlyList<EscalationLevel> OverdueEscalation)
{
    /// <summary>7 days, 3 days, 1 day and 4 hours before, at the due instant, then daily while overdue:
    /// the team lead on the first overdue day, the incident commander from the second.</summary>
    public static readonly Ladder Default = new(
        [
            new(Duration.FromDays(7), EscalationLevel.Owner),
            new(Duration.FromDays(3), EscalationLevel.Owner),
            new(Duration.FromDays(1), EscalationLevel.Owner),
            new(Duration.FromHours(4), EscalationLevel.Owner),
            new(Duration.Zero, EscalationLevel.Owner),
        ],
        Duration.FromDays(1),
        [EscalationLevel.TeamLead, EscalationLevel.IncidentCommander]);
}

/// <summary>
/// A rung: when it falls and to whom. Its key names its place on the ladder, not its instant, so a
/// recomputed deadline keeps the identity of rungs already delivered.
/// </summary>
public sealed record Rung(string Key, Instant At, EscalationLevel To);

/// <summary>What a change of due instant does to a deadline's rungs.</summary>
public sealed record RungChange(IReadOnlyList<Rung> Added, IReadOnlyList<Rung> Moved, IReadOnlyList<Rung> Withdrawn);

/// <summary>The pure arithmetic of reminders: which rungs exist, which are due, what a moved deadline changes.</summary>
public static class ReminderLadder
{
    /// <summary>The rungs of a deadline up to a horizon (overdue rungs repeat until then).</summary>
    public static IReadOnlyList<Rung> Rungs(Instant due, Ladder ladder, Instant horizon)
    {
        var rungs = ladder.Steps
            .Select(s => new Rung(Key(s.BeforeDue), due - s.BeforeDue, s.To))
            .ToList();
        for (var n = 1; Overdue(due, ladder, n) is { } rung && rung.At <= horizon; n++)
        {
            rungs.Add(rung);
        }

        return rungs.OrderBy(r => r.At).ToList();
    }

    /// <summary>The n-th overdue rung (from 1), or none when the ladder does not repeat.</summary>
    public static Rung? Overdue(Instant due, Ladder ladder, int n)
    {
        if (ladder.OverdueEvery <= Duration.Zero || n < 1)
        {
            return null;
        }

        var level = ladder.OverdueEscalation.Count == 0
            ? EscalationLevel.IncidentCommander
            : ladder.OverdueEscalation[Math.Min(n - 1, ladder.OverdueEscalation.Count - 1)];
        return new Rung(string.Create(CultureInfo.InvariantCulture, $"overdue-{n}"), due + (ladder.OverdueEvery * n), level);
    }

    /// <summary>Which overdue rung a key names (overdue-3 is 3), or none for a fixed rung.</summary>
    public static int? OverdueNumber(string key) =>
        key.StartsWith("overdue-", StringComparison.Ordinal) && int.TryParse(key.AsSpan(8), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;

    /// <summary>
    /// A ladder written as a playbook step's escalation (before/after an offset, to owner, teamLead or
    /// incidentCommander); after its last rung it repeats daily to the incident commander while overdue.
    /// </summary>
    public static Ladder FromEscalation(IReadOnlyList<Playbooks.EscalationRung> escalation) => escalation.Count == 0
        ? Ladder.Default
        : new Ladder(
            escalation.Select(r => new LadderStep(r.Before ? r.Offset : -r.Offset, Level(r.To))).ToList(),
            Duration.FromDays(1),
            [EscalationLevel.IncidentCommander]);

    /// <summary>The escalation words of playbooks and ladder settings.</summary>
    public static EscalationLevel Level(string word) => word switch
    {
        "owner" => EscalationLevel.Owner,
        "teamLead" => EscalationLevel.TeamLead,
        "incidentCommander" => EscalationLevel.IncidentCommander,
        _ => throw new ArgumentException($"'{word}' is not an escalation level (owner, teamLead, incidentCommander).", nameof(word)),
    };

    /// <summary>
    /// The rungs to deliver now: due, not yet delivered, and never a flood: of the rungs that fell while
    /// nothing was sent (a deadline created late, a long outage), only the latest goes out.
    /// </summary>
    public static IReadOnlyList<Rung> DueNow(IReadOnlyList<Rung> rungs, IReadOnlySet<string> delivered, Instant now)
    {
        var pending = rungs.Where(r => r.At <= now && !delivered.Contains(r.Key)).OrderBy(r => r.At).ToList();
        return pending.Count == 0 ? [] : [pending[^1]];
    }

    /// <summary>When the due instant moves: delivered rungs stay delivered, undelivered ones move or go, new ones appear.</summary>
    public static RungChange Reconcile(IReadOnlyList<Rung> before, IReadOnlyList<Rung> after, IReadOnlySet<string> delivered)
    {
        var old = before.ToDictionary(r => r.Key);
        var fresh = after.ToDictionary(r => r.Key);
        var added = after.Where(r => !old.ContainsKey(r.Key) && !delivered.Contains(r.Key)).ToList();
        var moved = after.Where(r => old.TryGetValue(r.Key, out var o) && o.At != r.At && !delivered.Contains(r.Key)).ToList();
        var withdrawn = before.Where(r => !fresh.ContainsKey(r.Key) && !delivered.Contains(r.Key)).ToList();
        return new RungChange(added, moved, withdrawn);
    }

    private static string Key(Duration beforeDue) => beforeDue == Duration.Zero
        ? "due"
        : beforeDue > Duration.Zero
            ? $"before-{(long)beforeDue.TotalMinutes}m"
            : $"after-{(long)(-beforeDue).TotalMinutes}m";
}
