using IncidentResponse.Server.Persistence;
using IncidentResponse.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace IncidentResponse.Server.Tests.Persistence;

public sealed class ConnectionDefaultsTests
{
    [Fact]
    public async Task A_statement_sent_again_is_prepared_on_its_connection_unless_the_connection_string_says_otherwise()
    {
        var server = await PostgresServer.ConnectionStringAsync();
        Assert.Equal(1L, await PreparedAfterThreeSendsAsync(server));
        Assert.Equal(0L, await PreparedAfterThreeSendsAsync(server + ";Max Auto Prepare=0"));
    }

    [Fact]
    public async Task A_pooled_connection_comes_back_unreset_unless_the_connection_string_says_otherwise()
    {
        var server = await PostgresServer.ConnectionStringAsync();
        Assert.Equal("left-behind", await ApplicationNameOnReuseAsync(server));
        Assert.NotEqual("left-behind", await ApplicationNameOnReuseAsync(server + ";No Reset On Close=false"));
    }

    [Fact]
    public async Task The_guarded_writes_pool_plans_each_prepared_statement_once_by_key_on_one_pipelined_connection_and_keeps_the_options_given()
    {
        var server = await PostgresServer.ConnectionStringAsync();
        const string Default = "auto seqscan=on hashjoin=on mergejoin=on pipelined=False";
        const string Guarded = "force_generic_plan seqscan=off hashjoin=off mergejoin=off pipelined=True";
        Assert.Equal(Default, await PlanningAsync(server, guardedStatements: false));
        Assert.Equal(Guarded, await PlanningAsync(server, guardedStatements: true));
        Assert.Equal(Guarded, await PlanningAsync(server + ";Options=-c work_mem=8MB", guardedStatements: true, expectWorkMem: "8MB"));
        // With nothing prepared (behind a pooler) no plan is kept, and no setting is sent for the pooler to refuse.
        Assert.Equal(Default, await PlanningAsync(server + ";Max Auto Prepare=0", guardedStatements: true));
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task A_context_leased_again_from_the_pool_keeps_the_settings_its_constructor_made(DatabaseProvider provider)
    {
        var settings = provider == DatabaseProvider.Postgres
            ? new DatabaseSettings(provider, await PostgresServer.ConnectionStringAsync(), null)
            : new DatabaseSettings(provider, $"Data Source={Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"))}.db", null);
        await using var services = new ServiceCollection().AddIncidentDatabase(settings).BuildServiceProvider();
        IncidentDbContext first;
        await using (var scope = services.CreateAsyncScope())
        {
            first = scope.ServiceProvider.GetRequiredService<IncidentDbContext>();
            Assert.False(first.Database.AutoSavepointsEnabled);
        }

        // Returned to the pool, the context was reset; EF Core restores what its constructor set (savepoints off).
        await using (var scope = services.CreateAsyncScope())
        {
            var again = scope.ServiceProvider.GetRequiredService<IncidentDbContext>();
            Assert.Same(first, again);
            Assert.False(again.Database.AutoSavepointsEnabled);
        }
    }

    /// <summary>
    /// The session's plan cache mode, whether it may scan tables whole, hash-join and merge-join, and whether the pool is
    /// one connection that statements are pipelined on.
    /// </summary>
    private static async Task<string> PlanningAsync(string connectionString, bool guardedStatements, string? expectWorkMem = null)
    {
        await using var source = DatabaseSetup.BuildPostgresDataSource(connectionString, guardedStatements);
        await using var connection = await source.OpenConnectionAsync();
        if (expectWorkMem is not null)
        {
            await using var workMem = new NpgsqlCommand("SHOW work_mem", connection);
            Assert.Equal(expectWorkMem, await workMem.ExecuteScalarAsync());
        }

        await using var show = new NpgsqlCommand(
            "SELECT current_setting('plan_cache_mode') || ' seqscan=' || current_setting('enable_seqscan') || ' hashjoin=' || "
            + "current_setting('enable_hashjoin') || ' mergejoin=' || current_setting('enable_mergejoin')", connection);
        var pool = new NpgsqlConnectionStringBuilder(source.ConnectionString);
        return $"{await show.ExecuteScalarAsync()} pipelined={pool is { Multiplexing: true, MaxPoolSize: 1 }}";
    }

    /// <summary>Sends one statement three times on one connection, then counts the connection's prepared statements that are it.</summary>
    private static async Task<long> PreparedAfterThreeSendsAsync(string connectionString)
    {
        await using var source = DatabaseSetup.BuildPostgresDataSource(connectionString);
        await using var connection = await source.OpenConnectionAsync();
        for (var i = 0; i < 3; i++)
        {
            await using var command = new NpgsqlCommand("SELECT 40 + $1", connection) { Parameters = { new() { Value = i } } };
            Assert.Equal(40 + i, await command.ExecuteScalarAsync());
        }

        await using var count = new NpgsqlCommand("SELECT count(*) FROM pg_prepared_statements WHERE statement = 'SELECT 40 + $1'", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    /// <summary>Sets a session setting, returns the connection to the pool, takes it again (the pool's only one) and reads the setting.</summary>
    private static async Task<string> ApplicationNameOnReuseAsync(string connectionString)
    {
        await using var source = DatabaseSetup.BuildPostgresDataSource(connectionString + ";Maximum Pool Size=1");
        int backend;
        await using (var first = await source.OpenConnectionAsync())
        {
            backend = first.ProcessID;
            await using var set = new NpgsqlCommand("SET application_name = 'left-behind'", first);
            await set.ExecuteNonQueryAsync();
        }

        await using var again = await source.OpenConnectionAsync();
        Assert.Equal(backend, again.ProcessID);
        await using var show = new NpgsqlCommand("SHOW application_name", again);
        return (string)(await show.ExecuteScalarAsync())!;
    }
}
