using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using IncidentResponse.Core;
using IncidentResponse.Core.Playbooks;
using IncidentResponse.Server;
using IncidentResponse.Server.Playbooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace IncidentResponse.Benchmarks;

/// <summary>
/// Task transitions per second end to end (HTTP request to committed transaction) against PostgreSQL, on a warmed-up
/// server, next to pgbench's TPS for a one-row UPDATE on the same server in the same run; then pgbench on the
/// transition's own statements with no application, the ratio the database alone would allow.
/// The clients ask for the minimal answer (Prefer: return=minimal) and merge the steps it returns into the run they
/// hold, as an inbox that keeps the run on screen does; with "full" they read the whole run view after every action.
/// The node remembers every run the load opens (Playbooks:RememberedRuns), as a node remembers its organisation's active
/// incidents: the load opens thousands only to have steps enough for its seconds, and with the default 1,000 each
/// incident's first transition would read its run again. "remember-default" keeps the default, to measure that.
/// Usage: --transitions "Host=127.0.0.1;Username=postgres;Password=..." [clients] [seconds] [full] [quick] [remember-default] [runs=N];
/// with "quick" only pgbench's one-row UPDATE before and after and the transitions (the ratio, for runs that compare commits);
/// with "runs=N" the measurement N times and the ratios' median.
/// </summary>
public static class TransitionLoad
{
    private const string Key = "irk_benchmark_administrator_key_000000";
    private const int SettledCompiles = 50;
    private static readonly TimeSpan MaxWarmUp = TimeSpan.FromMinutes(4);

    /// <summary>
    /// The measurement <paramref name="runs"/> times, one after the other, each in its own database with its own
    /// pgbench baseline; then the ratios' least, median and greatest. One run says little on a shared machine: the same
    /// build's ratio moves by a tenth between runs minutes apart.
    /// </summary>
    public static async Task<int> RunAsync(string server, int clients, int seconds, bool minimal, bool quick, bool rememberAll, int runs)
    {
        var ratios = new List<double>();
        for (var run = 1; run <= runs; run++)
        {
            if (runs > 1)
            {
                Console.WriteLine($"run {run} of {runs}");
            }

            ratios.Add(await RunOnceAsync(server, clients, seconds, minimal, quick, rememberAll));
        }

        if (runs > 1)
        {
            ratios.Sort();
            var median = runs % 2 == 1 ? ratios[runs / 2] : (ratios[runs / 2 - 1] + ratios[runs / 2]) / 2;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ratio over {runs} runs: least {ratios[0]:F3}, median {median:F3}, greatest {ratios[^1]:F3}; at least 0.3 in {ratios.Count(r => r >= 0.3)}"));
        }

        return 0;
    }

    /// <summary>One measurement; its ratio.</summary>
    private static async Task<double> RunOnceAsync(string server, int clients, int seconds, bool minimal, bool quick, bool rememberAll)
    {
        var database = "bench_" + Guid.NewGuid().ToString("N")[..12];
        await Execute(server, $"CREATE DATABASE {database}");
        var connection = new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString;
        try
        {
            await Execute(connection, "CREATE TABLE bench_rows (id int PRIMARY KEY, v bigint NOT NULL); INSERT INTO bench_rows SELECT g, 0 FROM generate_series(1, 10000) g;");
            var pgbench = await PgBench(connection, clients, seconds, OneRowUpdate, []);
            var (transitions, cpu, opened, floors) = await Transitions(connection, clients, seconds, minimal, quick, rememberAll);
            var (statements, least, leastEndToEnd) = quick ? (0.0, 0.0, 0.0) : await DatabaseFloorsAsync(connection, clients, seconds);
            var again = await PgBench(connection, clients, seconds, OneRowUpdate, []);
            // Every ratio is against the mean of pgbench before and after: a machine busier at one end shows as a spread.
            var baseline = (pgbench + again) / 2;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"clients {clients}, {seconds} s each: pgbench one-row UPDATE {pgbench:F1} tps before, {again:F1} after, baseline {baseline:F1}\n" +
                $"  task transitions ({(minimal ? "minimal answer" : "whole run view")}) {transitions:F1}/s, ratio {transitions / baseline:F3}; " +
                $"CPU of this process (server and HTTP clients) {cpu:F2} ms per transition; incidents opened inside the timed window {opened}; " +
                $"{(rememberAll ? "the node remembers every run" : "the node remembers its default 1,000 runs")}"));
            if (!quick)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  the transition's statements alone (pgbench, no application): {statements:F1} tps, ratio {statements / baseline:F3}\n" +
                    $"  floors: an HTTP request that does nothing (/health/live) {floors.Http:F1}/s, ratio {floors.Http / baseline:F3}; " +
                    $"the same with the API key checked {floors.Authenticated:F1}/s, ratio {floors.Authenticated / baseline:F3}\n" +
                    $"  the least transaction a transition can be (pgbench, one round trip, no application): {least:F1} tps, ratio {least / baseline:F3}\n" +
                    $"  the same, end to end over HTTP with nothing between Kestrel and Npgsql: {leastEndToEnd:F1}/s, ratio {leastEndToEnd / baseline:F3}"));
            }

            return transitions / baseline;
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await Execute(server, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
        }
    }

    /// <summary>
    /// The transition's own statements, as the server sent them, from pgbench with no application at all (the ratio the
    /// database alone would allow); the least transaction a transition can be, from pgbench and end to end over HTTP.
    /// </summary>
    private static async Task<(double Statements, double Least, double LeastEndToEnd)> DatabaseFloorsAsync(string connection, int clients, int seconds)
    {
        // Runs and steps are the ones the load left behind.
        await Execute(connection, """
            CREATE TABLE bench_steps AS SELECT row_number() OVER () AS n, s.run_id, p.incident_id, s.step_id
                FROM run_steps s JOIN playbook_runs p ON p.id = s.run_id;
            ALTER TABLE bench_steps ADD PRIMARY KEY (n);
            ANALYZE bench_steps;
            """);
        var steps = await Scalar(connection, "SELECT count(*) FROM bench_steps");
        // Planned once per session, as the server's guarded writes are.
        var statements = await PgBench(connection, clients, seconds, TransitionStatements(), ["-M", "prepared", "-r", "--max-tries=20", "-D", $"steps={steps}"],
            "-c plan_cache_mode=force_generic_plan");
        var least = await PgBench(connection, clients, seconds, LeastTransaction, ["-M", "simple", "-D", $"steps={steps}"]);
        var leastEndToEnd = await LeastEndToEndAsync(connection, clients, seconds, steps);
        return (statements, least, leastEndToEnd);
    }

    /// <summary>Transitions per second, and the CPU this process spent per transition (a figure that holds on a busy machine).</summary>
    private static async Task<(double PerSecond, double CpuMilliseconds, long Opened, (double Http, double Authenticated) Floors)> Transitions(string connection, int clients, int seconds, bool minimal, bool quick, bool rememberAll)
    {
        var app = ServerApp.Build([
            "--urls=http://127.0.0.1:0", $"--ConnectionStrings:Postgres={connection}", $"--IR_ADMIN_API_KEY={Key}",
            "--IR_JOBS_SERVER=false", "--Logging:LogLevel:Default=Error", .. (rememberAll ? ["--Playbooks:RememberedRuns=1000000"] : Array.Empty<string>()),
        ]);
        await app.StartAsync();
        try
        {
            var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            using var http = new HttpClient { BaseAddress = address };
            http.DefaultRequestHeaders.Add("X-Api-Key", Key);
            var json = WireJson.Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));
            // The acting user holds every approver role the library names.
            var admin = await http.GetFromJsonAsync<JsonElement>("/api/v1/auth/me", json);
            var grant = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/users/{admin.GetProperty("id").GetString()}")
            {
                Content = JsonContent.Create(new { roles = new[] { "administrator", "incidentCommander", "legal", "it", "risk", "communications", "customerService" } }, options: json),
            };
            grant.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue($"\"{admin.GetProperty("version").GetInt32()}\""));
            (await http.SendAsync(grant)).EnsureSuccessStatusCode();

            var counted = 0L;
            var created = 0L;
            var stop = Stopwatch.StartNew();
            var deadline = TimeSpan.FromSeconds(seconds);
            // Incidents opened before the clock starts: opening one (the law assessment, deadlines, the playbook) is
            // not a transition. One the pool lacks is opened inside the timed window and counted.
            var ready = new System.Collections.Concurrent.ConcurrentQueue<ClientRun>();
            async Task<ClientRun> OpenAsync()
            {
                var response = await http.PostAsJsonAsync("/api/v1/incidents", new { title = "Load", kind = "ransomware", severity = "low" }, json);
                var incident = await response.Content.ReadFromJsonAsync<JsonElement>(json);
                return (await http.GetFromJsonAsync<ClientRun[]>($"/api/v1/incidents/{incident.GetProperty("id").GetString()}/runs", json))![0];
            }

            async Task Worker()
            {
                ClientRun? run = null;
                while (stop.Elapsed < deadline)
                {
                    if (run is null || Next(run) is not { } step)
                    {
                        if (!ready.TryDequeue(out run))
                        {
                            Interlocked.Increment(ref created);
                            run = await OpenAsync();
                        }

                        continue;
                    }

                    var (action, body) = step.Kind switch
                    {
                        StepKind.Decision => ("decide", (object)new { option = step.Options[0].Id, rationale = "load" }),
                        StepKind.Approval => ("approve", new { }),
                        _ => ("complete", new { note = "load" }),
                    };
                    // The body with its length, as a browser sends it (not chunked).
                    using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/runs/{run.Id}/steps/{step.StepId}/{action}")
                    {
                        Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, json)) { Headers = { ContentType = new("application/json") } },
                    };
                    if (minimal)
                    {
                        request.Headers.Add("Prefer", "return=minimal");
                    }

                    using var response = await http.SendAsync(request);
                    if (response.IsSuccessStatusCode)
                    {
                        run = minimal ? Merge(run, (await response.Content.ReadFromJsonAsync<ClientChange>(json))!) : await response.Content.ReadFromJsonAsync<ClientRun>(json);
                        Interlocked.Increment(ref counted);
                    }
                    else
                    {
                        run = null;
                    }
                }
            }

            // A warm-up of the same load first, in slices of five seconds, until the runtime has compiled the request
            // paths' optimised code: a long-running server's steady state, not its first minutes. On two cores the
            // backlog of methods waiting for their optimised compile takes a minute or two to drain under this load.
            deadline = TimeSpan.FromSeconds(5);
            var warming = Stopwatch.StartNew();
            long compiled;
            do
            {
                compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
                created = 0;
                stop.Restart();
                await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Worker()));
            }
            while (System.Runtime.JitInfo.GetCompiledMethodCount() - compiled > SettledCompiles && warming.Elapsed < MaxWarmUp);

            // Three times what the last, warmest slice used, scaled to the timed run.
            var needed = (int)Math.Ceiling(created * (seconds / deadline.TotalSeconds) * 3) + clients;
            for (var i = 0; i < needed; i++)
            {
                ready.Enqueue(await OpenAsync());
            }

            (counted, created) = (0, 0);
            deadline = TimeSpan.FromSeconds(seconds);
            var process = Process.GetCurrentProcess();
            var cpuBefore = process.TotalProcessorTime;
            var compiledBefore = System.Runtime.JitInfo.GetCompiledMethodCount();
            var allocatedBefore = GC.GetTotalAllocatedBytes();
            var collectionsBefore = Enumerable.Range(0, 3).Select(GC.CollectionCount).ToArray();
            var pauseBefore = GC.GetTotalPauseDuration();
            var machineBefore = MachineTicks();
            Console.WriteLine($"timed run of {seconds} s starts, {needed} incidents opened beforehand");
            var doneBefore = await Scalar(connection, StepsDone);
            using var writes = new MeterTotals("IncidentResponse.GuardedWrites");
            stop.Restart();
            await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Worker()));
            process.Refresh();
            var machineAfter = MachineTicks();
            // Every counted action completed one step, and its audit event says so: a check that the count is of real transitions.
            var doneInDatabase = await Scalar(connection, StepsDone) - doneBefore;
            if (doneInDatabase != counted)
            {
                throw new InvalidOperationException($"{counted} transitions counted, but the database shows {doneInDatabase} steps done");
            }

            var perSecond = counted / stop.Elapsed.TotalSeconds;
            var cpuPerTransition = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds / counted;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"warm-up {warming.Elapsed.TotalSeconds:F0} s; methods compiled during the timed run {System.Runtime.JitInfo.GetCompiledMethodCount() - compiledBefore}; " +
                $"allocated {(GC.GetTotalAllocatedBytes() - allocatedBefore) / 1024.0 / counted:F1} KB per transition (server and clients); " +
                $"collections gen0/1/2 {string.Join('/', Enumerable.Range(0, 3).Select(g => GC.CollectionCount(g) - collectionsBefore[g]))}, " +
                $"paused {(GC.GetTotalPauseDuration() - pauseBefore).TotalMilliseconds:F0} ms; ") + MachineShares(machineBefore, machineAfter));
            // Where a client's wait goes: its transition's write waits for the batch on its way, then goes with the next.
            var (batches, size) = writes["ir.guarded_writes.batch.size"];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"a client's cycle {clients * 1000 / perSecond:F2} ms; guarded writes: {batches} batches of {size:F2} writes on average, " +
                $"{writes["ir.guarded_writes.batch.duration"].Mean:F3} ms each in the database (connection to commit), " +
                $"a write waited {writes["ir.guarded_writes.queued"].Mean:F3} ms for its batch to go"));

            // Floors every transition stands on, same server, clients and seconds: an HTTP request that does nothing, and
            // the same request with the API key, which the server checks as it does for every request that carries one.
            async Task<double> Rate(HttpClient client, string path)
            {
                var done = 0L;
                var clock = Stopwatch.StartNew();
                await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
                {
                    while (clock.Elapsed < deadline)
                    {
                        using var response = await client.GetAsync(path);
                        response.EnsureSuccessStatusCode();
                        await response.Content.ReadAsByteArrayAsync();
                        Interlocked.Increment(ref done);
                    }
                }));
                return done / clock.Elapsed.TotalSeconds;
            }

            if (quick)
            {
                return (perSecond, cpuPerTransition, created, (0, 0));
            }

            await Rate(http, "/health/live");
            using var anonymous = new HttpClient { BaseAddress = address };
            return (perSecond, cpuPerTransition, created, (await Rate(anonymous, "/health/live"), await Rate(http, "/health/live")));
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    /// <summary>The machine's CPU time so far by kind (/proc/stat: user, nice, system, idle, iowait, irq, softirq, steal), or null off Linux.</summary>
    private static long[]? MachineTicks() =>
        File.Exists("/proc/stat")
            ? File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8).Select(long.Parse).ToArray()
            : null;

    /// <summary>
    /// How busy the machine was between two readings, and how much of its time the hypervisor gave to others (steal):
    /// a run on a machine whose neighbours take its cores is not comparable with one on a quiet machine.
    /// </summary>
    private static string MachineShares(long[]? before, long[]? after)
    {
        if (before is null || after is null)
        {
            return "machine shares unknown";
        }

        var delta = after.Zip(before, (a, b) => (double)(a - b)).ToArray();
        var total = delta.Sum();
        return string.Create(CultureInfo.InvariantCulture,
            $"machine busy {(total - delta[3] - delta[4] - delta[7]) / total:P0}, idle {(delta[3] + delta[4]) / total:P0} " +
            $"(waiting on the disk {delta[4] / total:P0}), stolen {delta[7] / total:P1}");
    }

    /// <summary>
    /// What the clients read of a run (<see cref="RunView"/>, <see cref="RunChangeView"/>): what picks the next step. The
    /// server writes every field; the clients skip the rest, so that they take the machine's cores from the server as
    /// little as pgbench's client takes them from the database in the baseline.
    /// </summary>
    private sealed record ClientRun(Guid Id, IReadOnlyList<ClientStep> Steps);

    private sealed record ClientStep(string StepId, StepKind Kind, StepStatus Status, bool Automated, IReadOnlyList<ClientOption> Options);

    private sealed record ClientOption(string Id);

    private sealed record ClientChange(IReadOnlyList<ClientStep> Changed);

    /// <summary>The run as held, with the steps an action changed replaced.</summary>
    private static ClientRun Merge(ClientRun run, ClientChange change) =>
        run with { Steps = run.Steps.Select(s => change.Changed.FirstOrDefault(c => c.StepId == s.StepId) ?? s).ToList() };

    /// <summary>A step a person can act on now (automated ones and waits move by themselves).</summary>
    private static ClientStep? Next(ClientRun run) =>
        run.Steps.FirstOrDefault(s => s.Status is StepStatus.Ready or StepStatus.InProgress && !s.Automated && s.Kind != StepKind.Wait);

    private const string StepsDone = "SELECT count(*) FROM audit_events WHERE action = 'playbook.step.done'";

    private const string OneRowUpdate = """
        \set id random(1, 10000)
        UPDATE bench_rows SET v = v + 1 WHERE id = :id;
        """;

    /// <summary>
    /// One step completed as a warm transition sends it: the server's own guarded statement (GuardedTransition), one
    /// round trip, with its JSON parameters built in SQL. Plus one read the server does not make: picking a step and
    /// what the server would remember of it (the run's version, the chain's head, the stamps). Two clients that pick
    /// steps of one incident at once conflict as two nodes would: the statement raises serialization_failure and
    /// pgbench runs the script again (--max-tries).
    /// </summary>
    private static string TransitionStatements()
    {
        var parameters = new Dictionary<string, string>
        {
            ["transitions"] = "jsonb_build_array(jsonb_build_object('run', :run_id::text, 'version', :version::integer, 'incident', :incident_id::text, " +
                "'now', now(), 'incident_stamp', :stamp::bigint, 'organisation_stamp', :organisation_stamp::bigint, 'chain', :incident_id::text, " +
                "'head_position', :position::bigint, 'position', :next::bigint, 'hash', md5(:head::text) || md5(:step_id::text)))",
            ["events"] = "jsonb_build_array(jsonb_build_object('chain', :incident_id::text, 'position', :next::bigint, 'at', now(), 'actor', 'admin@localhost', " +
                "'action', 'playbook.step.done', 'target_type', 'incident', 'target_id', :incident_id::text, 'summary', '{\"after\":{\"note\":\"load\"}}', " +
                "'previous_hash', :head::text, 'hash', md5(:head::text) || md5(:step_id::text)))",
            ["steps"] = "jsonb_build_array(jsonb_build_object('run_id', :run_id::text, 'step_id', :step_id::text, 'status', 'Done', 'completed_at', now(), " +
                "'completed_by', 'admin@localhost', 'note', 'load', 'attempts', 0))",
            ["organisation"] = "'00000000-0000-0000-0000-000000000000'::uuid",
        };
        var statement = System.Text.RegularExpressions.Regex.Replace(GuardedTransition.Together, @"@(\w+)", m => parameters[m.Groups[1].Value]);
        return $"""
            \set n random(1, :steps)
            SELECT b.run_id::text, b.incident_id::text, b.step_id, r.version, c.position, c.hash AS head,
                COALESCE((SELECT stamp FROM incident_stamps AS s WHERE s.incident_id = b.incident_id), 0) AS stamp,
                COALESCE((SELECT stamp FROM incident_stamps AS s WHERE s.incident_id = '00000000-0000-0000-0000-000000000000'), 0) AS organisation_stamp
                FROM bench_steps AS b JOIN playbook_runs AS r ON r.id = b.run_id JOIN audit_chains AS c ON c.chain = b.incident_id::text WHERE b.n = :n \gset
            \set next :position + 1
            {string.Join(' ', statement.Split('\n', StringSplitOptions.TrimEntries))};
            """;
    }

    /// <summary>
    /// The least a transition could send if the application cached everything else (the run, its definition and context,
    /// the audit chain's head; the key's user the server already remembers): the run's version moved, the step written, the
    /// audit event appended, in one round trip and one (implicit) transaction. The step is picked inside the statements.
    /// </summary>
    private const string LeastTransaction = """
        \set n random(1, :steps)
        \set p random(1, 1000000000)
        UPDATE playbook_runs AS r SET version = r.version + 1 FROM bench_steps AS b WHERE b.n = :n AND r.id = b.run_id \; UPDATE run_steps AS s SET completed_at = now(), completed_by = 'admin@localhost', note = 'load' FROM bench_steps AS b WHERE b.n = :n AND s.run_id = b.run_id AND s.step_id = b.step_id \; INSERT INTO audit_events (action, actor, at, chain, hash, position, previous_hash, summary, target_id, target_type) SELECT 'playbook.step.done', 'admin@localhost', now(), b.incident_id::text, md5(b.step_id), :p::bigint + 2000000000, md5(b.run_id::text), '{"after":{"note":"load"}}', b.incident_id::text, 'incident' FROM bench_steps AS b WHERE b.n = :n ON CONFLICT DO NOTHING
        """;

    /// <summary>
    /// The least transition end to end: an HTTP endpoint with nothing between Kestrel and Npgsql (no authentication
    /// middleware, EF Core, engine, request or response body; the key hashed and looked up in memory) that sends
    /// <see cref="LeastTransaction"/>'s statements as one batch (one round trip, one implicit transaction, statements prepared, connections not reset), driven by clients
    /// like the transitions' after a warm-up.
    /// </summary>
    private static async Task<double> LeastEndToEndAsync(string connection, int clients, int seconds, long steps)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        // Prepared statements (pgbench's own UPDATE is not) and no reset between uses: the least this design could ask of the database.
        await using var data = NpgsqlDataSource.Create(
            new NpgsqlConnectionStringBuilder(connection) { MaxAutoPrepare = 8, AutoPrepareMinUsages = 2, NoResetOnClose = true }.ConnectionString);
        await using var app = builder.Build();
        var known = new HashSet<string>(StringComparer.Ordinal) { IncidentResponse.Server.Identity.Secrets.HashApiKey(Key) };
        app.MapPost("/least/{n:long}", async (long n, HttpRequest request) =>
        {
            if (!known.Contains(IncidentResponse.Server.Identity.Secrets.HashApiKey(request.Headers["X-Api-Key"].ToString())))
            {
                return Results.Unauthorized();
            }

            await using var batch = data.CreateBatch();
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                "UPDATE playbook_runs AS r SET version = r.version + 1 FROM bench_steps AS b WHERE b.n = $1 AND r.id = b.run_id") { Parameters = { new() { Value = n } } });
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                "UPDATE run_steps AS s SET completed_at = now(), completed_by = 'admin@localhost', note = 'load' FROM bench_steps AS b WHERE b.n = $1 AND s.run_id = b.run_id AND s.step_id = b.step_id")
            { Parameters = { new() { Value = n } } });
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                "INSERT INTO audit_events (action, actor, at, chain, hash, position, previous_hash, summary, target_id, target_type) " +
                "SELECT 'playbook.step.done', 'admin@localhost', now(), b.incident_id::text, md5(b.step_id), $2, md5(b.run_id::text), '{\"after\":{\"note\":\"load\"}}', b.incident_id::text, 'incident' " +
                "FROM bench_steps AS b WHERE b.n = $1 ON CONFLICT DO NOTHING")
            { Parameters = { new() { Value = n }, new() { Value = 3_000_000_000L + Random.Shared.NextInt64(1_000_000_000) } } });
            await batch.ExecuteNonQueryAsync();
            return Results.NoContent();
        });
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        using var http = new HttpClient { BaseAddress = address };
        http.DefaultRequestHeaders.Add("X-Api-Key", Key);

        async Task<double> Load(TimeSpan length)
        {
            var done = 0L;
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
            {
                while (clock.Elapsed < length)
                {
                    using var response = await http.PostAsync($"/least/{Random.Shared.NextInt64(1, steps + 1)}", null);
                    response.EnsureSuccessStatusCode();
                    Interlocked.Increment(ref done);
                }
            }));
            return done / clock.Elapsed.TotalSeconds;
        }

        var warming = Stopwatch.StartNew();
        long compiled;
        do
        {
            compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
            await Load(TimeSpan.FromSeconds(5));
        }
        while (System.Runtime.JitInfo.GetCompiledMethodCount() - compiled > SettledCompiles && warming.Elapsed < MaxWarmUp);

        var rate = await Load(TimeSpan.FromSeconds(seconds));
        await app.StopAsync();
        return rate;
    }

    private static async Task<double> PgBench(string connection, int clients, int seconds, string scriptText, string[] variables, string? sessionOptions = null)
    {
        var script = Path.GetTempFileName();
        await File.WriteAllTextAsync(script, scriptText + "\n");
        var b = new NpgsqlConnectionStringBuilder(connection);
        var pgbench = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin", "pgbench")).First(File.Exists);
        var start = new ProcessStartInfo(pgbench, ["-n", "-c", clients.ToString(CultureInfo.InvariantCulture), "-j", "2", "-T", seconds.ToString(CultureInfo.InvariantCulture),
            .. variables, "-f", script, "-h", b.Host!, "-p", b.Port.ToString(CultureInfo.InvariantCulture), "-U", b.Username!, b.Database!])
        { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["PGPASSWORD"] = b.Password;
        if (sessionOptions is not null)
        {
            start.Environment["PGOPTIONS"] = sessionOptions;
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        File.Delete(script);
        if (variables.Contains("-r"))
        {
            // Per statement: average latency in ms, then the statement.
            Console.WriteLine(string.Join('\n', output.Split('\n').SkipWhile(l => !l.StartsWith("statement latencies", StringComparison.Ordinal)).Take(30)));
        }

        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("tps = ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"pgbench failed: {error}");
        if (error.Contains("aborted", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"pgbench clients aborted: {error}");
        }

        return double.Parse(line.Split(' ')[2], CultureInfo.InvariantCulture);
    }

    private static async Task<long> Scalar(string connection, string sql)
    {
        await using var c = new NpgsqlConnection(connection);
        await c.OpenAsync();
        await using var command = new NpgsqlCommand(sql, c);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    public static async Task Execute(string connection, string sql)
    {
        await using var c = new NpgsqlConnection(connection);
        await c.OpenAsync();
        await using var command = new NpgsqlCommand(sql, c);
        await command.ExecuteNonQueryAsync();
    }
}
