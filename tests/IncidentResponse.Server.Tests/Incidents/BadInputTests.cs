using System.Net;
using IncidentResponse.Core.Identity;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.Tests.Infrastructure;
using Npgsql;

namespace IncidentResponse.Server.Tests.Incidents;

/// <summary>Bad input gets the right 4xx problem with the field at fault, and the database is unchanged.</summary>
[Collection(PostgresCollection.Name)]
public sealed class BadInputTests(PostgresServerFixture fixture)
{
    private async Task<(long Incidents, long Audit)> Counts()
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        // Deadline recomputations run in the background after other tests' changes; they are not this request's writes.
        await using var command = new NpgsqlCommand(
            "SELECT (SELECT count(*) FROM incidents), (SELECT count(*) FROM audit_events WHERE action NOT LIKE 'deadline.%')", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    public static TheoryData<string, int, string?> CreateBodies() => new()
    {
        { "{\"title\": \"x\", \"kind\": ", 400, null },
        { "not json at all", 400, null },
        { "{\"title\": \"x\", \"kind\": \"meteorStrike\", \"severity\": \"high\"}", 400, "kind" },
        { "{\"title\": \"x\", \"kind\": \"ransomware\", \"severity\": 2}", 400, "severity" },
        { "{\"title\": 42, \"kind\": \"ransomware\", \"severity\": \"high\"}", 400, "title" },
        { "{\"kind\": \"ransomware\", \"severity\": \"high\"}", 422, "title" },
        { "{\"title\": \"   \", \"kind\": \"ransomware\", \"severity\": \"high\"}", 422, "title" },
        { "{\"title\": \"" + new string('x', 201) + "\", \"kind\": \"ransomware\", \"severity\": \"high\"}", 422, "title" },
        { "{\"title\": \"x\", \"kind\": \"ransomware\", \"severity\": \"high\", \"summary\": \"" + new string('y', 4001) + "\"}", 422, "summary" },
        { "{\"title\": \"x\", \"severity\": \"high\"}", 422, "kind" },
        { "{\"title\": \"x\", \"kind\": \"ransomware\", \"severity\": \"high\", \"members\": [\"" + Guid.NewGuid() + "\"]}", 422, "members" },
        { "{\"title\": \"x\", \"kind\": \"ransomware\", \"severity\": \"high\", \"discoveredAt\": \"2999-01-01T00:00:00Z\"}", 422, "discoveredAt" },
        { "{\"title\": \"x\", \"kind\": \"ransomware\", \"severity\": \"high\", \"discoveredAt\": \"yesterday\"}", 400, "discoveredAt" },
    };

    [Theory]
    [MemberData(nameof(CreateBodies))]
    public async Task A_bad_create_gets_a_problem_naming_the_field_and_writes_nothing(string body, int status, string? field)
    {
        using var commander = fixture.As(Role.IncidentCommander);
        var before = await Counts();
        var response = await commander.PostRaw("/api/v1/incidents", body);
        Assert.Equal(status, (int)response.StatusCode);
        var problem = await response.Problem();
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
        if (field is not null)
        {
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors should name '{field}': {problem}");
        }

        Assert.Equal(before, await Counts());
    }

    [Fact]
    public async Task Unknown_query_values_and_route_words_are_client_errors()
    {
        using var commander = fixture.As(Role.IncidentCommander);
        Assert.Equal(HttpStatusCode.BadRequest, (await commander.GetAsync("/api/v1/incidents?status=exploded")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await commander.GetAsync($"/api/v1/incidents/{Guid.NewGuid()}")).StatusCode);
        var wrongMilestone = await commander.SendJson(HttpMethod.Put, $"/api/v1/incidents/{fixture.SharedIncidentId}/milestones/lunch", new { at = "2026-01-01T00:00:00Z" });
        Assert.Equal(HttpStatusCode.NotFound, wrongMilestone.StatusCode);
        Assert.Contains("breachDetermined", (await wrongMilestone.Problem()).GetProperty("detail").GetString());
        var badIfMatch = await commander.SendJson(HttpMethod.Patch, $"/api/v1/incidents/{fixture.SharedIncidentId}", new { title = "t" }, ifMatch: "abc");
        Assert.Equal(HttpStatusCode.BadRequest, badIfMatch.StatusCode);
    }

    [Fact]
    public async Task An_illegal_transition_is_a_conflict_that_lists_what_is_allowed_and_changes_nothing()
    {
        using var commander = fixture.As(Role.IncidentCommander);
        var incident = await (await commander.PostJson("/api/v1/incidents", new { title = "Lost laptop", kind = "lostOrStolenDevice", severity = "medium" })).Read<IncidentView>();
        var before = await Counts();
        var response = await commander.PostJson($"/api/v1/incidents/{incident.Id}/transitions", new { to = "recovered" });
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("Allowed: triage, closed", (await response.Problem()).GetProperty("detail").GetString());
        Assert.Equal(before, await Counts());
        var unknown = await commander.PostJson($"/api/v1/incidents/{incident.Id}/transitions", new { to = "vaporised" });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
    }

    [Fact]
    public async Task Milestones_out_of_order_are_refused()
    {
        using var commander = fixture.As(Role.IncidentCommander);
        var incident = await (await commander.PostJson("/api/v1/incidents", new { title = "BEC", kind = "businessEmailCompromise", severity = "medium" })).Read<IncidentView>();
        var discovered = incident.Milestones.Single().At;
        var response = await commander.SendJson(HttpMethod.Put, $"/api/v1/incidents/{incident.Id}/milestones/breachDetermined",
            new { at = discovered.Minus(NodaTime.Duration.FromHours(1)) });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.True((await response.Problem()).GetProperty("errors").TryGetProperty("at", out _));
    }

    [Fact]
    public async Task Users_and_the_organisation_take_writes_only_against_their_current_version()
    {
        using var admin = fixture.Server.Admin();
        var organisation = System.Text.Json.JsonDocument.Parse(await admin.GetStringAsync("/api/v1/organisation")).RootElement;
        var version = organisation.GetProperty("version").GetInt32();
        Assert.Equal(HttpStatusCode.PreconditionRequired, (await admin.SendJson(HttpMethod.Patch, "/api/v1/organisation", new { name = "Renamed" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.SendJson(HttpMethod.Patch, "/api/v1/organisation", new { timeZone = "America/Chicago" }, ifMatch: version.ToString())).StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await admin.SendJson(HttpMethod.Patch, "/api/v1/organisation", new { timeZone = "America/Denver" }, ifMatch: version.ToString())).StatusCode);
        await admin.SendJson(HttpMethod.Patch, "/api/v1/organisation", new { timeZone = organisation.GetProperty("timeZone").GetString() }, ifMatch: (version + 1).ToString());

        var user = fixture.Users[Role.Observer].Id;
        var current = (await (await admin.GetAsync("/api/v1/users")).Read<IncidentResponse.Server.Identity.UserView[]>()).Single(u => u.Id == user);
        Assert.Equal(HttpStatusCode.OK, (await admin.SendJson(HttpMethod.Patch, $"/api/v1/users/{user}", new { displayName = "Watcher" }, ifMatch: current.Version.ToString())).StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await admin.SendJson(HttpMethod.Patch, $"/api/v1/users/{user}", new { displayName = "Other" }, ifMatch: current.Version.ToString())).StatusCode);
    }

    [Fact]
    public async Task A_reused_idempotency_key_that_is_too_long_is_refused()
    {
        using var commander = fixture.As(Role.IncidentCommander);
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/incidents") { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", new string('k', 129));
        Assert.Equal(HttpStatusCode.BadRequest, (await commander.SendAsync(request)).StatusCode);
    }
}
