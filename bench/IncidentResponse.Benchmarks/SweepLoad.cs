using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using IncidentResponse.Core;
using IncidentResponse.Server;
using IncidentResponse.Server.Deadlines;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Npgsql;

namespace IncidentResponse.Benchmarks;

/// <summary>
/// One sweep's cost with many future rungs stored and some due, against the plain indexed query that reads
/// just the due rows, in the same run on the same server. Usage:
/// --sweep "Host=127.0.0.1;Username=postgres;Password=..." [stored, default 1000000] [due, default 1000] [rounds, default 15]
/// </summary>
public static class SweepLoad
{
    public static async Task<int> RunAsync(string server, int stored, int due, int rounds)
    {
        await using var bench = await BenchServer.StartAsync(server);
        var (app, connection) = (bench.App, bench.Connection);
        var now = SystemClock.Instance.GetCurrentInstant();
        await SeedAsync(bench.Http, connection, stored, due, now);
        var plain = new List<double>();
        var lockOnly = new List<double>();
        var claim = new List<double>();
        var setBased = new List<double>();
        var sweep = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            plain.Add(await TimeAsync(() => PlainQueryAsync(connection, due, now)));
            lockOnly.Add(await TimeAsync(() => RolledBackAsync(connection, LockOnly, due, now)));
            claim.Add(await TimeAsync(() => RolledBackAsync(connection, ClaimAndMark, due, now)));
            setBased.Add(await TimeAsync(() => RolledBackAsync(connection, SetBasedDispatch, due, now)));
            sweep.Add(await TimeAsync(async () =>
            {
                using var scope = app.Services.CreateScope();
                var (dispatched, _, _) = await scope.ServiceProvider.GetRequiredService<DeadlineSweep>().DispatchAsync(now, due, CancellationToken.None);
                if (dispatched != due)
                {
                    throw new InvalidOperationException($"The sweep dispatched {dispatched} rungs, not {due}.");
                }
            }));
            await ResetAsync(connection);
        }

        var (p, l, c, b, s) = (Median(plain), Median(lockOnly), Median(claim), Median(setBased), Median(sweep));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{stored:N0} future rungs stored, {due:N0} due, median of {rounds}: plain indexed query {p:F1} ms, " +
            $"lock only (FOR UPDATE SKIP LOCKED) {l:F1} ms ({l / p:F2}x), claim (lock + mark, the sweep's statement) {c:F1} ms ({c / p:F2}x), " +
            $"set-based floor (claim + in-app delivery rows, one statement) {b:F1} ms ({b / p:F2}x), " +
            $"full sweep batch (claim, deliveries, commit) {s:F1} ms ({s / p:F2}x)"));
        return 0;
    }

    /// <summary>
    /// One incident with a legal lead; stored/5 follow-ups with five future rungs each, and `due` follow-ups with
    /// one rung a minute past. Written with generate_series: the seeding is not what is measured.
    /// </summary>
    private static async Task SeedAsync(HttpClient http, string connection, int stored, int due, Instant now)
    {
        var json = BenchServer.Json;
        var me = await http.GetFromJsonAsync<JsonElement>("/api/v1/auth/me", json);
        var created = await http.PostAsJsonAsync("/api/v1/incidents", new { title = "Sweep benchmark", kind = "other", severity = "low" }, json);
        var incident = (await created.Content.ReadFromJsonAsync<JsonElement>(json)).GetProperty("id").GetGuid();
        (await http.PutAsJsonAsync($"/api/v1/incidents/{incident}/team-leads/legal", new { userId = me.GetProperty("id").GetGuid() }, json)).EnsureSuccessStatusCode();

        await using var c = new NpgsqlConnection(connection);
        await c.OpenAsync();
        await using var seed = new NpgsqlCommand("""
            INSERT INTO deadlines (id, incident_id, key, source, title, due_at, team, status, ladder, created_at, updated_at, version)
            SELECT gen_random_uuid(), @incident, 'bench:' || n, 'FollowUp', 'Follow-up ' || n,
                   CASE WHEN n <= @due THEN @now + interval '239 minutes' ELSE @now + (n % 1000 + 30) * interval '1 day' END,
                   'Legal', 'Open', '{}', @now, @now, 1
            FROM generate_series(1, @due + @stored / 5) AS n;
            INSERT INTO deadline_rungs (id, deadline_id, key, at, fire_at, "to", state)
            SELECT gen_random_uuid(), d.id, 'before-240m', d.due_at - interval '240 minutes', d.due_at - interval '240 minutes', 'Owner', 'Pending'
            FROM deadlines d WHERE d.key LIKE 'bench:%' AND d.due_at < @now + interval '1 day';
            INSERT INTO deadline_rungs (id, deadline_id, key, at, fire_at, "to", state)
            SELECT gen_random_uuid(), d.id, k.key, d.due_at - k.before, d.due_at - k.before, 'Owner', 'Pending'
            FROM deadlines d, (VALUES ('before-10080m', interval '7 days'), ('before-4320m', interval '3 days'), ('before-1440m', interval '1 day'),
                                      ('before-240m', interval '4 hours'), ('due', interval '0')) AS k(key, before)
            WHERE d.key LIKE 'bench:%' AND d.due_at > @now + interval '1 day';
            """, c) { CommandTimeout = 0 };
        seed.Parameters.AddWithValue("incident", incident);
        seed.Parameters.AddWithValue("due", due);
        seed.Parameters.AddWithValue("stored", stored);
        seed.Parameters.AddWithValue("now", now.ToDateTimeUtc());
        await seed.ExecuteNonQueryAsync();
        await TransitionLoad.Execute(connection, "VACUUM ANALYZE deadline_rungs");
    }

    /// <summary>The baseline: the indexed query that reads exactly the due rows.</summary>
    private static async Task PlainQueryAsync(string connection, int due, Instant now)
    {
        await using var c = new NpgsqlConnection(connection);
        await c.OpenAsync();
        await using var query = new NpgsqlCommand("SELECT * FROM deadline_rungs WHERE state = 'Pending' AND fire_at <= @now ORDER BY fire_at LIMIT @due", c);
        query.Parameters.AddWithValue("now", now.ToDateTimeUtc());
        query.Parameters.AddWithValue("due", due);
        await using var reader = await query.ExecuteReaderAsync();
        var rows = 0;
        while (await reader.ReadAsync())
        {
            rows++;
        }

        if (rows != due)
        {
            throw new InvalidOperationException($"The plain query read {rows} rows, not {due}.");
        }
    }

    /// <summary>Locks the due rows, skipping locked ones, and reads them; nothing is marked.</summary>
    private const string LockOnly = "SELECT * FROM deadline_rungs WHERE state = 'Pending' AND fire_at <= @now ORDER BY fire_at LIMIT @due FOR UPDATE SKIP LOCKED";

    /// <summary>The sweep's claim statement (DeadlineSweep.ClaimRungsAsync): lock, mark dispatched, return the rows.</summary>
    private const string ClaimAndMark = """
        UPDATE deadline_rungs r SET state = 'Dispatched', dispatched_at = @now
        FROM (SELECT ctid FROM deadline_rungs WHERE state = 'Pending' AND fire_at <= @now ORDER BY fire_at LIMIT @due FOR UPDATE SKIP LOCKED) c
        WHERE r.ctid = c.ctid
        RETURNING r.*
        """;

    /// <summary>
    /// What a dispatch done wholly in SQL would at least cost: the claim and one in-app delivery row per rung (recipient the
    /// owner, else the team lead; no message text), ids time-ordered like the product's UUIDv7, inserted against the unique
    /// key. Not the product; a floor to compare with.
    /// </summary>
    private const string SetBasedDispatch = """
        WITH claimed AS (
            UPDATE deadline_rungs r SET state = 'Dispatched', dispatched_at = @now
            FROM (SELECT ctid FROM deadline_rungs WHERE state = 'Pending' AND fire_at <= @now ORDER BY fire_at LIMIT @due FOR UPDATE SKIP LOCKED) c
            WHERE r.ctid = c.ctid
            RETURNING r.deadline_id, r.key)
        INSERT INTO deliveries (id, deadline_id, incident_id, rung_key, recipient, channel, state, subject, body, attempts, created_at, next_attempt_at, sent_at)
        SELECT (lpad(to_hex((extract(epoch FROM @now) * 1000)::bigint), 12, '0') || '7' || lpad(to_hex(row_number() OVER ()), 19, '0'))::uuid,
               c.deadline_id, d.incident_id, c.key, COALESCE(d.owner_id, l.user_id), 'InApp', 'Sent', '', '', 0, @now, @now, @now
        FROM claimed c JOIN deadlines d ON d.id = c.deadline_id JOIN team_leads l ON l.incident_id = d.incident_id AND l.role = 'Legal'
        RETURNING id
        """;

    /// <summary>One of the statements above in its own transaction, every row it returns read, then rolled back (no commit is timed).</summary>
    private static async Task RolledBackAsync(string connection, string sql, int due, Instant now)
    {
        await using var c = new NpgsqlConnection(connection);
        await c.OpenAsync();
        await using var transaction = await c.BeginTransactionAsync();
        await using var command = new NpgsqlCommand(sql, c, transaction);
        command.Parameters.AddWithValue("now", now.ToDateTimeUtc());
        command.Parameters.AddWithValue("due", due);
        var rows = 0;
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                rows++;
            }
        }

        if (rows != due)
        {
            throw new InvalidOperationException($"The statement returned {rows} rows, not {due}.");
        }

        await transaction.RollbackAsync();
    }

    /// <summary>Puts the due rungs back and removes the deliveries, outside the timing.</summary>
    private static async Task ResetAsync(string connection)
    {
        await TransitionLoad.Execute(connection, "DELETE FROM deliveries; UPDATE deadline_rungs SET state = 'Pending', dispatched_at = NULL WHERE state = 'Dispatched'");
        await TransitionLoad.Execute(connection, "VACUUM ANALYZE deadline_rungs");
        await TransitionLoad.Execute(connection, "VACUUM ANALYZE deliveries");
    }

    private static async Task<double> TimeAsync(Func<Task> work)
    {
        var watch = Stopwatch.StartNew();
        await work();
        return watch.Elapsed.TotalMilliseconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
