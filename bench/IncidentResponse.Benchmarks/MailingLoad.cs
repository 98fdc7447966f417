using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using IncidentResponse.Server.Mailings;
using Microsoft.Extensions.DependencyInjection;

namespace IncidentResponse.Benchmarks;

/// <summary>
/// A whole mailing on the real server and PostgreSQL: the people imported, a letter drafted and approved, the mailing
/// started, then its chunk jobs run by a number of workers at once, as Hangfire workers would. Reports letters written
/// per second end to end (claim, open the sealed data, personalise, PDF, SHA-256, file, commit with audit), beside
/// the personalised PDF and HTML-only rendering rates of <see cref="MailMergeBenchmarks"/> measured in the same run. Usage:
/// --mailing "Host=127.0.0.1;Username=postgres;Password=..." [people, default 10000] [workers, default 2]
/// </summary>
public static class MailingLoad
{
    public static async Task<int> RunAsync(string server, int people, int workers)
    {
        var file = Path.Combine(Path.GetTempPath(), $"ir-mailing-bench-{people}.csv");
        var output = Path.Combine(Path.GetTempPath(), "ir-mailing-bench-" + Guid.NewGuid().ToString("N"));
        await ImportLoad.WriteFileAsync(file, people);
        try
        {
            await using var bench = await BenchServer.StartAsync(server,
                $"--IR_DATA_KEY={Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}", $"--Mailings:OutputDirectory={output}");
            var http = bench.Http;
            var user = await ReadAsync(await http.PostAsJsonAsync("/api/v1/users", new
            {
                email = "legal@bench.test", displayName = "Counsel", roles = new[] { "legal" }, password = "correct horse battery staple",
            }, BenchServer.Json));
            var key = (await ReadAsync(await http.PostAsJsonAsync($"/api/v1/users/{user.GetProperty("id").GetGuid()}/api-keys", new { name = "bench" }, BenchServer.Json)))
                .GetProperty("key").GetString()!;
            using var legal = new HttpClient { BaseAddress = http.BaseAddress };
            legal.DefaultRequestHeaders.Add("X-Api-Key", key);

            var incident = (await ReadAsync(await http.PostAsJsonAsync("/api/v1/incidents", new
            {
                title = "Mailing benchmark", kind = "dataExfiltration", severity = "high", summary = "An unauthorized party copied loyalty records.",
            }, BenchServer.Json))).GetProperty("id").GetGuid();
            var url = $"/api/v1/incidents/{incident}";
            (await http.PutAsJsonAsync(url + "/facts", new { dataOwner = true, dataElements = new[] { "name" } }, BenchServer.Json)).EnsureSuccessStatusCode();
            var mapping = JsonSerializer.Serialize(new
            {
                givenName = "First Name", familyName = "Last Name", addressLines = new[] { "Street" }, city = "City", state = "State",
                postalCode = "ZIP", email = "Email", dataElements = "Elements",
            });
            await using (var body = File.OpenRead(file))
            {
                using var content = new StreamContent(body, 1 << 16);
                content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
                await ReadAsync(await http.PostAsync($"{url}/affected-people/imports?mapping={Uri.EscapeDataString(mapping)}", content));
            }

            var letter = await ReadAsync(await http.PostAsJsonAsync(url + "/letters", new
            {
                kind = "individuals", group = new[] { "US-CA" }, organisation = new { shortName = "Northwind", phone = "1-888-555-0147" },
                offer = new { creditMonitoringMonths = 24, provider = "ClearWatch Identity" },
            }, BenchServer.Json));
            var letterUrl = $"{url}/letters/{letter.GetProperty("id").GetGuid()}";
            letter = await ReadAsync(await SendAsync(http, letterUrl + "/submit", letter.GetProperty("version").GetInt32()));
            await ReadAsync(await SendAsync(legal, letterUrl + "/approve", letter.GetProperty("version").GetInt32()));

            var mailing = await ReadAsync(await http.PostAsJsonAsync(letterUrl + "/mailings", new { group = "all", channel = "print" }, BenchServer.Json));
            var mailingId = mailing.GetProperty("id").GetGuid();
            var chunks = mailing.GetProperty("chunks").GetInt32();
            var next = -1;
            var watch = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
            {
                int chunk;
                while ((chunk = Interlocked.Increment(ref next)) < chunks)
                {
                    await using var scope = bench.App.Services.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<MailingChunkJob>().RunAsync(mailingId, chunk, CancellationToken.None);
                }
            })));
            var seconds = watch.Elapsed.TotalSeconds;
            var done = await ReadAsync(await http.GetAsync($"{letterUrl}/mailings/{mailingId}"));
            var generated = done.GetProperty("byStatus").GetProperty("generated").GetInt64();

            var rendering = new MailMergeBenchmarks();
            rendering.Setup();
            var (pdf, html) = rendering.LettersPerSecond(1000);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{generated:N0} letters in {chunks} chunks by {workers} workers: {seconds:F1} s, {generated / seconds:F0} letters/s end to end; " +
                $"rendering alone, one thread: PDF {pdf:F0} letters/s, HTML only {html:F0} letters/s"));
            return generated == people ? 0 : 1;
        }
        finally
        {
            File.Delete(file);
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
        }
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string url, int version)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(new { }) };
        request.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{version}\""));
        return client.SendAsync(request);
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode
            ? JsonDocument.Parse(body).RootElement.Clone()
            : throw new InvalidOperationException($"{(int)response.StatusCode} {response.RequestMessage?.RequestUri}: {body}");
    }
}
