using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using IncidentResponse.Core.Identity;
using IncidentResponse.Server.Audit;
using IncidentResponse.Server.Identity;
using IncidentResponse.Server.Mailings;
using IncidentResponse.Server.Tests.AffectedPeople;
using IncidentResponse.Server.Tests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace IncidentResponse.Server.Tests.Letters;

/// <summary>
/// A mailing of a few thousand letters run by real Hangfire on two server processes sharing one PostgreSQL database
/// and one letters directory, driven through the HTTP API only; what counts is what is in the database, the files,
/// the print package, the chunk jobs' audit events and Hangfire's record of which node ran what.
/// </summary>
public sealed class MailingAcrossNodesTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int People = 3000;
    private const int ChunkSize = 100;
    private readonly string letters = Path.Combine(Path.GetTempPath(), "ir-mailings-" + Guid.NewGuid().ToString("N"));
    private readonly Dictionary<Role, string> keys = [];
    private ThrowawayDatabase database = null!;

    public async Task InitializeAsync() => database = await PostgresServer.CreateDatabaseAsync();

    [Fact]
    public async Task Two_nodes_share_the_chunks_and_every_person_gets_exactly_one_letter()
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await using var first = Node();
        await using var second = Node();
        var (mailingUrl, mailingId) = await StartMailingAsync(first, second, watch);

        var done = await FinishedAsync(first, mailingUrl, TimeSpan.FromSeconds(300), first, second);
        output.WriteLine($"mailing finished at {watch.Elapsed.TotalSeconds:F1} s");
        await AssertEachPersonOnceAsync(first, mailingUrl, mailingId, done);

        // Hangfire's own record of who ran each chunk job: both nodes' job servers took some.
        var servers = await ChunkRunsByServerAsync();
        output.WriteLine(string.Join("; ", servers.Select(s => $"{s.Key}: {s.Value} chunk runs")));
        Assert.Equal(2, servers.Count);
        Assert.Contains(servers.Keys, s => s.Contains($":{first.ProcessId}:", StringComparison.Ordinal));
        Assert.Contains(servers.Keys, s => s.Contains($":{second.ProcessId}:", StringComparison.Ordinal));
        // The sweep may have queued a chunk again where the machine stalled for a few seconds: never fewer runs than chunks.
        Assert.True(servers.Values.Sum() >= done.Chunks, $"{servers.Values.Sum()} chunk runs for {done.Chunks} chunks");
    }

    [Fact]
    public async Task A_node_killed_in_the_middle_of_its_chunks_leaves_them_to_the_other_and_every_person_still_gets_exactly_one_letter()
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await using var survivor = Node();
        await using var victim = Node();
        var (mailingUrl, mailingId) = await StartMailingAsync(survivor, victim, watch);

        // SIGKILL while the victim's workers are writing letters: their open batches die uncommitted, their jobs stay
        // "processing" in Hangfire, and only the sweep's re-queue gets those chunks going again.
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (await ProcessingOnAsync(victim) == 0 || await GeneratedAsync(mailingId) < People / 10)
        {
            Assert.True(DateTime.UtcNow < until, "The second node never took a chunk: " + victim.Output);
            await Task.Delay(100);
        }

        victim.Kill();
        var atKill = await GeneratedAsync(mailingId);
        output.WriteLine($"killed the second node at {watch.Elapsed.TotalSeconds:F1} s with {atKill} letters written");
        Assert.True(atKill < People, "The mailing was already done when the node was killed.");

        var done = await FinishedAsync(survivor, mailingUrl, TimeSpan.FromSeconds(300), survivor);
        output.WriteLine($"mailing finished at {watch.Elapsed.TotalSeconds:F1} s");
        await AssertEachPersonOnceAsync(survivor, mailingUrl, mailingId, done);
        var orphaned = await ProcessingOnAsync(victim);
        output.WriteLine($"{orphaned} chunk jobs left processing by the killed node; {TemporaryFiles(mailingId)} half-written files left behind");
        Assert.True(orphaned > 0, "The kill interrupted no chunk job.");
    }

    /// <summary>
    /// A node with a running Hangfire server; both write letters to the same directory, a hundred people to a job, and
    /// the mailing sweep looks every two seconds for a mailing that has not moved for six.
    /// </summary>
    private ServerProcess Node() => ServerProcess.Start(new Dictionary<string, string>
    {
        ["ConnectionStrings__Postgres"] = database.ConnectionString,
        ["IR_JOBS_SERVER"] = "true",
        ["IR_DATA_KEY"] = PostgresServerFixture.DataKey,
        ["IR_SCHEDULE_POLL_SECONDS"] = "1",
        ["Mailings__OutputDirectory"] = letters,
        ["Mailings__ChunkSize"] = ChunkSize.ToString(CultureInfo.InvariantCulture),
        ["Mailings__BatchSize"] = "25",
        ["Mailings__SweepCron"] = "*/2 * * * * *",
        ["Mailings__StaleMinutes"] = "0.1",
    });

    /// <summary>Both nodes up; then, through the first node's API only, the people imported, the letter approved and mailed by post.</summary>
    private async Task<(string MailingUrl, Guid MailingId)> StartMailingAsync(
        ServerProcess first, ServerProcess second, System.Diagnostics.Stopwatch watch)
    {
        await Task.WhenAll(first.ReadyAsync(TimeSpan.FromSeconds(180)), second.ReadyAsync(TimeSpan.FromSeconds(180)));
        output.WriteLine($"both nodes ready at {watch.Elapsed.TotalSeconds:F1} s");
        using var admin = first.Admin();
        await CreateUsersAsync(admin);
        HttpClient As(Role role) => first.WithKey(keys[role]);
        var (_, letterUrl) = await ApprovedLetters.DraftAsync(As, admin, PeopleCsv(), ["US-CA"], exercise: false);
        await ApprovedLetters.ApproveAsync(As, letterUrl);
        output.WriteLine($"{People} people imported and the letter approved at {watch.Elapsed.TotalSeconds:F1} s");

        using var commander = As(Role.IncidentCommander);
        var mailing = await (await commander.PostJson(letterUrl + "/mailings", new { channel = "print" })).Read<MailingView>();
        Assert.Equal((People, People / ChunkSize), (mailing.Recipients, mailing.Chunks));
        return ($"{letterUrl}/mailings/{mailing.Id}", mailing.Id);
    }

    /// <summary>Every person has one letter, written once, in its own file, in the package with its checksum.</summary>
    private async Task AssertEachPersonOnceAsync(ServerProcess node, string mailingUrl, Guid mailingId, MailingView done)
    {
        Assert.Equal((People, 0, done.Chunks), ((int)done.ByPost, (int)done.ByEmail, done.ChunksDone));
        Assert.Equal(People, done.ByStatus["generated"]);
        Assert.All(done.ByStatus.Where(s => s.Key != "generated"), s => Assert.Equal(0, s.Value));
        await AssertOneFilePerRecipientAsync(mailingId);
        using var admin = node.Admin();
        await AssertPackageAsync(admin, mailingUrl);
        await AssertWrittenOnceAsync(admin, mailingId);
    }

    private async Task CreateUsersAsync(HttpClient admin)
    {
        foreach (var role in new[] { Role.Communications, Role.Legal, Role.IncidentCommander })
        {
            var user = await (await admin.PostJson("/api/v1/users", new
            {
                email = $"{role.ToString().ToLowerInvariant()}@ir.test", displayName = $"Test {role}", roles = new[] { role }, password = "correct horse battery staple",
            })).Read<UserView>();
            keys[role] = (await (await admin.PostJson($"/api/v1/users/{user.Id}/api-keys", new { name = "tests" })).Read<CreatedApiKey>()).Key;
        }
    }

    /// <summary>Californians, each with a street address and an email address.</summary>
    private static string PeopleCsv()
    {
        var csv = new StringBuilder(AffectedPeopleImports.Header).Append('\n');
        for (var i = 1; i <= People; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"Given{i},Family{i},{i} Main St,Los Angeles,CA,90001,person{i}@people.example,name;ssn\n");
        }

        return csv.ToString();
    }

    private static async Task<MailingView> FinishedAsync(ServerProcess node, string mailingUrl, TimeSpan timeout, params ServerProcess[] nodes)
    {
        using var client = node.Admin();
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            var view = await (await client.GetAsync(mailingUrl)).Read<MailingView>();
            if (view.FinishedAt is not null)
            {
                return view;
            }

            Assert.True(DateTime.UtcNow < until, $"Not finished: {string.Join(", ", view.ByStatus.Select(s => $"{s.Key} {s.Value}"))}, " +
                $"{view.ChunksDone} of {view.Chunks} chunks. The nodes said: {string.Join("\n---\n", nodes.Select(n => n.Output))}");
            await Task.Delay(500);
        }
    }

    /// <summary>Every recipient has one letter file of its own under the mailing's directory, and there is no other letter.</summary>
    private async Task AssertOneFilePerRecipientAsync(Guid mailingId)
    {
        var recorded = new List<string>();
        await using (var reader = await QueryAsync($"SELECT file_name FROM mailing_recipients WHERE mailing_id = '{mailingId}'"))
        {
            while (await reader.ReadAsync())
            {
                recorded.Add(reader.GetString(0));
            }
        }

        Assert.Equal(People, recorded.Count);
        Assert.Equal(People, recorded.Distinct().Count());
        var files = Directory.GetFiles(Path.Combine(letters, mailingId.ToString("N")), "*.pdf").Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(recorded.Order(StringComparer.Ordinal), files);
    }

    /// <summary>The manifest has one line per person with distinct references, and each PDF is the one it describes.</summary>
    private static async Task AssertPackageAsync(HttpClient client, string mailingUrl)
    {
        var package = await client.GetAsync(mailingUrl + "/package");
        package.EnsureSuccessStatusCode();
        using var zip = new ZipArchive(new MemoryStream(await package.Content.ReadAsByteArrayAsync()));
        using var manifestReader = new StreamReader(zip.GetEntry("manifest.csv")!.Open());
        var manifest = (await manifestReader.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(MailingsApi.ManifestHeader, manifest[0]);
        var rows = manifest.Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(People, rows.Count);
        Assert.Equal(People, rows.Select(r => r[1]).Distinct().Count());
        Assert.Equal(People, zip.Entries.Count(e => e.FullName.StartsWith("letters/", StringComparison.Ordinal)));
        foreach (var row in rows)
        {
            await using var pdf = zip.GetEntry(row[0])!.Open();
            Assert.Equal(row[4], Convert.ToHexStringLower(await SHA256.HashDataAsync(pdf)));
        }
    }

    /// <summary>The chunk jobs' own account: the letters they say they wrote add up to one per person.</summary>
    private static async Task AssertWrittenOnceAsync(HttpClient admin, Guid mailingId)
    {
        var audit = await (await admin.GetAsync("/api/v1/audit?limit=1000")).Read<AuditEventView[]>();
        var generated = audit.Where(e => e.Action == "mailing.letters.generated")
            .Select(e => System.Text.Json.JsonDocument.Parse(e.Summary).RootElement.GetProperty("after"))
            .Where(a => a.GetProperty("mailing").GetGuid() == mailingId)
            .Sum(a => a.GetProperty("generated").GetInt32());
        Assert.Equal(People, generated);
    }

    /// <summary>Which Hangfire servers (host:process:instance) ran the chunk jobs to success, from Hangfire's own record of each job's states.</summary>
    private async Task<Dictionary<string, long>> ChunkRunsByServerAsync()
    {
        var servers = new Dictionary<string, long>();
        await using var reader = await QueryAsync("""
            SELECT p.data::jsonb ->> 'ServerId', count(*) FROM hangfire.job j
            JOIN LATERAL (SELECT data FROM hangfire.state s WHERE s.jobid = j.id AND s.name = 'Processing' ORDER BY s.id DESC LIMIT 1) p ON TRUE
            WHERE j.statename = 'Succeeded' AND j.invocationdata::text LIKE '%MailingChunkJob%' GROUP BY 1
            """);
        while (await reader.ReadAsync())
        {
            servers[reader.GetString(0)] = reader.GetInt64(1);
        }

        return servers;
    }

    /// <summary>Chunk jobs Hangfire has as processing on the node's job server.</summary>
    private async Task<long> ProcessingOnAsync(ServerProcess node)
    {
        await using var reader = await QueryAsync($"""
            SELECT count(*) FROM hangfire.job j JOIN hangfire.state s ON s.id = j.stateid
            WHERE j.statename = 'Processing' AND j.invocationdata::text LIKE '%MailingChunkJob%' AND s.data::jsonb ->> 'ServerId' LIKE '%:{node.ProcessId}:%'
            """);
        await reader.ReadAsync();
        return reader.GetInt64(0);
    }

    private async Task<long> GeneratedAsync(Guid mailingId)
    {
        await using var reader = await QueryAsync($"SELECT count(*) FROM mailing_recipients WHERE mailing_id = '{mailingId}' AND status = 'Generated'");
        await reader.ReadAsync();
        return reader.GetInt64(0);
    }

    /// <summary>Files a killed node was writing when it died; no recipient row names them.</summary>
    private int TemporaryFiles(Guid mailingId) => Directory.GetFiles(Path.Combine(letters, mailingId.ToString("N")), "*.tmp").Length;

    private async Task<NpgsqlDataReader> QueryAsync(string sql)
    {
        var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        return await new NpgsqlCommand(sql, connection).ExecuteReaderAsync(System.Data.CommandBehavior.CloseConnection);
    }

    public async Task DisposeAsync()
    {
        await database.DisposeAsync();
        if (Directory.Exists(letters))
        {
            Directory.Delete(letters, recursive: true);
        }
    }
}
