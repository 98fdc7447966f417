using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using IncidentResponse.Core.Identity;
using IncidentResponse.Core.Laws;
using IncidentResponse.Core.Letters;
using IncidentResponse.Server.Audit;
using IncidentResponse.Server.Identity;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.Letters;
using IncidentResponse.Server.Mailings;
using IncidentResponse.Server.Notifications;
using IncidentResponse.Server.Organisations;
using IncidentResponse.Server.Tests.AffectedPeople;
using IncidentResponse.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using UglyToad.PdfPig;

namespace IncidentResponse.Server.Tests.Letters;

/// <summary>
/// A server of its own with a real SMTP server, no background job server (the tests run the chunk jobs themselves,
/// concurrently where a second node would), two recipients a chunk and one a batch, letters under a temporary directory.
/// </summary>
public sealed class MailingFixture : IAsyncLifetime
{
    private ThrowawayDatabase? database;

    public RunningServer Server { get; private set; } = null!;
    public SmtpReceiver Smtp { get; } = SmtpReceiver.Start();
    public string Output { get; } = Path.Combine(Path.GetTempPath(), "ir-mailings-" + Guid.NewGuid().ToString("N"));
    public Dictionary<Role, string> Keys { get; } = [];
    public string ConnectionString => database!.ConnectionString;

    public async Task InitializeAsync()
    {
        database = await PostgresServer.CreateDatabaseAsync();
        Server = await RunningServer.StartAsync(
            $"--ConnectionStrings:Postgres={database.ConnectionString}", $"--IR_PLAYBOOKS_DIR={PostgresServerFixture.PlaybooksFolder}",
            $"--IR_DATA_KEY={PostgresServerFixture.DataKey}", "--Smtp:Host=127.0.0.1", $"--Smtp:Port={Smtp.Port}", "--Smtp:Security=None",
            "--Smtp:From=notices@northwind.test", $"--Mailings:OutputDirectory={Output}", "--Mailings:ChunkSize=2", "--Mailings:BatchSize=1");
        using var admin = Server.Admin();
        foreach (var role in new[] { Role.Communications, Role.Legal, Role.IncidentCommander, Role.Observer })
        {
            var user = await (await admin.PostJson("/api/v1/users", new
            {
                email = $"{role.ToString().ToLowerInvariant()}@ir.test", displayName = $"Test {role}", roles = new[] { role }, password = "correct horse battery staple",
            })).Read<UserView>();
            Keys[role] = (await (await admin.PostJson($"/api/v1/users/{user.Id}/api-keys", new { name = "tests" })).Read<CreatedApiKey>()).Key;
        }
    }

    public HttpClient As(Role role) => Server.WithKey(Keys[role]);

    /// <summary>One chunk job, as a Hangfire worker on any node would run it.</summary>
    public async Task RunChunkAsync(Guid mailingId, int chunk)
    {
        using var scope = Server.App.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<MailingChunkJob>().RunAsync(mailingId, chunk, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Smtp.DisposeAsync();
        await database!.DisposeAsync();
        if (Directory.Exists(Output))
        {
            Directory.Delete(Output, recursive: true);
        }
    }
}

public sealed class MailingTests(MailingFixture fixture) : IClassFixture<MailingFixture>
{
    /// <summary>Two in California, two in Washington (Cara has no email, Eve no street address), one in Illinois outside the letter's group.</summary>
    private const string People = AffectedPeopleImports.Header + "\n" +
        "Jane,Doe,1 Main St,Los Angeles,CA,90001,jane@example.com,name;ssn\n" +
        "John,Roe,2 Oak Ave,Sacramento,CA,95814,john@example.com,name;paymentCard\n" +
        "Cara,Diaz,6 Hill Ln,Seattle,WA,98101,,name;driversLicenseOrStateId\n" +
        "Eve,Moss,,,WA,,eve@example.com,name\n" +
        "Ann,Lee,4 Pine Rd,Chicago,IL,60601,ann@example.com,name;ssn\n";

    [Fact]
    public async Task A_mailing_writes_one_personal_letter_per_person_emails_and_packages_them_and_records_returns()
    {
        var (incident, letterUrl) = await ApprovedLetterAsync(exercise: false);
        using var commander = fixture.As(Role.IncidentCommander);
        using var observer = fixture.As(Role.Observer);
        // The mail server is shared by this class's tests: only what arrives from here on is this mailing's.
        var earlier = fixture.Smtp.Messages.Count;

        var started = await commander.PostJson(letterUrl + "/mailings", new { channel = "both" });
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var mailing = await started.Read<MailingView>();
        var mailingUrl = $"{letterUrl}/mailings/{mailing.Id}";
        Assert.Equal((4, 2, 0), (mailing.Recipients, mailing.Chunks, mailing.ChunksDone));
        Assert.Equal(4, mailing.ByStatus["pending"]);
        Assert.Equal(["US-CA", "US-WA"], mailing.Group);
        Assert.False(mailing.PackageReady);
        Assert.Equal(HttpStatusCode.Conflict, (await observer.GetAsync(mailingUrl + "/package")).StatusCode);
        var again = await commander.PostJson(letterUrl + "/mailings", new { channel = "both" });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(mailing.Id.ToString(), (await again.Problem()).GetProperty("mailing").GetString());

        // Two nodes' workers on each chunk at once: every letter is written once and emailed once.
        await Task.WhenAll(
            fixture.RunChunkAsync(mailing.Id, 0), fixture.RunChunkAsync(mailing.Id, 0), fixture.RunChunkAsync(mailing.Id, 1), fixture.RunChunkAsync(mailing.Id, 1));

        // A job that comes again for a finished chunk finds nothing to write or send.
        await fixture.RunChunkAsync(mailing.Id, 0);
        var done = await (await observer.GetAsync(mailingUrl)).Read<MailingView>();
        Assert.NotNull(done.FinishedAt);
        Assert.Equal((2, 3L, 3L), (done.ChunksDone, done.ByPost, done.ByEmail));
        Assert.Equal((3L, 1L, 0L), (done.ByStatus["sent"], done.ByStatus["generated"], done.ByStatus["pending"]));
        Assert.Equal(4, await GeneratedInAuditAsync(incident));
        var mails = fixture.Smtp.Messages.Skip(earlier).Where(m => m.From.ToString().Contains("northwind.test", StringComparison.Ordinal)).ToList();
        Assert.Equal(["eve@example.com", "jane@example.com", "john@example.com"], mails.Select(m => m.To.ToString()).Order());
        var janeMail = mails.Single(m => m.To.ToString() == "jane@example.com");
        Assert.Contains("Dear Jane Doe,", janeMail.TextBody, StringComparison.Ordinal);
        var attached = Assert.Single(janeMail.Attachments.OfType<MimeKit.MimePart>());
        Assert.Equal("application/pdf", attached.ContentType.MimeType);

        var package = await observer.GetAsync(mailingUrl + "/package");
        Assert.Equal("application/zip", package.Content.Headers.ContentType?.MediaType);
        using var zip = new ZipArchive(new MemoryStream(await package.Content.ReadAsByteArrayAsync()));
        var manifest = Read(zip.GetEntry("manifest.csv")!).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(MailingsApi.ManifestHeader, manifest[0]);
        Assert.Equal(4, manifest.Length);
        var texts = new Dictionary<string, string>();
        foreach (var row in manifest.Skip(1).Select(l => l.Split(',')))
        {
            var bytes = ReadBytes(zip.GetEntry(row[0])!);
            Assert.Equal(row[4], Convert.ToHexStringLower(SHA256.HashData(bytes)));
            Assert.Equal(long.Parse(row[3]), bytes.Length);
            Assert.Matches("^[0-9A-F]{8}-[0-9]{7}$", row[1]);
            using var pdf = PdfDocument.Open(bytes);
            Assert.Equal(int.Parse(row[2]), pdf.NumberOfPages);
            texts[row[1]] = string.Join(" ", pdf.GetPages().SelectMany(p => p.GetWords()).Select(w => w.Text));
        }

        var jane = texts.Single(t => t.Value.Contains("Dear Jane Doe,", StringComparison.Ordinal));
        Assert.Contains("Social Security number", jane.Value, StringComparison.Ordinal);
        Assert.DoesNotContain("credit or debit card number", jane.Value, StringComparison.Ordinal);
        Assert.DoesNotContain("driver's license", jane.Value, StringComparison.Ordinal);
        var john = texts.Single(t => t.Value.Contains("Dear John Roe,", StringComparison.Ordinal));
        Assert.Contains("credit or debit card number", john.Value, StringComparison.Ordinal);
        Assert.DoesNotContain("Social Security number", john.Value, StringComparison.Ordinal);
        var cara = texts.Single(t => t.Value.Contains("Dear Cara Diaz,", StringComparison.Ordinal));
        Assert.Contains("6 Hill Ln Seattle, WA 98101", cara.Value, StringComparison.Ordinal);
        Assert.DoesNotContain(texts.Values, t => t.Contains("Eve Moss", StringComparison.Ordinal) || t.Contains("Ann Lee", StringComparison.Ordinal));
        Assert.DoesNotContain(texts.Keys, reference => reference.Contains("Doe", StringComparison.Ordinal));

        // Returned mail by CSV, a bounce by JSON; the same return again changes nothing; impossible returns are refused whole.
        var returned = await commander.PostAsync(mailingUrl + "/returns", new StringContent(
            $"reference,status,reason,at\n{cara.Key},returned,Addressee unknown,2026-07-01T09:30:00Z\n", Encoding.UTF8, "text/csv"));
        Assert.Equal((1, 0), Counts(await returned.Read<ReturnsView>()));
        var bounce = new { returns = new[] { new { reference = jane.Key, status = "bounced", reason = "550 mailbox unavailable", at = (string?)null } } };
        Assert.Equal((1, 0), Counts(await (await commander.PostJson(mailingUrl + "/returns", bounce)).Read<ReturnsView>()));
        Assert.Equal((0, 1), Counts(await (await commander.PostJson(mailingUrl + "/returns", bounce)).Read<ReturnsView>()));
        var impossible = await commander.PostJson(mailingUrl + "/returns", new
        {
            returns = new[] { new { reference = john.Key, status = "returned", reason = "Moved" }, new { reference = cara.Key, status = "bounced", reason = "No such user" } },
        });
        Assert.Equal(HttpStatusCode.Conflict, impossible.StatusCode);
        Assert.True((await impossible.Problem()).GetProperty("errors").TryGetProperty("returns[1].status", out _));
        var unknown = await commander.PostJson(mailingUrl + "/returns", new { returns = new[] { new { reference = "00000000-0000001", status = "returned", reason = "x" } } });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await observer.PostJson(mailingUrl + "/returns", bounce)).StatusCode);

        var after = await (await observer.GetAsync(mailingUrl)).Read<MailingView>();
        Assert.Equal((1L, 1L, 2L, 0L), (after.ByStatus["returned"], after.ByStatus["bounced"], after.ByStatus["sent"], after.ByStatus["generated"]));
        var listed = await (await observer.GetAsync(letterUrl + "/mailings")).Read<MailingView[]>();
        Assert.Equal(mailing.Id, Assert.Single(listed).Id);
        using var admin = fixture.Server.Admin();
        var audit = await (await admin.GetAsync($"/api/v1/audit?targetType=incident&targetId={incident}&limit=1000")).Read<AuditEventView[]>();
        foreach (var action in new[] { "mailing.started", "mailing.letters.generated", "mailing.letters.emailed", "mailing.finished", "mailing.returns.recorded" })
        {
            Assert.Contains(audit, e => e.Action == action);
        }

        Assert.DoesNotContain(audit, e => e.Action.StartsWith("mailing.", StringComparison.Ordinal) && e.Summary.Contains("Doe", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_chunk_run_again_after_a_crash_writes_only_what_was_not_committed()
    {
        var (incident, letterUrl) = await ApprovedLetterAsync(exercise: false);
        using var commander = fixture.As(Role.IncidentCommander);
        var mailing = await (await commander.PostJson(letterUrl + "/mailings", new { group = new[] { "US-CA" }, channel = "print" })).Read<MailingView>();
        Assert.Equal((2, 1), (mailing.Recipients, mailing.Chunks));
        await fixture.RunChunkAsync(mailing.Id, 0);
        var generatedBefore = await GeneratedInAuditAsync(incident);
        var directory = Path.Combine(fixture.Output, mailing.Id.ToString("N"));
        var files = Directory.GetFiles(directory).Order().ToArray();
        Assert.Equal(2, files.Length);

        // The node died after writing half of the second letter and before its batch committed: that row is still pending.
        string secondFile;
        await using (var connection = new NpgsqlConnection(fixture.ConnectionString))
        {
            await connection.OpenAsync();
            await using var reset = new NpgsqlCommand(
                "UPDATE mailing_recipients SET status = 'Pending', sha256 = NULL, bytes = NULL WHERE mailing_id = @m AND sequence = 2 RETURNING file_name", connection);
            reset.Parameters.AddWithValue("m", mailing.Id);
            secondFile = Path.Combine(directory, (string)(await reset.ExecuteScalarAsync())!);
        }

        var firstFile = Assert.Single(files, f => f != secondFile);
        var first = await File.ReadAllBytesAsync(firstFile);
        var firstWritten = File.GetLastWriteTimeUtc(firstFile);
        await File.WriteAllBytesAsync(secondFile, [0x25, 0x50]);
        await Task.WhenAll(fixture.RunChunkAsync(mailing.Id, 0), fixture.RunChunkAsync(mailing.Id, 0));

        Assert.Equal(generatedBefore + 1, await GeneratedInAuditAsync(incident));
        Assert.Equal(first, await File.ReadAllBytesAsync(firstFile));
        Assert.Equal(firstWritten, File.GetLastWriteTimeUtc(firstFile));
        Assert.Equal(files, Directory.GetFiles(directory).Order().ToArray());
        var view = await (await commander.GetAsync($"{letterUrl}/mailings/{mailing.Id}")).Read<MailingView>();
        Assert.Equal((2L, 0L), (view.ByStatus["generated"], view.ByStatus["pending"]));
        Assert.NotNull(view.FinishedAt);
        using var zip = new ZipArchive(new MemoryStream(await (await commander.GetAsync($"{letterUrl}/mailings/{mailing.Id}/package")).Content.ReadAsByteArrayAsync()));
        var second = zip.GetEntry("letters/" + Path.GetFileName(secondFile))!;
        var row = Read(zip.GetEntry("manifest.csv")!).Split('\n').Single(l => l.StartsWith(second.FullName, StringComparison.Ordinal)).Split(',');
        Assert.Equal(row[4], Convert.ToHexStringLower(SHA256.HashData(ReadBytes(second))));
        // The rewritten letter is whole again and addressed to the other Californian.
        Assert.NotEqual(Addressee(first), Addressee(ReadBytes(second)));
    }

    private static string Addressee(byte[] letter)
    {
        using var pdf = PdfDocument.Open(letter);
        var words = string.Join(" ", pdf.GetPage(1).GetWords().Select(w => w.Text));
        return Assert.Single(new[] { "Doe", "Roe" }, name => words.Contains(name, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Only_an_approved_letter_is_mailed_an_exercise_is_print_only_and_watermarked_and_bad_orders_name_the_field()
    {
        var (_, draftUrl) = await LetterAsync(exercise: false);
        using var commander = fixture.As(Role.IncidentCommander);
        using var comms = fixture.As(Role.Communications);
        Assert.Equal(HttpStatusCode.Conflict, (await commander.PostJson(draftUrl + "/mailings", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await comms.PostJson(draftUrl + "/mailings", new { })).StatusCode);

        var (incident, letterUrl) = await ApprovedLetterAsync(exercise: true);
        async Task<string> FieldAt(object body)
        {
            var response = await commander.PostJson(letterUrl + "/mailings", body);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            return (await response.Problem()).GetProperty("errors").EnumerateObject().Single().Name;
        }

        Assert.Equal("channel", await FieldAt(new { channel = "email" }));
        Assert.Equal("channel", await FieldAt(new { channel = "pigeon" }));
        Assert.Equal("group[1]", await FieldAt(new { group = new[] { "US-CA", "US-IL" } }));
        Assert.Equal("group", await FieldAt(new { group = 7 }));
        Assert.Equal(HttpStatusCode.NotFound, (await commander.PostJson($"/api/v1/incidents/{incident}/letters/{Guid.NewGuid()}/mailings", new { })).StatusCode);

        var mailing = await (await commander.PostJson(letterUrl + "/mailings", new { group = "all" })).Read<MailingView>();
        Assert.True(mailing.IsExercise);
        Assert.Equal(5, mailing.Recipients);
        for (var chunk = 0; chunk < mailing.Chunks; chunk++)
        {
            await fixture.RunChunkAsync(mailing.Id, chunk);
        }

        var package = await commander.GetAsync($"{letterUrl}/mailings/{mailing.Id}/package");
        using var zip = new ZipArchive(new MemoryStream(await package.Content.ReadAsByteArrayAsync()));
        var letters = zip.Entries.Where(e => e.FullName.StartsWith("letters/", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, letters.Count);
        foreach (var entry in letters)
        {
            using var pdf = PdfDocument.Open(ReadBytes(entry));
            var words = string.Join(" ", pdf.GetPage(1).GetWords().Select(w => w.Text));
            Assert.StartsWith("EXERCISE", words, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_email_left_sending_by_a_stopped_node_is_settled_from_the_mail_log_and_then_the_mailing_finishes()
    {
        var (_, letterUrl) = await ApprovedLetterAsync(exercise: false);
        using var commander = fixture.As(Role.IncidentCommander);
        var mailing = await (await commander.PostJson(letterUrl + "/mailings", new { group = new[] { "US-CA" }, channel = "email" })).Read<MailingView>();
        var mailingUrl = $"{letterUrl}/mailings/{mailing.Id}";
        await fixture.RunChunkAsync(mailing.Id, 0);

        // The node stopped after handing the second email to the mail server and before recording it as sent.
        string code;
        await using (var connection = new NpgsqlConnection(fixture.ConnectionString))
        {
            await connection.OpenAsync();
            await using var stop = new NpgsqlCommand(
                "UPDATE mailing_recipients SET status = 'Sending', sent_at = NULL WHERE mailing_id = @m AND sequence = 2; " +
                "UPDATE mailings SET finished_at = NULL WHERE id = @m RETURNING code", connection);
            stop.Parameters.AddWithValue("m", mailing.Id);
            code = (string)(await stop.ExecuteScalarAsync())!;
        }

        // No job sends it again or finishes the mailing while that email is in doubt.
        var sentBefore = fixture.Smtp.Messages.Count;
        await fixture.RunChunkAsync(mailing.Id, 0);
        var stuck = await (await commander.GetAsync(mailingUrl)).Read<MailingView>();
        Assert.Equal((1L, 1L, sentBefore), (stuck.ByStatus["sending"], stuck.ByStatus["sent"], fixture.Smtp.Messages.Count));
        Assert.Null(stuck.FinishedAt);

        var recorded = new { returns = new[] { new { reference = $"{code}-0000001", status = "sent", reason = "Delivered per the mail log" } } };
        Assert.Equal((0, 1), Counts(await (await commander.PostJson(mailingUrl + "/returns", recorded)).Read<ReturnsView>()));
        var settle = new { returns = new[] { new { reference = $"{code}-0000002", status = "sent", reason = "250 OK in the mail server log, queue id 4F2A" } } };
        var settled = await (await commander.PostJson(mailingUrl + "/returns", settle)).Read<ReturnsView>();
        Assert.Equal((1, 0), Counts(settled));
        await fixture.RunChunkAsync(mailing.Id, 0);
        var finished = await (await commander.GetAsync(mailingUrl)).Read<MailingView>();
        Assert.Equal((0L, 2L), (finished.ByStatus["sending"], finished.ByStatus["sent"]));
        Assert.NotNull(finished.FinishedAt);
    }

    [Fact]
    public async Task A_purge_of_the_people_removes_the_letter_files_and_keeps_the_mailings_record()
    {
        var (incident, letterUrl) = await ApprovedLetterAsync(exercise: false);
        using var commander = fixture.As(Role.IncidentCommander);
        using var legal = fixture.As(Role.Legal);
        var mailing = await (await commander.PostJson(letterUrl + "/mailings", new { group = new[] { "US-CA" } })).Read<MailingView>();
        await fixture.RunChunkAsync(mailing.Id, 0);
        var directory = Path.Combine(fixture.Output, mailing.Id.ToString("N"));
        Assert.Equal(2, Directory.GetFiles(directory).Length);

        var url = $"/api/v1/incidents/{incident}";
        var ledger = await (await legal.PostJson(url + "/assessment", new { })).Read<LedgerView>();
        foreach (var notice in ledger.Obligations.Where(o => o.Recipient == Recipient.Individuals))
        {
            (await legal.SendJson(HttpMethod.Patch, $"{url}/obligations/{notice.Id}", new { status = "sent", proof = $"mailing {mailing.Id}" }, ifMatch: notice.Version.ToString()))
                .EnsureSuccessStatusCode();
        }

        using var admin = fixture.Server.Admin();
        var organisation = await (await admin.GetAsync("/api/v1/organisation")).Read<OrganisationView>();
        (await admin.SendJson(HttpMethod.Patch, "/api/v1/organisation", new { affectedPeopleRetentionDays = 0 }, ifMatch: organisation.Version.ToString())).EnsureSuccessStatusCode();
        (await legal.PostJson(url + "/affected-people/purge", new { })).EnsureSuccessStatusCode();

        Assert.False(Directory.Exists(directory));
        var view = await (await commander.GetAsync($"{letterUrl}/mailings/{mailing.Id}")).Read<MailingView>();
        Assert.Equal(2L, view.ByStatus["generated"]);
        Assert.Equal(HttpStatusCode.Conflict, (await commander.GetAsync($"{letterUrl}/mailings/{mailing.Id}/package")).StatusCode);
    }

    [Fact]
    public async Task The_sweep_queues_again_the_unfinished_chunks_of_a_mailing_that_stopped_moving()
    {
        var (_, letterUrl) = await ApprovedLetterAsync(exercise: false);
        using var commander = fixture.As(Role.IncidentCommander);
        var mailing = await (await commander.PostJson(letterUrl + "/mailings", new { group = "all" })).Read<MailingView>();
        Assert.Equal(3, mailing.Chunks);
        await fixture.RunChunkAsync(mailing.Id, 1);
        var monitoring = fixture.Server.App.Services.GetRequiredService<Hangfire.JobStorage>().GetMonitoringApi();

        using (var scope = fixture.Server.App.Services.CreateScope())
        {
            var before = monitoring.EnqueuedCount("default");
            await scope.ServiceProvider.GetRequiredService<MailingSweep>().RunAsync(CancellationToken.None);
            Assert.Equal(before, monitoring.EnqueuedCount("default"));
        }

        await using (var connection = new NpgsqlConnection(fixture.ConnectionString))
        {
            await connection.OpenAsync();
            await using var stall = new NpgsqlCommand("UPDATE mailings SET progress_at = progress_at - interval '1 hour' WHERE id = @m", connection);
            stall.Parameters.AddWithValue("m", mailing.Id);
            await stall.ExecuteNonQueryAsync();
        }

        using (var scope = fixture.Server.App.Services.CreateScope())
        {
            var before = monitoring.EnqueuedCount("default");
            await scope.ServiceProvider.GetRequiredService<MailingSweep>().RunAsync(CancellationToken.None);
            // Chunks 0 and 2 are left; chunk 1 is done and is not queued again.
            Assert.Equal(before + 2, monitoring.EnqueuedCount("default"));
            await scope.ServiceProvider.GetRequiredService<MailingSweep>().RunAsync(CancellationToken.None);
            Assert.Equal(before + 2, monitoring.EnqueuedCount("default"));
        }
    }

    private async Task<(Guid Incident, string LetterUrl)> LetterAsync(bool exercise)
    {
        using var admin = fixture.Server.Admin();
        return await ApprovedLetters.DraftAsync(fixture.As, admin, People, ["US-CA", "US-WA"], exercise);
    }

    private async Task<(Guid Incident, string LetterUrl)> ApprovedLetterAsync(bool exercise)
    {
        var (incident, letterUrl) = await LetterAsync(exercise);
        await ApprovedLetters.ApproveAsync(fixture.As, letterUrl);
        return (incident, letterUrl);
    }

    /// <summary>How many letters the chunk jobs say they wrote for the incident, from the audit trail.</summary>
    private async Task<int> GeneratedInAuditAsync(Guid incident)
    {
        using var admin = fixture.Server.Admin();
        var audit = await (await admin.GetAsync($"/api/v1/audit?targetType=incident&targetId={incident}&limit=1000")).Read<AuditEventView[]>();
        return audit.Where(e => e.Action == "mailing.letters.generated")
            .Sum(e => JsonDocument.Parse(e.Summary).RootElement.GetProperty("after").GetProperty("generated").GetInt32());
    }

    private static (int, int) Counts(ReturnsView view) => (view.Recorded, view.AlreadyRecorded);

    private static byte[] ReadBytes(ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    private static string Read(ZipArchiveEntry entry) => Encoding.UTF8.GetString(ReadBytes(entry));
}
