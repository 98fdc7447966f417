using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Npgsql;

namespace IncidentResponse.Server.Persistence;

/// <summary>Where the data lives: PostgreSQL when a connection string is set, else an embedded SQLite file.</summary>
public sealed record DatabaseSettings(DatabaseProvider Provider, string ConnectionString, string? DataDirectory)
{
    public static DatabaseSettings From(IConfiguration configuration)
    {
        var postgres = configuration.GetConnectionString("Postgres");
        if (!string.IsNullOrWhiteSpace(postgres))
        {
            return new DatabaseSettings(DatabaseProvider.Postgres, postgres, null);
        }

        var directory = DataDirectoryFrom(configuration);
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, "incident-response.db");
        return new DatabaseSettings(DatabaseProvider.Sqlite, $"Data Source={file};Foreign Keys=True;Default Timeout=30", directory);
    }

    /// <summary>IR_DATA_DIR, else $XDG_DATA_HOME/incident-response, else ~/.local/share/incident-response.</summary>
    public static string DataDirectoryFrom(IConfiguration configuration)
    {
        var explicitDirectory = configuration["IR_DATA_DIR"];
        if (!string.IsNullOrWhiteSpace(explicitDirectory))
        {
            return explicitDirectory;
        }

        var xdg = configuration["XDG_DATA_HOME"];
        var root = !string.IsNullOrWhiteSpace(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        return Path.Combine(root, "incident-response");
    }
}

public static class DatabaseSetup
{
    public static IServiceCollection AddIncidentDatabase(this IServiceCollection services, DatabaseSettings settings)
    {
        services.AddSingleton(settings);
        if (settings.Provider == DatabaseProvider.Postgres)
        {
            var dataSource = BuildPostgresDataSource(settings.ConnectionString);
            services.AddSingleton(dataSource);
            // Contexts are pooled: every request makes one (authentication asks for it), and a new context costs more than
            // the request's own work when the key's user is remembered. A context leased again has the settings its
            // constructor made (EF Core restores them).
            services.AddDbContextPool<PostgresIncidentDbContext>(o => ConfigurePostgres(o, dataSource));
            services.AddScoped<IncidentDbContext>(sp => sp.GetRequiredService<PostgresIncidentDbContext>());
        }
        else
        {
            services.AddDbContextPool<SqliteIncidentDbContext>(o => ConfigureSqlite(o, settings.ConnectionString));
            services.AddScoped<IncidentDbContext>(sp => sp.GetRequiredService<SqliteIncidentDbContext>());
        }

        return services;
    }

    /// <summary>
    /// The PostgreSQL data source. With <paramref name="guardedStatements"/> its sessions plan as the guarded statements
    /// need (<see cref="Playbooks.GuardedTransition"/>): each prepared statement once (<c>plan_cache_mode=force_generic_plan</c>;
    /// PostgreSQL would otherwise plan it again on every execution), and without sequential scans, hash or merge joins,
    /// so that the one plan finds each row it changes through its key, however large the table has grown since; and on one
    /// pipelined connection (<see cref="Playbooks.GuardedWrites{T}"/> then has two batches on their way).
    /// Without <paramref name="nodaTime"/> timestamps read as <see cref="DateTime"/>, as Hangfire's storage expects.
    /// </summary>
    public static NpgsqlDataSource BuildPostgresDataSource(string connectionString, bool guardedStatements = false, bool nodaTime = true)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        if (nodaTime)
        {
            builder.UseNodaTime();
        }

        // Defaults a connection string that names the setting overrides (docs/performance.md has the measurements).
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        if (!given.ContainsKey("Max Auto Prepare") && !given.ContainsKey("MaxAutoPrepare"))
        {
            // The server sends the same few hundred statements again and again: each connection prepares those it has sent
            // twice, and PostgreSQL parses and plans them once instead of every time. "Max Auto Prepare=0" turns it off
            // behind a pooler that cannot keep prepared statements.
            builder.ConnectionStringBuilder.MaxAutoPrepare = AutoPrepared;
            builder.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
        }

        if (!given.ContainsKey("No Reset On Close") && !given.ContainsKey("NoResetOnClose"))
        {
            // A connection back in the pool is not reset (seven commands PostgreSQL would run before its next statement):
            // the server leaves no session state behind. Session advisory locks are released explicitly, and the import's
            // staging table empties itself at every commit.
            builder.ConnectionStringBuilder.NoResetOnClose = true;
        }

        // Only prepared statements keep a plan; with nothing prepared (behind a pooler) there is no setting to send either,
        // and each execution is planned for the tables as they stand.
        if (guardedStatements && builder.ConnectionStringBuilder.MaxAutoPrepare > 0)
        {
            const string planning = "-c plan_cache_mode=force_generic_plan -c enable_seqscan=off -c enable_hashjoin=off -c enable_mergejoin=off";
            builder.ConnectionStringBuilder.Options = $"{builder.ConnectionStringBuilder.Options} {planning}".Trim();
            // One connection, on which the next batch is written while the one before is still on its way (Npgsql's
            // multiplexing): PostgreSQL starts on it as soon as it has committed the first, without waiting for the round
            // trip. Not behind a pooler, which may not keep a pipelined session's statements in order. The one connection
            // is kept open even where the other pools open one for each use (Pooling=false).
            builder.ConnectionStringBuilder.Multiplexing = true;
            builder.ConnectionStringBuilder.Pooling = true;
            (builder.ConnectionStringBuilder.MinPoolSize, builder.ConnectionStringBuilder.MaxPoolSize) = (0, 1);
        }

        return builder.Build();
    }

    /// <summary>How many statements each PostgreSQL connection keeps prepared, unless the connection string says.</summary>
    private const int AutoPrepared = 256;

    internal static void ConfigurePostgres(DbContextOptionsBuilder options, NpgsqlDataSource dataSource) =>
        options.UseNpgsql(dataSource, o => o.UseNodaTime()).UseSnakeCaseNamingConvention();

    internal static void ConfigureSqlite(DbContextOptionsBuilder options, string connectionString) =>
        options.UseSqlite(connectionString).UseSnakeCaseNamingConvention();

    /// <summary>
    /// Start-up work (migrations, first-start set-up) done by one node at a time: on PostgreSQL under a session advisory
    /// lock, so nodes started together on one database take turns instead of applying a migration or seeding twice.
    /// A node that dies holding it releases it with its connection.
    /// </summary>
    public static async Task OneNodeAtATimeAsync(IServiceProvider services, Func<Task> work, CancellationToken cancellationToken)
    {
        if (services.GetRequiredService<DatabaseSettings>().Provider != DatabaseProvider.Postgres)
        {
            await work();
            return;
        }

        await using var connection = await services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync(cancellationToken);
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(hashtextextended('startup', 0))", connection))
        {
            await take.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            await work();
        }
        finally
        {
            await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock(hashtextextended('startup', 0))", connection);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>Applies the provider's migrations; used at start-up and by `ir migrate`.</summary>
    public static async Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IncidentDbContext>();
        await db.Database.MigrateAsync(cancellationToken);
    }
}

/// <summary>Lets `dotnet ef migrations add` build the PostgreSQL model without a live server.</summary>
public sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresIncidentDbContext>
{
    public PostgresIncidentDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<PostgresIncidentDbContext>();
        ConfigureDesignTime(options);
        return new PostgresIncidentDbContext(options.Options);
    }

    private static void ConfigureDesignTime(DbContextOptionsBuilder options) =>
        DatabaseSetup.ConfigurePostgres(options, DatabaseSetup.BuildPostgresDataSource("Host=localhost;Database=design"));
}

public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteIncidentDbContext>
{
    public SqliteIncidentDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<SqliteIncidentDbContext>();
        DatabaseSetup.ConfigureSqlite(options, "Data Source=design.db");
        return new SqliteIncidentDbContext(options.Options);
    }
}
