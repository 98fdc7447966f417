using Hangfire;
using Hangfire.Dashboard;
using Hangfire.PostgreSql;
using Hangfire.Storage.SQLite;
using IncidentResponse.Core.Identity;
using IncidentResponse.Server.Api;
using IncidentResponse.Server.Identity;
using IncidentResponse.Server.Persistence;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace IncidentResponse.Server.Jobs;

/// <summary>Hangfire on the same database as everything else: PostgreSQL storage, or SQLite when embedded.</summary>
public static class BackgroundJobs
{
    public static IServiceCollection AddBackgroundJobs(this IServiceCollection services, DatabaseSettings settings, IConfiguration configuration)
    {
        services.AddHangfire((provider, config) =>
        {
            config.SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings();
            if (settings.Provider == DatabaseProvider.Postgres)
            {
                // Hangfire gets this node's own plain data source (its SQL reads timestamps as DateTime, not NodaTime),
                // disposed with the node, so two hosts in one process never share connections.
                var dataSource = provider.GetRequiredService<HangfireDataSource>().DataSource;
                config.UsePostgreSqlStorage(o => o.UseConnectionFactory(new DataSourceConnections(dataSource)),
                    new PostgreSqlStorageOptions { SchemaName = "hangfire", PrepareSchemaIfNecessary = true, QueuePollInterval = TimeSpan.FromSeconds(1) });
            }
            else
            {
                config.UseSQLiteStorage(Path.Combine(settings.DataDirectory!, "jobs.db"));
            }
        });
        if (settings.Provider == DatabaseProvider.Postgres)
        {
            services.AddSingleton(new HangfireDataSource(Npgsql.NpgsqlDataSource.Create(settings.ConnectionString)));
        }

        if (!string.Equals(configuration["IR_JOBS_SERVER"], "false", StringComparison.OrdinalIgnoreCase))
        {
            services.AddHangfireServer(o => o.WorkerCount = Math.Max(2, Environment.ProcessorCount));
        }

        services.AddScoped<IdempotencyCleanup>();
        return services;
    }

    public static void MapJobs(this WebApplication app)
    {
        app.MapHangfireDashboard("/hangfire", new DashboardOptions
        {
            // Access is decided by the endpoint's authorization policy below, not by Hangfire's local-only default.
            Authorization = [new AllowAuthorizedEndpoint()],
            DisplayStorageConnectionString = false,
        }).RequirePermission(Permission.ManageUsers);

        var recurring = app.Services.GetRequiredService<IRecurringJobManager>();
        recurring.AddOrUpdate<IdempotencyCleanup>("idempotency-cleanup", j => j.RunAsync(CancellationToken.None), Cron.Hourly());
        recurring.AddOrUpdate<Playbooks.PlaybookSweep>("playbook-sweep", j => j.RunAsync(CancellationToken.None), Cron.Minutely());
    }

    private sealed class AllowAuthorizedEndpoint : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context) => true;
    }
}

/// <summary>The data source Hangfire's storage uses, owned (and disposed) by the node's container.</summary>
internal sealed class HangfireDataSource(Npgsql.NpgsqlDataSource dataSource) : IDisposable
{
    public Npgsql.NpgsqlDataSource DataSource { get; } = dataSource;

    public void Dispose() => DataSource.Dispose();
}

internal sealed class DataSourceConnections(Npgsql.NpgsqlDataSource dataSource) : IConnectionFactory
{
    public Npgsql.NpgsqlConnection GetOrCreateConnection() => dataSource.CreateConnection();
}

/// <summary>Forgets idempotency keys after a day: a retry later than that is a new request.</summary>
public sealed class IdempotencyCleanup(IncidentDbContext db, IClock clock)
{
    public static readonly Duration Retention = Duration.FromDays(1);

    public async Task RunAsync(CancellationToken ct)
    {
        var cutoff = clock.GetCurrentInstant() - Retention;
        await db.IdempotencyRecords.Where(r => r.CreatedAt < cutoff).ExecuteDeleteAsync(ct);
    }
}
