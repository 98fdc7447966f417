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

/// <summary>Where a stored rung stands: waiting, sent out (never again), or withdrawn.</summary>
public enum RungState
{
    Pending,
    Dispatched,
    Withdrawn,
}

/// <summary>A rung as a deadline holds it.</summary>
public sealed record StoredRung(string Key, Instant At, EscalationLevel To, RungState State);

/// <summary>
/// A deadline's rungs laid out again: every rung it should hold (existing ones with their new instant and
/// state, new ones added), and how many pending rungs were added, moved and withdrawn.
/// </summary>
public sealed record RungLayout(IReadOnlyList<StoredRung> Rungs, int Added, int Moved, int Withdrawn);

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

    /// <summary>
    /// Lays a deadline's rungs out again for its due instant (none once it is closed) and ladder: dispatched
    /// rungs stay dispatched, pending ones move or are withdrawn, new ones appear; of the rungs that already
    /// fell, only the latest stays pending (catching up never floods). Overdue rungs are laid out through the
    /// first that still lies ahead, and never fewer than the deadline already reached.
    /// </summary>
    public static RungLayout Relayout(IReadOnlyList<StoredRung> current, Instant? due, Ladder ladder, Instant now)
    {
        var dispatched = current.Where(r => r.State == RungState.Dispatched).Select(r => r.Key).ToHashSet();
        var highestOverdue = current.Select(r => OverdueNumber(r.Key) ?? 0).DefaultIfEmpty(0).Max();
        var wanted = due is { } d
            ? Layout(d, ladder, Math.Max(1, highestOverdue + (dispatched.Any(k => OverdueNumber(k) == highestOverdue) ? 1 : 0)), now)
            : [];
        var wantedKeys = wanted.Select(w => w.Key).ToHashSet();
        var byKey = current.ToDictionary(r => r.Key);
        var result = new List<StoredRung>();
        int added = 0, moved = 0, withdrawn = 0;
        foreach (var rung in current.Where(r => !wantedKeys.Contains(r.Key) || dispatched.Contains(r.Key)))
        {
            var gone = rung.State == RungState.Pending && !wantedKeys.Contains(rung.Key);
            withdrawn += gone ? 1 : 0;
            result.Add(gone ? rung with { State = RungState.Withdrawn } : rung);
        }

        var latestPast = wanted.Where(w => w.At <= now && !dispatched.Contains(w.Key)).Select(w => w.Key).LastOrDefault();
        foreach (var rung in wanted.Where(w => !dispatched.Contains(w.Key)))
        {
            var state = rung.At <= now && rung.Key != latestPast ? RungState.Withdrawn : RungState.Pending;
            if (byKey.TryGetValue(rung.Key, out var old))
            {
                moved += old.State == RungState.Pending && state == RungState.Pending && old.At != rung.At ? 1 : 0;
                withdrawn += old.State == RungState.Pending && state == RungState.Withdrawn ? 1 : 0;
            }
            else
            {
                added += state == RungState.Pending ? 1 : 0;
            }

            result.Add(new StoredRung(rung.Key, rung.At, rung.To, state));
        }

        return new RungLayout(result, added, moved, withdrawn);
    }

    /// <summary>After the n-th overdue rung (0 for the due rung) went out: the next overdue rung that still lies ahead.</summary>
    public static Rung? NextOverdue(Instant due, Ladder ladder, int n, Instant now)
    {
        for (var next = n + 1; Overdue(due, ladder, next) is { } rung; next++)
        {
            if (rung.At > now)
            {
                return rung;
            }
        }

        return null;
    }

    /// <summary>The fixed rungs of a ladder and its overdue rungs through the n-th, and on until one lies ahead.</summary>
    private static IReadOnlyList<Rung> Layout(Instant due, Ladder ladder, int overdueThrough, Instant now)
    {
        var horizon = Overdue(due, ladder, overdueThrough)?.At ?? due;
        // A late layout starts its repeat from today.
        while (ladder.OverdueEvery > Duration.Zero && horizon <= now)
        {
            horizon += ladder.OverdueEvery;
        }

        return Rungs(due, ladder, horizon);
    }

    private static string Key(Duration beforeDue) => beforeDue == Duration.Zero
        ? "due"
        : beforeDue > Duration.Zero
            ? $"before-{(long)beforeDue.TotalMinutes}m"
            : $"after-{(long)(-beforeDue).TotalMinutes}m";
}
