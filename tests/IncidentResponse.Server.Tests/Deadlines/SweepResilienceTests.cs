using System.Net.Http.Json;
using IncidentResponse.Server.Deadlines;
using IncidentResponse.Server.Identity;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.Tests.Infrastructure;
using Npgsql;
using NodaTime;
using Xunit.Abstractions;

namespace IncidentResponse.Server.Tests.Deadlines;

/// <summary>
/// The sweep under the failures it exists for: a node killed outright (SIGKILL) again and again while
/// hundreds of rungs are due, and two nodes sweeping one database at once. What counts is what a real SMTP
/// server and a webhook receiver got.
/// </summary>
public sealed class SweepResilienceTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int FollowUps = 300;
    private readonly SmtpReceiver smtp = SmtpReceiver.Start();
    private readonly WebhookReceiver webhook = WebhookReceiver.Start();
    private ThrowawayDatabase database = null!;

    public async Task InitializeAsync() => database = await PostgresServer.CreateDatabaseAsync();

    [Fact]
    public async Task Killed_again_and_again_while_hundreds_of_rungs_are_due_the_sweep_still_delivers_each_exactly_once()
    {
        await SeedAsync();
        var random = new Random(20261129);
        var kills = 0;
        for (var life = 0; life < 10 && await OutstandingAsync() > 0; life++)
        {
            await using var node = Node();
            await node.ReadyAsync(TimeSpan.FromSeconds(60));
            await Task.Delay(random.Next(300, 2500));
            node.Kill();
            kills++;
        }

        await using (var last = Node())
        {
            await last.ReadyAsync(TimeSpan.FromSeconds(60));
            await DrainedAsync(last, TimeSpan.FromSeconds(150));
        }

        var (emailDuplicates, hookDuplicates) = await AssertEachDeliveredAsync();
        output.WriteLine($"{kills} kills; {smtp.Messages.Count} SMTP transactions for {FollowUps} reminders ({emailDuplicates} repeated), " +
            $"{webhook.Received.Count} webhook calls ({hookDuplicates} repeated)");
        // A repeat can only come from a kill between the receiver's acceptance and the commit that records it:
        // at most one message in flight per sweep worker (two per node) per kill.
        Assert.True(emailDuplicates + hookDuplicates <= kills * 2, $"{emailDuplicates + hookDuplicates} repeats from {kills} kills");
    }

    [Fact]
    public async Task Two_nodes_sweeping_one_database_never_deliver_a_rung_twice()
    {
        await SeedAsync();
        await using var first = Node();
        await first.ReadyAsync(TimeSpan.FromSeconds(60));
        await using var second = Node();
        await second.ReadyAsync(TimeSpan.FromSeconds(60));
        await DrainedAsync(first, TimeSpan.FromSeconds(150));

        var (emailDuplicates, hookDuplicates) = await AssertEachDeliveredAsync();
        output.WriteLine($"two nodes: {smtp.Messages.Count} SMTP transactions, {webhook.Received.Count} webhook calls for {FollowUps} reminders");
        Assert.Equal(0, emailDuplicates);
        Assert.Equal(0, hookDuplicates);
    }

    /// <summary>A node that sweeps every second and takes back a dead node's deliveries after ten seconds.</summary>
    private ServerProcess Node() => ServerProcess.Start(new Dictionary<string, string>
    {
        ["ConnectionStrings__Postgres"] = database.ConnectionString,
        ["IR_JOBS_SERVER"] = "true",
        ["IR_SWEEP_CRON"] = "* * * * * *",
        ["IR_SCHEDULE_POLL_SECONDS"] = "1",
        ["IR_DELIVERY_LEASE_SECONDS"] = "10",
        ["Smtp__Host"] = "127.0.0.1",
        ["Smtp__Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Smtp__Security"] = "None",
        ["Smtp__From"] = "reminders@crash.test",
    });

    /// <summary>
    /// With no job server running: a legal lead with an email address, a webhook, and follow-ups whose
    /// four-hour rung fell due a minute ago, so every one has exactly one rung waiting.
    /// </summary>
    private async Task SeedAsync()
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await using var node = ServerProcess.Start(new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = database.ConnectionString, ["IR_JOBS_SERVER"] = "false",
        });
        await node.ReadyAsync(TimeSpan.FromSeconds(60));
        using var admin = node.Admin();
        var legal = await (await admin.PostJson("/api/v1/users", new
        {
            email = "legal@crash.test", displayName = "Legal lead", roles = new[] { "legal" }, password = "correct horse battery staple",
        })).Read<UserView>();
        var incident = await (await admin.PostJson("/api/v1/incidents", new { title = "Crash drill", kind = "other", severity = "high" })).Read<IncidentView>();
        (await admin.SendJson(HttpMethod.Put, $"/api/v1/incidents/{incident.Id}/team-leads/legal", new { userId = legal.Id })).EnsureSuccessStatusCode();
        (await admin.PostJson("/api/v1/webhooks", new { name = "Receiver", url = webhook.Url, secret = webhook.Secret })).EnsureSuccessStatusCode();
        var due = Instant.FromUnixTimeSeconds(SystemClock.Instance.GetCurrentInstant().ToUnixTimeSeconds()) + Duration.FromHours(4) - Duration.FromMinutes(1);
        var first = await (await admin.PostJson($"/api/v1/incidents/{incident.Id}/deadlines", new { title = "Follow-up 000", dueAt = due })).Read<DeadlineView>();
        Assert.Equal(due - Duration.FromHours(4), first.NextReminderAt);

        // The other follow-ups are copies of the first, row for row, with their own ids and keys.
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var copy = new NpgsqlCommand("""
            WITH copies AS (
                INSERT INTO deadlines (id, incident_id, key, source, title, citation, due_at, team, owner_id, status, closed_at, ladder_override, ladder, created_at, updated_at, version)
                SELECT gen_random_uuid(), incident_id, key || '-' || n, source, 'Follow-up ' || lpad(n::text, 3, '0'), citation, due_at, team, owner_id, status, closed_at, ladder_override, ladder, created_at, updated_at, version
                FROM deadlines, generate_series(1, @count) AS n WHERE id = @first
                RETURNING id)
            INSERT INTO deadline_rungs (id, deadline_id, key, at, fire_at, "to", state, dispatched_at)
            SELECT gen_random_uuid(), copies.id, r.key, r.at, r.fire_at, r."to", r.state, r.dispatched_at
            FROM copies, deadline_rungs r WHERE r.deadline_id = @first
            """, connection);
        copy.Parameters.AddWithValue("count", FollowUps - 1);
        copy.Parameters.AddWithValue("first", first.Id);
        await copy.ExecuteNonQueryAsync();
        output.WriteLine($"seeded {FollowUps} follow-ups in {watch.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>Rungs not yet dispatched plus deliveries not yet sent.</summary>
    private async Task<long> OutstandingAsync()
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT (SELECT count(*) FROM deadline_rungs WHERE state = 'Pending' AND fire_at <= now()) + (SELECT count(*) FROM deliveries WHERE state = 'Pending')", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task DrainedAsync(ServerProcess node, TimeSpan timeout)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            await WaitDrainedAsync(node, timeout);
        }
        finally
        {
            output.WriteLine($"drained in {watch.Elapsed.TotalSeconds:F1} s");
        }
    }

    private async Task WaitDrainedAsync(ServerProcess node, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (await OutstandingAsync() > 0)
        {
            Assert.True(DateTime.UtcNow < until, $"{await OutstandingAsync()} rungs or deliveries still outstanding. Server said: {node.Output}");
            await Task.Delay(250);
        }
    }

    /// <summary>Every rung's email and webhook arrived, and nothing arrived that was not a rung's; returns the repeats.</summary>
    private async Task<(int Email, int Hook)> AssertEachDeliveredAsync()
    {
        // Every delivery the database holds (the follow-ups' and any of the incident's playbook steps falling due).
        var expected = new Dictionary<string, HashSet<Guid>> { ["Email"] = [], ["Webhook"] = [] };
        var followUps = new Dictionary<string, int> { ["Email"] = 0, ["Webhook"] = 0 };
        await using (var connection = new NpgsqlConnection(database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "SELECT d.id, d.channel, d.state, l.source FROM deliveries d JOIN deadlines l ON l.id = d.deadline_id WHERE d.channel <> 'InApp'", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                Assert.Equal("Sent", reader.GetString(2));
                expected[reader.GetString(1)].Add(reader.GetGuid(0));
                followUps[reader.GetString(1)] += reader.GetString(3) == "FollowUp" ? 1 : 0;
            }
        }

        Assert.Equal(FollowUps, followUps["Email"]);
        Assert.Equal(FollowUps, followUps["Webhook"]);
        var mails = smtp.Messages.Select(m => Guid.Parse(m.Headers["X-IR-Delivery"] ?? "")).ToList();
        var hooks = webhook.Received.Select(h => Guid.Parse(h.Delivery)).ToList();
        Assert.True(expected["Email"].SetEquals(mails), $"{mails.Distinct().Count()} distinct emails for {FollowUps} rungs");
        Assert.True(expected["Webhook"].SetEquals(hooks), $"{hooks.Distinct().Count()} distinct webhook calls for {FollowUps} rungs");
        Assert.All(webhook.Received, h => Assert.True(h.SignatureValid));
        return (mails.Count - expected["Email"].Count, hooks.Count - expected["Webhook"].Count);
    }

    public async Task DisposeAsync()
    {
        await smtp.DisposeAsync();
        await webhook.DisposeAsync();
        await database.DisposeAsync();
    }
}
