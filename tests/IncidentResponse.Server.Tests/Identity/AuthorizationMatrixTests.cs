using System.Net;
using IncidentResponse.Core.Identity;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace IncidentResponse.Server.Tests.Identity;

[Collection(PostgresCollection.Name)]
public sealed class AuthorizationMatrixTests(PostgresServerFixture fixture)
{
    /// <summary>Every endpoint with the permission it demands; null = any signed-in person.</summary>
    private static readonly (string Method, string Pattern, Permission? Permission)[] Endpoints =
    [
        ("POST", "/api/v1/auth/logout", null),
        ("GET", "/api/v1/auth/me", null),
        ("GET", "/api/v1/users", Permission.ManageUsers),
        ("POST", "/api/v1/users", Permission.ManageUsers),
        ("PATCH", "/api/v1/users/{id:guid}", Permission.ManageUsers),
        ("GET", "/api/v1/users/{id:guid}/api-keys", Permission.ManageUsers),
        ("POST", "/api/v1/users/{id:guid}/api-keys", Permission.ManageUsers),
        ("DELETE", "/api/v1/users/{id:guid}/api-keys/{keyId:guid}", Permission.ManageUsers),
        ("POST", "/api/v1/incidents", Permission.CreateIncidents),
        ("GET", "/api/v1/incidents", Permission.ReadIncidents),
        ("GET", "/api/v1/incidents/{id:guid}", Permission.ReadIncidents),
        ("PATCH", "/api/v1/incidents/{id:guid}", Permission.ManageIncidents),
        ("POST", "/api/v1/incidents/{id:guid}/transitions", Permission.ManageIncidents),
        ("PUT", "/api/v1/incidents/{id:guid}/milestones/{kind}", Permission.RecordMilestones),
        ("PUT", "/api/v1/incidents/{id:guid}/team-leads/{role}", Permission.ManageIncidents),
        ("PUT", "/api/v1/incidents/{id:guid}/members", Permission.ManageIncidents),
        ("GET", "/api/v1/incidents/{id:guid}/clock", Permission.ReadIncidents),
        ("PUT", "/api/v1/incidents/{id:guid}/clock", Permission.RunExercises),
        ("POST", "/api/v1/incidents/{id:guid}/clock/pause", Permission.RunExercises),
        ("POST", "/api/v1/incidents/{id:guid}/clock/resume", Permission.RunExercises),
        ("POST", "/api/v1/incidents/{id:guid}/clock/advance", Permission.RunExercises),
        ("GET", "/api/v1/incidents/{id:guid}/timeline", Permission.ReadIncidents),
        ("POST", "/api/v1/incidents/{id:guid}/timeline", Permission.WriteTimeline),
        ("GET", "/api/v1/incidents/{id:guid}/decisions", Permission.ReadIncidents),
        ("POST", "/api/v1/incidents/{id:guid}/decisions", Permission.RecordDecisions),
        ("GET", "/api/v1/incidents/{id:guid}/audit", Permission.ReadAudit),
        ("GET", "/api/v1/audit", Permission.ReadAudit),
        ("GET", "/api/v1/audit/verify", Permission.VerifyAudit),
        ("GET", "/api/v1/organisation", Permission.ReadIncidents),
        ("PATCH", "/api/v1/organisation", Permission.ManageUsers),
        ("GET", "/api/v1/laws", Permission.ReadLaws),
        ("GET", "/api/v1/laws/{code}", Permission.ReadLaws),
        ("POST", "/api/v1/assessments", Permission.RunAssessments),
        ("GET", "/api/v1/incidents/{id:guid}/facts", Permission.ReadIncidents),
        ("PUT", "/api/v1/incidents/{id:guid}/facts", Permission.RunAssessments),
        ("POST", "/api/v1/incidents/{id:guid}/assessment", Permission.RunAssessments),
        ("GET", "/api/v1/incidents/{id:guid}/obligations", Permission.ReadIncidents),
        ("PATCH", "/api/v1/incidents/{id:guid}/obligations/{obligationId:guid}", Permission.RunAssessments),
        ("GET", "/api/v1/incidents/{id:guid}/runs", Permission.ReadIncidents),
        ("POST", "/api/v1/incidents/{id:guid}/runs", Permission.ManagePlaybooks),
        ("GET", "/api/v1/tasks", Permission.ReadIncidents),
        ("POST", "/api/v1/runs/{runId:guid}/steps/{stepId}/start", Permission.WorkOnTasks),
        ("POST", "/api/v1/runs/{runId:guid}/steps/{stepId}/complete", Permission.WorkOnTasks),
        ("POST", "/api/v1/runs/{runId:guid}/steps/{stepId}/decide", Permission.RecordDecisions),
        ("POST", "/api/v1/runs/{runId:guid}/steps/{stepId}/approve", Permission.WorkOnTasks),
        ("POST", "/api/v1/runs/{runId:guid}/steps/{stepId}/reject", Permission.WorkOnTasks),
        ("POST", "/api/v1/runs/{runId:guid}/steps/{stepId}/cancel", Permission.ManagePlaybooks),
        ("POST", "/api/v1/runs/{runId:guid}/steps/{stepId}/retry", Permission.ManagePlaybooks),
        ("POST", "/api/v1/runs/{runId:guid}/steps/{stepId}/assign", Permission.ManagePlaybooks),
        ("GET", "/api/v1/runs/{runId:guid}/migration", Permission.ManagePlaybooks),
        ("POST", "/api/v1/runs/{runId:guid}/migrate", Permission.ManagePlaybooks),
        ("POST", "/api/v1/incidents/{id:guid}/tasks", Permission.ManagePlaybooks),
        ("GET", "/api/v1/incidents/{id:guid}/steps", Permission.ReadIncidents),
        ("GET", "/api/v1/playbooks", Permission.ReadIncidents),
        ("GET", "/api/v1/playbooks/{playbookId}/versions", Permission.ReadIncidents),
        ("POST", "/api/v1/playbooks", Permission.PublishPlaybooks),
        ("GET", "/api/v1/incidents/{id:guid}/deadlines", Permission.ReadIncidents),
        ("GET", "/api/v1/incidents/{id:guid}/deadlines.ics", Permission.ReadIncidents),
        ("POST", "/api/v1/incidents/{id:guid}/deadlines", Permission.WorkOnTasks),
        ("POST", "/api/v1/incidents/{id:guid}/deadlines/{deadlineId:guid}/close", Permission.WorkOnTasks),
        ("PUT", "/api/v1/incidents/{id:guid}/deadlines/{deadlineId:guid}/ladder", Permission.RunAssessments),
        ("DELETE", "/api/v1/incidents/{id:guid}/deadlines/{deadlineId:guid}/ladder", Permission.RunAssessments),
        ("GET", "/api/v1/incidents/{id:guid}/deliveries", Permission.ReadIncidents),
        ("GET", "/api/v1/deadlines", Permission.ReadIncidents),
        ("GET", "/api/v1/inbox", Permission.ReadIncidents),
        ("POST", "/api/v1/inbox/{deliveryId:guid}/read", Permission.ReadIncidents),
        ("PUT", "/api/v1/organisation/reminder-ladder", Permission.ManageUsers),
        ("GET", "/api/v1/webhooks", Permission.ManageUsers),
        ("POST", "/api/v1/webhooks", Permission.ManageUsers),
        ("DELETE", "/api/v1/webhooks/{hookId:guid}", Permission.ManageUsers),
        ("GET", "/api/v1/law-enforcement/agencies", Permission.ReadIncidents),
        ("GET", "/api/v1/incidents/{id:guid}/law-enforcement/contacts", Permission.ReadIncidents),
        ("POST", "/api/v1/incidents/{id:guid}/law-enforcement/contacts", Permission.RecordDecisions),
        ("GET", "/api/v1/incidents/{id:guid}/law-enforcement/delays", Permission.ReadIncidents),
        ("POST", "/api/v1/incidents/{id:guid}/law-enforcement/delays", Permission.RunAssessments),
        ("POST", "/api/v1/incidents/{id:guid}/law-enforcement/delays/{delayId:guid}/renewals", Permission.RunAssessments),
        ("POST", "/api/v1/incidents/{id:guid}/law-enforcement/delays/{delayId:guid}/end", Permission.RunAssessments),
        ("POST", "/api/v1/organisation/local-police", Permission.ManageUsers),
        ("PUT", "/api/v1/organisation/local-police/{policeId:guid}", Permission.ManageUsers),
        ("DELETE", "/api/v1/organisation/local-police/{policeId:guid}", Permission.ManageUsers),
        ("POST", "/api/v1/incidents/{id:guid}/letters", Permission.DraftLetters),
        ("GET", "/api/v1/incidents/{id:guid}/letters", Permission.ReadIncidents),
        ("POST", "/api/v1/incidents/{id:guid}/letters/check", Permission.DraftLetters),
        ("GET", "/api/v1/incidents/{id:guid}/letters/{letterId:guid}", Permission.ReadIncidents),
        ("POST", "/api/v1/incidents/{id:guid}/letters/{letterId:guid}/versions", Permission.DraftLetters),
        ("GET", "/api/v1/incidents/{id:guid}/letters/{letterId:guid}/versions/{n:int}", Permission.ReadIncidents),
        ("GET", "/api/v1/incidents/{id:guid}/letters/{letterId:guid}/versions/{n:int}/redline", Permission.ReadIncidents),
        ("POST", "/api/v1/incidents/{id:guid}/letters/{letterId:guid}/submit", Permission.DraftLetters),
        ("POST", "/api/v1/incidents/{id:guid}/letters/{letterId:guid}/request-changes", Permission.ApproveLetters),
        ("POST", "/api/v1/incidents/{id:guid}/letters/{letterId:guid}/approve", Permission.ApproveLetters),
        ("POST", "/api/v1/incidents/{id:guid}/letters/{letterId:guid}/release", Permission.ReleaseLetters),
        ("POST", "/api/v1/incidents/{id:guid}/letters/{letterId:guid}/mailings", Permission.ReleaseLetters),
        ("GET", "/api/v1/incidents/{id:guid}/letters/{letterId:guid}/mailings", Permission.ReadIncidents),
        ("GET", "/api/v1/incidents/{id:guid}/letters/{letterId:guid}/mailings/{mailingId:guid}", Permission.ReadIncidents),
        ("GET", "/api/v1/incidents/{id:guid}/letters/{letterId:guid}/mailings/{mailingId:guid}/package", Permission.ReadIncidents),
        ("POST", "/api/v1/incidents/{id:guid}/letters/{letterId:guid}/mailings/{mailingId:guid}/returns", Permission.ReleaseLetters),
        ("GET", "/api/v1/organisation/letter-templates/{kind}", Permission.DraftLetters),
        ("PUT", "/api/v1/organisation/letter-templates/{kind}", Permission.ApproveLetters),
        ("DELETE", "/api/v1/organisation/letter-templates/{kind}", Permission.ApproveLetters),
        ("POST", "/api/v1/incidents/{id:guid}/affected-people/imports", Permission.ManageAffectedPeople),
        ("GET", "/api/v1/incidents/{id:guid}/affected-people/imports/{importId:guid}", Permission.ReadIncidents),
        ("GET", "/api/v1/incidents/{id:guid}/affected-people/imports/{importId:guid}/errors.csv", Permission.ReadIncidents),
        ("GET", "/api/v1/incidents/{id:guid}/affected-people/summary", Permission.ReadIncidents),
        ("POST", "/api/v1/incidents/{id:guid}/affected-people/purge", Permission.ManageAffectedPeople),
        ("POST", "/api/v1/affected-people/rekey", Permission.ManageUsers),
        ("GET", "/openapi/{documentName}.json", null),
        ("GET", "/scalar/{documentName?}", null),
        ("GET", "/hangfire/{**path}", Permission.ManageUsers),
    ];

    private static readonly string[] Anonymous = ["/health/live", "/health/ready", "/api/v1/auth/login"];

    [Fact]
    public void Every_mapped_endpoint_is_in_the_matrix()
    {
        var mapped = fixture.Server.App.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (m, "/" + e.RoutePattern.RawText!.Trim('/'))))
            .Where(e => !Anonymous.Contains(e.Item2))
            .Distinct()
            .ToArray();
        var known = Endpoints.Select(e => (e.Method, e.Pattern)).ToHashSet();
        var missing = mapped.Where(m => !known.Contains(m) && !m.Item2.StartsWith("/scalar", StringComparison.Ordinal)).ToArray();
        Assert.True(missing.Length == 0, "Endpoints without an authorization row: " + string.Join(", ", missing));
    }

    public static TheoryData<string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var (method, pattern, _) in Endpoints)
        {
            data.Add(method, pattern, "anonymous");
            foreach (var role in Enum.GetValues<Role>())
            {
                data.Add(method, pattern, role.ToString());
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Endpoint_admits_exactly_the_roles_with_its_permission(string method, string pattern, string who)
    {
        var incident = fixture.SharedIncidentId;
        var permission = Endpoints.Single(e => e.Method == method && e.Pattern == pattern).Permission;
        var url = pattern
            .Replace("{id:guid}", pattern.StartsWith("/api/v1/users", StringComparison.Ordinal) ? fixture.Users[Role.Observer].Id.ToString() : incident.ToString(), StringComparison.Ordinal)
            .Replace("{keyId:guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
            .Replace("{obligationId:guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
            .Replace("{code}", "US-CA", StringComparison.Ordinal)
            .Replace("{runId:guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
            .Replace("{deadlineId:guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
            .Replace("{deliveryId:guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
            .Replace("{hookId:guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
            .Replace("{delayId:guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
            .Replace("{policeId:guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
            .Replace("{letterId:guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
            .Replace("{n:int}", "1", StringComparison.Ordinal)
            .Replace("{importId:guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
            .Replace("{mailingId:guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
            .Replace("{stepId}", "triage", StringComparison.Ordinal)
            .Replace("{playbookId}", "engine-test", StringComparison.Ordinal)
            .Replace("{kind}", "contained", StringComparison.Ordinal)
            .Replace("{role}", "legal", StringComparison.Ordinal)
            .Replace("{documentName}", "v1", StringComparison.Ordinal)
            .Replace("{documentName?}", "v1", StringComparison.Ordinal)
            .Replace("{**path}", "", StringComparison.Ordinal);
        using var client = who == "anonymous" ? fixture.Server.Anonymous() : fixture.As(Enum.Parse<Role>(who));
        // An empty body: an admitted request fails validation or succeeds harmlessly; a refused one never gets that far.
        using var response = await client.SendJson(new HttpMethod(method), url, method is "GET" or "DELETE" ? null : new { });

        if (who == "anonymous")
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            return;
        }

        var admitted = permission is null || Permissions.Allows([Enum.Parse<Role>(who)], permission.Value);
        if (admitted)
        {
            Assert.True(response.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden),
                $"{who} should reach {method} {url} but got {(int)response.StatusCode}");
        }
        else
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }
    }

    [Fact]
    public async Task Health_checks_answer_without_authentication()
    {
        using var client = fixture.Server.Anonymous();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public async Task A_revoked_or_unknown_key_is_refused()
    {
        using var admin = fixture.Server.Admin();
        var user = fixture.Users[Role.Risk].Id;
        var created = await (await admin.PostJson($"/api/v1/users/{user}/api-keys", new { name = "to revoke" }))
            .Read<IncidentResponse.Server.Identity.CreatedApiKey>();
        using var withKey = fixture.Server.WithKey(created.Key);
        Assert.Equal(HttpStatusCode.OK, (await withKey.GetAsync("/api/v1/incidents")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/users/{user}/api-keys/{created.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await withKey.GetAsync("/api/v1/incidents")).StatusCode);
        using var unknown = fixture.Server.WithKey("irk_not_a_key");
        Assert.Equal(HttpStatusCode.Unauthorized, (await unknown.GetAsync("/api/v1/incidents")).StatusCode);
    }

    [Fact]
    public async Task Cookie_sign_in_reaches_the_api_and_sign_out_ends_it()
    {
        var cookies = new System.Net.CookieContainer();
        using var handler = new HttpClientHandler { CookieContainer = cookies };
        using var client = new HttpClient(handler) { BaseAddress = fixture.Server.Address };
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/auth/me")).StatusCode);

        var wrong = await client.PostJson("/api/v1/auth/login", new { email = "legal@test.example", password = "not the password" });
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);

        var login = await client.PostJson("/api/v1/auth/login", new { email = "legal@test.example", password = "correct horse battery staple" });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var me = await (await client.GetAsync("/api/v1/auth/me")).Read<IncidentResponse.Server.Identity.UserView>();
        Assert.Equal([Role.Legal], me.Roles);

        await client.PostJson("/api/v1/auth/logout", new { });
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/auth/me")).StatusCode);
    }
}
