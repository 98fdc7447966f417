using System.Net;
using System.Text.Json;
using IncidentResponse.Core.Identity;
using IncidentResponse.Core.Incidents;
using IncidentResponse.Server.Audit;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.Tests.Infrastructure;
using Npgsql;

namespace IncidentResponse.Server.Tests.Incidents;

[Collection(PostgresCollection.Name)]
public sealed class IncidentApiTests(PostgresServerFixture fixture)
{
    private async Task<IncidentView> Open(HttpClient client, object? body = null) =>
        await (await client.PostJson("/api/v1/incidents", body ?? new { title = "Ransomware at store 12", kind = "ransomware", severity = "high" }))
            .Read<IncidentView>();

    [Fact]
    public async Task An_incident_is_opened_with_a_yearly_reference_and_read_back()
    {
        using var commander = fixture.As(Role.IncidentCommander);
        var response = await commander.PostJson("/api/v1/incidents", new { title = "Loyalty DB exfiltration", kind = "dataExfiltration", severity = "critical", summary = "Queries from an unknown host." });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Read<IncidentView>();
        Assert.Matches(@"^INC-\d{4}-\d{4}$", created.Reference);
        Assert.Equal(IncidentStatus.Detected, created.Status);
        Assert.Equal(response.Headers.Location!.ToString(), $"/api/v1/incidents/{created.Id}");
        Assert.Contains(created.Milestones, m => m.Kind == MilestoneKind.Discovered);

        var read = await (await commander.GetAsync($"/api/v1/incidents/{created.Id}")).Read<IncidentView>();
        Assert.Equal(created.Reference, read.Reference);
        Assert.Equal(Severity.Critical, read.Severity);
    }

    [Fact]
    public async Task References_are_unique_and_consecutive_under_concurrent_creation()
    {
        using var commander = fixture.As(Role.IncidentCommander);
        var created = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Open(commander)));
        var numbers = created.Select(c => int.Parse(c.Reference[^4..])).Order().ToArray();
        Assert.Equal(numbers.Length, numbers.Distinct().Count());
        Assert.Equal(numbers[^1] - numbers[0] + 1, numbers.Length);
    }

    [Fact]
    public async Task The_lifecycle_walks_to_closure_recording_milestones_and_audit_events()
    {
        using var commander = fixture.As(Role.IncidentCommander);
        var incident = await Open(commander);
        foreach (var to in new[] { "triage", "contained", "eradicated", "recovered", "notification" })
        {
            var moved = await commander.PostJson($"/api/v1/incidents/{incident.Id}/transitions", new { to });
            Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        }

        // The ransomware playbook's tasks are open: closing needs an override reason, which is kept.
        var refused = await commander.PostJson($"/api/v1/incidents/{incident.Id}/transitions", new { to = "closed" });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("open task(s)", (await refused.Problem()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.OK, (await commander.PostJson($"/api/v1/incidents/{incident.Id}/transitions", new { to = "closed", overrideReason = "Test incident" })).StatusCode);

        var closed = await (await commander.GetAsync($"/api/v1/incidents/{incident.Id}")).Read<IncidentView>();
        Assert.Equal(IncidentStatus.Closed, closed.Status);
        Assert.Equal("Test incident", closed.ClosingOverrideReason);
        Assert.Contains(closed.Milestones, m => m.Kind == MilestoneKind.Contained);
        Assert.Contains(closed.Milestones, m => m.Kind == MilestoneKind.Closed);

        using var legal = fixture.As(Role.Legal);
        var events = await (await legal.GetAsync($"/api/v1/incidents/{incident.Id}/audit")).Read<AuditEventView[]>();
        Assert.Equal(1, events.Count(e => e.Action == "incident.created"));
        Assert.Equal(6, events.Count(e => e.Action == "incident.transitioned"));
        Assert.Equal("incidentcommander@test.example", events[0].Actor);
    }

    [Fact]
    public async Task Milestones_team_leads_timeline_and_decisions_are_recorded()
    {
        using var commander = fixture.As(Role.IncidentCommander);
        var incident = await Open(commander);
        var discovered = incident.Milestones.Single(m => m.Kind == MilestoneKind.Discovered).At;

        var occurred = await commander.SendJson(HttpMethod.Put, $"/api/v1/incidents/{incident.Id}/milestones/occurred",
            new { at = discovered.Minus(NodaTime.Duration.FromDays(3)), isEstimate = true, note = "earliest log entry" });
        Assert.Equal(HttpStatusCode.OK, occurred.StatusCode);
        var lead = await commander.SendJson(HttpMethod.Put, $"/api/v1/incidents/{incident.Id}/team-leads/legal", new { userId = fixture.Users[Role.Legal].Id });
        var withLead = await lead.Read<IncidentView>();
        Assert.Contains(withLead.TeamLeads, t => t.Role == TeamLeadRole.Legal && t.UserId == fixture.Users[Role.Legal].Id);
        Assert.True(withLead.Milestones.Single(m => m.Kind == MilestoneKind.Occurred).IsEstimate);

        using var it = fixture.As(Role.It);
        Assert.Equal(HttpStatusCode.Created, (await it.PostJson($"/api/v1/incidents/{incident.Id}/timeline", new { text = "Isolated POS VLAN", category = "containment" })).StatusCode);
        var timeline = await (await it.GetAsync($"/api/v1/incidents/{incident.Id}/timeline")).Read<TimelineEntryView[]>();
        Assert.Single(timeline);

        using var legal = fixture.As(Role.Legal);
        Assert.Equal(HttpStatusCode.Created, (await legal.PostJson($"/api/v1/incidents/{incident.Id}/decisions",
            new { title = "Engage counsel", outcome = "Retain outside counsel", rationale = "Privilege over forensics", privileged = true })).StatusCode);
        var seenByLegal = await (await legal.GetAsync($"/api/v1/incidents/{incident.Id}/decisions")).Read<DecisionView[]>();
        Assert.Equal("Privilege over forensics", seenByLegal.Single().Rationale);
        var seenByIt = await (await it.GetAsync($"/api/v1/incidents/{incident.Id}/decisions")).Read<DecisionView[]>();
        Assert.Equal("[privileged]", seenByIt.Single().Rationale);
    }

    [Fact]
    public async Task Closing_with_a_reason_from_detected_dismisses_a_false_positive_and_reopening_needs_a_reason()
    {
        using var commander = fixture.As(Role.IncidentCommander);
        var incident = await Open(commander);
        var noReason = await commander.PostJson($"/api/v1/incidents/{incident.Id}/transitions", new { to = "closed" });
        Assert.Equal(HttpStatusCode.Conflict, noReason.StatusCode);
        Assert.Contains("reason", (await noReason.Problem()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.OK, (await commander.PostJson($"/api/v1/incidents/{incident.Id}/transitions", new { to = "closed", reason = "Scanner false positive" })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await commander.PostJson($"/api/v1/incidents/{incident.Id}/transitions", new { to = "triage" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await commander.PostJson($"/api/v1/incidents/{incident.Id}/transitions", new { to = "triage", reason = "New evidence" })).StatusCode);
    }

    [Fact]
    public async Task List_filters_by_status_severity_kind_and_exercise_and_pages()
    {
        using var commander = fixture.As(Role.IncidentCommander);
        var marker = Guid.NewGuid().ToString("N")[..8];
        var exercise = await Open(commander, new { title = $"Tabletop {marker}", kind = "businessEmailCompromise", severity = "medium", isExercise = true });
        var page = await (await commander.GetAsync("/api/v1/incidents?exercise=true&kind=businessEmailCompromise&severity=medium&status=detected&pageSize=200")).Read<Paged<IncidentListItem>>();
        Assert.Contains(page.Items, i => i.Id == exercise.Id);
        Assert.All(page.Items, i => Assert.True(i.IsExercise && i.Kind == IncidentKind.BusinessEmailCompromise));
        var real = await (await commander.GetAsync("/api/v1/incidents?exercise=false&pageSize=200")).Read<Paged<IncidentListItem>>();
        Assert.DoesNotContain(real.Items, i => i.Id == exercise.Id);
        var small = await (await commander.GetAsync("/api/v1/incidents?pageSize=1&page=2")).Read<Paged<IncidentListItem>>();
        Assert.Single(small.Items);
        Assert.Equal(2, small.Page);
    }

    [Fact]
    public async Task A_restricted_incident_is_invisible_to_non_members()
    {
        using var commander = fixture.As(Role.IncidentCommander);
        var incident = await Open(commander, new { title = "Insider at HQ", kind = "insider", severity = "high", restricted = true, members = new[] { fixture.Users[Role.Legal].Id } });
        using var legal = fixture.As(Role.Legal);
        using var it = fixture.As(Role.It);
        using var admin = fixture.Server.Admin();
        Assert.Equal(HttpStatusCode.OK, (await legal.GetAsync($"/api/v1/incidents/{incident.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/api/v1/incidents/{incident.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await it.GetAsync($"/api/v1/incidents/{incident.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await it.GetAsync($"/api/v1/incidents/{incident.Id}/timeline")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await it.PostJson($"/api/v1/incidents/{incident.Id}/timeline", new { text = "peek" })).StatusCode);
        var list = await (await it.GetAsync("/api/v1/incidents?pageSize=200&kind=insider")).Read<Paged<IncidentListItem>>();
        Assert.DoesNotContain(list.Items, i => i.Id == incident.Id);

        var lead = await commander.SendJson(HttpMethod.Put, $"/api/v1/incidents/{incident.Id}/team-leads/it", new { userId = fixture.Users[Role.It].Id });
        Assert.Equal(HttpStatusCode.OK, lead.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await it.GetAsync($"/api/v1/incidents/{incident.Id}")).StatusCode);
    }

    [Fact]
    public async Task A_retried_post_with_the_same_idempotency_key_creates_one_incident()
    {
        using var commander = fixture.As(Role.IncidentCommander);
        var key = Guid.NewGuid().ToString();
        var title = "Idempotent " + key;
        HttpResponseMessage Send(object body)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/incidents") { Content = System.Net.Http.Json.JsonContent.Create(body, options: RunningServer.Json) };
            request.Headers.Add("Idempotency-Key", key);
            return commander.SendAsync(request).GetAwaiter().GetResult();
        }

        var body = new { title, kind = "other", severity = "low" };
        var first = await Send(body).Read<IncidentView>();
        var again = Send(body);
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(first.Id, (await again.Read<IncidentView>()).Id);
        var different = Send(new { title = title + " changed", kind = "other", severity = "low" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, different.StatusCode);

        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM incidents WHERE title LIKE @t", connection);
        count.Parameters.AddWithValue("t", "Idempotent " + key + "%");
        Assert.Equal(1L, (long)(await count.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Patch_requires_the_current_version_and_a_stale_write_gets_412()
    {
        using var commander = fixture.As(Role.IncidentCommander);
        var incident = await Open(commander);
        var missing = await commander.SendJson(HttpMethod.Patch, $"/api/v1/incidents/{incident.Id}", new { severity = "low" });
        Assert.Equal(HttpStatusCode.PreconditionRequired, missing.StatusCode);

        var first = await commander.SendJson(HttpMethod.Patch, $"/api/v1/incidents/{incident.Id}", new { severity = "critical" }, ifMatch: incident.Version.ToString());
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal($"\"{incident.Version + 1}\"", first.Headers.ETag!.Tag);
        var stale = await commander.SendJson(HttpMethod.Patch, $"/api/v1/incidents/{incident.Id}", new { severity = "low" }, ifMatch: incident.Version.ToString());
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        var now = await (await commander.GetAsync($"/api/v1/incidents/{incident.Id}")).Read<IncidentView>();
        Assert.Equal(Severity.Critical, now.Severity);
    }

    [Fact]
    public async Task Concurrent_writers_with_the_same_version_never_both_win()
    {
        using var commander = fixture.As(Role.IncidentCommander);
        var incident = await Open(commander);
        var writes = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            commander.SendJson(HttpMethod.Patch, $"/api/v1/incidents/{incident.Id}", new { title = $"Writer {i}" }, ifMatch: incident.Version.ToString())));
        Assert.Equal(1, writes.Count(w => w.StatusCode == HttpStatusCode.OK));
        Assert.All(writes.Where(w => w.StatusCode != HttpStatusCode.OK),
            w => Assert.True(w.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict, w.StatusCode.ToString()));
    }
}
