using System.Net;
using System.Text.Json;
using IncidentResponse.Core.Deadlines;
using IncidentResponse.Core.Identity;
using IncidentResponse.Core.LawEnforcement;
using IncidentResponse.Core.Laws;
using IncidentResponse.Server.Deadlines;
using IncidentResponse.Server.LawEnforcement;
using IncidentResponse.Server.Notifications;
using IncidentResponse.Server.Tests.Deadlines;
using IncidentResponse.Server.Tests.Infrastructure;
using NodaTime;

namespace IncidentResponse.Server.Tests.LawEnforcement;

/// <summary>
/// Delay requests drive the law engine and the scheduler. Texas is the jurisdiction: a delay pauses the 60 days owed to
/// individuals (Tex. Bus. &amp; Com. Code § 521.053(d)) and does not move the Attorney General's 60 days (§ 521.053(i)).
/// </summary>
[Collection(SchedulerCollection.Name)]
public sealed class DelayDeadlineTests(SchedulerFixture fixture)
{
    private const string Individuals = "US-TX: notify affected individuals";
    private const string AttorneyGeneral = "US-TX: notify the regulator";

    [Fact]
    public async Task A_delay_pauses_only_the_clocks_whose_rules_allow_it_its_end_is_reminded_renewing_moves_it_and_lifting_resumes_the_clocks()
    {
        var incident = await TexasIncidentAsync("Texas delay", Now - Duration.FromDays(5));
        var now = Now;
        var url = $"/api/v1/incidents/{incident}";
        using var legal = fixture.As(Role.Legal);
        var before = await DeadlinesAsync(incident);
        var individualsDue = Single(before, Individuals).DueAt!.Value;
        var generalDue = Single(before, AttorneyGeneral).DueAt!.Value;

        // Requested two days ago, in writing, for ten days from now: twelve days held.
        var delay = await (await legal.PostJson(url + "/law-enforcement/delays", new
        {
            agencyId = "fbi-houston", form = "written", requestedAt = now - Duration.FromDays(2), expiresAt = now + Duration.FromDays(10),
            documentReference = "FBI Houston letter 2026-117",
        })).Read<DelayView>();
        Assert.Equal(DelayStatus.InForce, delay.Status);
        var held = await DeadlinesAsync(incident);
        Assert.Equal(individualsDue + Duration.FromDays(12), Single(held, Individuals).DueAt);
        Assert.Equal(generalDue, Single(held, AttorneyGeneral).DueAt);
        Assert.Equal(12, (await ObligationAsync(incident, Recipient.Individuals)).TolledDays);
        var end = Assert.Single(held, d => d.Source == DeadlineSource.LawEnforcementDelay);
        Assert.Equal(now + Duration.FromDays(10), end.DueAt);
        Assert.Contains("Law-enforcement delay (written, FBI Houston Field Office) ends", end.Title, StringComparison.Ordinal);

        // Three days before its end, the legal lead is told to get a written extension or to notify.
        await fixture.SweepAt(now + Duration.FromDays(7));
        var reminder = Assert.Single(await InboxAsync(legal), d => d.DeadlineId == end.Id && d.Channel == DeliveryChannel.InApp);
        Assert.Equal("before-4320m", reminder.RungKey);
        Assert.Contains("obtain a written extension or proceed with notification", reminder.Subject, StringComparison.Ordinal);
        Assert.Contains("due in 3 days", reminder.Subject, StringComparison.Ordinal);

        // Renewed yesterday to twenty days from now: the end and its pending reminders move, the pause grows.
        var renewed = await (await legal.PostJson($"{url}/law-enforcement/delays/{delay.Id}/renewals", new
        {
            form = "written", requestedAt = now - Duration.FromDays(1), expiresAt = now + Duration.FromDays(20), documentReference = "FBI Houston letter 2026-131",
        })).Read<DelayView>();
        Assert.Equal(now + Duration.FromDays(20), renewed.EndsAt);
        Assert.Single(renewed.Renewals);
        var extended = await DeadlinesAsync(incident);
        var movedEnd = extended.Single(d => d.Id == end.Id);
        Assert.Equal(now + Duration.FromDays(20), movedEnd.DueAt);
        // The three-day reminder was sent and is not sent again; the one-day reminder follows the new end.
        Assert.Equal(now + Duration.FromDays(19), movedEnd.NextReminderAt);
        await fixture.SweepAt(now + Duration.FromDays(9));
        Assert.DoesNotContain(await InboxAsync(legal), d => d.DeadlineId == end.Id && d.RungKey == "before-1440m");
        await fixture.SweepAt(now + Duration.FromDays(19));
        Assert.Contains(await InboxAsync(legal), d => d.DeadlineId == end.Id && d.RungKey == "before-1440m" && d.Subject.Contains("due in 1 day", StringComparison.Ordinal));
        Assert.Equal(individualsDue + Duration.FromDays(22), Single(extended, Individuals).DueAt);
        Assert.Equal(generalDue, Single(extended, AttorneyGeneral).DueAt);

        // Lifted now: the clock ran again from today, two days held in all; the delay's end is met and reminds no more.
        var lifted = await (await legal.PostJson($"{url}/law-enforcement/delays/{delay.Id}/end", new { at = now, reason = "Agent says notice no longer impedes" }))
            .Read<DelayView>();
        Assert.Equal(DelayStatus.Lifted, lifted.Status);
        var resumed = await DeadlinesAsync(incident);
        Assert.Equal(individualsDue + Duration.FromDays(2), Single(resumed, Individuals).DueAt);
        Assert.Equal(generalDue, Single(resumed, AttorneyGeneral).DueAt);
        var closed = resumed.Single(d => d.Id == end.Id);
        Assert.Equal(DeadlineStatus.Met, closed.Status);
        Assert.Null(closed.NextReminderAt);

        using var admin = fixture.Server.Admin();
        var audit = await admin.GetStringAsync($"/api/v1/audit?targetType=incident&targetId={incident}");
        foreach (var action in new[] { "incident.lawEnforcement.delay.recorded", "incident.lawEnforcement.delay.renewed", "incident.lawEnforcement.delay.lifted", "deadline.moved" })
        {
            Assert.Contains(action, audit, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_open_ended_delay_suspends_a_pausable_deadline_until_it_is_lifted()
    {
        var incident = await TexasIncidentAsync("Until further notice", Now - Duration.FromDays(3));
        var now = Now;
        var url = $"/api/v1/incidents/{incident}";
        using var legal = fixture.As(Role.Legal);
        var individualsDue = Single(await DeadlinesAsync(incident), Individuals).DueAt;

        var delay = await (await legal.PostJson(url + "/law-enforcement/delays", new
        {
            agencyId = "ic3", form = "oral", requestedAt = now - Duration.FromDays(1), untilFurtherNotice = true,
        })).Read<DelayView>();
        Assert.Null(delay.EndsAt);
        var suspended = await ObligationAsync(incident, Recipient.Individuals);
        Assert.Null(suspended.DueBy);
        Assert.Contains(suspended.Notes, n => n.Contains("in force", StringComparison.Ordinal));
        Assert.DoesNotContain(await DeadlinesAsync(incident), d => d.Source == DeadlineSource.LawEnforcementDelay);

        await (await legal.PostJson($"{url}/law-enforcement/delays/{delay.Id}/end", new { at = now })).Read<DelayView>();
        Assert.Equal(individualsDue + Duration.FromDays(1), Single(await DeadlinesAsync(incident), Individuals).DueAt);
    }

    private static Instant Now => Instant.FromUnixTimeSeconds(SystemClock.Instance.GetCurrentInstant().ToUnixTimeSeconds());

    /// <summary>An incident with 300 Texans' names and SSNs, assessed.</summary>
    private async Task<Guid> TexasIncidentAsync(string title, Instant discovered)
    {
        var incident = await fixture.IncidentAsync(title, discovered);
        var url = $"/api/v1/incidents/{incident.Id}";
        using var legal = fixture.As(Role.Legal);
        Assert.Equal(HttpStatusCode.OK, (await legal.SendJson(HttpMethod.Put, url + "/facts", new
        {
            dataOwner = true, dataElements = new[] { "name", "ssn" }, affectedResidents = new Dictionary<string, int> { ["US-TX"] = 300 },
        })).StatusCode);
        await (await legal.PostJson(url + "/assessment", new { })).Read<LedgerView>();
        return incident.Id;
    }

    private static DeadlineView Single(IEnumerable<DeadlineView> deadlines, string title) =>
        Assert.Single(deadlines, d => d.Source == DeadlineSource.Obligation && d.Status == DeadlineStatus.Open && d.Title.StartsWith(title, StringComparison.Ordinal));

    private async Task<DeadlineView[]> DeadlinesAsync(Guid incident)
    {
        using var observer = fixture.As(Role.Observer);
        return JsonSerializer.Deserialize<DeadlineView[]>(await observer.GetStringAsync($"/api/v1/incidents/{incident}/deadlines"), RunningServer.Json)!;
    }

    private async Task<ObligationView> ObligationAsync(Guid incident, Recipient recipient)
    {
        using var observer = fixture.As(Role.Observer);
        var all = JsonSerializer.Deserialize<ObligationView[]>(await observer.GetStringAsync($"/api/v1/incidents/{incident}/obligations"), RunningServer.Json)!;
        return Assert.Single(all, o => o.Regime == "US-TX" && o.Recipient == recipient);
    }

    private static async Task<DeliveryView[]> InboxAsync(HttpClient client) =>
        JsonSerializer.Deserialize<DeliveryView[]>(await client.GetStringAsync("/api/v1/inbox"), RunningServer.Json)!;
}
