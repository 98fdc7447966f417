using System.Net;
using System.Text.Json;
using IncidentResponse.Core.Deadlines;
using IncidentResponse.Core.Identity;
using IncidentResponse.Core.Laws;
using IncidentResponse.Server.Deadlines;
using IncidentResponse.Server.Notifications;
using IncidentResponse.Server.Tests.Infrastructure;
using NodaTime;

namespace IncidentResponse.Server.Tests.Deadlines;

[Collection(SchedulerCollection.Name)]
public sealed class DeadlineSchedulerTests(SchedulerFixture fixture)
{
    private static readonly Duration Second = Duration.FromSeconds(1);

    [Fact]
    public async Task A_reminder_goes_out_at_each_rung_of_the_ladder_to_the_person_its_level_names_by_every_channel()
    {
        var now = Now();
        var incident = await fixture.IncidentAsync("Ladder walk", now - Duration.FromHours(2));
        var californians = await AssessAsync(incident.Id, new { dataOwner = true, dataElements = new[] { "name", "ssn" }, affectedResidents = new Dictionary<string, int> { ["US-CA"] = 1000 } });
        var obligation = californians.Single(o => o.Regime == "US-CA" && o.Recipient == Recipient.Individuals);
        var deadline = (await DeadlinesAsync(incident.Id)).Single(d => d.Key.EndsWith(obligation.ObligationId, StringComparison.Ordinal) || d.Title.StartsWith("US-CA: notify affected individuals", StringComparison.Ordinal));
        Assert.Equal(obligation.DueBy, deadline.DueAt);
        Assert.Equal(DeadlineStatus.Open, deadline.Status);
        var due = deadline.DueAt!.Value;

        var legal = fixture.Users[Role.Legal].Id;
        var commander = fixture.Users[Role.IncidentCommander].Id;
        var ladder = new (string Key, Instant At, Guid To)[]
        {
            ("before-10080m", due - Duration.FromDays(7), legal),
            ("before-4320m", due - Duration.FromDays(3), legal),
            ("before-1440m", due - Duration.FromDays(1), legal),
            ("before-240m", due - Duration.FromHours(4), legal),
            ("due", due, legal),
            ("overdue-1", due + Duration.FromDays(1), legal),
            ("overdue-2", due + Duration.FromDays(2), commander),
            ("overdue-3", due + Duration.FromDays(3), commander),
        };
        using var legalClient = fixture.As(Role.Legal);
        foreach (var (key, at, to) in ladder)
        {
            var before = await InboxAsync(Role.Legal, Role.IncidentCommander);
            await fixture.SweepAt(at - Second);
            Assert.Equal(before.Count(d => d.DeadlineId == deadline.Id), (await InboxAsync(Role.Legal, Role.IncidentCommander)).Count(d => d.DeadlineId == deadline.Id));

            await fixture.SweepAt(at);
            var inbox = (await InboxAsync(Role.Legal, Role.IncidentCommander)).Where(d => d.DeadlineId == deadline.Id && d.RungKey == key).ToList();
            var message = Assert.Single(inbox);
            Assert.Contains(incident.Reference, message.Subject);
            var recipient = to == legal ? "legal@ir.test" : "incidentcommander@ir.test";
            var mail = Assert.Single(fixture.Smtp.Messages, m => m.Subject == message.Subject && m.To.ToString().Contains(recipient, StringComparison.Ordinal));
            Assert.EndsWith("@ir.test", mail.MessageId, StringComparison.Ordinal);
            var hook = Assert.Single(fixture.Webhook.Received, h => JsonDocument.Parse(h.Body).RootElement.GetProperty("deadlineId").GetGuid() == deadline.Id
                && JsonDocument.Parse(h.Body).RootElement.GetProperty("rung").GetString() == key);
            Assert.True(hook.SignatureValid, "the webhook's HMAC signature verifies with the shared secret");
            // The in-app copy is in the inbox of the person the rung names.
            var owner = to == legal ? Role.Legal : Role.IncidentCommander;
            Assert.Contains(await InboxAsync(owner), d => d.DeadlineId == deadline.Id && d.RungKey == key);
        }

        // A sweep repeated at the same instant, or later, never sends a rung again.
        var sent = fixture.Smtp.Messages.Count;
        await fixture.SweepAt(due + Duration.FromDays(3));
        Assert.Equal(sent, fixture.Smtp.Messages.Count);

        var read = (await InboxAsync(Role.Legal)).First(d => d.DeadlineId == deadline.Id);
        Assert.Equal(HttpStatusCode.NoContent, (await legalClient.PostAsync($"/api/v1/inbox/{read.Id}/read", null)).StatusCode);
        Assert.DoesNotContain(JsonSerializer.Deserialize<DeliveryView[]>(await legalClient.GetStringAsync("/api/v1/inbox?unread=true"), RunningServer.Json)!, d => d.Id == read.Id);
        using var commanderClient = fixture.As(Role.IncidentCommander);
        Assert.Equal(HttpStatusCode.NotFound, (await commanderClient.PostAsync($"/api/v1/inbox/{read.Id}/read", null)).StatusCode);
    }

    [Fact]
    public async Task A_law_enforcement_delay_moves_exactly_the_deadlines_whose_rules_pause_and_the_ladder_follows_keeping_what_was_sent()
    {
        var now = Now();
        var incident = await fixture.IncidentAsync("Delay moves clocks", now - Duration.FromHours(1));
        var residents = new Dictionary<string, int> { ["US-CA"] = 1000, ["US-TX"] = 300, ["US-FL"] = 600, ["DE"] = 40 };
        var first = await AssessAsync(incident.Id, new { dataOwner = true, dataElements = new[] { "name", "ssn" }, affectedResidents = residents });
        var before = (await DeadlinesAsync(incident.Id)).Where(d => d.Source == DeadlineSource.Obligation).ToDictionary(d => d.Key);
        Assert.True(before.Count >= 4);

        // The first rung of the California notice goes out; the delay comes after it.
        var california = before.Values.Single(d => d.Title.StartsWith("US-CA: notify affected individuals", StringComparison.Ordinal));
        await fixture.SweepAt(california.DueAt!.Value - Duration.FromDays(7));
        Assert.Equal(1, (await DeadlinesAsync(incident.Id)).Single(d => d.Id == california.Id).RemindersSent);

        var delayEnds = now + Duration.FromDays(10);
        using (var legal = fixture.As(Role.Legal))
        {
            (await legal.PostJson($"/api/v1/incidents/{incident.Id}/law-enforcement/delays", new
            {
                agencyId = "fbi-sanfrancisco", form = "written", requestedAt = now, expiresAt = delayEnds, documentReference = "FBI letter of request",
            })).EnsureSuccessStatusCode();
        }

        var second = await ObligationsAsync(incident.Id);
        var after = (await DeadlinesAsync(incident.Id)).ToDictionary(d => d.Key);
        // Every obligation's deadline follows the engine's new due date: moved where its rule lets the delay
        // pause or reopen the clock, unchanged where the rule has no law-enforcement provision.
        foreach (var obligation in second.Where(o => o.DueBy is not null && o.Status != ObligationStatus.NotRequired))
        {
            Assert.Contains(after.Values, d => d.Source == DeadlineSource.Obligation && d.DueAt == obligation.DueBy && d.Title.StartsWith(obligation.Regime + ":", StringComparison.Ordinal));
        }

        var californiaAfter = second.Single(o => o.Regime == "US-CA" && o.Recipient == Recipient.Individuals);
        Assert.Equal(10, californiaAfter.TolledDays);
        Assert.Equal(california.DueAt!.Value + Duration.FromDays(10), after[california.Key].DueAt);
        var gdpr = first.Single(o => o.Regime == "GDPR" && o.Recipient == Recipient.Regulator);
        Assert.Equal(gdpr.DueBy, second.Single(o => o.Regime == "GDPR" && o.Recipient == Recipient.Regulator).DueBy);
        Assert.Contains(after.Values, d => d.Title.StartsWith("GDPR:", StringComparison.Ordinal) && d.DueAt == gdpr.DueBy);
        var delay = Assert.Single(after.Values, d => d.Source == DeadlineSource.LawEnforcementDelay);
        Assert.Equal(delayEnds, delay.DueAt);

        // The delay's end is reminded three days ahead.
        await fixture.SweepAt(delayEnds - Duration.FromDays(3));
        Assert.Contains(await InboxAsync(Role.Legal), d => d.DeadlineId == delay.Id && d.RungKey == "before-4320m" && d.Subject.Contains("delay", StringComparison.OrdinalIgnoreCase));

        // The moved deadline keeps its sent rung (not resent at its new instant) and its later rungs follow it.
        var moved = after[california.Key];
        Assert.True(moved.DueAt > california.DueAt);
        Assert.Equal(moved.DueAt!.Value - Duration.FromDays(3), moved.NextReminderAt);
        var mails = fixture.Smtp.Messages.Count(m => (m.Subject ?? "").Contains(incident.Reference, StringComparison.Ordinal) && (m.Subject ?? "").Contains("US-CA: notify affected individuals", StringComparison.Ordinal));
        await fixture.SweepAt(moved.DueAt!.Value - Duration.FromDays(7));
        await fixture.SweepAt(california.DueAt!.Value - Duration.FromDays(3));
        Assert.Equal(mails, fixture.Smtp.Messages.Count(m => (m.Subject ?? "").Contains(incident.Reference, StringComparison.Ordinal) && (m.Subject ?? "").Contains("US-CA: notify affected individuals", StringComparison.Ordinal)));
        Assert.Equal(1, (await DeadlinesAsync(incident.Id)).Single(d => d.Id == california.Id).RemindersSent);

        // The recomputation is in the audit trail.
        using var admin = fixture.Server.Admin();
        var audit = await admin.GetStringAsync($"/api/v1/audit?targetType=incident&targetId={incident.Id}");
        Assert.Contains("deadline.moved", audit);
        Assert.Contains("deadline.created", audit);
    }

    [Fact]
    public async Task A_failing_webhook_is_retried_with_back_off_then_surfaces_on_the_incident()
    {
        using var admin = fixture.Server.Admin();
        var broken = await (await admin.PostJson("/api/v1/webhooks", new { name = "Nobody listens", url = $"http://127.0.0.1:{SmtpReceiver.FreePort()}/x", format = "slack" })).Read<WebhookView>();
        try
        {
            var now = Now();
            var incident = await fixture.IncidentAsync("Webhook down", now - Duration.FromHours(1));
            await AssessAsync(incident.Id, new { dataOwner = true, dataElements = new[] { "name", "ssn" }, affectedResidents = new Dictionary<string, int> { ["US-CA"] = 1000 } });
            var deadline = (await DeadlinesAsync(incident.Id)).Single(d => d.Title.StartsWith("US-CA: notify affected individuals", StringComparison.Ordinal));
            var at = deadline.DueAt!.Value - Duration.FromDays(7);

            await fixture.SweepAt(at);
            var pending = await DeliveriesAsync(incident.Id, broken.Id, deadline.Id);
            Assert.Equal(DeliveryState.Pending, pending.State);
            Assert.Equal(1, pending.Attempts);
            Assert.False(string.IsNullOrEmpty(pending.LastError));

            await fixture.SweepAt(at + DeadlineSweep.Backoff(1) - Second);
            Assert.Equal(1, (await DeliveriesAsync(incident.Id, broken.Id, deadline.Id)).Attempts);
            await fixture.SweepAt(at + DeadlineSweep.Backoff(1));
            Assert.Equal(2, (await DeliveriesAsync(incident.Id, broken.Id, deadline.Id)).Attempts);
            await fixture.SweepAt(at + DeadlineSweep.Backoff(1) + DeadlineSweep.Backoff(2));
            var failed = await DeliveriesAsync(incident.Id, broken.Id, deadline.Id);
            Assert.Equal(DeliveryState.Failed, failed.State);
            Assert.Equal(3, failed.Attempts);

            using var observer = fixture.As(Role.Observer);
            var listed = JsonSerializer.Deserialize<DeliveryView[]>(await fixture.As(Role.Legal).GetStringAsync($"/api/v1/incidents/{incident.Id}/deliveries?state=failed"), RunningServer.Json)!;
            Assert.Contains(listed, d => d.Id == failed.Id);
            Assert.True((await DeadlinesAsync(incident.Id)).Single(d => d.Id == deadline.Id).FailedDeliveries >= 1);
        }
        finally
        {
            Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/webhooks/{broken.Id}")).StatusCode);
        }
    }

    [Fact]
    public async Task The_board_the_calendar_feed_and_a_custom_ladder_answer_and_bad_ladders_are_refused_by_field()
    {
        var now = Now();
        var incident = await fixture.IncidentAsync("Board and calendar", now - Duration.FromHours(1));
        await AssessAsync(incident.Id, new { dataOwner = true, dataElements = new[] { "name", "ssn" }, affectedResidents = new Dictionary<string, int> { ["US-CA"] = 1000, ["DE"] = 40 } });
        var deadlines = await DeadlinesAsync(incident.Id);
        using var observer = fixture.As(Role.Observer);
        var soon = JsonSerializer.Deserialize<DeadlineView[]>(await observer.GetStringAsync("/api/v1/deadlines?column=dueSoon"), RunningServer.Json)!;
        Assert.All(soon, d => Assert.Equal(BoardColumn.DueSoon, d.Column));
        Assert.Equal(deadlines.Count(d => d.Column == BoardColumn.DueSoon), soon.Count(d => d.IncidentId == incident.Id));

        var ics = await observer.GetAsync($"/api/v1/incidents/{incident.Id}/deadlines.ics");
        Assert.Equal("text/calendar", ics.Content.Headers.ContentType?.MediaType);
        var text = await ics.Content.ReadAsStringAsync();
        Assert.StartsWith("BEGIN:VCALENDAR\r\n", text, StringComparison.Ordinal);
        Assert.Equal(deadlines.Count(d => d.DueAt is not null), text.Split("BEGIN:VEVENT").Length - 1);

        var california = deadlines.Single(d => d.Title.StartsWith("US-CA: notify affected individuals", StringComparison.Ordinal));
        var url = $"/api/v1/incidents/{incident.Id}/deadlines/{california.Id}/ladder";
        using var legal = fixture.As(Role.Legal);
        var bad = await legal.SendJson(HttpMethod.Put, url, new { rungs = new[] { new { before = "P2D", to = "nobody" } } });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
        Assert.True((await bad.Problem()).GetProperty("errors").TryGetProperty("rungs[0].to", out _));
        using var it = fixture.As(Role.It);
        Assert.Equal(HttpStatusCode.Forbidden, (await it.SendJson(HttpMethod.Put, url, new { rungs = new[] { new { before = "P2D", to = "owner" } } })).StatusCode);

        var custom = await (await legal.SendJson(HttpMethod.Put, url, new { rungs = new object[] { new { before = "P2D", to = "owner" }, new { after = "PT0S", to = "incidentCommander" } }, overdueEvery = "PT0S" }))
            .Read<DeadlineView>();
        Assert.True(custom.CustomLadder);
        Assert.Equal(california.DueAt!.Value - Duration.FromDays(2), custom.NextReminderAt);
        await fixture.SweepAt(california.DueAt.Value);
        Assert.Contains(await InboxAsync(Role.IncidentCommander), d => d.DeadlineId == california.Id && d.RungKey == "due");
        Assert.DoesNotContain(await InboxAsync(Role.Legal), d => d.DeadlineId == california.Id && d.RungKey == "before-10080m");
    }

    [Fact]
    public async Task Open_playbook_steps_get_deadlines_that_close_as_met_or_missed_when_the_step_is_done()
    {
        var now = Now();
        var incident = await fixture.IncidentAsync("Steps have clocks", now - Duration.FromHours(1));
        // The step transitions ask for a recomputation in their own transaction; the next sweep performs it.
        await fixture.SweepAt(now);
        var steps = (await DeadlinesAsync(incident.Id)).Where(d => d.Source == DeadlineSource.Step).ToList();
        Assert.NotEmpty(steps);
        Assert.All(steps, d => Assert.Equal(DeadlineStatus.Open, d.Status));

        using var commander = fixture.As(Role.IncidentCommander);
        var runs = JsonDocument.Parse(await commander.GetStringAsync($"/api/v1/incidents/{incident.Id}/runs")).RootElement;
        var run = runs[0];
        var task = run.GetProperty("steps").EnumerateArray().First(s => s.GetProperty("status").GetString() == "ready" && s.GetProperty("kind").GetString() == "task"
            && s.GetProperty("dueAt").ValueKind == JsonValueKind.String && !s.GetProperty("automated").GetBoolean());
        var stepId = task.GetProperty("stepId").GetString();
        var done = await commander.PostJson($"/api/v1/runs/{run.GetProperty("id").GetString()}/steps/{stepId}/complete", new { note = "done" });
        Assert.True(done.IsSuccessStatusCode, await done.Content.ReadAsStringAsync());
        await fixture.SweepAt(now);
        var closed = (await DeadlinesAsync(incident.Id)).Single(d => d.Key.EndsWith(":" + stepId, StringComparison.Ordinal));
        Assert.Equal(DeadlineStatus.Met, closed.Status);
        Assert.Null(closed.NextReminderAt);
    }

    [Fact]
    public async Task A_follow_up_is_reminded_on_the_ladder_and_closes_by_hand()
    {
        var now = Now();
        var incident = await fixture.IncidentAsync("Regulator asked for an update", now);
        using var legal = fixture.As(Role.Legal);
        var url = $"/api/v1/incidents/{incident.Id}/deadlines";
        var bad = await legal.PostJson(url, new { title = "", dueAt = now });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
        Assert.True((await bad.Problem()).GetProperty("errors").TryGetProperty("title", out _));
        var created = await (await legal.PostJson(url, new { title = "Send the AG the supplemental report", dueAt = now + Duration.FromDays(10), citation = "AG letter of 2026-03-04" }))
            .Read<DeadlineView>();
        Assert.Equal(DeadlineSource.FollowUp, created.Source);
        Assert.Equal(now + Duration.FromDays(3), created.NextReminderAt);

        // A recomputation (a re-assessment, the hourly resync) leaves follow-ups as people set them.
        await AssessAsync(incident.Id, new { dataOwner = true, dataElements = new[] { "name" }, affectedResidents = new Dictionary<string, int> { ["US-CA"] = 3 } });
        Assert.Equal(DeadlineStatus.Open, (await DeadlinesAsync(incident.Id)).Single(d => d.Id == created.Id).Status);

        var closed = await (await legal.PostAsync($"{url}/{created.Id}/close", null)).Read<DeadlineView>();
        Assert.Equal(DeadlineStatus.Met, closed.Status);
        Assert.Null(closed.NextReminderAt);
        Assert.Equal(HttpStatusCode.Conflict, (await legal.PostAsync($"{url}/{created.Id}/close", null)).StatusCode);
    }

    [Fact]
    public async Task Exercise_reminders_stay_with_the_participants_and_say_so()
    {
        var now = Now();
        var incident = await fixture.IncidentAsync("Tabletop", now - Duration.FromHours(1), exercise: true);
        await AssessAsync(incident.Id, new { dataOwner = true, dataElements = new[] { "name", "ssn" }, affectedResidents = new Dictionary<string, int> { ["US-CA"] = 1000 } });
        var deadline = (await DeadlinesAsync(incident.Id)).Single(d => d.Title.StartsWith("US-CA: notify affected individuals", StringComparison.Ordinal));
        await fixture.SweepAt(deadline.DueAt!.Value - Duration.FromDays(7));
        var message = Assert.Single(await InboxAsync(Role.Legal), d => d.DeadlineId == deadline.Id);
        Assert.StartsWith("[EXERCISE]", message.Subject, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.Webhook.Received, h => h.Body.Contains(deadline.Id.ToString(), StringComparison.Ordinal));
    }

    /// <summary>Now, to the second: what PostgreSQL keeps of an instant is then exactly what the test wrote.</summary>
    private static Instant Now() => Instant.FromUnixTimeSeconds(SystemClock.Instance.GetCurrentInstant().ToUnixTimeSeconds());

    private async Task<List<ObligationView>> AssessAsync(Guid incident, object facts)
    {
        using var legal = fixture.As(Role.Legal);
        var url = $"/api/v1/incidents/{incident}";
        var put = await legal.SendJson(HttpMethod.Put, url + "/facts", facts);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        await (await legal.PostJson(url + "/assessment", new { })).Read<LedgerView>();
        return await ObligationsAsync(incident);
    }

    private async Task<List<ObligationView>> ObligationsAsync(Guid incident)
    {
        using var observer = fixture.As(Role.Observer);
        return [.. JsonSerializer.Deserialize<ObligationView[]>(await observer.GetStringAsync($"/api/v1/incidents/{incident}/obligations"), RunningServer.Json)!];
    }

    private Task<DeadlineView[]> DeadlinesAsync(Guid incident) => fixture.DeadlinesAsync(incident);

    private Task<List<DeliveryView>> InboxAsync(params Role[] roles) => fixture.InboxAsync(roles);

    private async Task<DeliveryView> DeliveriesAsync(Guid incident, Guid hook, Guid deadline)
    {
        using var legal = fixture.As(Role.Legal);
        var all = JsonSerializer.Deserialize<DeliveryView[]>(await legal.GetStringAsync($"/api/v1/incidents/{incident}/deliveries"), RunningServer.Json)!;
        return all.Single(d => d.DeadlineId == deadline && d.Channel == DeliveryChannel.Webhook && d.RungKey == "before-10080m" && d.Recipient == hook);
    }
}
