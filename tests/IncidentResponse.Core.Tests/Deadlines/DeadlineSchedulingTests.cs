using IncidentResponse.Core.Deadlines;
using IncidentResponse.Core.Playbooks;
using NodaTime;

namespace IncidentResponse.Core.Tests.Deadlines;

public sealed class DeadlineSchedulingTests
{
    private static readonly Instant Due = Instant.FromUtc(2026, 3, 20, 4, 0);

    [Fact]
    public void Overdue_rungs_repeat_daily_escalating_to_the_team_lead_then_the_commander()
    {
        Assert.Equal(new Rung("overdue-1", Due + Duration.FromDays(1), EscalationLevel.TeamLead), ReminderLadder.Overdue(Due, Ladder.Default, 1));
        Assert.Equal(new Rung("overdue-5", Due + Duration.FromDays(5), EscalationLevel.IncidentCommander), ReminderLadder.Overdue(Due, Ladder.Default, 5));
        Assert.Null(ReminderLadder.Overdue(Due, Ladder.Default, 0));
        Assert.Null(ReminderLadder.Overdue(Due, Ladder.Default with { OverdueEvery = Duration.Zero }, 1));
        Assert.Equal(3, ReminderLadder.OverdueNumber("overdue-3"));
        Assert.Null(ReminderLadder.OverdueNumber("before-60m"));
        Assert.Null(ReminderLadder.OverdueNumber("due"));
    }

    [Fact]
    public void A_playbook_escalation_becomes_a_ladder_with_rungs_before_and_after_due()
    {
        var ladder = ReminderLadder.FromEscalation([
            new EscalationRung(Duration.FromMinutes(30), true, "owner"),
            new EscalationRung(Duration.Zero, false, "teamLead"),
            new EscalationRung(Duration.FromHours(1), false, "incidentCommander"),
        ]);
        var rungs = ReminderLadder.Rungs(Due, ladder, Due);
        Assert.Equal(["before-30m", "due", "after-60m"], rungs.Select(r => r.Key));
        Assert.Equal([EscalationLevel.Owner, EscalationLevel.TeamLead, EscalationLevel.IncidentCommander], rungs.Select(r => r.To));
        Assert.Same(Ladder.Default, ReminderLadder.FromEscalation([]));
        Assert.Throws<ArgumentException>(() => ReminderLadder.Level("boss"));
    }

    [Fact]
    public void A_ladder_setting_is_read_or_refused_naming_the_field()
    {
        var good = LadderSettings.Read(new LadderSetting([new("P2D", null, "owner"), new(null, "PT0S", "incidentCommander")], "PT12H"));
        Assert.NotNull(good.Ladder);
        Assert.Equal([Duration.FromDays(2), Duration.Zero], good.Ladder!.Steps.Select(s => s.BeforeDue));
        Assert.Equal(Duration.FromHours(12), good.Ladder.OverdueEvery);

        Assert.Equal("rungs", LadderSettings.Read(new LadderSetting([], null)).Field);
        Assert.Equal("rungs[0]", LadderSettings.Read(new LadderSetting([new("P1D", "P1D", "owner")], null)).Field);
        Assert.Equal("rungs[0].before", LadderSettings.Read(new LadderSetting([new("soon", null, "owner")], null)).Field);
        Assert.Equal("rungs[0].before", LadderSettings.Read(new LadderSetting([new("P2Y", null, "owner")], null)).Field);
        Assert.Equal("rungs[1].to", LadderSettings.Read(new LadderSetting([new("P1D", null, "owner"), new("P2D", null, "boss")], null)).Field);
        Assert.Equal("rungs[1]", LadderSettings.Read(new LadderSetting([new("PT24H", null, "owner"), new("P1D", null, "owner")], null)).Field);
        Assert.Equal("overdueEvery", LadderSettings.Read(new LadderSetting([new("P1D", null, "owner")], "PT5M")).Field);
        Assert.Equal(Duration.Zero, LadderSettings.Read(new LadderSetting([new("P1D", null, "owner")], "PT0S")).Ladder!.OverdueEvery);
    }

    [Theory]
    [InlineData(DeadlineStatus.Open, 10 * 24, BoardColumn.Upcoming)]
    [InlineData(DeadlineStatus.Open, 7 * 24, BoardColumn.DueSoon)]
    [InlineData(DeadlineStatus.Open, 1, BoardColumn.DueSoon)]
    [InlineData(DeadlineStatus.Open, 0, BoardColumn.Overdue)]
    [InlineData(DeadlineStatus.Open, -5, BoardColumn.Overdue)]
    [InlineData(DeadlineStatus.Met, -5, BoardColumn.Met)]
    [InlineData(DeadlineStatus.Missed, 5, BoardColumn.Missed)]
    [InlineData(DeadlineStatus.Withdrawn, 5, BoardColumn.Withdrawn)]
    public void The_board_puts_a_deadline_in_its_column(DeadlineStatus status, int hoursToDue, BoardColumn column) =>
        Assert.Equal(column, DeadlineBoard.Column(status, Due, Due - Duration.FromHours(hoursToDue)));

    [Fact]
    public void Work_finished_after_the_due_instant_missed_it_and_recipients_fall_back_upwards()
    {
        Assert.Equal(DeadlineStatus.Met, DeadlineBoard.Closed(Due, Due));
        Assert.Equal(DeadlineStatus.Missed, DeadlineBoard.Closed(Due, Due + Duration.FromSeconds(1)));
        Assert.Equal(DeadlineStatus.Met, DeadlineBoard.Closed(null, Due));
        Assert.Equal(1, DeadlineBoard.Recipient<int>(EscalationLevel.Owner, 1, 2, 3));
        Assert.Equal(2, DeadlineBoard.Recipient<int>(EscalationLevel.Owner, null, 2, 3));
        Assert.Equal(3, DeadlineBoard.Recipient<int>(EscalationLevel.TeamLead, 1, null, 3));
        Assert.Equal(2, DeadlineBoard.Recipient<int>(EscalationLevel.IncidentCommander, 1, 2, null));
        Assert.Null(DeadlineBoard.Recipient<int>(EscalationLevel.Owner, null, null, null));
    }

    [Fact]
    public void The_calendar_feed_is_valid_icalendar_with_escaped_text_and_folded_lines()
    {
        var stamp = Instant.FromUtc(2026, 3, 1, 12, 0);
        var ics = CalendarFeed.Write("IR-2026-0001 deadlines", [
            new CalendarEvent("a@ir", Due, "US-CA: notify affected individuals, by mail; or email", new string('é', 60) + "\nsecond line", stamp, false),
            new CalendarEvent("b@ir", Due, "Withdrawn", "", stamp, true),
        ]);
        var lines = ics.Split("\r\n");
        Assert.Equal("BEGIN:VCALENDAR", lines[0]);
        Assert.Equal("", lines[^1]);
        Assert.Contains("DTSTART:20260320T040000Z", lines);
        Assert.Contains("SUMMARY:US-CA: notify affected individuals\\, by mail\\; or email", lines);
        Assert.Contains("STATUS:CANCELLED", lines);
        Assert.All(lines, l => Assert.True(System.Text.Encoding.UTF8.GetByteCount(l) <= 75, l));
        var unfolded = ics.Replace("\r\n ", "", StringComparison.Ordinal);
        Assert.Contains("DESCRIPTION:" + new string('é', 60) + "\\nsecond line\r\n", unfolded);
        Assert.Equal(2, unfolded.Split("BEGIN:VEVENT").Length - 1);
    }
}
