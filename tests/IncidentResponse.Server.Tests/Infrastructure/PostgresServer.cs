using Npgsql;
using Testcontainers.PostgreSql;

namespace IncidentResponse.Server.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL the tests run against: the server named by IR_TEST_POSTGRES when set, otherwise a
/// Testcontainers container when a Docker engine answers, otherwise a clear failure.
/// </summary>
public static class PostgresServer
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? connectionString;
    private static PostgreSqlContainer? container;

    public static async Task<string> ConnectionStringAsync()
    {
        await Gate.WaitAsync();
        try
        {
            return connectionString ??= await Locate();
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task<string> Locate()
    {
        var configured = Environment.GetEnvironmentVariable("IR_TEST_POSTGRES");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        try
        {
            container = new PostgreSqlBuilder("postgres:16-alpine").Build();
            await container.StartAsync();
            return container.GetConnectionString();
        }
        catch (Exception e)
        {
            throw new InvalidOperationException(
                "No PostgreSQL for the tests: set IR_TEST_POSTGRES to a connection string of a server where the user may " +
                "create databases (e.g. 'Host=127.0.0.1;Username=postgres;Password=...'), or run a Docker engine for " +
                "Testcontainers. `bash .ci/run` installs and starts one for you. (" + e.GetType().Name + ": " + e.Message + ")", e);
        }
    }

    /// <summary>A throwaway database; dropped when the returned handle is disposed.</summary>
    public static async Task<ThrowawayDatabase> CreateDatabaseAsync()
    {
        var server = await ConnectionStringAsync();
        var name = "t_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new ThrowawayDatabase(server, name);
    }
}

public sealed class ThrowawayDatabase(string server, string name) : IAsyncDisposable
{
    public string ConnectionString { get; } = new NpgsqlConnectionStringBuilder(server) { Database = name, Pooling = false }.ConnectionString;

    public async ValueTask DisposeAsync()
    {
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
