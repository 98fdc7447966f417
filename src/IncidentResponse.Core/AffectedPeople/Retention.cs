using IncidentResponse.Core.Laws;
using NodaTime;

namespace IncidentResponse.Core.AffectedPeople;

/// <summary>Whether individuals' personal data may be purged now, from when, and why (or why not).</summary>
public sealed record RetentionDecision(bool Purgeable, Instant? NotificationCompletedAt, Instant? PurgeableFrom, string Reason);

/// <summary>
/// When individuals' data has served its purpose: notification is complete once the incident is closed, or once
/// every obligation to notify individuals is sent or not required (at least one sent); the data is kept the
/// organisation's retention period after that, then may be purged.
/// </summary>
public static class Retention
{
    public static RetentionDecision Decide(
        Instant? closedAt, IReadOnlyList<(ObligationStatus Status, Instant At)> individualNotices, int retentionDays, Instant now)
    {
        var completed = closedAt ?? (individualNotices.Count > 0
            && individualNotices.All(n => n.Status is ObligationStatus.Sent or ObligationStatus.NotRequired)
            && individualNotices.Any(n => n.Status == ObligationStatus.Sent)
                ? individualNotices.Max(n => n.At)
                : null);
        if (completed is not { } at)
        {
            var open = individualNotices.Count(n => n.Status is not (ObligationStatus.Sent or ObligationStatus.NotRequired));
            return new RetentionDecision(false, null, null, individualNotices.Count == 0
                ? "Notification is not complete: the incident is open and no notice to individuals is in its ledger."
                : $"Notification is not complete: {open} of {individualNotices.Count} notices to individuals are not sent yet and the incident is open.");
        }

        var from = at + Duration.FromDays(retentionDays);
        return now >= from
            ? new RetentionDecision(true, at, from, $"Notification was complete at {at}; the {retentionDays}-day retention period ended at {from}.")
            : new RetentionDecision(false, at, from, $"Notification was complete at {at}; the data is kept for {retentionDays} days, until {from}.");
    }
}
