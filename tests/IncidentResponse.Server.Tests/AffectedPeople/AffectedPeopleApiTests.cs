using System.Net;
using System.Text;
using IncidentResponse.Core.Identity;
using IncidentResponse.Core.Laws;
using IncidentResponse.Server.AffectedPeople;
using IncidentResponse.Server.Audit;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.Notifications;
using IncidentResponse.Server.Organisations;
using IncidentResponse.Server.Persistence;
using IncidentResponse.Server.Playbooks;
using IncidentResponse.Server.Tests.Infrastructure;
using Npgsql;
using Microsoft.Extensions.DependencyInjection;

namespace IncidentResponse.Server.Tests.AffectedPeople;

[Collection(PostgresCollection.Name)]
public sealed class AffectedPeopleApiTests(PostgresServerFixture fixture)
{
    private const string FirstFile = AffectedPeopleImports.Header + "\n" +
        "Jane,Doe,1 Main St,Springfield,IL,62701,jane@example.com,name;ssn\n" +
        "John,Roe,\"2 Oak Ave, Apt 3\",Sacramento,,95814,john@example.com,name;paymentCard\n" +
        ",,3 Elm St,Austin,TX,78701,,name\n" +
        "Ann,Lee,4 Pine Rd,Boston,,2134,ann@example.com,name\n" +
        "Bob,Kim,5 Bay St,Miami,FL,33101,bob@example,name;telepathy\n" +
        "Cara,Diaz,6 Hill Ln,Seattle,WA,98101,cara@example.com,name;driversLicenseOrStateId\n";

    private async Task<(HttpClient Legal, Guid Incident)> NewIncidentAsync(string title)
    {
        var legal = fixture.As(Role.Legal);
        using var commander = fixture.As(Role.IncidentCommander);
        var incident = await (await commander.PostJson("/api/v1/incidents", new { title, kind = "dataExfiltration", severity = "high" })).Read<IncidentView>();
        return (legal, incident.Id);
    }

    /// <summary>Whether a run of the incident, read now, sees the <c>individuals.imported</c> wait event hold.</summary>
    private async Task<bool> ImportedEventHoldsAsync(Guid incident)
    {
        await using var scope = fixture.Server.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IncidentDbContext>();
        var context = await RunContext.LoadAsync(db, incident, NodaTime.SystemClock.Instance.GetCurrentInstant(), CancellationToken.None);
        return context.EventHolds("individuals.imported");
    }

    private Task<RunningServer> ServerWithBatchesOfTwoAsync() => RunningServer.StartAsync(
        $"--ConnectionStrings:Postgres={fixture.ConnectionString}", "--AffectedPeople:BatchSize=2", $"--IR_DATA_KEY={PostgresServerFixture.DataKey}");

    [Fact]
    public async Task Bad_rows_are_left_out_and_reported_by_row_column_and_reason()
    {
        var (legal, incident) = await NewIncidentAsync("Import with bad rows");
        Assert.False(await ImportedEventHoldsAsync(incident));
        var response = await legal.PostCsv(incident, FirstFile);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var import = await response.Read<ImportView>();
        Assert.Equal((ImportStatus.Completed, 6L, 3L, 0L, 3L), (import.Status, import.Rows, import.Imported, import.Duplicates, import.Rejected));

        var report = await legal.GetStringAsync(import.ErrorReport);
        Assert.Equal(
            "row,column,reason\n" +
            "4,First Name,names nobody: the name is blank\n" +
            "5,ZIP,is not a US ZIP Code: four digits (a spreadsheet may have dropped its leading zero)\n" +
            "6,Email,\"is not an email address (one @, a domain with a dot, no spaces)\"\n" +
            $"6,Elements,\"'telepathy' is not a data element name ({Core.AffectedPeople.PersonRows.ElementNames})\"\n",
            report);
        // A playbook's wait on the import now holds: the run reads the completed import with the incident.
        Assert.True(await ImportedEventHoldsAsync(incident));
        var again = await (await legal.GetAsync($"/api/v1/incidents/{incident}/affected-people/imports/{import.Id}")).Read<ImportView>();
        Assert.Equal(4, again.ErrorCount);
        Assert.Equal(new RowErrorView(4, "First Name", "names nobody: the name is blank"), again.Errors[0]);

        var summary = await (await legal.GetAsync($"/api/v1/incidents/{incident}/affected-people/summary")).Read<AffectedPeopleSummary>();
        Assert.Equal(3, summary.People);
        Assert.Equal(new Dictionary<string, long> { ["US-CA"] = 1, ["US-IL"] = 1, ["US-WA"] = 1 }, summary.ByJurisdiction);
        Assert.Equal(new Dictionary<string, long> { ["name"] = 3, ["ssn"] = 1, ["driversLicenseOrStateId"] = 1, ["paymentCard"] = 1 }, summary.ByDataElement);
    }

    [Fact]
    public async Task The_same_people_in_a_second_file_are_counted_once()
    {
        var (legal, incident) = await NewIncidentAsync("Two overlapping files");
        await (await legal.PostCsv(incident, FirstFile)).Read<ImportView>();
        var second = await (await legal.PostCsv(incident, AffectedPeopleImports.Header + "\n" +
            "JANE,DOE,1 Main St.,springfield,il,62701-0000,other@example.com,name\n" +
            "Cara,Diaz,6 Hill Ln,Seattle,WA,98101,cara@example.com,name\n" +
            "Cara,Diaz,6 Hill Ln,Seattle,WA,98101,cara@example.com,name\n" +
            "Dan,Ng,7 Lake Dr,Portland,OR,97201,dan@example.com,name;ssn\n")).Read<ImportView>();
        Assert.Equal((4L, 1L, 3L, 0L), (second.Rows, second.Imported, second.Duplicates, second.Rejected));

        var summary = await (await legal.GetAsync($"/api/v1/incidents/{incident}/affected-people/summary")).Read<AffectedPeopleSummary>();
        Assert.Equal(4, summary.People);
        Assert.Equal(2, summary.Imports);
    }

    [Fact]
    public async Task A_person_repeated_in_a_later_batch_of_the_same_file_is_stored_once()
    {
        var (legal, incident) = await NewIncidentAsync("Repeats across batches");
        await using var node = await ServerWithBatchesOfTwoAsync();
        using var client = node.WithKey(fixture.Users[Role.Legal].Key);
        // Batches of two people: Ann comes back in the second batch (already stored by the first), Dan twice in the third.
        var import = await (await client.PostCsv(incident, $"""
            {AffectedPeopleImports.Header}
            Ann,One,1 A St,Chicago,IL,60601,,name
            Ben,Two,2 B St,Chicago,IL,60601,,name
            ANN,ONE,1 A St.,chicago,il,60601,,name;ssn
            Cat,Three,3 C St,Cheyenne,WY,82001,,name
            Dan,Four,4 D St,Chicago,IL,60601,,name
            Dan,Four,4 D St,Chicago,IL,60601,,name
            Eve,Five,5 E St,Chicago,IL,60601,,name

            """)).Read<ImportView>();
        Assert.Equal((ImportStatus.Completed, 7L, 5L, 2L, 0L, 0), (import.Status, import.Rows, import.Imported, import.Duplicates, import.FailedRows, import.FailedBatches));

        var again = await (await client.PostCsv(incident, AffectedPeopleImports.Header + "\n" +
            "Eve,Five,5 E St,Chicago,IL,60601,,name\n" +
            "Fay,Six,6 F St,Chicago,IL,60601,,name\n")).Read<ImportView>();
        Assert.Equal((1L, 1L), (again.Imported, again.Duplicates));
        var summary = await (await legal.GetAsync($"/api/v1/incidents/{incident}/affected-people/summary")).Read<AffectedPeopleSummary>();
        Assert.Equal(new Dictionary<string, long> { ["US-IL"] = 5, ["US-WY"] = 1 }, summary.ByJurisdiction);
        Assert.Equal(new Dictionary<string, long> { ["name"] = 6 }, summary.ByDataElement);
    }

    [Fact]
    public async Task Counts_by_jurisdiction_become_the_facts_and_reach_the_assessment()
    {
        var (legal, incident) = await NewIncidentAsync("Counts into facts");
        var url = $"/api/v1/incidents/{incident}";
        await legal.SendJson(HttpMethod.Put, url + "/facts", new { dataOwner = true, dataElements = new[] { "name" }, affectedResidents = new Dictionary<string, int> { ["US-NY"] = 5 } });
        await (await legal.PostJson(url + "/assessment", new { })).Read<LedgerView>();

        var import = await (await legal.PostCsv(incident, FirstFile)).Read<ImportView>();
        Assert.Null(import.FactsProblem);
        var facts = await (await legal.GetAsync(url + "/facts")).Read<IncidentFactsView>();
        Assert.Equal("""{"US-CA":1,"US-IL":1,"US-WA":1}""", facts.Facts["affectedResidents"]!.ToJsonString());
        Assert.Equal(["name", "ssn", "driversLicenseOrStateId", "paymentCard"], facts.Facts["dataElements"]!.AsArray().Select(e => e!.GetValue<string>()));

        // The incident had been assessed, so it is assessed again: Washington's notice is in the ledger, New York's is withdrawn.
        var obligations = await (await legal.GetAsync(url + "/obligations")).Read<ObligationView[]>();
        Assert.Contains(obligations, o => o.Regime == "US-WA" && o.Recipient == Recipient.Individuals && o.Residents == 1);
        Assert.Contains(obligations, o => o.Regime == "US-IL" && o.Recipient == Recipient.Individuals);
        var audit = await (await legal.GetAsync(url + "/audit")).Read<AuditEventView[]>();
        Assert.Contains(audit, e => e.Action == "affected-people.imported");
        Assert.Contains(audit, e => e.Action == "incident.facts.recorded");
        Assert.Equal(2, audit.Count(e => e.Action == "incident.assessed"));
    }

    [Fact]
    public async Task The_database_holds_no_plaintext_name_address_or_email()
    {
        var (legal, incident) = await NewIncidentAsync("Encrypted at rest");
        await (await legal.PostCsv(incident, FirstFile)).Read<ImportView>();

        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        // What a dump holds: every column of every row, as COPY writes it (pg_dump's own format), and as bytes.
        var dump = new StringBuilder();
        using (var reader = await connection.BeginTextExportAsync($"COPY (SELECT * FROM affected_people WHERE incident_id = '{incident}') TO STDOUT"))
        {
            var copied = await reader.ReadToEndAsync();
            Assert.Equal(3, copied.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
            dump.Append(copied);
        }

        await using (var raw = new NpgsqlCommand($"SELECT sealed, blind_index FROM affected_people WHERE incident_id = '{incident}'", connection))
        await using (var rows = await raw.ExecuteReaderAsync())
        {
            while (await rows.ReadAsync())
            {
                dump.Append(Encoding.Latin1.GetString(rows.GetFieldValue<byte[]>(0))).Append(Encoding.Latin1.GetString(rows.GetFieldValue<byte[]>(1)));
            }
        }

        var text = dump.ToString();
        foreach (var secret in new[] { "Jane", "Doe", "Main St", "Springfield", "jane@example.com", "example.com", "Sacramento", "Oak Ave", "Cara", "Hill Ln" })
        {
            Assert.DoesNotContain(secret, text, StringComparison.OrdinalIgnoreCase);
        }

        Assert.Contains("US-IL", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Purge_waits_for_complete_notification_and_its_retention_then_removes_and_audits()
    {
        var (legal, incident) = await NewIncidentAsync("Purge after notice");
        var url = $"/api/v1/incidents/{incident}";
        await (await legal.PostCsv(incident, FirstFile)).Read<ImportView>();
        var ledger = await (await legal.PostJson(url + "/assessment", new { })).Read<LedgerView>();

        var early = await legal.PostJson(url + "/affected-people/purge", new { });
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        Assert.StartsWith("Notification is not complete:", (await early.Problem()).GetProperty("detail").GetString());

        foreach (var notice in ledger.Obligations.Where(o => o.Recipient == Recipient.Individuals))
        {
            var sent = await legal.SendJson(HttpMethod.Patch, $"{url}/obligations/{notice.Id}", new { status = "sent", proof = "mail batch 1" }, ifMatch: notice.Version.ToString());
            Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        }

        // Sent now: the default retention (90 days) still keeps the data.
        var kept = await legal.PostJson(url + "/affected-people/purge", new { });
        Assert.Equal(HttpStatusCode.Conflict, kept.StatusCode);
        Assert.Contains("the data is kept for 90 days", (await kept.Problem()).GetProperty("detail").GetString());

        using var admin = fixture.Server.Admin();
        await SetRetentionAsync(admin, 0);
        try
        {
            var purged = await legal.PostJson(url + "/affected-people/purge", new { });
            var view = await purged.Read<PurgeView>();
            Assert.Equal((3L, 4L), (view.People, view.Errors));
            var summary = await (await legal.GetAsync(url + "/affected-people/summary")).Read<AffectedPeopleSummary>();
            Assert.Equal(0, summary.People);
            var audit = await (await legal.GetAsync(url + "/audit")).Read<AuditEventView[]>();
            var purge = Assert.Single(audit, e => e.Action == "affected-people.purged");
            Assert.Contains("\"people\":3", purge.Summary);
        }
        finally
        {
            await SetRetentionAsync(admin, Organisation.DefaultRetentionDays);
        }
    }

    private static async Task SetRetentionAsync(HttpClient admin, int days)
    {
        var organisation = await (await admin.GetAsync("/api/v1/organisation")).Read<OrganisationView>();
        var patched = await admin.SendJson(HttpMethod.Patch, "/api/v1/organisation", new { affectedPeopleRetentionDays = days }, ifMatch: organisation.Version.ToString());
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
    }

    [Fact]
    public async Task A_batch_the_database_refuses_is_rolled_back_whole_and_reported()
    {
        var (legal, incident) = await NewIncidentAsync("A refused batch");
        await using var node = await ServerWithBatchesOfTwoAsync();
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        // Wyoming is refused for this incident only: a stand-in for any failure the database may have mid-import.
        await using (var trigger = new NpgsqlCommand($"""
            CREATE FUNCTION refuse_wyoming() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN IF NEW.residence = 'US-WY' AND NEW.incident_id = '{incident}' THEN RAISE EXCEPTION 'no Wyoming today'; END IF; RETURN NEW; END $$;
            CREATE TRIGGER refuse_wyoming BEFORE INSERT ON affected_people FOR EACH ROW EXECUTE FUNCTION refuse_wyoming();
            """, connection))
        {
            await trigger.ExecuteNonQueryAsync();
        }

        try
        {
            using var client = node.WithKey(fixture.Users[Role.Legal].Key);
            var import = await (await client.PostCsv(incident, AffectedPeopleImports.Header + "\n" +
                "A,One,1 A St,Chicago,IL,60601,,name\n" +
                "B,Two,2 B St,Chicago,IL,60601,,name\n" +
                "C,Three,3 C St,Cheyenne,WY,82001,,name\n" +
                "D,Four,4 D St,Chicago,IL,60601,,name\n" +
                "E,Five,5 E St,Chicago,IL,60601,,name\n" +
                ",,6 F St,Chicago,IL,60601,,name\n" +
                "G,Seven,7 G St,Chicago,IL,60601,,name\n")).Read<ImportView>();
            Assert.Equal((ImportStatus.Completed, 7L, 4L, 2L, 1, 1L), (import.Status, import.Rows, import.Imported, import.FailedRows, import.FailedBatches, import.Rejected));
            var batch = Assert.Single(import.Errors, e => e.Column == "(batch)");
            Assert.Equal(4, batch.Row);
            Assert.StartsWith("rows 4 to 5 were not imported (2 valid rows): the database refused the batch, so all of it was rolled back:", batch.Reason);
            Assert.Contains("no Wyoming today", batch.Reason);
            var summary = await (await legal.GetAsync($"/api/v1/incidents/{incident}/affected-people/summary")).Read<AffectedPeopleSummary>();
            Assert.Equal(new Dictionary<string, long> { ["US-IL"] = 4 }, summary.ByJurisdiction);
        }
        finally
        {
            await using var drop = new NpgsqlCommand("DROP TRIGGER refuse_wyoming ON affected_people; DROP FUNCTION refuse_wyoming();", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }

    [Fact]
    public async Task A_mapping_that_does_not_fit_the_file_is_refused_before_anything_is_stored()
    {
        var (legal, incident) = await NewIncidentAsync("Bad mapping");
        var response = await legal.PostCsv(incident, "Name,Mail\nA,a@b.example\n", new { fullName = "Name", email = "Email", state = "State" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var detail = (await response.Problem()).GetProperty("detail").GetString();
        Assert.Equal("state: column 'State' is not in the file's header (Name, Mail); email: column 'Email' is not in the file's header (Name, Mail)", detail);

        var unknown = await legal.PostCsv(incident, "Name\n", new { fullName = "Name", surname = "x" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unknown.StatusCode);
        var summary = await (await legal.GetAsync($"/api/v1/incidents/{incident}/affected-people/summary")).Read<AffectedPeopleSummary>();
        Assert.Equal(0, summary.Imports);
    }
}
