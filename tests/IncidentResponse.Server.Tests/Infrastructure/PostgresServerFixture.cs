using IncidentResponse.Core.Identity;
using IncidentResponse.Server.Identity;

namespace IncidentResponse.Server.Tests.Infrastructure;

/// <summary>One server on one throwaway PostgreSQL database, shared by the API tests, with a user per role.</summary>
public sealed class PostgresServerFixture : IAsyncLifetime
{
    private ThrowawayDatabase? database;

    public RunningServer Server { get; private set; } = null!;
    public string ConnectionString => database!.ConnectionString;
    public Dictionary<Role, (Guid Id, string Key)> Users { get; } = [];
    public Guid SharedIncidentId { get; private set; }

    public async Task InitializeAsync()
    {
        database = await PostgresServer.CreateDatabaseAsync();
        Server = await RunningServer.StartAsync($"--ConnectionStrings:Postgres={database.ConnectionString}");
        using var admin = Server.Admin();
        foreach (var role in Enum.GetValues<Role>())
        {
            var user = await (await admin.PostJson("/api/v1/users", new
            {
                email = $"{role.ToString().ToLowerInvariant()}@test.example", displayName = $"Test {role}", roles = new[] { role },
                password = "correct horse battery staple",
            })).Read<UserView>();
            var key = await (await admin.PostJson($"/api/v1/users/{user.Id}/api-keys", new { name = "tests" })).Read<CreatedApiKey>();
            Users[role] = (user.Id, key.Key);
        }

        var incident = await (await admin.PostJson("/api/v1/incidents", new { title = "Shared target", kind = "other", severity = "low" }))
            .Read<IncidentResponse.Server.Incidents.IncidentView>();
        SharedIncidentId = incident.Id;
    }

    public HttpClient As(Role role) => Server.WithKey(Users[role].Key);

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await database!.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServerFixture>
{
    public const string Name = "PostgreSQL server";
}
