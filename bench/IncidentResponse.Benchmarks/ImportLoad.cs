using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace IncidentResponse.Benchmarks;

/// <summary>
/// Affected-people import throughput against `psql \copy` of the same generated CSV file into an equivalent plain
/// table (one text column per CSV column), in the same run on the same PostgreSQL. The product's import is measured
/// end to end over HTTP on loopback: streaming upload, parsing, validation, AES-GCM sealing, blind index, binary
/// COPY, de-duplicating insert, then the counts into the facts. Usage:
/// --import "Host=127.0.0.1;Username=postgres;Password=..." [rows, default 1000000]
/// </summary>
public static class ImportLoad
{
    private const string Header = "First Name,Last Name,Street,City,State,ZIP,Email,Elements";
    private static readonly string[] States = ["CA", "TX", "NY", "FL", "IL", "PA", "OH", "GA", "NC", "MI", "WA", "MA", "NJ", "VA", "AZ"];

    public static async Task<int> RunAsync(string server, int rows)
    {
        var file = Path.Combine(Path.GetTempPath(), $"ir-import-bench-{rows}.csv");
        await WriteFileAsync(file, rows);
        try
        {
            await using var bench = await BenchServer.StartAsync(server, $"--IR_DATA_KEY={Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}");
            await TransitionLoad.Execute(bench.Connection,
                "CREATE TABLE plain_people (first_name text, last_name text, street text, city text, state text, zip text, email text, elements text)");
            var psql = await TimeAsync(() => PsqlCopyAsync(bench.Connection, file));

            var created = await bench.Http.PostAsJsonAsync("/api/v1/incidents", new { title = "Import benchmark", kind = "dataExfiltration", severity = "high" }, BenchServer.Json);
            var incident = (await created.Content.ReadFromJsonAsync<JsonElement>(BenchServer.Json)).GetProperty("id").GetGuid();
            var mapping = JsonSerializer.Serialize(new
            {
                givenName = "First Name", familyName = "Last Name", addressLines = new[] { "Street" }, city = "City", state = "State",
                postalCode = "ZIP", email = "Email", dataElements = "Elements",
            });
            JsonElement import = default;
            var product = await TimeAsync(async () =>
            {
                await using var body = File.OpenRead(file);
                using var content = new StreamContent(body, 1 << 16);
                content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv");
                var response = await bench.Http.PostAsync($"/api/v1/incidents/{incident}/affected-people/imports?mapping={Uri.EscapeDataString(mapping)}", content);
                import = await response.Content.ReadFromJsonAsync<JsonElement>(BenchServer.Json);
                response.EnsureSuccessStatusCode();
            });

            var imported = import.GetProperty("imported").GetInt64();
            if (imported != rows)
            {
                throw new InvalidOperationException($"The import stored {imported} people, not {rows}: {import}");
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{rows:N0} rows ({new FileInfo(file).Length / 1048576.0:F0} MiB CSV): psql \\copy into a plain table {psql:F1} s ({rows / psql:N0} rows/s); " +
                $"import over HTTP (validate, seal, index, binary COPY, de-duplicate) {product:F1} s ({rows / product:N0} rows/s); ratio {psql / product:F2}"));
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

    private static async Task PsqlCopyAsync(string connection, string file)
    {
        var c = new NpgsqlConnectionStringBuilder(connection);
        var start = new ProcessStartInfo("psql", ["-v", "ON_ERROR_STOP=1", "-c", $"\\copy plain_people FROM '{file}' WITH (FORMAT csv, HEADER true)"])
        {
            RedirectStandardError = true,
        };
        start.Environment["PGHOST"] = c.Host;
        start.Environment["PGPORT"] = c.Port.ToString(CultureInfo.InvariantCulture);
        start.Environment["PGUSER"] = c.Username;
        start.Environment["PGPASSWORD"] = c.Password;
        start.Environment["PGDATABASE"] = c.Database;
        using var process = Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"psql failed: {error}");
        }
    }

    private static async Task<double> TimeAsync(Func<Task> work)
    {
        var watch = Stopwatch.StartNew();
        await work();
        return watch.Elapsed.TotalSeconds;
    }
}
