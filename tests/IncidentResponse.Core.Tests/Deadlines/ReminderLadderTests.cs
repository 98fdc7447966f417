using IncidentResponse.Core.Deadlines;
using NodaTime;

namespace IncidentResponse.Core.Tests.Deadlines;

public sealed class ReminderLadderTests
{
    private static readonly Instant Due = Instant.FromUtc(2026, 4, 2, 3, 59, 59);

    [Fact]
    public void The_default_ladder_reminds_before_at_and_daily_after_with_escalation()
    {
        var rungs = ReminderLadder.Rungs(Due, Ladder.Default, Due + Duration.FromDays(3));
        Assert.Equal(["before-10080m", "before-4320m", "before-1440m", "before-240m", "due", "overdue-1", "overdue-2", "overdue-3"], rungs.Select(r => r.Key));
        Assert.Equal(Due - Duration.FromDays(7), rungs[0].At);
        Assert.Equal(EscalationLevel.Owner, rungs.Single(r => r.Key == "due").To);
        Assert.Equal(EscalationLevel.TeamLead, rungs.Single(r => r.Key == "overdue-1").To);
        Assert.Equal(EscalationLevel.IncidentCommander, rungs.Single(r => r.Key == "overdue-3").To);
    }

    [Fact]
    public void Each_rung_fires_once_at_its_time()
    {
        var rungs = ReminderLadder.Rungs(Due, Ladder.Default, Due);
        var delivered = new HashSet<string>();
        var fired = new List<string>();
        for (var now = Due - Duration.FromDays(8); now <= Due + Duration.FromHours(1); now += Duration.FromMinutes(30))
        {
            foreach (var rung in ReminderLadder.DueNow(rungs, delivered, now))
            {
                fired.Add(rung.Key);
                delivered.Add(rung.Key);
            }
        }

        Assert.Equal(["before-10080m", "before-4320m", "before-1440m", "before-240m", "due"], fired);
    }

    [Fact]
    public void A_late_deadline_sends_only_the_latest_missed_rung()
    {
        var rungs = ReminderLadder.Rungs(Due, Ladder.Default, Due);
        var now = Due - Duration.FromHours(2);
        Assert.Equal(["before-240m"], ReminderLadder.DueNow(rungs, new HashSet<string>(), now).Select(r => r.Key));
    }

    [Fact]
    public void A_moved_deadline_keeps_sent_rungs_moves_pending_ones_and_withdraws_obsolete_ones()
    {
        var now = Due - Duration.FromDays(3);
        var first = ReminderLadder.Relayout([], Due, Ladder.Default, now);
        // At the 3-day rung: the 7-day one already fell and is withdrawn; the 3-day rung and all later ones wait.
        Assert.Equal(5, first.Added);
        Assert.Equal(RungState.Withdrawn, first.Rungs.Single(r => r.Key == "before-10080m").State);
        // The 7-day and 3-day rungs were sent; a law-enforcement delay then moves the deadline ten days later.
        var sent = first.Rungs.Select(r => r.Key is "before-10080m" or "before-4320m" ? r with { State = RungState.Dispatched } : r).ToList();
        var later = ReminderLadder.Relayout(sent, Due + Duration.FromDays(10), Ladder.Default, now);
        Assert.All(later.Rungs.Where(r => r.Key is "before-10080m" or "before-4320m"), r => Assert.Equal(RungState.Dispatched, r.State));
        Assert.All(later.Rungs.Where(r => r.Key is "before-10080m" or "before-4320m"), r => Assert.True(r.At < Due));
        Assert.Contains(later.Rungs, r => r.Key == "due" && r.At == Due + Duration.FromDays(10) && r.State == RungState.Pending);
        Assert.Equal(4, later.Moved);
        Assert.Equal(0, later.Withdrawn);

        // Closed: every pending rung is withdrawn, the sent ones stay sent.
        var closed = ReminderLadder.Relayout(later.Rungs, null, Ladder.Default, now);
        Assert.Equal(4, closed.Withdrawn);
        Assert.DoesNotContain(closed.Rungs, r => r.State == RungState.Pending);
        Assert.Equal(2, closed.Rungs.Count(r => r.State == RungState.Dispatched));
    }

    [Fact]
    public void A_deadline_laid_out_late_keeps_only_the_latest_fallen_rung_and_repeats_from_today()
    {
        var now = Due + Duration.FromDays(3) + Duration.FromHours(1);
        var layout = ReminderLadder.Relayout([], Due, Ladder.Default, now);
        Assert.Equal(["overdue-3"], layout.Rungs.Where(r => r.State == RungState.Pending && r.At <= now).Select(r => r.Key));
        Assert.Contains(layout.Rungs, r => r.Key == "overdue-4" && r.State == RungState.Pending);
        Assert.Equal(new Rung("overdue-5", Due + Duration.FromDays(5), EscalationLevel.IncidentCommander), ReminderLadder.NextOverdue(Due, Ladder.Default, 3, Due + Duration.FromDays(4) + Duration.FromHours(1)));
        Assert.Null(ReminderLadder.NextOverdue(Due, Ladder.Default with { OverdueEvery = Duration.Zero }, 0, Due));
    }
}
