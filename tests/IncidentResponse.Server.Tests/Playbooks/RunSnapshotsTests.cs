using System.Net;
using IncidentResponse.Core.Audit;
using IncidentResponse.Core.Identity;
using IncidentResponse.Core.Playbooks;
using IncidentResponse.Server.Audit;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.Playbooks;
using IncidentResponse.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace IncidentResponse.Server.Tests.Playbooks;

/// <summary>
/// Each node remembers the runs it has read and written (docs/playbooks.md "Remembered runs"). These tests check that a
/// remembered run is never acted on once it, or anything it read, has changed: on another node, or directly in the
/// database.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class RunSnapshotsTests(PostgresServerFixture fixture)
{
    private async Task<(IncidentView Incident, RunView Run)> Open()
    {
        using var commander = fixture.As(Role.IncidentCommander);
        var incident = await (await commander.PostJson("/api/v1/incidents", new { title = "Remembered run", kind = "other", severity = "high" })).Read<IncidentView>();
        var runs = await (await commander.GetAsync($"/api/v1/incidents/{incident.Id}/runs")).Read<RunView[]>();
        return (incident, Assert.Single(runs));
    }

    private static Task<HttpResponseMessage> Act(HttpClient client, RunView run, string step, string action, object? body = null) =>
        client.PostJson($"/api/v1/runs/{run.Id}/steps/{step}/{action}", body ?? new { });

    private static StepStatus Status(RunView run, string step) => run.Steps.Single(s => s.StepId == step).Status;

    private async Task<RunView> Current(RunView run)
    {
        using var admin = fixture.Server.Admin();
        return Assert.Single(await (await admin.GetAsync($"/api/v1/incidents/{run.IncidentId}/runs")).Read<RunView[]>());
    }

    private async Task ExecuteAsync(string sql, params object[] values)
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
        {
            command.Parameters.AddWithValue(value);
        }

        await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task Transitions_alternating_between_two_nodes_each_see_the_other_nodes_last_write()
    {
        var second = await fixture.SecondNodeAsync();
        var (incident, run) = await Open();
        using var itOnFirst = fixture.As(Role.It);
        using var itOnSecond = second.WithKey(fixture.Users[Role.It].Key);
        using var legalOnFirst = fixture.As(Role.Legal);

        // Each node remembers the run as it last read or wrote it; the other node's write makes that memory stale.
        Assert.Equal(HttpStatusCode.OK, (await Act(itOnFirst, run, "triage", "start")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Act(itOnSecond, run, "triage", "complete", new { note = "second node" })).StatusCode);

        // The first node remembers triage in progress, where the decision would be refused: it must decide on the run as it stands.
        var decided = await (await Act(legalOnFirst, run, "le-decision", "decide", new { option = "defer", rationale = "Counsel advises waiting" })).Read<RunView>();
        Assert.Equal((StepStatus.Done, StepStatus.Done, StepStatus.Skipped), (Status(decided, "triage"), Status(decided, "le-decision"), Status(decided, "le-contact")));

        // The second node remembers the run from before the decision; its write is refused by the database, and it reads again.
        var started = await (await Act(itOnSecond, run, "record-contained", "start")).Read<RunView>();
        Assert.Equal((StepStatus.Done, StepStatus.Skipped, StepStatus.InProgress),
            (Status(started, "le-decision"), Status(started, "le-contact"), Status(started, "record-contained")));

        // A step assigned on the first node shows in the second node's next answer.
        using var commanderOnFirst = fixture.As(Role.IncidentCommander);
        var assignee = fixture.Users[Role.It].Id;
        (await commanderOnFirst.PostJson($"/api/v1/runs/{run.Id}/steps/record-contained/assign", new { assigneeId = assignee })).EnsureSuccessStatusCode();
        var completed = await (await Act(itOnSecond, run, "record-contained", "complete", new { note = "contained" })).Read<RunView>();
        Assert.Equal(StepStatus.Done, Status(completed, "record-contained"));
        Assert.Equal(assignee, completed.Steps.Single(s => s.StepId == "record-contained").AssigneeId);

        using var legal = fixture.As(Role.Legal);
        var audit = await (await legal.GetAsync($"/api/v1/incidents/{incident.Id}/audit")).Read<AuditEventView[]>();
        Assert.Equal(3, audit.Count(e => e.Action == "playbook.step.done"));
        using var auditor = fixture.Server.Admin();
        Assert.True((await (await auditor.GetAsync("/api/v1/audit/verify")).Read<ChainVerification>()).Valid);
    }

    [Fact]
    public async Task Transitions_held_back_by_one_on_its_way_are_written_in_one_statement_and_one_overtaken_is_decided_again()
    {
        var runs = new List<RunView>();
        for (var i = 0; i < 5; i++)
        {
            runs.Add((await Open()).Run);
        }

        using var it = fixture.As(Role.It);
        var writes = fixture.Server.App.Services.GetRequiredService<RunSnapshots>().Writes;
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();

        // A lock on the table every transition's statement inserts into holds the first write in the database. On a
        // pipelined pool a second batch follows it on its way (here the fifth run's). The transitions that arrive then
        // wait, in the order they arrive, and go as one batch once the lock is released.
        async Task<HttpResponseMessage[]> HeldBack(Func<RunView, Task<HttpResponseMessage>> act, params RunView[] waiting)
        {
            await using var hold = await connection.BeginTransactionAsync();
            await using (var lockTable = new NpgsqlCommand("LOCK TABLE deadline_recomputes IN SHARE MODE", connection, hold))
            {
                await lockTable.ExecuteNonQueryAsync();
            }

            var onTheirWay = new List<Task<HttpResponseMessage>> { act(runs[0]) };
            await Until(async () =>
            {
                // Asked on another connection: a transaction sees the same activity all through.
                await using var other = new NpgsqlConnection(fixture.ConnectionString);
                await other.OpenAsync();
                await using var blocked = new NpgsqlCommand(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%UPDATE audit_chains%'", other);
                return (long)(await blocked.ExecuteScalarAsync())! == 1;
            });
            if (writes.MaxOnTheirWay == 2)
            {
                onTheirWay.Add(act(runs[4]));
                await Until(() => Task.FromResult(writes is { OnTheirWay: 2, Waiting: 0 }));
            }

            var answers = new List<Task<HttpResponseMessage>>();
            foreach (var run in waiting)
            {
                answers.Add(act(run));
                var count = answers.Count;
                await Until(() => Task.FromResult(writes.Waiting == count));
            }

            await hold.CommitAsync();
            Assert.All(await Task.WhenAll(onTheirWay), a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
            return await Task.WhenAll(answers);
        }

        // Three transitions of three runs: one statement, one transaction.
        var started = await HeldBack(run => Act(it, run, "triage", "start"), runs[1], runs[2], runs[3]);
        Assert.All(started, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        await using (var xmins = new NpgsqlCommand("SELECT id, xmin::text FROM playbook_runs WHERE id = ANY ($1)", connection))
        {
            xmins.Parameters.Add(new NpgsqlParameter { Value = runs.Select(r => r.Id).ToArray() });
            var written = new Dictionary<Guid, string>();
            await using var reader = await xmins.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                written[reader.GetGuid(0)] = reader.GetString(1);
            }

            Assert.Single(runs[1..4].Select(r => written[r.Id]).Distinct());
            Assert.NotEqual(written[runs[0].Id], written[runs[1].Id]);
        }

        // Two transitions of one run decided on the same snapshot, with a third run's between them: the statement fails,
        // each is written alone, and the overtaken one is decided again on the run as it stands, and refused.
        var completed = await HeldBack(run => Act(it, run, "triage", "complete"), runs[1], runs[2], runs[1]);
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Conflict], completed.Select(a => a.StatusCode));
        foreach (var run in runs[..3])
        {
            Assert.Equal(StepStatus.Done, Status(await Current(run), "triage"));
        }

        using var admin = fixture.Server.Admin();
        var audit = await (await admin.GetAsync($"/api/v1/incidents/{runs[1].IncidentId}/audit")).Read<AuditEventView[]>();
        Assert.Single(audit, e => e.Action == "playbook.step.done");
        Assert.True((await (await admin.GetAsync("/api/v1/audit/verify")).Read<ChainVerification>()).Valid);
    }

    private static async Task Until(Func<Task<bool>> holds)
    {
        for (var waited = 0; !await holds(); waited += 20)
        {
            Assert.True(waited < 10_000, "waited 10 s");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task A_change_made_directly_in_the_database_is_seen_by_the_next_transition()
    {
        var (incident, run) = await Open();
        using var it = fixture.As(Role.It);
        using var legal = fixture.As(Role.Legal);
        // The server now remembers the run, and the incident as unrestricted.
        Assert.Equal(HttpStatusCode.OK, (await Act(it, run, "triage", "complete")).StatusCode);

        // Restricted behind the server's back: neither user is a member, so neither may see the incident any more.
        await ExecuteAsync("UPDATE incidents SET restricted = true WHERE id = $1", incident.Id);

        Assert.Equal(HttpStatusCode.NotFound, (await Act(legal, run, "le-decision", "decide", new { option = "contact", rationale = "x" })).StatusCode);
        var after = await Current(run);
        Assert.Equal(StepStatus.Ready, Status(after, "le-decision"));
        using var admin = fixture.Server.Admin();
        var audit = await (await admin.GetAsync($"/api/v1/incidents/{incident.Id}/audit")).Read<AuditEventView[]>();
        Assert.DoesNotContain(audit, e => e.Summary.Contains("le-decision", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_milestone_recorded_directly_in_the_database_releases_a_wait_on_the_next_transition()
    {
        var (incident, run) = await Open();
        using var it = fixture.As(Role.It);
        using var legal = fixture.As(Role.Legal);
        Assert.Equal(HttpStatusCode.OK, (await Act(it, run, "triage", "complete")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Act(legal, run, "le-decision", "decide", new { option = "defer", rationale = "Counsel advises waiting" })).StatusCode);

        // Contained, as far as the database knows; the server was not told, and remembers the incident without it.
        await ExecuteAsync(
            "INSERT INTO milestones (incident_id, kind, at, is_estimate, note, recorded_at, recorded_by) VALUES ($1, 'Contained', now(), false, 'direct', now(), $2)",
            incident.Id, fixture.Users[Role.It].Id);

        // The milestone step completes as soon as the run moves, because the run reads the milestone again.
        var started = await (await Act(it, run, "record-contained", "start")).Read<RunView>();
        Assert.Equal(StepStatus.Done, Status(started, "record-contained"));
    }

    [Fact]
    public async Task A_milestone_step_is_written_in_one_guarded_statement_and_the_node_keeps_the_run_it_wrote()
    {
        var (incident, run) = await Open();
        using var it = fixture.As(Role.It);
        Assert.Equal(HttpStatusCode.OK, (await Act(it, run, "triage", "complete")).StatusCode);
        var contained = await (await Act(it, run, "record-contained", "complete")).Read<RunView>();
        Assert.Equal(StepStatus.Done, Status(contained, "record-contained"));

        // The milestone, the incident's new version and the audit event are written.
        using var commander = fixture.As(Role.IncidentCommander);
        var read = await (await commander.GetAsync($"/api/v1/incidents/{incident.Id}")).Read<IncidentView>();
        var milestone = Assert.Single(read.Milestones, m => m.Kind == Core.Incidents.MilestoneKind.Contained);
        Assert.Equal("recorded by playbook step record-contained", milestone.Note);
        Assert.Equal(incident.Version + 1, read.Version);
        Assert.True(read.UpdatedAt > incident.UpdatedAt);

        // The node still remembers the run, with the milestone and the stamp the database now holds: its next
        // transition needs no read.
        var remembered = fixture.Server.App.Services.GetRequiredService<RunSnapshots>().Remembered(run.Id);
        Assert.NotNull(remembered);
        Assert.True(remembered.Context.HasMilestone(Core.Incidents.MilestoneKind.Contained));
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var stamp = new NpgsqlCommand("SELECT stamp FROM incident_stamps WHERE incident_id = $1", connection) { Parameters = { new() { Value = incident.Id } } };
        Assert.Equal((long)(await stamp.ExecuteScalarAsync())!, remembered.Guard!.IncidentStamp);

        using var auditor = fixture.Server.Admin();
        Assert.True((await (await auditor.GetAsync("/api/v1/audit/verify")).Read<ChainVerification>()).Valid);
        var audit = await (await auditor.GetAsync($"/api/v1/incidents/{incident.Id}/audit")).Read<AuditEventView[]>();
        Assert.Single(audit, e => e.Action == "incident.milestone.recorded");
    }

    [Fact]
    public async Task A_transition_leaves_the_snapshot_it_started_from_as_it_was_and_shares_the_steps_it_did_not_change()
    {
        var (_, run) = await Open();
        using var it = fixture.As(Role.It);
        var snapshots = fixture.Server.App.Services.GetRequiredService<RunSnapshots>();
        Assert.Equal(HttpStatusCode.OK, (await Act(it, run, "triage", "start")).StatusCode);
        var before = snapshots.Remembered(run.Id)!;
        var statuses = before.Run.Steps.Select(s => (s.StepId, s.Status, s.CompletedAt, s.Note)).ToList();

        Assert.Equal(HttpStatusCode.OK, (await Act(it, run, "triage", "complete", new { note = "done" })).StatusCode);

        // Requests that still hold the earlier snapshot see it unchanged; the node remembers the run as written.
        Assert.Equal(statuses, before.Run.Steps.Select(s => (s.StepId, s.Status, s.CompletedAt, s.Note)).ToList());
        var after = snapshots.Remembered(run.Id)!;
        Assert.NotSame(before.Run, after.Run);
        Assert.Equal(StepStatus.Done, after.Run.Steps.Single(s => s.StepId == "triage").Status);
        Assert.Equal(before.Run.Version + 1, after.Run.Version);
        // A step the transition did not change is the same record in both; a changed one is the new run's own.
        Assert.Same(before.Run.Steps.Single(s => s.StepId == "notification-assessment"), after.Run.Steps.Single(s => s.StepId == "notification-assessment"));
        Assert.NotSame(before.Run.Steps.Single(s => s.StepId == "triage"), after.Run.Steps.Single(s => s.StepId == "triage"));
    }

    [Fact]
    public async Task Every_table_a_run_reads_moves_its_incidents_stamp()
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var triggers = new NpgsqlCommand("SELECT event_object_table FROM information_schema.triggers WHERE trigger_name = 'stamp_incident' GROUP BY 1", connection);
        var stamped = new List<string>();
        await using (var reader = await triggers.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                stamped.Add(reader.GetString(0));
            }
        }

        Assert.Equal(
            new[]
            {
                "affected_people_imports", "delay_renewals", "exercise_clocks", "incident_facts", "incident_members", "incident_obligations",
                "incidents", "law_enforcement_delays", "letters", "milestones", "organisations",
            },
            stamped.Order(StringComparer.Ordinal));

        var (incident, _) = await Open();
        async Task<long> Stamp(Guid id)
        {
            await using var read = new NpgsqlCommand("SELECT COALESCE((SELECT stamp FROM incident_stamps WHERE incident_id = $1), 0)", connection);
            read.Parameters.AddWithValue(id);
            return (long)(await read.ExecuteScalarAsync())!;
        }

        var before = await Stamp(incident.Id);
        await ExecuteAsync("UPDATE incidents SET title = title || '.' WHERE id = $1", incident.Id);
        Assert.Equal(before + 1, await Stamp(incident.Id));
        var organisation = await Stamp(Guid.Empty);
        await ExecuteAsync("UPDATE organisations SET name = name");
        Assert.Equal(organisation + 1, await Stamp(Guid.Empty));
    }
}
