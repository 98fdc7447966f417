using System.Text.Json;
using IncidentResponse.Core.Identity;
using IncidentResponse.Server.Deadlines;
using IncidentResponse.Server.Identity;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace IncidentResponse.Server.Tests.Deadlines;

/// <summary>
/// A server of its own (its own database, no background job server: the tests run the sweep themselves at
/// the instants they choose), a real SMTP server and a webhook receiver.
/// </summary>
public sealed class SchedulerFixture : IAsyncLifetime
{
    private ThrowawayDatabase? database;

    public RunningServer Server { get; private set; } = null!;
    public SmtpReceiver Smtp { get; } = SmtpReceiver.Start();
    public WebhookReceiver Webhook { get; } = WebhookReceiver.Start();
    public Dictionary<Role, (Guid Id, string Key)> Users { get; } = [];
    public string ConnectionString => database!.ConnectionString;

    public async Task InitializeAsync()
    {
        database = await PostgresServer.CreateDatabaseAsync();
        Server = await RunningServer.StartAsync(
            $"--ConnectionStrings:Postgres={database.ConnectionString}", $"--IR_PLAYBOOKS_DIR={PostgresServerFixture.PlaybooksFolder}",
            "--Smtp:Host=127.0.0.1", $"--Smtp:Port={Smtp.Port}", "--Smtp:Security=None", "--Smtp:From=reminders@ir.test", "--IR_DELIVERY_MAX_ATTEMPTS=3");
        using var admin = Server.Admin();
        foreach (var role in new[] { Role.IncidentCommander, Role.Legal, Role.It, Role.Observer })
        {
            var user = await (await admin.PostJson("/api/v1/users", new
            {
                email = $"{role.ToString().ToLowerInvariant()}@ir.test", displayName = $"Test {role}", roles = new[] { role }, password = "correct horse battery staple",
            })).Read<UserView>();
            var key = await (await admin.PostJson($"/api/v1/users/{user.Id}/api-keys", new { name = "tests" })).Read<CreatedApiKey>();
            Users[role] = (user.Id, key.Key);
        }

        await (await admin.PostJson("/api/v1/webhooks", new { name = "Receiver", url = Webhook.Url, secret = Webhook.Secret })).Read<WebhookView>();
    }

    public HttpClient As(Role role) => Server.WithKey(Users[role].Key);

    /// <summary>An incident discovered at the given instant, with a legal lead and an incident commander.</summary>
    public async Task<IncidentView> IncidentAsync(string title, Instant discovered, bool exercise = false)
    {
        using var commander = As(Role.IncidentCommander);
        var incident = await (await commander.PostJson("/api/v1/incidents", new { title, kind = "dataExfiltration", severity = "high", discoveredAt = discovered, isExercise = exercise }))
            .Read<IncidentView>();
        foreach (var (lead, role) in new[] { ("legal", Role.Legal), ("incidentCommander", Role.IncidentCommander) })
        {
            var assigned = await commander.SendJson(HttpMethod.Put, $"/api/v1/incidents/{incident.Id}/team-leads/{lead}", new { userId = Users[role].Id });
            assigned.EnsureSuccessStatusCode();
        }

        return incident;
    }

    /// <summary>Runs one sweep as the recurring job would, at the instant the test names.</summary>
    public async Task<SweepResult> SweepAt(Instant now)
    {
        using var scope = Server.App.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<DeadlineSweep>().RunAsync(now, CancellationToken.None);
    }

    /// <summary>An incident's deadlines as the board shows them.</summary>
    public async Task<DeadlineView[]> DeadlinesAsync(Guid incident)
    {
        using var observer = As(Role.Observer);
        return JsonSerializer.Deserialize<DeadlineView[]>(await observer.GetStringAsync($"/api/v1/incidents/{incident}/deadlines"), RunningServer.Json)!;
    }

    /// <summary>The in-app inboxes of the people holding these roles.</summary>
    public async Task<List<DeliveryView>> InboxAsync(params Role[] roles)
    {
        var all = new List<DeliveryView>();
        foreach (var role in roles)
        {
            using var client = As(role);
            all.AddRange(JsonSerializer.Deserialize<DeliveryView[]>(await client.GetStringAsync("/api/v1/inbox"), RunningServer.Json)!);
        }

        return all;
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Smtp.DisposeAsync();
        await Webhook.DisposeAsync();
        await database!.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class SchedulerCollection : ICollectionFixture<SchedulerFixture>
{
    public const string Name = "Deadline scheduler";
}
