using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using IncidentResponse.Core;
using IncidentResponse.Core.Playbooks;
using IncidentResponse.Server;
using IncidentResponse.Server.Playbooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace IncidentResponse.Benchmarks;

/// <summary>
/// Task transitions per second end to end (HTTP request to committed transaction) against PostgreSQL,
/// next to pgbench's TPS for a one-row UPDATE on the same server in the same run.
/// Usage: --transitions "Host=127.0.0.1;Username=postgres;Password=..." [clients] [seconds]
/// </summary>
public static class TransitionLoad
{
    private const string Key = "irk_benchmark_administrator_key_000000";
    private const int SettledCompiles = 50;
    private static readonly TimeSpan MaxWarmUp = TimeSpan.FromMinutes(4);

    public static async Task<int> RunAsync(string server, int clients, int seconds)
    {
        var database = "bench_" + Guid.NewGuid().ToString("N")[..12];
        await Execute(server, $"CREATE DATABASE {database}");
        var connection = new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString;
        try
        {
            var pgbench = await PgBench(connection, clients, seconds);
            var (transitions, cpu, opened) = await Transitions(connection, clients, seconds);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"clients {clients}, {seconds} s each: task transitions {transitions:F1}/s, pgbench one-row UPDATE {pgbench:F1} tps, ratio {transitions / pgbench:F3}; " +
                $"CPU of this process (server and HTTP clients) {cpu:F2} ms per transition; incidents opened inside the timed window {opened}"));
            return 0;
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await Execute(server, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
        }
    }

    /// <summary>Transitions per second, and the CPU this process spent per transition (a figure that holds on a busy machine).</summary>
    private static async Task<(double PerSecond, double CpuMilliseconds, long Opened)> Transitions(string connection, int clients, int seconds)
    {
        var app = ServerApp.Build([
            "--urls=http://127.0.0.1:0", $"--ConnectionStrings:Postgres={connection}", $"--IR_ADMIN_API_KEY={Key}",
            "--IR_JOBS_SERVER=false", "--Logging:LogLevel:Default=Error",
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
            var ready = new System.Collections.Concurrent.ConcurrentQueue<RunView>();
            async Task<RunView> OpenAsync()
            {
                var response = await http.PostAsJsonAsync("/api/v1/incidents", new { title = "Load", kind = "ransomware", severity = "low" }, json);
                var incident = await response.Content.ReadFromJsonAsync<JsonElement>(json);
                return (await http.GetFromJsonAsync<RunView[]>($"/api/v1/incidents/{incident.GetProperty("id").GetString()}/runs", json))![0];
            }

            async Task Worker()
            {
                RunView? run = null;
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
                    var response = await http.PostAsJsonAsync($"/api/v1/runs/{run.Id}/steps/{step.StepId}/{action}", body, json);
                    if (response.IsSuccessStatusCode)
                    {
                        run = await response.Content.ReadFromJsonAsync<RunView>(json);
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
                stop.Restart();
                await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Worker()));
            }
            while (System.Runtime.JitInfo.GetCompiledMethodCount() - compiled > SettledCompiles && warming.Elapsed < MaxWarmUp);

            var needed = (int)Math.Ceiling(created * (seconds / warming.Elapsed.TotalSeconds) * 1.5) + clients;
            for (var i = 0; i < needed; i++)
            {
                ready.Enqueue(await OpenAsync());
            }

            (counted, created) = (0, 0);
            deadline = TimeSpan.FromSeconds(seconds);
            var process = Process.GetCurrentProcess();
            var cpuBefore = process.TotalProcessorTime;
            var compiledBefore = System.Runtime.JitInfo.GetCompiledMethodCount();
            stop.Restart();
            await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Worker()));
            process.Refresh();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"warm-up {warming.Elapsed.TotalSeconds:F0} s; methods compiled during the timed run {System.Runtime.JitInfo.GetCompiledMethodCount() - compiledBefore}"));
            return (counted / stop.Elapsed.TotalSeconds, (process.TotalProcessorTime - cpuBefore).TotalMilliseconds / counted, created);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    /// <summary>A step a person can act on now (automated ones and waits move by themselves).</summary>
    private static TaskView? Next(RunView run) =>
        run.Steps.FirstOrDefault(s => s.Status is StepStatus.Ready or StepStatus.InProgress && !s.Automated && s.Kind != StepKind.Wait);

    private static async Task<double> PgBench(string connection, int clients, int seconds)
    {
        await Execute(connection, "CREATE TABLE bench_rows (id int PRIMARY KEY, v bigint NOT NULL); INSERT INTO bench_rows SELECT g, 0 FROM generate_series(1, 10000) g;");
        var script = Path.GetTempFileName();
        await File.WriteAllTextAsync(script, "\\set id random(1, 10000)\nUPDATE bench_rows SET v = v + 1 WHERE id = :id;\n");
        var b = new NpgsqlConnectionStringBuilder(connection);
        var pgbench = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin", "pgbench")).First(File.Exists);
        var start = new ProcessStartInfo(pgbench, ["-n", "-c", clients.ToString(CultureInfo.InvariantCulture), "-j", "2", "-T", seconds.ToString(CultureInfo.InvariantCulture),
            "-f", script, "-h", b.Host!, "-p", b.Port.ToString(CultureInfo.InvariantCulture), "-U", b.Username!, b.Database!])
        { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["PGPASSWORD"] = b.Password;
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        File.Delete(script);
        var line = output.Split('\n').First(l => l.StartsWith("tps = ", StringComparison.Ordinal));
        return double.Parse(line.Split(' ')[2], CultureInfo.InvariantCulture);
    }

    public static async Task Execute(string connection, string sql)
    {
        await using var c = new NpgsqlConnection(connection);
        await c.OpenAsync();
        await using var command = new NpgsqlCommand(sql, c);
        await command.ExecuteNonQueryAsync();
    }
}
