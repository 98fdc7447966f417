using System.Net;
using System.Text.Json;
using IncidentResponse.Core.Identity;
using IncidentResponse.Core.Laws;
using IncidentResponse.Server.Audit;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.Notifications;
using IncidentResponse.Server.Tests.Infrastructure;
using Npgsql;

namespace IncidentResponse.Server.Tests.Notifications;

[Collection(PostgresCollection.Name)]
public sealed class NotificationsApiTests(PostgresServerFixture fixture)
{
    private const string Facts = """
        {
          "discoveredAt": "2026-03-02T15:00:00Z",
          "entity": { "timeZone": "America/New_York", "dataOwner": true },
          "dataElements": ["name", "ssn"],
          "affectedResidents": { "US-CA": 1200, "US-TX": 300 }
        }
        """;

    [Fact]
    public async Task The_laws_are_listed_and_one_is_shown_with_its_versions()
    {
        using var observer = fixture.As(Role.Observer);
        var laws = JsonDocument.Parse(await observer.GetStringAsync("/api/v1/laws")).RootElement;
        Assert.Equal(62, laws.GetArrayLength());
        var california = JsonDocument.Parse(await observer.GetStringAsync("/api/v1/laws/US-CA")).RootElement;
        Assert.Equal("California", california.GetProperty("name").GetString());
        Assert.True(california.GetProperty("versions").GetArrayLength() >= 2);
        var missing = await observer.GetAsync("/api/v1/laws/US-ZZ");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task A_what_if_assessment_answers_obligations_and_refuses_bad_facts_naming_the_field()
    {
        using var legal = fixture.As(Role.Legal);
        var result = await (await legal.PostRaw("/api/v1/assessments", Facts)).Read<AssessmentResult>();
        Assert.Contains(result.Obligations, o => o.Regime == "US-CA" && o.Recipient == Recipient.Regulator);
        Assert.Contains(result.Obligations, o => o.Regime == "US-TX" && o.Recipient == Recipient.Regulator);
        Assert.Contains(result.ControllingDeadlines, c => c.Recipient == Recipient.Individuals);

        var bad = await legal.PostRaw("/api/v1/assessments", Facts.Replace("US-TX", "US-ZZ", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
        Assert.True((await bad.Problem()).GetProperty("errors").TryGetProperty("affectedResidents.US-ZZ", out _));
        var malformed = await legal.PostRaw("/api/v1/assessments", "{\"discoveredAt\": ");
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
    }

    [Fact]
    public async Task Reassessment_adds_changes_and_withdraws_obligations_and_audits_each()
    {
        using var commander = fixture.As(Role.IncidentCommander);
        using var legal = fixture.As(Role.Legal);
        var incident = await (await commander.PostJson("/api/v1/incidents", new { title = "Loyalty export", kind = "dataExfiltration", severity = "high" })).Read<IncidentView>();
        var url = $"/api/v1/incidents/{incident.Id}";

        var facts = await legal.SendJson(HttpMethod.Put, url + "/facts", new { dataOwner = true, dataElements = new[] { "name", "ssn" }, affectedResidents = new Dictionary<string, int> { ["US-CA"] = 400 } });
        Assert.Equal(HttpStatusCode.OK, facts.StatusCode);
        var first = await (await legal.PostJson(url + "/assessment", new { })).Read<LedgerView>();
        Assert.Contains(first.Added, o => o.Regime == "US-CA" && o.Recipient == Recipient.Individuals);
        Assert.Contains(first.Exemptions, e => e.Regime == "US-CA" && e.Reason == ExemptionReason.BelowThreshold);
        Assert.All(first.Added, o => Assert.Equal(ObligationStatus.Pending, o.Status));

        // More Californians: the Attorney General notice appears; the residents of the individual notice change.
        await legal.SendJson(HttpMethod.Put, url + "/facts", new { dataOwner = true, dataElements = new[] { "name", "ssn" }, affectedResidents = new Dictionary<string, int> { ["US-CA"] = 900 } });
        var second = await (await legal.PostJson(url + "/assessment", new { })).Read<LedgerView>();
        Assert.Contains(second.Added, o => o.Regime == "US-CA" && o.Recipient == Recipient.Regulator);
        Assert.Contains(second.Changed, c => c.After.Recipient == Recipient.Individuals && c.Before.Residents == 400 && c.After.Residents == 900);

        // Encrypted with a safe key after all: everything is withdrawn with the reason.
        await legal.SendJson(HttpMethod.Put, url + "/facts", new { dataOwner = true, dataElements = new[] { "name", "ssn" }, encryption = new { encrypted = true }, affectedResidents = new Dictionary<string, int> { ["US-CA"] = 900 } });
        var third = await (await legal.PostJson(url + "/assessment", new { })).Read<LedgerView>();
        Assert.Equal(2, third.Withdrawn.Count);
        Assert.All(third.Withdrawn, o => Assert.Equal(ObligationStatus.NotRequired, o.Status));
        Assert.All(third.Withdrawn, o => Assert.Contains("encryptionSafeHarbor", o.StatusReason));

        var audit = await (await legal.GetAsync(url + "/audit")).Read<AuditEventView[]>();
        Assert.Equal(3, audit.Count(e => e.Action == "incident.assessed"));
        Assert.Equal(2, audit.Count(e => e.Action == "incident.obligation.added"));
        Assert.Equal(1, audit.Count(e => e.Action == "incident.obligation.changed"));
        Assert.Equal(2, audit.Count(e => e.Action == "incident.obligation.withdrawn"));
    }

    [Fact]
    public async Task Open_obligations_keep_an_incident_open_until_sent_with_proof_or_overridden()
    {
        using var commander = fixture.As(Role.IncidentCommander);
        using var legal = fixture.As(Role.Legal);
        var incident = await (await commander.PostJson("/api/v1/incidents", new { title = "Lost laptop", kind = "lostOrStolenDevice", severity = "medium" })).Read<IncidentView>();
        var url = $"/api/v1/incidents/{incident.Id}";
        await legal.SendJson(HttpMethod.Put, url + "/facts", new { dataOwner = true, dataElements = new[] { "name", "driversLicenseOrStateId" }, affectedResidents = new Dictionary<string, int> { ["US-WA"] = 20 } });
        var ledger = await (await legal.PostJson(url + "/assessment", new { })).Read<LedgerView>();
        var obligation = Assert.Single(ledger.Obligations);

        await commander.PostJson(url + "/transitions", new { to = "triage" });
        var refused = await commander.PostJson(url + "/transitions", new { to = "closed" });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("1 open obligation", (await refused.Problem()).GetProperty("detail").GetString());

        var noProof = await legal.SendJson(HttpMethod.Patch, $"{url}/obligations/{obligation.Id}", new { status = "sent" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, noProof.StatusCode);
        var stale = await legal.SendJson(HttpMethod.Patch, $"{url}/obligations/{obligation.Id}", new { status = "sent", proof = "USPS batch 7781" }, ifMatch: (obligation.Version + 5).ToString());
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        var sent = await legal.SendJson(HttpMethod.Patch, $"{url}/obligations/{obligation.Id}", new { status = "sent", proof = "USPS batch 7781" }, ifMatch: obligation.Version.ToString());
        Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        // The obligation no longer holds the incident open; the playbook's tasks still do.
        var tasksOnly = await commander.PostJson(url + "/transitions", new { to = "closed" });
        Assert.Contains("and 0 open obligation(s)", (await tasksOnly.Problem()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.OK, (await commander.PostJson(url + "/transitions", new { to = "closed", overrideReason = "Playbook tasks tracked elsewhere" })).StatusCode);
    }

    [Fact]
    public async Task A_harm_determination_needs_its_rationale_and_lands_in_the_decision_log()
    {
        using var commander = fixture.As(Role.IncidentCommander);
        using var legal = fixture.As(Role.Legal);
        var incident = await (await commander.PostJson("/api/v1/incidents", new { title = "Misdirected email", kind = "misdirectedDisclosure", severity = "low" })).Read<IncidentView>();
        var url = $"/api/v1/incidents/{incident.Id}";
        var without = await legal.SendJson(HttpMethod.Put, url + "/facts", new { dataOwner = true, dataElements = new[] { "name", "ssn" }, affectedResidents = new Dictionary<string, int> { ["US-FL"] = 3 }, harmAssessment = new { conclusion = "harmNotLikely" } });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, without.StatusCode);
        Assert.True((await without.Problem()).GetProperty("errors").TryGetProperty("harmAssessment.rationale", out _));

        var with = await legal.SendJson(HttpMethod.Put, url + "/facts", new { dataOwner = true, dataElements = new[] { "name", "ssn" }, affectedResidents = new Dictionary<string, int> { ["US-FL"] = 3 }, harmAssessment = new { conclusion = "harmNotLikely", rationale = "Recipient was a bank employee who attested deletion.", lawEnforcementConsulted = true } });
        Assert.Equal(HttpStatusCode.OK, with.StatusCode);
        var decisions = await (await legal.GetAsync(url + "/decisions")).Read<DecisionView[]>();
        var decision = Assert.Single(decisions);
        Assert.Equal("harmNotLikely", decision.Outcome);
        Assert.True(decision.Privileged);

        var unknownField = await legal.SendJson(HttpMethod.Put, url + "/facts", new { dataOwner = true, colour = "blue" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unknownField.StatusCode);
        Assert.True((await unknownField.Problem()).GetProperty("errors").TryGetProperty("colour", out _));
    }

    [Fact]
    public async Task Concurrent_assessments_of_one_incident_leave_one_ledger_without_duplicates()
    {
        using var commander = fixture.As(Role.IncidentCommander);
        using var legal = fixture.As(Role.Legal);
        var incident = await (await commander.PostJson("/api/v1/incidents", new { title = "Credential stuffing", kind = "credentialStuffing", severity = "medium" })).Read<IncidentView>();
        var url = $"/api/v1/incidents/{incident.Id}";
        await legal.SendJson(HttpMethod.Put, url + "/facts", new { dataOwner = true, dataElements = new[] { "usernameOrEmailWithPassword" }, affectedResidents = new Dictionary<string, int> { ["US-CA"] = 10, ["US-NY"] = 10 } });
        // Assessments of one incident take turns, so none collides: each answers the ledger as it then stands.
        for (var round = 0; round < 5; round++)
        {
            var runs = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => legal.PostJson(url + "/assessment", new { })));
            Assert.All(runs, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        }


        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*), count(DISTINCT key) FROM incident_obligations WHERE incident_id = @id", connection);
        command.Parameters.AddWithValue("id", incident.Id);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal(reader.GetInt64(1), reader.GetInt64(0));
        Assert.True(reader.GetInt64(0) >= 2);
    }
}
