using IncidentResponse.Core.Identity;
using IncidentResponse.Server.Identity;

namespace IncidentResponse.Server.Tests.Infrastructure;

/// <summary>One server on one throwaway PostgreSQL database, shared by the API tests, with a user per role.</summary>
public sealed class PostgresServerFixture : IAsyncLifetime
{
    /// <summary>The personal data key of the test servers (configured, so no key file lands in the home directory).</summary>
    public const string DataKey = "dGVzdC1wZXJzb25hbC1kYXRhLWtleS0zMi1ieXRlcyE=";

    private ThrowawayDatabase? database;

    public RunningServer Server { get; private set; } = null!;
    public string ConnectionString => database!.ConnectionString;
    public Dictionary<Role, (Guid Id, string Key)> Users { get; } = [];
    public Guid SharedIncidentId { get; private set; }

    public async Task InitializeAsync()
    {
        database = await PostgresServer.CreateDatabaseAsync();
        Server = await RunningServer.StartAsync(
            $"--ConnectionStrings:Postgres={database.ConnectionString}", $"--IR_PLAYBOOKS_DIR={PlaybooksFolder}", "--IR_JOBS_SERVER=true", $"--IR_DATA_KEY={DataKey}");
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

    /// <summary>The shipped library plus the engine's own test playbooks (engine-test serves incidents of kind 'other').</summary>
    public static string PlaybooksFolder { get; } = CreatePlaybooksFolder();

    private RunningServer? secondNode;

    /// <summary>
    /// A second server on the same database, as a second node would be. It lives as long as the fixture:
    /// Hangfire keeps process-wide statics (its log provider) that must not outlive their host mid-run.
    /// </summary>
    public async Task<RunningServer> SecondNodeAsync() => secondNode ??= await RunningServer.StartAsync(
        $"--ConnectionStrings:Postgres={ConnectionString}", $"--IR_PLAYBOOKS_DIR={PlaybooksFolder}", $"--IR_DATA_KEY={DataKey}");

    private static string CreatePlaybooksFolder()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(directory!.FullName, "IncidentResponse.sln")))
        {
            directory = directory.Parent;
        }

        var folder = Path.Combine(Path.GetTempPath(), "ir-playbooks-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.GetFiles(Path.Combine(directory.FullName, "workflows", "playbooks")))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        }

        foreach (var test in new[] { "engine-test.yaml", "exercise-clock-test.yaml", "letters-test.yaml" })
        {
            File.Copy(Path.Combine(directory.FullName, "tests", "IncidentResponse.Server.Tests", "Playbooks", test), Path.Combine(folder, test));
        }
        return folder;
    }

    public async Task DisposeAsync()
    {
        if (secondNode is not null)
        {
            await secondNode.DisposeAsync();
        }

        await Server.DisposeAsync();
        await database!.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServerFixture>
{
    public const string Name = "PostgreSQL server";
}
