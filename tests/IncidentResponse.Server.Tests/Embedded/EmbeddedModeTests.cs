using System.Net;
using System.Text.Json;
using IncidentResponse.Core.Deadlines;
using IncidentResponse.Core.Incidents;
using IncidentResponse.Core.Playbooks;
using IncidentResponse.Server.Deadlines;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.Organisations;
using IncidentResponse.Server.Playbooks;
using IncidentResponse.Server.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace IncidentResponse.Server.Tests.Embedded;

/// <summary>With no configuration the server runs on an embedded SQLite file with demo data.</summary>
public sealed class EmbeddedModeTests : IAsyncLifetime
{
    private readonly string dataDirectory = Path.Combine(Path.GetTempPath(), "ir-embedded-" + Guid.NewGuid().ToString("N"));
    private RunningServer server = null!;

    public async Task InitializeAsync() => server = await RunningServer.StartAsync($"--IR_DATA_DIR={dataDirectory}", "--ConnectionStrings:Postgres=");

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(dataDirectory, recursive: true);
    }

    [Fact]
    public async Task First_start_creates_the_database_file_and_seeds_the_demo_retailer()
    {
        Assert.True(File.Exists(Path.Combine(dataDirectory, "incident-response.db")));
        using var admin = server.Admin();
        var organisation = await (await admin.GetAsync("/api/v1/organisation")).Read<OrganisationView>();
        Assert.Equal("Northwind Outfitters, Inc.", organisation.Name);
        var categories = organisation.Systems.Select(s => s.Category).ToHashSet();
        Assert.Superset(new HashSet<SystemCategory> { SystemCategory.BluetoothBeacon, SystemCategory.SmartShelf, SystemCategory.RfidReader, SystemCategory.Website, SystemCategory.MobileApp }, categories);
        var incidents = await (await admin.GetAsync("/api/v1/incidents")).Read<Paged<IncidentListItem>>();
        Assert.Single(incidents.Items);
        Assert.Equal(HttpStatusCode.OK, (await server.Anonymous().GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public async Task A_remembered_key_revoked_or_its_user_disabled_is_refused_at_once_on_SQLite()
    {
        using var admin = server.Admin();
        var user = await (await admin.PostJson("/api/v1/users", new
        {
            email = "analyst@embedded.test", displayName = "Analyst", roles = new[] { "it" }, password = "correct horse battery staple",
        })).Read<IncidentResponse.Server.Identity.UserView>();
        var first = await (await admin.PostJson($"/api/v1/users/{user.Id}/api-keys", new { name = "first" })).Read<IncidentResponse.Server.Identity.CreatedApiKey>();
        var second = await (await admin.PostJson($"/api/v1/users/{user.Id}/api-keys", new { name = "second" })).Read<IncidentResponse.Server.Identity.CreatedApiKey>();
        using var withFirst = server.WithKey(first.Key);
        using var withSecond = server.WithKey(second.Key);
        Assert.Equal(HttpStatusCode.OK, (await withFirst.GetAsync("/api/v1/incidents")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await withSecond.GetAsync("/api/v1/incidents")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/users/{user.Id}/api-keys/{first.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await withFirst.GetAsync("/api/v1/incidents")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await withSecond.GetAsync("/api/v1/incidents")).StatusCode);

        // Disabled behind the server's back: it still knows the user as it was, which shows it remembers at all.
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(dataDirectory, "incident-response.db")}"))
        {
            await connection.OpenAsync();
            await using var disable = connection.CreateCommand();
            disable.CommandText = "UPDATE users SET disabled = 1 WHERE email = 'analyst@embedded.test'";
            Assert.Equal(1, await disable.ExecuteNonQueryAsync());
        }

        Assert.Equal(HttpStatusCode.OK, (await withSecond.GetAsync("/api/v1/incidents")).StatusCode);
        (await admin.SendJson(HttpMethod.Patch, $"/api/v1/users/{user.Id}", new { disabled = true }, ifMatch: $"{user.Version}")).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Unauthorized, (await withSecond.GetAsync("/api/v1/incidents")).StatusCode);
    }

    [Fact]
    public async Task Incidents_work_end_to_end_and_the_audit_chain_verifies()
    {
        using var admin = server.Admin();
        var created = await (await admin.PostJson("/api/v1/incidents", new { title = "Smart shelf firmware tampering", kind = "iotDeviceCompromise", severity = "medium" })).Read<IncidentView>();
        Assert.EndsWith("-0002", created.Reference);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostJson($"/api/v1/incidents/{created.Id}/transitions", new { to = "triage" })).StatusCode);
        var stale = await admin.SendJson(HttpMethod.Patch, $"/api/v1/incidents/{created.Id}", new { title = "x" }, ifMatch: "1");
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        var verify = JsonDocument.Parse(await admin.GetStringAsync("/api/v1/audit/verify")).RootElement;
        Assert.True(verify.GetProperty("valid").GetBoolean());
        Assert.True(verify.GetProperty("eventsChecked").GetInt64() >= 4);
    }

    [Fact]
    public async Task Playbook_steps_move_on_SQLite_and_a_milestone_step_records_its_milestone()
    {
        using var admin = server.Admin();
        var incident = await (await admin.PostJson("/api/v1/incidents", new { title = "Encrypted file shares", kind = "ransomware", severity = "high" })).Read<IncidentView>();
        var run = Assert.Single(await (await admin.GetAsync($"/api/v1/incidents/{incident.Id}/runs")).Read<RunView[]>());
        async Task<RunChangeView> Complete(string step)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/runs/{run.Id}/steps/{step}/complete")
            {
                Content = System.Net.Http.Json.JsonContent.Create(new { note = "done" }, options: RunningServer.Json),
            };
            request.Headers.Add("Prefer", "return=minimal");
            return await (await admin.SendAsync(request)).Read<RunChangeView>();
        }

        await Complete("triage-and-activate");
        await Complete("isolate-affected-systems");
        await Complete("reset-credentials");
        var contained = await Complete("record-contained");
        Assert.Contains(contained.Changed, s => s.StepId == "record-contained" && s.Status == StepStatus.Done);
        Assert.Contains(contained.Changed, s => s.StepId == "eradicate-persistence" && s.Status == StepStatus.Ready);

        var read = await (await admin.GetAsync($"/api/v1/incidents/{incident.Id}")).Read<IncidentView>();
        Assert.Contains(read.Milestones, m => m.Kind == MilestoneKind.Contained && m.Note == "recorded by playbook step record-contained");
        Assert.Equal(incident.Version + 1, read.Version);
        Assert.True(JsonDocument.Parse(await admin.GetStringAsync("/api/v1/audit/verify")).RootElement.GetProperty("valid").GetBoolean());
    }

    [Fact]
    public async Task Letters_are_drafted_revised_and_redlined_on_SQLite()
    {
        using var admin = server.Admin();
        var incident = await (await admin.PostJson("/api/v1/incidents", new { title = "Loyalty export", kind = "dataExfiltration", severity = "high", summary = "An unauthorized party copied loyalty records." })).Read<IncidentView>();
        var url = $"/api/v1/incidents/{incident.Id}";
        (await admin.SendJson(HttpMethod.Put, url + "/facts", new { dataOwner = true, dataElements = new[] { "name", "ssn" }, affectedResidents = new Dictionary<string, int> { ["US-CA"] = 900 } })).EnsureSuccessStatusCode();

        var letter = await (await admin.PostJson(url + "/letters", new { kind = "stateRegulators", group = new[] { "US-CA" }, organisation = new { phone = "1-888-555-0147" } }))
            .Read<IncidentResponse.Server.Letters.LetterView>();
        var first = await (await admin.GetAsync($"{url}/letters/{letter.Id}/versions/1")).Read<IncidentResponse.Server.Letters.LetterVersionView>();
        var revised = await (await admin.SendJson(HttpMethod.Post, $"{url}/letters/{letter.Id}/versions", new { body = first.Body + "\nWe remain available.\n" }, ifMatch: $"{letter.Version}"))
            .Read<IncidentResponse.Server.Letters.LetterView>();
        Assert.Equal(2, revised.Versions.Count);
        var redline = await (await admin.GetAsync($"{url}/letters/{letter.Id}/versions/2/redline")).Read<IncidentResponse.Server.Letters.RedlineView>();
        Assert.Contains("<ins>", redline.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deadlines_are_laid_out_swept_and_delivered_in_app_on_SQLite()
    {
        using var admin = server.Admin();
        var me = JsonDocument.Parse(await admin.GetStringAsync("/api/v1/auth/me")).RootElement.GetProperty("id").GetGuid();
        var incident = await (await admin.PostJson("/api/v1/incidents", new { title = "Beacon firmware", kind = "iotDeviceCompromise", severity = "medium" })).Read<IncidentView>();
        (await admin.SendJson(HttpMethod.Put, $"/api/v1/incidents/{incident.Id}/team-leads/legal", new { userId = me })).EnsureSuccessStatusCode();
        var now = SystemClock.Instance.GetCurrentInstant();
        var due = now + Duration.FromHours(3);
        var followUp = await (await admin.PostJson($"/api/v1/incidents/{incident.Id}/deadlines", new { title = "Call the store managers back", dueAt = due }))
            .Read<DeadlineView>();
        // Laid out late: of the rungs already past, only the four-hour one is still to go.
        Assert.Equal(due - Duration.FromHours(4), followUp.NextReminderAt);

        using (var scope = server.App.Services.CreateScope())
        {
            var sweep = scope.ServiceProvider.GetRequiredService<DeadlineSweep>();
            var result = await sweep.RunAsync(now, CancellationToken.None);
            Assert.True(result.Dispatched >= 1);
            Assert.Equal(0, (await sweep.RunAsync(now, CancellationToken.None)).Dispatched);
        }

        var inbox = JsonSerializer.Deserialize<DeliveryView[]>(await admin.GetStringAsync("/api/v1/inbox"), RunningServer.Json)!;
        var reminder = Assert.Single(inbox, d => d.DeadlineId == followUp.Id);
        Assert.Equal("before-240m", reminder.RungKey);
        Assert.Contains("Call the store managers back: due in 4 hours", reminder.Subject);
        var board = JsonSerializer.Deserialize<DeadlineView[]>(await admin.GetStringAsync($"/api/v1/incidents/{incident.Id}/deadlines"), RunningServer.Json)!;
        Assert.Equal(BoardColumn.DueSoon, board.Single(d => d.Id == followUp.Id).Column);
    }

    [Fact]
    public async Task SQLite_refuses_to_change_an_audit_event()
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(dataDirectory, "incident-response.db")}");
        await connection.OpenAsync();
        await using var update = connection.CreateCommand();
        update.CommandText = "UPDATE audit_events SET actor = 'mallory' WHERE sequence = 1";
        var error = await Assert.ThrowsAsync<SqliteException>(() => update.ExecuteNonQueryAsync());
        Assert.Contains("append-only", error.Message);
    }

    [Fact]
    public async Task Affected_people_import_on_SQLite_with_a_key_file_only_its_owner_reads()
    {
        using var admin = server.Admin();
        var incident = (await (await admin.GetAsync("/api/v1/incidents")).Read<Paged<IncidentListItem>>()).Items[0].Id;
        var csv = AffectedPeople.AffectedPeopleImports.Header + "\n" +
            "Jane,Doe,1 Main St,Springfield,IL,62701,jane@example.com,name;ssn\n" +
            "Ann,Lee,4 Pine Rd,Boston,,02134,ann@example.com,name\n" +
            ",,3 Elm St,Austin,TX,78701,,name\n" +
            "JANE,DOE,1 Main St.,Springfield,IL,62701,,name\n";
        var import = await (await AffectedPeople.AffectedPeopleImports.PostCsv(admin, incident, csv)).Read<IncidentResponse.Server.AffectedPeople.ImportView>();
        Assert.Equal((4L, 2L, 1L, 1L), (import.Rows, import.Imported, import.Duplicates, import.Rejected));
        Assert.Equal(new IncidentResponse.Server.AffectedPeople.RowErrorView(4, "First Name", "names nobody: the name is blank"), Assert.Single(import.Errors));
        var summary = await (await admin.GetAsync($"/api/v1/incidents/{incident}/affected-people/summary")).Read<IncidentResponse.Server.AffectedPeople.AffectedPeopleSummary>();
        Assert.Equal(new Dictionary<string, long> { ["US-IL"] = 1, ["US-MA"] = 1 }, summary.ByJurisdiction);

        var keyFile = Path.Combine(dataDirectory, IncidentResponse.Server.AffectedPeople.PersonalDataKeys.FileName);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        }

        foreach (var file in Directory.GetFiles(dataDirectory, "incident-response.db*"))
        {
            var bytes = System.Text.Encoding.Latin1.GetString(await File.ReadAllBytesAsync(file));
            Assert.DoesNotContain("jane@example.com", bytes, StringComparison.Ordinal);
            Assert.DoesNotContain("Pine Rd", bytes, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_mailing_is_started_written_and_packaged_on_SQLite()
    {
        using var admin = server.Admin();
        var legalUser = await (await admin.PostJson("/api/v1/users", new
        {
            email = "counsel@embedded.test", displayName = "Counsel", roles = new[] { "legal" }, password = "correct horse battery staple",
        })).Read<IncidentResponse.Server.Identity.UserView>();
        using var legal = server.WithKey((await (await admin.PostJson($"/api/v1/users/{legalUser.Id}/api-keys", new { name = "tests" }))
            .Read<IncidentResponse.Server.Identity.CreatedApiKey>()).Key);
        var incident = await (await admin.PostJson("/api/v1/incidents", new
        {
            title = "Loyalty export", kind = "dataExfiltration", severity = "high", summary = "An unauthorized party copied loyalty records.",
        })).Read<IncidentView>();
        var url = $"/api/v1/incidents/{incident.Id}";
        (await admin.SendJson(HttpMethod.Put, url + "/facts", new { dataOwner = true, dataElements = new[] { "name" } })).EnsureSuccessStatusCode();
        var csv = AffectedPeople.AffectedPeopleImports.Header + "\n" +
            "Jane,Doe,1 Main St,Los Angeles,CA,90001,jane@example.com,name;ssn\n" +
            "John,Roe,2 Oak Ave,Sacramento,CA,95814,,name;paymentCard\n";
        (await AffectedPeople.AffectedPeopleImports.PostCsv(admin, incident.Id, csv)).EnsureSuccessStatusCode();
        var letter = await (await admin.PostJson(url + "/letters", new
        {
            kind = "individuals", group = new[] { "US-CA" }, organisation = new { shortName = "Northwind", phone = "1-888-555-0147" },
            offer = new { creditMonitoringMonths = 24, provider = "ClearWatch Identity" },
        })).Read<IncidentResponse.Server.Letters.LetterView>();
        var letterUrl = $"{url}/letters/{letter.Id}";
        letter = await (await admin.SendJson(HttpMethod.Post, letterUrl + "/submit", new { }, ifMatch: $"{letter.Version}")).Read<IncidentResponse.Server.Letters.LetterView>();
        (await legal.SendJson(HttpMethod.Post, letterUrl + "/approve", new { }, ifMatch: $"{letter.Version}")).EnsureSuccessStatusCode();

        var mailing = await (await admin.PostJson(letterUrl + "/mailings", new { channel = "print" })).Read<IncidentResponse.Server.Mailings.MailingView>();
        Assert.Equal((2, 1), (mailing.Recipients, mailing.Chunks));
        using (var scope = server.App.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<IncidentResponse.Server.Mailings.MailingChunkJob>().RunAsync(mailing.Id, 0, CancellationToken.None);
        }

        var done = await (await admin.GetAsync($"{letterUrl}/mailings/{mailing.Id}")).Read<IncidentResponse.Server.Mailings.MailingView>();
        Assert.Equal((2L, 1), (done.ByStatus["generated"], done.ChunksDone));
        Assert.NotNull(done.FinishedAt);
        using var zip = new System.IO.Compression.ZipArchive(new MemoryStream(await admin.GetByteArrayAsync($"{letterUrl}/mailings/{mailing.Id}/package")));
        Assert.Equal(3, zip.Entries.Count);
        Assert.Equal(2, Directory.GetFiles(Path.Combine(dataDirectory, "mailings", mailing.Id.ToString("N")), "*.pdf").Length);
    }

    [Fact]
    public async Task A_key_file_rotation_is_re_keyed_on_SQLite()
    {
        var directory = Path.Combine(Path.GetTempPath(), "ir-embedded-rekey-" + Guid.NewGuid().ToString("N"));
        string[] settings = [$"--IR_DATA_DIR={directory}", "--ConnectionStrings:Postgres="];
        var csv = AffectedPeople.AffectedPeopleImports.Header + "\n" +
            "Jane,Doe,1 Main St,Springfield,IL,62701,jane@example.com,name;ssn\n" +
            "Ann,Lee,4 Pine Rd,Boston,MA,02134,ann@example.com,name\n";
        try
        {
            Guid incident;
            await using (var before = await RunningServer.StartAsync(settings))
            {
                using var admin = before.Admin();
                incident = (await (await admin.GetAsync("/api/v1/incidents")).Read<Paged<IncidentListItem>>()).Items[0].Id;
                (await AffectedPeople.AffectedPeopleImports.PostCsv(admin, incident, csv)).EnsureSuccessStatusCode();
            }

            // The operator's rotation: the key file becomes a former key, and the next start makes a new one.
            var keyFile = Path.Combine(directory, IncidentResponse.Server.AffectedPeople.PersonalDataKeys.FileName);
            File.Move(keyFile, Path.Combine(directory, IncidentResponse.Server.AffectedPeople.PersonalDataKeys.FormerKeysFileName));
            await using var after = await RunningServer.StartAsync(settings);
            await using (var scope = after.App.Services.CreateAsyncScope())
            {
                var rekeyed = await scope.ServiceProvider.GetRequiredService<IncidentResponse.Server.AffectedPeople.AffectedPeopleRekey>().RekeyAllAsync(CancellationToken.None);
                Assert.Equal((1, 2L, 0L), (rekeyed.Incidents, rekeyed.Rekeyed, rekeyed.UnderOtherKeys));
                Assert.NotEqual(rekeyed.ByIncident[0].FromKeys[0], rekeyed.CurrentKey);
            }

            using var client = after.Admin();
            var again = await (await AffectedPeople.AffectedPeopleImports.PostCsv(client, incident, csv)).Read<IncidentResponse.Server.AffectedPeople.ImportView>();
            Assert.Equal((2L, 0L, 2L), (again.Rows, again.Imported, again.Duplicates));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }
}
