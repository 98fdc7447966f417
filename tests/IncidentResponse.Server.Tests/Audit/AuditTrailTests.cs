using System.Net;
using System.Text.Json;
using IncidentResponse.Core.Identity;
using IncidentResponse.Server.Audit;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.Tests.Infrastructure;
using Npgsql;

namespace IncidentResponse.Server.Tests.Audit;

[Collection(PostgresCollection.Name)]
public sealed class AuditTrailTests(PostgresServerFixture fixture)
{
    [Fact]
    public async Task PostgreSQL_refuses_to_update_or_delete_an_audit_event()
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var update = new NpgsqlCommand("UPDATE audit_events SET actor = 'mallory' WHERE sequence = 1", connection);
        var updateError = await Assert.ThrowsAsync<PostgresException>(() => update.ExecuteNonQueryAsync());
        Assert.Contains("append-only", updateError.MessageText);
        await using var delete = new NpgsqlCommand("DELETE FROM audit_events WHERE sequence = 1", connection);
        await Assert.ThrowsAsync<PostgresException>(() => delete.ExecuteNonQueryAsync());
        await using var truncate = new NpgsqlCommand("TRUNCATE audit_events", connection);
        await Assert.ThrowsAsync<PostgresException>(() => truncate.ExecuteNonQueryAsync());
    }

    [Fact]
    public async Task Verify_finds_the_first_tampered_event()
    {
        using var legal = fixture.As(Role.Legal);
        var intact = JsonDocument.Parse(await legal.GetStringAsync("/api/v1/audit/verify")).RootElement;
        Assert.True(intact.GetProperty("valid").GetBoolean());

        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        long sequence;
        await using (var find = new NpgsqlCommand("SELECT min(sequence) FROM audit_events WHERE summary LIKE '%Shared target%'", connection))
        {
            sequence = (long)(await find.ExecuteScalarAsync())!;
        }

        // Someone with the database owner's rights switches the guard off and rewrites history.
        await using (var tamper = new NpgsqlCommand(
            "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_or_delete; " +
            "UPDATE audit_events SET summary = replace(summary, 'Shared target', 'Nothing to see') WHERE sequence = " + sequence + "; " +
            "ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_or_delete;", connection))
        {
            await tamper.ExecuteNonQueryAsync();
        }

        try
        {
            var broken = JsonDocument.Parse(await legal.GetStringAsync("/api/v1/audit/verify")).RootElement;
            Assert.False(broken.GetProperty("valid").GetBoolean());
            Assert.Equal(sequence, broken.GetProperty("firstBrokenSequence").GetInt64());
            Assert.Contains("altered", broken.GetProperty("problem").GetString());
        }
        finally
        {
            await using var restore = new NpgsqlCommand(
                "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_or_delete; " +
                "UPDATE audit_events SET summary = replace(summary, 'Nothing to see', 'Shared target') WHERE sequence = " + sequence + "; " +
                "ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_or_delete;", connection);
            await restore.ExecuteNonQueryAsync();
        }

        Assert.True(JsonDocument.Parse(await legal.GetStringAsync("/api/v1/audit/verify")).RootElement.GetProperty("valid").GetBoolean());
    }

    [Fact]
    public async Task Concurrent_writers_on_several_incidents_keep_every_chain_unbroken()
    {
        using var commander = fixture.As(Role.IncidentCommander);
        var other = await (await commander.PostJson("/api/v1/incidents", new { title = "Parallel chains", kind = "other", severity = "low" })).Read<IncidentView>();
        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            commander.PostJson($"/api/v1/incidents/{(i % 2 == 0 ? fixture.SharedIncidentId : other!.Id)}/timeline", new { text = $"parallel note {i}" })));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        using var legal = fixture.As(Role.Legal);
        var result = JsonDocument.Parse(await legal.GetStringAsync("/api/v1/audit/verify")).RootElement;
        Assert.True(result.GetProperty("valid").GetBoolean(), result.ToString());

        // Each incident's events count 1, 2, 3 ... in their own chain, in the order they were written.
        var events = await (await legal.GetAsync($"/api/v1/incidents/{other!.Id}/audit")).Read<AuditEventView[]>();
        Assert.Equal(Enumerable.Range(1, events!.Length).Select(i => (long)i), events.Select(e => e.Position));
        Assert.All(events, e => Assert.Equal(other.Id.ToString(), e.Chain));
    }

    [Fact]
    public async Task Verify_finds_the_newest_events_of_a_chain_removed()
    {
        using var commander = fixture.As(Role.IncidentCommander);
        var incident = await (await commander.PostJson("/api/v1/incidents", new { title = "Truncated chain", kind = "other", severity = "low" })).Read<IncidentView>();
        await commander.PostJson($"/api/v1/incidents/{incident!.Id}/timeline", new { text = "the last word" });
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        var chain = incident.Id.ToString();
        await using (var tamper = new NpgsqlCommand(
            "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_or_delete; " +
            $"CREATE TABLE removed_events AS SELECT * FROM audit_events WHERE chain = '{chain}' AND position = (SELECT max(position) FROM audit_events WHERE chain = '{chain}'); " +
            $"DELETE FROM audit_events WHERE sequence IN (SELECT sequence FROM removed_events); " +
            "ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_or_delete;", connection))
        {
            await tamper.ExecuteNonQueryAsync();
        }

        try
        {
            using var legal = fixture.As(Role.Legal);
            var broken = JsonDocument.Parse(await legal.GetStringAsync("/api/v1/audit/verify")).RootElement;
            Assert.False(broken.GetProperty("valid").GetBoolean());
            Assert.Contains(chain, broken.GetProperty("problem").GetString());
            Assert.Contains("head records", broken.GetProperty("problem").GetString());
        }
        finally
        {
            await using var restore = new NpgsqlCommand(
                "INSERT INTO audit_events SELECT * FROM removed_events; DROP TABLE removed_events;", connection);
            await restore.ExecuteNonQueryAsync();
        }
    }
}
