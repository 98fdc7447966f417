using System.Net;
using System.Net.Http.Headers;
using IncidentResponse.Core.Deadlines;
using IncidentResponse.Core.Identity;
using IncidentResponse.Core.Playbooks;
using IncidentResponse.Server.Audit;
using IncidentResponse.Server.Deadlines;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.Playbooks;
using IncidentResponse.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace IncidentResponse.Server.Tests.Playbooks;

/// <summary>Changes to running work: new playbook versions and migration, ad-hoc tasks, assignment and the inbox's filters.</summary>
[Collection(PostgresCollection.Name)]
public sealed class RunChangesTests(PostgresServerFixture fixture)
{
    /// <summary>
    /// A playbook of its own per test (ids sort after engine-test, so incidents of kind 'other' still start that one).
    /// Version 2 adds a briefing, drops the review and replaces the 'defer' option.
    /// </summary>
    private static string Playbook(string id, int version)
    {
        var v2 = version > 1;
        var options = v2 ? "{ id: contact, title: \"Contact now\" }, { id: later, title: \"Ask again in a day\" }" : "{ id: contact, title: \"Contact now\" }, { id: defer, title: \"Defer\" }";
        var last = v2
            ? """
              - id: brief-executives
                title: "Brief the executives"
                description: "Tell the executive team what happened, what is being done and which decisions will be theirs."
                team: executive
                phase: detection
                kind: task
                after: [triage]
            """
            : """
              - id: review
                title: "Hold the post-incident review"
                description: "Run the lessons-learned session and record the actions, owners and dates in the risk register."
                team: risk
                phase: postIncident
                kind: task
                after: [le-decision]
            """;
        return $$"""
            id: {{id}}
            title: "Run changes test playbook"
            version: {{version}}
            appliesTo: [other]
            summary: "A small playbook that the tests publish in two versions to migrate a running incident from one to the other."
            references:
              - { id: nist-800-61r3, title: "NIST SP 800-61 Rev. 3" }
            steps:
              - id: triage
                title: "Triage the alert"
                description: "Confirm the alert from two signals and record who reported it and when on the timeline."
                team: it
                phase: detection
                kind: task
                due: { from: milestone, milestone: discovered, hours: 2 }
              - id: le-decision
                title: "Decide on law enforcement"
                description: "Counsel decides whether to contact law enforcement now or defer, and records the reasons."
                team: legal
                phase: containment
                kind: decision
                after: [triage]
                options: [{{options}}]
            {{last}}
            """;
    }

    private static Task<HttpResponseMessage> Publish(HttpClient client, string yaml, string type = "application/yaml") =>
        client.PostAsync("/api/v1/playbooks", new StringContent(yaml, System.Text.Encoding.UTF8, type));

    private static Task<HttpResponseMessage> Act(HttpClient client, Guid run, string step, string action, object? body = null) =>
        client.PostJson($"/api/v1/runs/{run}/steps/{step}/{action}", body ?? new { });

    private static StepStatus? Status(RunView run, string step) => run.Steps.SingleOrDefault(s => s.StepId == step)?.Status;

    /// <summary>An incident of kind 'other' running the playbook given (besides engine-test, started with the incident).</summary>
    private async Task<(IncidentView Incident, RunView Run)> Start(string playbookId)
    {
        using var commander = fixture.As(Role.IncidentCommander);
        var incident = await (await commander.PostJson("/api/v1/incidents", new { title = "Run changes", kind = "other", severity = "high" })).Read<IncidentView>();
        var run = await (await commander.PostJson($"/api/v1/incidents/{incident.Id}/runs", new { playbookId })).Read<RunView>();
        return (incident, run);
    }

    private async Task<AuditEventView[]> Audit(Guid incident)
    {
        using var legal = fixture.As(Role.Legal);
        return await (await legal.GetAsync($"/api/v1/incidents/{incident}/audit")).Read<AuditEventView[]>();
    }

    [Fact]
    public async Task A_published_version_starts_new_incidents_and_leaves_running_ones_on_theirs()
    {
        using var admin = fixture.As(Role.Administrator);
        var first = await Publish(admin, Playbook("run-change-publish", 1));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var v1 = await first.Read<PlaybookVersionView>();
        var (running, run) = await Start("run-change-publish");
        Assert.Equal(v1.Hash, run.DefinitionHash);

        var v2 = await (await Publish(admin, Playbook("run-change-publish", 2))).Read<PlaybookVersionView>();
        Assert.Equal((2, true), (v2.Version, v2.Current));
        // The same text again changes nothing; an older or equal version, bad YAML or another media type are refused.
        Assert.Equal(HttpStatusCode.OK, (await Publish(admin, Playbook("run-change-publish", 2))).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await Publish(admin, Playbook("run-change-publish", 1).Replace("Triage the alert", "Triage", StringComparison.Ordinal))).StatusCode);
        var invalid = await Publish(admin, Playbook("run-change-publish", 3).Replace("after: [triage]", "after: [ghost]", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, invalid.StatusCode);
        Assert.Contains("ghost", (await invalid.Problem()).GetProperty("errors").GetProperty("yaml")[0].GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await Publish(admin, Playbook("run-change-publish", 3), "application/json")).StatusCode);

        using var observer = fixture.As(Role.Observer);
        var catalogue = await (await observer.GetAsync("/api/v1/playbooks")).Read<PlaybookSummaryView[]>();
        Assert.Equal((2, v2.Hash, false), catalogue.Where(p => p.Id == "run-change-publish").Select(p => (p.Version, p.Hash, p.FromWorkflowsFolder)).Single());
        Assert.Contains(catalogue, p => p.Id == "engine-test" && p.FromWorkflowsFolder);
        var versions = await (await observer.GetAsync("/api/v1/playbooks/run-change-publish/versions")).Read<PlaybookVersionView[]>();
        Assert.Equal([(2, true, 0), (1, false, 1)], versions.Select(v => (v.Version, v.Current, v.Runs)));
        Assert.Equal(HttpStatusCode.NotFound, (await observer.GetAsync("/api/v1/playbooks/no-such-playbook/versions")).StatusCode);

        // The running incident keeps version 1, its steps and its options, until someone migrates it.
        using var commander = fixture.As(Role.IncidentCommander);
        var still = (await (await commander.GetAsync($"/api/v1/incidents/{running.Id}/runs")).Read<RunView[]>()).Single(r => r.PlaybookId == "run-change-publish");
        Assert.Equal((v1.Hash, 1), (still.DefinitionHash, still.PlaybookVersion));
        Assert.NotNull(Status(still, "review"));
        Assert.Null(Status(still, "brief-executives"));
        using var it = fixture.As(Role.It);
        var triaged = await (await Act(it, run.Id, "triage", "complete", new { note = "two signals" })).Read<RunView>();
        Assert.Contains(triaged.Steps.Single(s => s.StepId == "le-decision").Options, o => o.Id == "defer");

        var (_, fresh) = await Start("run-change-publish");
        Assert.Equal((v2.Hash, 2), (fresh.DefinitionHash, fresh.PlaybookVersion));
        Assert.Equal(StepStatus.Blocked, Status(fresh, "brief-executives"));
        var published = (await (await admin.GetAsync("/api/v1/audit?targetType=playbook&targetId=run-change-publish")).Read<AuditEventView[]>()).Where(e => e.Action == "playbook.published");
        Assert.Equal(2, published.Count());
    }

    [Fact]
    public async Task Migrating_plans_first_refuses_conflicts_unless_forced_and_is_audited()
    {
        using var admin = fixture.As(Role.Administrator);
        var v1 = await (await Publish(admin, Playbook("run-change-migrate", 1))).Read<PlaybookVersionView>();
        var (incident, run) = await Start("run-change-migrate");
        using var it = fixture.As(Role.It);
        using var legal = fixture.As(Role.Legal);
        await Act(it, run.Id, "triage", "complete");
        Assert.Equal(HttpStatusCode.OK, (await Act(legal, run.Id, "le-decision", "decide", new { option = "defer", rationale = "Counsel advises waiting" })).StatusCode);
        var v2 = await (await Publish(admin, Playbook("run-change-migrate", 2))).Read<PlaybookVersionView>();

        using var commander = fixture.As(Role.IncidentCommander);
        var dryRun = await commander.GetAsync($"/api/v1/runs/{run.Id}/migration");
        var plan = await dryRun.Read<MigrationView>();
        Assert.Equal((v1.Hash, v2.Hash), (plan.FromHash, plan.ToHash));
        Assert.Equal("le-decision", Assert.Single(plan.Conflicts).StepId);
        Assert.Equal((StepChange.Added, StepStatus.Ready), plan.Steps.Where(s => s.StepId == "brief-executives").Select(s => (s.Change, s.After)).Single());
        Assert.Equal((StepChange.Dropped, StepStatus.Ready), plan.Steps.Where(s => s.StepId == "review").Select(s => (s.Change, s.Before!.Value)).Single());
        Assert.Equal((StepChange.Kept, StepStatus.Done), plan.Steps.Where(s => s.StepId == "triage").Select(s => (s.Change, s.After!.Value)).Single());
        var etag = dryRun.Headers.ETag!.Tag.Trim('"');
        Assert.Equal(HttpStatusCode.NotFound, (await commander.GetAsync($"/api/v1/runs/{run.Id}/migration?to={new string('0', 64)}")).StatusCode);

        // A dry run changed nothing.
        var before = (await (await commander.GetAsync($"/api/v1/incidents/{incident.Id}/runs")).Read<RunView[]>()).Single(r => r.Id == run.Id);
        Assert.Equal(v1.Hash, before.DefinitionHash);
        Assert.Equal(StepStatus.Ready, Status(before, "review"));

        var url = $"/api/v1/runs/{run.Id}/migrate";
        Assert.Equal(HttpStatusCode.PreconditionRequired, (await commander.PostJson(url, new { })).StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await commander.SendJson(HttpMethod.Post, url, new { }, ifMatch: "999")).StatusCode);
        var refused = await commander.SendJson(HttpMethod.Post, url, new { to = v2.Hash }, ifMatch: etag);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("le-decision", (await refused.Problem()).GetProperty("conflicts")[0].GetProperty("stepId").GetString());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await commander.SendJson(HttpMethod.Post, url, new { force = true }, ifMatch: etag)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await legal.SendJson(HttpMethod.Post, url, new { force = true, reason = "x" }, ifMatch: etag)).StatusCode);

        var migrated = await (await commander.SendJson(HttpMethod.Post, url, new { force = true, reason = "Deferral is no longer an option" }, ifMatch: etag)).Read<MigrationView>();
        Assert.True(migrated.RunVersion > int.Parse(etag, System.Globalization.CultureInfo.InvariantCulture));
        var after = (await (await commander.GetAsync($"/api/v1/incidents/{incident.Id}/runs")).Read<RunView[]>()).Single(r => r.Id == run.Id);
        Assert.Equal((v2.Hash, 2), (after.DefinitionHash, after.PlaybookVersion));
        Assert.Equal(StepStatus.Done, Status(after, "triage"));
        Assert.Equal(StepStatus.Ready, Status(after, "brief-executives"));
        Assert.Equal(StepStatus.Ready, Status(after, "le-decision"));
        Assert.Null(after.Steps.Single(s => s.StepId == "le-decision").Outcome);
        Assert.Null(Status(after, "review"));
        // The reopened decision is taken again with an option of the new version.
        Assert.Equal(HttpStatusCode.OK, (await Act(legal, run.Id, "le-decision", "decide", new { option = "later", rationale = "Ask again tomorrow" })).StatusCode);

        var audit = Assert.Single(await Audit(incident.Id), e => e.Action == "playbook.run.migrated");
        Assert.Contains("Deferral is no longer an option", audit.Summary, StringComparison.Ordinal);
        Assert.Contains("\"review\"", audit.Summary, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, (await commander.GetAsync($"/api/v1/runs/{run.Id}/migration")).StatusCode);
    }

    [Fact]
    public async Task A_migration_without_conflicts_goes_through_and_keeps_the_decision()
    {
        using var admin = fixture.As(Role.Administrator);
        await Publish(admin, Playbook("run-change-clean", 1));
        var (_, run) = await Start("run-change-clean");
        using var it = fixture.As(Role.It);
        await Act(it, run.Id, "triage", "complete");
        await Act(fixture.As(Role.Legal), run.Id, "le-decision", "decide", new { option = "contact", rationale = "Known group" });
        await Publish(admin, Playbook("run-change-clean", 2));

        using var commander = fixture.As(Role.IncidentCommander);
        var dryRun = await commander.GetAsync($"/api/v1/runs/{run.Id}/migration");
        Assert.Empty((await dryRun.Read<MigrationView>()).Conflicts);
        var migrated = await commander.SendJson(HttpMethod.Post, $"/api/v1/runs/{run.Id}/migrate", new { }, ifMatch: dryRun.Headers.ETag!.Tag.Trim('"'));
        Assert.Equal(HttpStatusCode.OK, migrated.StatusCode);
        var view = (await (await commander.GetAsync($"/api/v1/tasks?incident={run.IncidentId}&all=true")).Read<TaskView[]>()).Where(t => t.RunId == run.Id).ToList();
        Assert.Equal("contact", view.Single(t => t.StepId == "le-decision").Outcome);
        Assert.DoesNotContain(view, t => t.StepId == "review");
    }

    [Fact]
    public async Task An_ad_hoc_task_reaches_the_inbox_and_the_deadline_board_and_completes_with_evidence()
    {
        using var commander = fixture.As(Role.IncidentCommander);
        var incident = await (await commander.PostJson("/api/v1/incidents", new { title = "Ad hoc", kind = "other", severity = "high" })).Read<IncidentView>();
        var url = $"/api/v1/incidents/{incident.Id}/tasks";
        var due = SystemClock.Instance.GetCurrentInstant() + Duration.FromDays(2);
        var legalUser = fixture.Users[Role.Legal].Id;

        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await commander.PostJson(url, new { title = "Call the insurer", description = "x", team = "marketing", dueAt = due })).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await commander.PostJson(url, new { title = "Call the insurer", description = "x", team = "legal" })).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await commander.PostJson(url, new { title = "Call the insurer", description = "x", team = "legal", dueAt = due, assigneeId = fixture.Users[Role.It].Id })).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await commander.PostJson(url, new { title = "Call the insurer", description = "x", team = "legal", dueAt = due, after = "task-9" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await commander.PostJson($"/api/v1/incidents/{Guid.NewGuid()}/tasks", new { title = "t", description = "d", team = "legal", dueAt = due })).StatusCode);

        var first = await (await commander.PostJson(url, new
        {
            title = "Call the cyber insurer", description = "Notify the insurer's breach hotline and note the claim number.", team = "legal", dueAt = due, assigneeId = legalUser,
        })).Read<TaskView>();
        Assert.Equal(("task-1", StepStatus.Ready, legalUser, "ad-hoc"), (first.StepId, first.Status, first.AssigneeId!.Value, first.PlaybookId));
        Assert.Equal(Phase.Detection, first.Phase);
        var second = await (await commander.PostJson(url, new
        {
            title = "Send the claim form", description = "Fill in the insurer's claim form with the claim number.", team = "legal", phase = "notification", dueAt = due, after = "task-1",
        })).Read<TaskView>();
        Assert.Equal(("task-2", StepStatus.Blocked, Phase.Notification), (second.StepId, second.Status, second.Phase));

        using var legal = fixture.As(Role.Legal);
        var mine = await (await legal.GetAsync($"/api/v1/tasks?mine=true&incident={incident.Id}")).Read<TaskView[]>();
        var inbox = Assert.Single(mine);
        Assert.Equal(("task-1", false), (inbox.StepId, inbox.Overdue));
        Assert.Equal(due.ToUnixTimeMilliseconds(), inbox.DueAt!.Value.ToUnixTimeMilliseconds());

        // The deadline board recomputes from the same steps: the ad-hoc task has its deadline, owned by its assignee.
        using (var scope = fixture.Server.App.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<DeadlineSync>().SyncAsync(incident.Id, CancellationToken.None);
        }

        var deadlines = await (await legal.GetAsync($"/api/v1/incidents/{incident.Id}/deadlines")).Read<DeadlineView[]>();
        var deadline = Assert.Single(deadlines, d => d.Key == $"step:{first.RunId:N}:task-1");
        Assert.Equal((legalUser, DeadlineStatus.Open, "ad-hoc: Call the cyber insurer"), (deadline.OwnerId!.Value, deadline.Status, deadline.Title));

        var complete = $"/api/v1/runs/{first.RunId}/steps/task-1/complete";
        var badLink = await legal.PostJson(complete, new { note = "Claim 42", evidence = new[] { "https://tickets.example/42", "ftp://files/claim" } });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badLink.StatusCode);
        Assert.Contains("ftp://files/claim", (await badLink.Problem()).GetProperty("detail").GetString());
        var done = await (await legal.PostJson(complete, new { note = "Claim 42", evidence = new[] { "https://tickets.example/42", "doc:claims/42.pdf" } })).Read<RunView>();
        Assert.Equal(["https://tickets.example/42", "doc:claims/42.pdf"], done.Steps.Single(s => s.StepId == "task-1").Evidence);
        Assert.Equal(StepStatus.Ready, Status(done, "task-2"));

        var byTeam = await (await legal.GetAsync($"/api/v1/incidents/{incident.Id}/steps?groupBy=team")).Read<IncidentStepsView>();
        Assert.Equal(["task-1", "task-2"], byTeam.Groups.Single(g => g.Key == "legal").Steps.Where(s => s.PlaybookId == "ad-hoc").Select(s => s.StepId));
        var byPhase = await (await legal.GetAsync($"/api/v1/incidents/{incident.Id}/steps")).Read<IncidentStepsView>();
        Assert.Equal("phase", byPhase.GroupBy);
        Assert.Equal(byPhase.Groups.Select(g => Enum.Parse<Phase>(g.Key, ignoreCase: true)).Order(), byPhase.Groups.Select(g => Enum.Parse<Phase>(g.Key, ignoreCase: true)));
        Assert.Contains(byPhase.Groups.Single(g => g.Key == "notification").Steps, s => s.StepId == "task-2");
        Assert.Equal(HttpStatusCode.BadRequest, (await legal.GetAsync($"/api/v1/incidents/{incident.Id}/steps?groupBy=colour")).StatusCode);

        var audit = await Audit(incident.Id);
        Assert.Equal(2, audit.Count(e => e.Action == "playbook.task.added"));
        Assert.Contains(audit, e => e.Action == "playbook.step.done" && e.Summary.Contains("doc:claims/42.pdf", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Assigning_a_step_puts_it_in_the_assignees_inbox_and_the_inbox_filters_by_status()
    {
        using var commander = fixture.As(Role.IncidentCommander);
        var incident = await (await commander.PostJson("/api/v1/incidents", new { title = "Assign", kind = "other", severity = "high" })).Read<IncidentView>();
        var run = Assert.Single(await (await commander.GetAsync($"/api/v1/incidents/{incident.Id}/runs")).Read<RunView[]>());
        var assign = $"/api/v1/runs/{run.Id}/steps/triage/assign";
        var itUser = fixture.Users[Role.It].Id;

        using var it = fixture.As(Role.It);
        Assert.Empty(await (await it.GetAsync($"/api/v1/tasks?mine=true&incident={incident.Id}")).Read<TaskView[]>());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await commander.PostJson(assign, new { assigneeId = fixture.Users[Role.Legal].Id })).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await commander.PostJson(assign, new { assigneeId = Guid.NewGuid() })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await commander.PostJson($"/api/v1/runs/{run.Id}/steps/ghost/assign", new { assigneeId = itUser })).StatusCode);

        var assigned = await (await commander.PostJson(assign, new { assigneeId = itUser })).Read<RunView>();
        Assert.Equal(itUser, assigned.Steps.Single(s => s.StepId == "triage").AssigneeId);
        Assert.Equal("triage", Assert.Single(await (await it.GetAsync($"/api/v1/tasks?mine=true&incident={incident.Id}")).Read<TaskView[]>()).StepId);
        // The incident commander answers for every team and may be given any task.
        Assert.Equal(HttpStatusCode.OK, (await commander.PostJson($"/api/v1/runs/{run.Id}/steps/triage/assign", new { assigneeId = fixture.Users[Role.IncidentCommander].Id })).StatusCode);
        var unassigned = await (await commander.PostJson(assign, new { assigneeId = (Guid?)null })).Read<RunView>();
        Assert.Null(unassigned.Steps.Single(s => s.StepId == "triage").AssigneeId);

        var blocked = await (await it.GetAsync($"/api/v1/tasks?incident={incident.Id}&status=blocked")).Read<TaskView[]>();
        Assert.NotEmpty(blocked);
        Assert.All(blocked, t => Assert.Equal(StepStatus.Blocked, t.Status));
        Assert.Equal(HttpStatusCode.BadRequest, (await it.GetAsync("/api/v1/tasks?status=sleeping")).StatusCode);

        await it.PostJson($"/api/v1/runs/{run.Id}/steps/triage/complete", new { });
        Assert.Equal(HttpStatusCode.Conflict, (await commander.PostJson(assign, new { assigneeId = itUser })).StatusCode);
        var audit = await Audit(incident.Id);
        Assert.Equal(3, audit.Count(e => e.Action == "playbook.step.assigned"));
    }
}
