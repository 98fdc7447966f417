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
        var before = ReminderLadder.Rungs(Due, Ladder.Default, Due + Duration.FromDays(2));
        var delivered = new HashSet<string> { "before-10080m", "before-4320m" };
        // A law-enforcement delay moves the deadline ten days later.
        var after = ReminderLadder.Rungs(Due + Duration.FromDays(10), Ladder.Default, Due + Duration.FromDays(2));
        var change = ReminderLadder.Reconcile(before, after, delivered);
        Assert.DoesNotContain(change.Moved, r => delivered.Contains(r.Key));
        Assert.Contains(change.Moved, r => r.Key == "due" && r.At == Due + Duration.FromDays(10));
        Assert.Equal(["overdue-1", "overdue-2"], change.Withdrawn.Select(r => r.Key));
        Assert.Empty(change.Added);
    }
}
