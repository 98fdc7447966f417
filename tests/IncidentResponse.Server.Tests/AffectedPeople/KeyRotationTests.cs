using System.Net;
using IncidentResponse.Core.AffectedPeople;
using IncidentResponse.Core.Identity;
using IncidentResponse.Server.AffectedPeople;
using IncidentResponse.Server.Audit;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.Mailings;
using IncidentResponse.Server.Tests.Infrastructure;
using IncidentResponse.Server.Tests.Letters;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using UglyToad.PdfPig;

namespace IncidentResponse.Server.Tests.AffectedPeople;

/// <summary>
/// A rotation of the personal data key on PostgreSQL: people imported under key A (the fixture's node), then nodes
/// configured with key B current and A former, then a node with only key C.
/// </summary>
public sealed class KeyRotationTests(MailingFixture fixture) : IClassFixture<MailingFixture>
{
    private const string KeyB = "a2V5LWItcGVyc29uYWwtZGF0YS0zMi1ieXRlcy0wMDE=";
    private const string KeyC = "a2V5LWMtcGVyc29uYWwtZGF0YS0zMi1ieXRlcy0wMDE=";

    private const string People = AffectedPeopleImports.Header + "\n" +
        "Jane,Doe,1 Main St,Los Angeles,CA,90001,jane@example.com,name;ssn\n" +
        "John,Roe,2 Oak Ave,Sacramento,CA,95814,john@example.com,name;paymentCard\n" +
        "Cara,Diaz,6 Hill Ln,Seattle,WA,98101,,name;driversLicenseOrStateId\n";

    private static string IdOf(string key) => new PersonalDataKey(Convert.FromBase64String(key)).Id;

    private Task<RunningServer> NodeAsync(string current, string? former) => RunningServer.StartAsync(
        $"--ConnectionStrings:Postgres={fixture.ConnectionString}", $"--IR_PLAYBOOKS_DIR={PostgresServerFixture.PlaybooksFolder}",
        $"--IR_DATA_KEY={current}", $"--IR_DATA_KEY_PREVIOUS={former}", $"--Mailings:OutputDirectory={fixture.Output}");

    /// <summary>The people of these incidents by the key they are sealed under, as the database holds them.</summary>
    private async Task<Dictionary<string, long>> PeopleByKeyAsync(params Guid[] incidents)
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT key_id, count(*) FROM affected_people WHERE incident_id = ANY(@incidents) GROUP BY key_id", connection);
        command.Parameters.AddWithValue("incidents", incidents);
        await using var reader = await command.ExecuteReaderAsync();
        var counts = new Dictionary<string, long>();
        while (await reader.ReadAsync())
        {
            counts[reader.GetString(0)] = reader.GetInt64(1);
        }

        return counts;
    }

    private static async Task<RekeyView> RekeyAsync(RunningServer node)
    {
        await using var scope = node.App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AffectedPeopleRekey>().RekeyAllAsync(CancellationToken.None);
    }

    [Fact]
    public async Task After_a_rotation_former_rows_still_open_re_key_once_and_still_de_duplicate()
    {
        using var admin = fixture.Server.Admin();
        var (incident, letterUrl) = await ApprovedLetters.DraftAsync(fixture.As, admin, People, ["US-CA", "US-WA"], exercise: false);
        await ApprovedLetters.ApproveAsync(fixture.As, letterUrl);
        var (second, _) = await ApprovedLetters.DraftAsync(fixture.As, admin, People, ["US-CA"], exercise: false);
        var keyA = IdOf(PostgresServerFixture.DataKey);
        var keyB = IdOf(KeyB);
        Assert.Equal(new Dictionary<string, long> { [keyA] = 6 }, await PeopleByKeyAsync(incident, second));

        await using (var node = await NodeAsync(KeyB, PostgresServerFixture.DataKey))
        {
            await RotatedAsync(node, incident, second, letterUrl);
        }

        // A node with neither key: nothing opens, and the error names the key the rows need.
        await using var lost = await NodeAsync(KeyC, null);
        using var lostLegal = lost.WithKey(fixture.Keys[Role.Legal]);
        var refused = await lostLegal.PostCsv(incident, People);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains($"key {keyB}", (await refused.Problem()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        var stuck = await RekeyAsync(lost);
        Assert.Equal((0L, 0), (stuck.Rekeyed, stuck.Incidents));
        Assert.True(stuck.UnderOtherKeys >= 7);
        Assert.All(stuck.ByIncident, r => Assert.Contains($"key {keyB}", r.Failure, StringComparison.Ordinal));
        Assert.Equal(new Dictionary<string, long> { [keyB] = 7 }, await PeopleByKeyAsync(incident, second));
    }

    /// <summary>On a node with key B current and A former.</summary>
    private async Task RotatedAsync(RunningServer node, Guid incident, Guid second, string letterUrl)
    {
        var keyA = IdOf(PostgresServerFixture.DataKey);
        var keyB = IdOf(KeyB);
        using var commander = node.WithKey(fixture.Keys[Role.IncidentCommander]);
        // A mailing opens people still sealed under the former key.
        var mailing = await (await commander.PostJson(letterUrl + "/mailings", new { channel = "print" })).Read<MailingView>();
        for (var chunk = 0; chunk < mailing.Chunks; chunk++)
        {
            await using var scope = node.App.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<MailingChunkJob>().RunAsync(mailing.Id, chunk, CancellationToken.None);
        }

        var done = await (await commander.GetAsync($"{letterUrl}/mailings/{mailing.Id}")).Read<MailingView>();
        Assert.Equal(3L, done.ByStatus["generated"]);
        var letters = Directory.GetFiles(Path.Combine(fixture.Output, mailing.Id.ToString("N")), "*.pdf")
            .Select(f => { using var pdf = PdfDocument.Open(f); return string.Join(" ", pdf.GetPages().SelectMany(p => p.GetWords()).Select(w => w.Text)); }).ToList();
        Assert.Contains(letters, t => t.Contains("Dear Jane Doe,", StringComparison.Ordinal));
        Assert.Contains(letters, t => t.Contains("6 Hill Ln Seattle, WA 98101", StringComparison.Ordinal));

        // An import into an incident under the former key re-keys it first: the same file stores nobody new.
        using var legal = node.WithKey(fixture.Keys[Role.Legal]);
        var again = await (await legal.PostCsv(second, People)).Read<ImportView>();
        Assert.Equal((3L, 0L, 3L), (again.Rows, again.Imported, again.Duplicates));
        Assert.Equal(new Dictionary<string, long> { [keyA] = 3, [keyB] = 3 }, await PeopleByKeyAsync(incident, second));

        var rekeyed = await RekeyAsync(node);
        Assert.Equal((keyB, 1, 3L, 0L, 0L), (rekeyed.CurrentKey, rekeyed.Incidents, rekeyed.Rekeyed, rekeyed.Duplicates, rekeyed.UnderOtherKeys));
        var byIncident = Assert.Single(rekeyed.ByIncident);
        Assert.Equal((incident, 3L, 0L, (string?)null), (byIncident.IncidentId, byIncident.Rekeyed, byIncident.Duplicates, byIncident.Failure));
        Assert.Equal([keyA], byIncident.FromKeys);
        Assert.Equal(new Dictionary<string, long> { [keyB] = 6 }, await PeopleByKeyAsync(incident, second));
        var twice = await RekeyAsync(node);
        Assert.Equal((0, 0L, 0L, 0), (twice.Incidents, twice.Rekeyed, twice.UnderOtherKeys, twice.ByIncident.Count));

        var reimported = await (await legal.PostCsv(incident, People + "Dan,Ng,7 Lake Dr,Portland,OR,97201,dan@example.com,name\n")).Read<ImportView>();
        Assert.Equal((4L, 1L, 3L), (reimported.Rows, reimported.Imported, reimported.Duplicates));
        using var nodeAdmin = node.Admin();
        foreach (var id in new[] { incident, second })
        {
            var audit = await (await nodeAdmin.GetAsync($"/api/v1/audit?targetType=incident&targetId={id}&limit=1000")).Read<AuditEventView[]>();
            var rekey = Assert.Single(audit, e => e.Action == "affected-people.rekeyed");
            Assert.Contains("\"rekeyed\":3", rekey.Summary, StringComparison.Ordinal);
            Assert.Contains(keyA, rekey.Summary, StringComparison.Ordinal);
            Assert.Contains(keyB, rekey.Summary, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_person_stored_under_both_keys_is_kept_once_under_the_current_key()
    {
        using var admin = fixture.Server.Admin();
        var (incident, _) = await ApprovedLetters.DraftAsync(fixture.As, admin, People, ["US-CA"], exercise: false);
        using var commander = fixture.As(Role.IncidentCommander);
        var aside = (await (await commander.PostJson("/api/v1/incidents", new { title = "Aside", kind = "dataExfiltration", severity = "high" })).Read<IncidentView>()).Id;
        var keyB = IdOf(KeyB);
        async Task MoveAsync(Guid from, Guid to)
        {
            await using var connection = new NpgsqlConnection(fixture.ConnectionString);
            await connection.OpenAsync();
            await using var move = new NpgsqlCommand("UPDATE affected_people SET incident_id = @to WHERE incident_id = @from", connection);
            move.Parameters.AddWithValue("from", from);
            move.Parameters.AddWithValue("to", to);
            await move.ExecuteNonQueryAsync();
        }

        // As a version without re-keying left it: the same three people imported again under key B beside their rows under A.
        await using var node = await NodeAsync(KeyB, PostgresServerFixture.DataKey);
        using var legal = node.WithKey(fixture.Keys[Role.Legal]);
        await MoveAsync(incident, aside);
        Assert.Equal(3L, (await (await legal.PostCsv(incident, People)).Read<ImportView>()).Imported);
        await MoveAsync(aside, incident);

        var rekeyed = await RekeyAsync(node);
        var mine = Assert.Single(rekeyed.ByIncident, r => r.IncidentId == incident);
        Assert.Equal((0L, 3L, (string?)null), (mine.Rekeyed, mine.Duplicates, mine.Failure));
        Assert.Equal(0L, rekeyed.UnderOtherKeys);
        var summary = await (await legal.GetAsync($"/api/v1/incidents/{incident}/affected-people/summary")).Read<AffectedPeopleSummary>();
        Assert.Equal(3, summary.People);
        Assert.Equal(new Dictionary<string, long> { [keyB] = 3 }, await PeopleByKeyAsync(incident, aside));
    }
}
