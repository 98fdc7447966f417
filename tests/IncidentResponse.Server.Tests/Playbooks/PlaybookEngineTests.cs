using System.Net.Http.Json;
using System.Net;
using IncidentResponse.Core.Identity;
using IncidentResponse.Core.Playbooks;
using IncidentResponse.Server.Audit;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.Playbooks;
using IncidentResponse.Server.Tests.Infrastructure;

namespace IncidentResponse.Server.Tests.Playbooks;

[Collection(PostgresCollection.Name)]
public sealed class PlaybookEngineTests(PostgresServerFixture fixture)
{
    private async Task<(IncidentView Incident, RunView Run)> Open(string kind = "other", bool exercise = false)
    {
        using var commander = fixture.As(Role.IncidentCommander);
        var incident = await (await commander.PostJson("/api/v1/incidents", new { title = "Engine run", kind, severity = "high", isExercise = exercise })).Read<IncidentView>();
        var runs = await (await commander.GetAsync($"/api/v1/incidents/{incident.Id}/runs")).Read<RunView[]>();
        return (incident, Assert.Single(runs));
    }

    private static Task<HttpResponseMessage> Act(HttpClient client, RunView run, string step, string action, object? body = null) =>
        client.PostJson($"/api/v1/runs/{run.Id}/steps/{step}/{action}", body ?? new { });

    /// <summary>Equal to the microsecond PostgreSQL keeps.</summary>
    private static void Close(NodaTime.Instant expected, NodaTime.Instant? actual) =>
        Assert.True(actual is { } a && NodaTime.Duration.Max(a - expected, expected - a) < NodaTime.Duration.FromMilliseconds(1), $"{actual} is not {expected}");

    private static StepStatus Status(RunView run, string step) => run.Steps.Single(s => s.StepId == step).Status;

    private async Task<RunView> Until(Guid incident, Func<RunView, bool> condition)
    {
        using var commander = fixture.As(Role.IncidentCommander);
        for (var i = 0; i < 150; i++)
        {
            var run = (await (await commander.GetAsync($"/api/v1/incidents/{incident}/runs")).Read<RunView[]>())[0];
            if (condition(run))
            {
                return run;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException("the run did not reach the expected state within 30 s");
    }

    [Fact]
    public async Task Opening_an_incident_starts_the_playbook_for_its_kind_pinned_to_its_hash()
    {
        var (incident, run) = await Open("ransomware");
        Assert.Equal("ransomware-exfiltration", run.PlaybookId);
        Assert.Equal(64, run.DefinitionHash.Length);
        Assert.Equal(StepStatus.Ready, Status(run, "triage-and-activate"));
        // Due two hours after discovery, as the playbook says.
        var discovered = incident.Milestones.Single().At;
        Close(discovered.Plus(NodaTime.Duration.FromHours(2)), run.Steps.Single(s => s.StepId == "triage-and-activate").DueAt);
    }

    [Fact]
    public async Task The_inbox_shows_overdue_tasks_of_the_team_lead()
    {
        using var commander = fixture.As(Role.IncidentCommander);
        var discovered = NodaTime.SystemClock.Instance.GetCurrentInstant().Minus(NodaTime.Duration.FromDays(1));
        var incident = await (await commander.PostJson("/api/v1/incidents", new { title = "Found late", kind = "ransomware", severity = "high", discoveredAt = discovered })).Read<IncidentView>();
        await commander.SendJson(HttpMethod.Put, $"/api/v1/incidents/{incident.Id}/team-leads/it", new { userId = fixture.Users[Role.It].Id });

        using var it = fixture.As(Role.It);
        var overdue = await (await it.GetAsync($"/api/v1/tasks?mine=true&overdue=true&incident={incident.Id}")).Read<TaskView[]>();
        var triage = Assert.Single(overdue, t => t.StepId == "triage-and-activate");
        Assert.True(triage.Overdue);
        Close(discovered.Plus(NodaTime.Duration.FromHours(2)), triage.DueAt);
        using var legal = fixture.As(Role.Legal);
        Assert.Empty(await (await legal.GetAsync($"/api/v1/tasks?mine=true&incident={incident.Id}")).Read<TaskView[]>());
        Assert.Equal(HttpStatusCode.BadRequest, (await it.GetAsync("/api/v1/tasks?team=marketing")).StatusCode);
    }

    [Fact]
    public async Task An_incident_runs_through_a_whole_playbook_with_branches_approvals_waits_and_an_automated_step_that_fails_then_succeeds()
    {
        var (incident, run) = await Open();
        using var it = fixture.As(Role.It);
        using var legal = fixture.As(Role.Legal);
        using var commander = fixture.As(Role.IncidentCommander);
        var url = $"/api/v1/incidents/{incident.Id}";

        // Facts that will not assess: individuals "notified" before the discovery we are about to record.
        var discovered = incident.Milestones.Single().At;
        Assert.Equal(HttpStatusCode.OK, (await legal.SendJson(HttpMethod.Put, url + "/facts", new
        {
            dataOwner = true, dataElements = new[] { "name", "ssn" }, affectedResidents = new Dictionary<string, int> { ["US-CA"] = 40 },
            individualsNotifiedAt = discovered.Plus(NodaTime.Duration.FromMinutes(1)),
        })).StatusCode);
        await commander.SendJson(HttpMethod.Put, url + "/milestones/discovered", new { at = discovered.Plus(NodaTime.Duration.FromMinutes(2)) });

        Assert.Equal(HttpStatusCode.OK, (await Act(it, run, "triage", "complete", new { note = "EDR and SIEM agree" })).StatusCode);
        var decided = await (await Act(legal, run, "le-decision", "decide", new { option = "contact", rationale = "Known ransomware group" })).Read<RunView>();
        Assert.Equal(StepStatus.Ready, Status(decided, "le-contact"));
        await Act(legal, run, "le-contact", "complete", new { note = "FBI Sacramento, case 123" });
        // Completing the milestone step records the incident's contained milestone.
        var contained = await Act(it, run, "record-contained", "complete", new { at = discovered.Plus(NodaTime.Duration.FromMinutes(3)) });
        Assert.True(contained.StatusCode == HttpStatusCode.OK, await contained.Content.ReadAsStringAsync());
        var read = await (await commander.GetAsync(url)).Read<IncidentView>();
        Assert.Contains(read.Milestones, m => m.Kind == Core.Incidents.MilestoneKind.Contained);

        // The automated assessment fails on the bad facts, and says why.
        var failed = await Until(incident.Id, r => r.Steps.Single(s => s.StepId == "notification-assessment").Attempts > 0);
        Assert.Contains("individuals cannot be notified before discovery", failed.Steps.Single(s => s.StepId == "notification-assessment").Note);

        // Fix the facts and retry: it succeeds, and the approval opens because there is an individual notice.
        await legal.SendJson(HttpMethod.Put, url + "/facts", new
        {
            dataOwner = true, dataElements = new[] { "name", "ssn" }, affectedResidents = new Dictionary<string, int> { ["US-CA"] = 40 },
        });
        Assert.Equal(HttpStatusCode.OK, (await Act(commander, run, "notification-assessment", "retry")).StatusCode);
        var assessed = await Until(incident.Id, r => Status(r, "notification-assessment") == StepStatus.Done);
        Assert.Equal(StepStatus.Ready, Status(assessed, "approve-letters"));
        Assert.Equal(StepStatus.Ready, Status(assessed, "wait-eradicated"));

        // Approval by both roles; a rejection in between starts it over.
        await Act(legal, run, "approve-letters", "approve");
        Assert.Equal(HttpStatusCode.OK, (await Act(commander, run, "approve-letters", "reject", new { comment = "Wrong dates" })).StatusCode);
        await Act(legal, run, "approve-letters", "approve");
        var approved = await (await Act(commander, run, "approve-letters", "approve")).Read<RunView>();
        Assert.Equal(StepStatus.Done, Status(approved, "approve-letters"));

        // The wait completes when its milestone is recorded on the incident.
        Assert.Equal(StepStatus.Ready, Status(approved, "wait-eradicated"));
        await commander.SendJson(HttpMethod.Put, url + "/milestones/breachDetermined", new { at = discovered.Plus(NodaTime.Duration.FromMinutes(4)) });
        var waited = await Until(incident.Id, r => Status(r, "wait-eradicated") == StepStatus.Done);
        Assert.Equal(StepStatus.Ready, Status(waited, "review"));

        using var risk = fixture.As(Role.Risk);
        var inbox = await (await risk.GetAsync($"/api/v1/tasks?incident={incident.Id}&team=risk")).Read<TaskView[]>();
        Assert.Equal("review", Assert.Single(inbox).StepId);
        await Act(risk, run, "review", "complete", new { note = "Actions in the risk register" });
        var finished = await Until(incident.Id, r => r.FinishedAt is not null);
        Assert.All(finished.Steps, s => Assert.True(s.Status is StepStatus.Done or StepStatus.Skipped));

        var audit = await (await legal.GetAsync(url + "/audit")).Read<AuditEventView[]>();
        Assert.Contains(audit, e => e.Action == "playbook.step.done" && e.Summary.Contains("\"le-decision\"", StringComparison.Ordinal));
        Assert.Contains(audit, e => e.Action == "playbook.step.automatedstepfailed");
    }

    [Fact]
    public async Task A_notify_step_of_an_exercise_stays_with_its_participants_says_so_and_is_dated_on_its_clock()
    {
        var (incident, run) = await Open("lostOrStolenDevice", exercise: true);
        using var commander = fixture.As(Role.IncidentCommander);
        var start = NodaTime.Instant.FromUtc(2026, 3, 2, 8, 0);
        (await commander.SendJson(HttpMethod.Put, $"/api/v1/incidents/{incident.Id}/clock", new { kind = "simulated", start, speed = 1, paused = true })).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.OK, (await Act(commander, run, "triage-and-activate", "complete", new { note = "Drill inject 1" })).StatusCode);

        await Until(incident.Id, r => Status(r, "notify-response-team") == StepStatus.Done);
        var timeline = await (await commander.GetAsync($"/api/v1/incidents/{incident.Id}/timeline")).Read<TimelineEntryView[]>();
        var entry = Assert.Single(timeline, t => t.Category == "notification");
        Assert.StartsWith("[EXERCISE] Notified the exercise participants of legal, risk", entry.Text, StringComparison.Ordinal);
        Assert.Equal(start, entry.At);
    }

    [Fact]
    public async Task A_dismissed_incident_leaves_no_work_in_the_inbox()
    {
        var (incident, _) = await Open();
        using var commander = fixture.As(Role.IncidentCommander);
        Assert.NotEmpty(await (await commander.GetAsync($"/api/v1/tasks?incident={incident.Id}")).Read<TaskView[]>());
        await commander.PostJson($"/api/v1/incidents/{incident.Id}/transitions", new { to = "closed", reason = "False positive" });
        Assert.Empty(await (await commander.GetAsync($"/api/v1/tasks?incident={incident.Id}")).Read<TaskView[]>());
        Assert.NotEmpty(await (await commander.GetAsync($"/api/v1/tasks?incident={incident.Id}&all=true")).Read<TaskView[]>());
    }

    [Fact]
    public async Task The_other_branch_skips_the_contact_and_the_run_goes_on()
    {
        var (_, run) = await Open();
        using var it = fixture.As(Role.It);
        using var legal = fixture.As(Role.Legal);
        await Act(it, run, "triage", "complete");
        var decided = await (await Act(legal, run, "le-decision", "decide", new { option = "defer", rationale = "Counsel advises waiting" })).Read<RunView>();
        Assert.Equal(StepStatus.Skipped, Status(decided, "le-contact"));
        Assert.Contains("condition false", decided.Steps.Single(s => s.StepId == "le-contact").Note);
    }

    [Fact]
    public async Task Bad_actions_are_refused_with_a_reason()
    {
        var (_, run) = await Open();
        using var legal = fixture.As(Role.Legal);
        using var it = fixture.As(Role.It);
        var early = await Act(legal, run, "le-decision", "decide", new { option = "contact", rationale = "x" });
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        Assert.Contains("waiting for triage", (await early.Problem()).GetProperty("detail").GetString());
        await Act(it, run, "triage", "complete");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await Act(legal, run, "le-decision", "decide", new { option = "contact" })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await Act(legal, run, "le-decision", "decide", new { option = "maybe", rationale = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Act(legal, run, "ghost", "complete")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await Act(it, run, "approve-letters", "approve")).StatusCode);
    }

    [Fact]
    public async Task A_client_that_prefers_the_minimal_answer_gets_the_steps_that_changed_and_merged_they_make_the_full_view()
    {
        var (incident, run) = await Open();
        using var it = fixture.As(Role.It);
        using var legal = fixture.As(Role.Legal);
        async Task<(HttpResponseMessage Response, RunChangeView Change)> Minimal(HttpClient client, string step, string action, object body, string prefer = "return=minimal")
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/runs/{run.Id}/steps/{step}/{action}") { Content = JsonContent.Create(body, options: RunningServer.Json) };
            request.Headers.TryAddWithoutValidation("Prefer", prefer);
            var response = await client.SendAsync(request);
            return (response, response.IsSuccessStatusCode ? await response.Read<RunChangeView>() : null!);
        }

        var view = run.Steps.ToDictionary(s => s.StepId);
        void Merge(RunChangeView change)
        {
            foreach (var step in change.Changed)
            {
                view[step.StepId] = step;
            }
        }

        // Completing triage moves triage and opens what waited on it, and nothing else.
        var (triaged, change) = await Minimal(it, "triage", "complete", new { note = "EDR and SIEM agree" });
        Assert.Equal(HttpStatusCode.OK, triaged.StatusCode);
        Assert.Equal("return=minimal", Assert.Single(triaged.Headers.GetValues("Preference-Applied")));
        Assert.Equal(run.Id, change.Id);
        Assert.Equal(["le-decision", "record-contained", "triage"], change.Changed.Select(s => s.StepId).Order());
        Assert.Equal("EDR and SIEM agree", change.Changed.Single(s => s.StepId == "triage").Note);
        Merge(change);

        // A branch: the decision and the contact it opens. Preferences may share the header with others, in any case.
        var (_, decided) = await Minimal(legal, "le-decision", "decide", new { option = "contact", rationale = "Known group" }, "respond-async, RETURN=minimal");
        Assert.Equal(["le-contact", "le-decision"], decided.Changed.Select(s => s.StepId).Order());
        Merge(decided);

        // A milestone step (the transition that also changes the incident) answers the same way.
        var (_, contained) = await Minimal(it, "record-contained", "complete", new { });
        Assert.Contains(contained.Changed, s => s.StepId == "record-contained" && s.Status == StepStatus.Done);
        Merge(contained);

        // A refusal is the same problem either way, and changes nothing.
        var (refused, _) = await Minimal(legal, "le-decision", "decide", new { option = "defer", rationale = "Too late" });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);

        // Merged, the minimal answers give the run as it is read now.
        using var commander = fixture.As(Role.IncidentCommander);
        var full = (await (await commander.GetAsync($"/api/v1/incidents/{incident.Id}/runs")).Read<RunView[]>())[0];
        Assert.Equal(full.Steps.Select(s => (s.StepId, s.Status, s.ReadyAt, s.CompletedAt, s.Outcome, s.Note, s.DueAt)),
            full.Steps.Select(s => view[s.StepId]).Select(s => (s.StepId, s.Status, s.ReadyAt, s.CompletedAt, s.Outcome, s.Note, s.DueAt)));

        // Without the preference the answer is the whole view, as before.
        var whole = await (await Act(legal, run, "le-contact", "complete", new { note = "FBI, case 9" })).Read<RunView>();
        Assert.Equal(full.Steps.Count, whole.Steps.Count);
    }

    [Fact]
    public async Task Duplicate_events_delivered_to_two_nodes_at_once_advance_a_step_exactly_once()
    {
        var second = await fixture.SecondNodeAsync();
        for (var round = 0; round < 5; round++)
        {
            var (incident, run) = await Open();
            using var first = fixture.As(Role.It);
            using var other = second.WithKey(fixture.Users[Role.It].Key);
            var answers = await Task.WhenAll(
                Act(first, run, "triage", "complete", new { note = "node A" }), Act(other, run, "triage", "complete", new { note = "node B" }),
                Act(first, run, "triage", "complete", new { note = "node A again" }), Act(other, run, "triage", "complete", new { note = "node B again" }));
            Assert.Equal(1, answers.Count(a => a.StatusCode == HttpStatusCode.OK));
            Assert.All(answers.Where(a => a.StatusCode != HttpStatusCode.OK), a => Assert.Equal(HttpStatusCode.Conflict, a.StatusCode));

            using var legal = fixture.As(Role.Legal);
            var audit = await (await legal.GetAsync($"/api/v1/incidents/{incident.Id}/audit")).Read<AuditEventView[]>();
            Assert.Single(audit, e => e.Action == "playbook.step.done" && e.Summary.Contains("\"triage\"", StringComparison.Ordinal));
        }
    }
}
