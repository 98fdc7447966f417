using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using IncidentResponse.Core.AffectedPeople;
using Npgsql;

namespace IncidentResponse.Benchmarks;

/// <summary>
/// Affected-people import throughput against `psql \copy` of the same generated CSV file, in the same run on the same
/// PostgreSQL, into two tables: a plain one (one text column per CSV column, no index) and one that also keeps a
/// unique 32-byte hash of each person's name and address, as affected_people keeps its blind index. The product's
/// import is measured end to end over HTTP on loopback, twice (the first import after the server starts, then a second
/// into another incident): streaming upload, parsing, validation, AES-GCM sealing, blind
/// index, COPY, de-duplication, then the counts into the facts. CPU time is reported beside the wall clock because
/// the machine is shared: the database backend's (read from /proc, so PostgreSQL must run on this host) and, for the
/// import, this process's (server and client). Then the parsing and sealing half alone, in process, on the same file.
/// Usage: --import "Host=127.0.0.1;Username=postgres;Password=..." [rows, default 1000000]
/// </summary>
public static class ImportLoad
{
    private const string Header = "First Name,Last Name,Street,City,State,ZIP,Email,Elements";
    private static readonly ColumnMapping Mapping = new()
    {
        GivenName = "First Name", FamilyName = "Last Name", AddressLines = ["Street"], City = "City", State = "State", PostalCode = "ZIP", Email = "Email",
        DataElements = "Elements",
    };

    private static readonly string[] States = ["CA", "TX", "NY", "FL", "IL", "PA", "OH", "GA", "NC", "MI", "WA", "MA", "NJ", "VA", "AZ"];

    public static async Task<int> RunAsync(string server, int rows)
    {
        var file = Path.Combine(Path.GetTempPath(), $"ir-import-bench-{rows}.csv");
        await WriteFileAsync(file, rows);
        try
        {
            await using var bench = await BenchServer.StartAsync(server, $"--IR_DATA_KEY={Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}");
            const string Columns = "first_name text, last_name text, street text, city text, state text, zip text, email text, elements text";
            await TransitionLoad.Execute(bench.Connection, $"CREATE TABLE plain_people ({Columns})");
            await TransitionLoad.Execute(bench.Connection, $"""
                CREATE TABLE hashed_people ({Columns},
                    identity bytea GENERATED ALWAYS AS (sha256(decode(md5(upper(first_name || ' ' || last_name || street || city || state || zip)), 'hex'))) STORED);
                CREATE UNIQUE INDEX ON hashed_people (identity)
                """);
            var (plain, plainCpu) = await PsqlCopyAsync(bench.Connection, "plain_people", file);
            var (hashed, hashedCpu) = await PsqlCopyAsync(bench.Connection, "hashed_people", file);

            // The first import after start-up runs beside the runtime's re-compilation of the whole server; the second does not.
            var first = await ImportAsync(bench, file, rows);
            var second = await ImportAsync(bench, file, rows);
            var (parse, parseCpu) = SealingHalf(file, rows);
            string Micro(double seconds) => string.Create(CultureInfo.InvariantCulture, $"{seconds * 1e6 / rows:F1} us");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{rows:N0} rows ({new FileInfo(file).Length / 1048576.0:F0} MiB CSV), load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at the end\n" +
                $"  psql \\copy, plain table:        {plain,6:F1} s ({rows / plain,9:N0} rows/s), backend CPU {Micro(plainCpu)}/row\n" +
                $"  psql \\copy, unique hash index:  {hashed,6:F1} s ({rows / hashed,9:N0} rows/s), backend CPU {Micro(hashedCpu)}/row\n" +
                $"  import over HTTP, first:        {first.Seconds,6:F1} s ({rows / first.Seconds,9:N0} rows/s), backend CPU {Micro(first.BackendCpu)}/row, server+client CPU {Micro(first.ProcessCpu)}/row\n" +
                $"  import over HTTP, second:       {second.Seconds,6:F1} s ({rows / second.Seconds,9:N0} rows/s), backend CPU {Micro(second.BackendCpu)}/row, server+client CPU {Micro(second.ProcessCpu)}/row\n" +
                $"  parse+validate+seal+index alone, in process: {parse:F1} s, CPU {Micro(parseCpu)}/row\n" +
                $"  ratio first/second import against the plain table {plain / first.Seconds:F2}/{plain / second.Seconds:F2}, " +
                $"against the table with the unique hash index {hashed / first.Seconds:F2}/{hashed / second.Seconds:F2}"));
            return 0;
        }
        finally
        {
            File.Delete(file);
        }
    }

    internal static async Task WriteFileAsync(string file, int rows)
    {
        await using var writer = new StreamWriter(file, false, new UTF8Encoding(false), 1 << 16);
        await writer.WriteAsync(Header + "\n");
        for (var i = 0; i < rows; i++)
        {
            await writer.WriteAsync(string.Create(CultureInfo.InvariantCulture,
                $"Given{i},Family{i},\"{i} Main Street, Unit {i % 7}\",City {i % 100},{States[i % States.Length]},{10000 + (i % 89999):00000},person{i}@example.com,name;ssn\n"));
        }
    }

    /// <summary>One import of the file into a new incident over HTTP: wall seconds, this process's CPU seconds, the database backends' CPU seconds.</summary>
    private static async Task<(double Seconds, double ProcessCpu, double BackendCpu)> ImportAsync(BenchServer bench, string file, int rows)
    {
        var created = await bench.Http.PostAsJsonAsync("/api/v1/incidents", new { title = "Import benchmark", kind = "dataExfiltration", severity = "high" }, BenchServer.Json);
        var incident = (await created.Content.ReadFromJsonAsync<JsonElement>(BenchServer.Json)).GetProperty("id").GetGuid();
        var mapping = JsonSerializer.Serialize(Mapping, BenchServer.Json);
        JsonElement import = default;
        await using var backends = new NpgsqlConnection(bench.Connection);
        await backends.OpenAsync();
        var databaseBefore = await BackendSecondsAsync(backends);
        var processBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var seconds = await TimeAsync(async () =>
        {
            await using var body = File.OpenRead(file);
            using var content = new StreamContent(body, 1 << 16);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv");
            var response = await bench.Http.PostAsync($"/api/v1/incidents/{incident}/affected-people/imports?mapping={Uri.EscapeDataString(mapping)}", content);
            import = await response.Content.ReadFromJsonAsync<JsonElement>(BenchServer.Json);
            response.EnsureSuccessStatusCode();
        });

        var processCpu = (Process.GetCurrentProcess().TotalProcessorTime - processBefore).TotalSeconds;
        var databaseCpu = (await BackendSecondsAsync(backends)) - databaseBefore;
        var imported = import.GetProperty("imported").GetInt64();
        if (imported != rows)
        {
            throw new InvalidOperationException($"The import stored {imported} people, not {rows}: {import}");
        }

        return (seconds, processCpu, databaseCpu);
    }

    /// <summary>psql \copy of the file into the table: wall seconds, and the CPU seconds of its backend (read by the backend itself).</summary>
    private static async Task<(double Seconds, double BackendCpu)> PsqlCopyAsync(string connection, string table, string file)
    {
        var c = new NpgsqlConnectionStringBuilder(connection);
        var start = new ProcessStartInfo("psql", [
            "-v", "ON_ERROR_STOP=1", "-At",
            "-c", $"\\copy {table} FROM '{file}' WITH (FORMAT csv, HEADER true)",
            "-c", $"SELECT {BackendStat}",
        ])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        start.Environment["PGHOST"] = c.Host;
        start.Environment["PGPORT"] = c.Port.ToString(CultureInfo.InvariantCulture);
        start.Environment["PGUSER"] = c.Username;
        start.Environment["PGPASSWORD"] = c.Password;
        start.Environment["PGDATABASE"] = c.Database;
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var seconds = watch.Elapsed.TotalSeconds;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"psql failed: {error}");
        }

        return (seconds, CpuSeconds((await output).Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]));
    }

    /// <summary>A backend's /proc stat line, read by the backend itself.</summary>
    private const string BackendStat = "pg_read_file('/proc/self/stat')";

    /// <summary>User plus system CPU seconds from a /proc/PID/stat line (fields 14 and 15, in clock ticks of 1/100 s).</summary>
    private static double CpuSeconds(string stat)
    {
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    /// <summary>CPU seconds used so far by the backends connected to this database, other than the one asking.</summary>
    private static async Task<double> BackendSecondsAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()", connection);
        var total = 0.0;
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var stat = $"/proc/{reader.GetInt32(0)}/stat";
            total += File.Exists(stat) ? CpuSeconds(await File.ReadAllTextAsync(stat)) : 0;
        }

        return total;
    }

    /// <summary>The import's reading, validation, sealing and indexing alone, on one thread, without HTTP or database: wall and CPU seconds.</summary>
    private static (double Seconds, double Cpu) SealingHalf(string file, int rows)
    {
        using var text = new StreamReader(file, new UTF8Encoding(false), false, 1 << 16);
        var reader = new CsvRecordReader(text);
        var (map, _) = ResolvedMapping.Resolve(Mapping, reader.Read()!.Fields);
        using var seal = new PersonalDataSeal(new PersonalDataKey(RandomNumberGenerator.GetBytes(32)));
        var batches = new PersonBatches(reader, map!, seal, Guid.NewGuid(), 20_000);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var people = 0;
        while (batches.Next() is { } batch)
        {
            people += batch.People.Count;
        }

        if (people != rows)
        {
            throw new InvalidOperationException($"The sealing half read {people} people, not {rows}.");
        }

        return (watch.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
    }

    private static async Task<double> TimeAsync(Func<Task> work)
    {
        var watch = Stopwatch.StartNew();
        await work();
        return watch.Elapsed.TotalSeconds;
    }
}
