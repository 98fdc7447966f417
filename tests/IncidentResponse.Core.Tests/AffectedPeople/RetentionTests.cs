using IncidentResponse.Core.AffectedPeople;
using IncidentResponse.Core.Laws;
using NodaTime;

namespace IncidentResponse.Core.Tests.AffectedPeople;

public sealed class RetentionTests
{
    private static readonly Instant Sent = Instant.FromUtc(2026, 3, 1, 12, 0);

    [Fact]
    public void An_open_incident_with_notices_still_pending_keeps_its_people()
    {
        var d = Retention.Decide(null, [(ObligationStatus.Sent, Sent), (ObligationStatus.Pending, Sent)], 30, Sent + Duration.FromDays(400));
        Assert.False(d.Purgeable);
        Assert.Equal("Notification is not complete: 1 of 2 notices to individuals are not sent yet and the incident is open.", d.Reason);
    }

    [Fact]
    public void An_open_incident_with_no_notice_in_its_ledger_is_not_complete() =>
        Assert.False(Retention.Decide(null, [], 0, Sent).Purgeable);

    [Fact]
    public void Notices_all_sent_or_not_required_complete_notification_at_the_last_of_them()
    {
        var last = Sent + Duration.FromDays(2);
        var notices = new[] { (ObligationStatus.Sent, Sent), (ObligationStatus.NotRequired, last) };
        Assert.False(Retention.Decide(null, notices, 30, last + Duration.FromDays(29)).Purgeable);
        var d = Retention.Decide(null, notices, 30, last + Duration.FromDays(30));
        Assert.True(d.Purgeable);
        Assert.Equal(last, d.NotificationCompletedAt);
    }

    [Fact]
    public void Notices_all_waived_do_not_complete_notification() =>
        Assert.False(Retention.Decide(null, [(ObligationStatus.NotRequired, Sent)], 0, Sent + Duration.FromDays(1)).Purgeable);

    [Fact]
    public void A_closed_incident_is_complete_from_its_closing()
    {
        Assert.True(Retention.Decide(Sent, [(ObligationStatus.Pending, Sent)], 0, Sent).Purgeable);
        Assert.False(Retention.Decide(Sent, [], 90, Sent + Duration.FromDays(89)).Purgeable);
    }
}
