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
                .UseRecommendedSerializerSettings()
                .UseLogProvider(new HostLogProvider(provider.GetRequiredService<ILoggerFactory>()));
            if (settings.Provider == DatabaseProvider.Postgres)
            {
                // Hangfire gets this node's own plain data source (its SQL reads timestamps as DateTime, not NodaTime),
                // disposed with the node, so two hosts in one process never share connections.
                var dataSource = provider.GetRequiredService<HangfireDataSource>().DataSource;
                config.UsePostgreSqlStorage(o => o.UseConnectionFactory(new DataSourceConnections(dataSource)),
                    new PostgreSqlStorageOptions
                    {
                        SchemaName = "hangfire", PrepareSchemaIfNecessary = true, QueuePollInterval = TimeSpan.FromSeconds(1),
                        // A lock left by a node that died (SIGKILL, power loss) blocks the recurring scheduler until it expires:
                        // a minute, not the default ten, so a crash never holds timers back for long.
                        DistributedLockTimeout = TimeSpan.FromMinutes(1),
                    });
            }
            else
            {
                config.UseSQLiteStorage(Path.Combine(settings.DataDirectory!, "jobs.db"));
            }
        });
        if (settings.Provider == DatabaseProvider.Postgres)
        {
            // The node's connection defaults (statements prepared, connections not reset; docs/performance.md): Hangfire's
            // storage leaves no session state behind as configured here (no long polling, so no LISTEN).
            services.AddSingleton(new HangfireDataSource(DatabaseSetup.BuildPostgresDataSource(settings.ConnectionString, nodaTime: false)));
        }

        if (!string.Equals(configuration["IR_JOBS_SERVER"], "false", StringComparison.OrdinalIgnoreCase))
        {
            services.AddHangfireServer(o =>
            {
                o.WorkerCount = Math.Max(2, Environment.ProcessorCount);
                // Recurring jobs every few seconds (the deadline sweep) need the scheduler to look that often.
                o.SchedulePollingInterval = TimeSpan.FromSeconds(configuration.GetValue("IR_SCHEDULE_POLL_SECONDS", 5));
            });
        }

        services.AddScoped<IdempotencyCleanup>();
        services.AddHostedService<RecurringJobs>();
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
    }

    private sealed class AllowAuthorizedEndpoint : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context) => true;
    }
}

/// <summary>
/// Registers the recurring jobs once the node has started, retrying while another node holds the lock: a node
/// killed mid-registration leaves a lock that expires, and must not stop the next one from starting.
/// </summary>
internal sealed class RecurringJobs(
    IRecurringJobManager recurring, Deadlines.DeliverySettings delivery, Mailings.MailingSettings mailings, ILogger<RecurringJobs> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                recurring.AddOrUpdate<IdempotencyCleanup>("idempotency-cleanup", j => j.RunAsync(CancellationToken.None), Cron.Hourly());
                recurring.AddOrUpdate<Playbooks.PlaybookSweep>("playbook-sweep", j => j.RunAsync(CancellationToken.None), Cron.Minutely());
                recurring.AddOrUpdate<Deadlines.DeadlineSweep>("deadline-sweep", j => j.RunAsync(CancellationToken.None), delivery.SweepCron);
                recurring.AddOrUpdate<Deadlines.DeadlineSync>("deadline-resync", j => j.ResyncOpenIncidentsAsync(CancellationToken.None), Cron.Hourly(17));
                recurring.AddOrUpdate<Mailings.MailingSweep>("mailing-sweep", j => j.RunAsync(CancellationToken.None), mailings.SweepCron);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Recurring jobs not registered yet; retrying in five seconds");
                await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken);
            }
        }
    }
}

/// <summary>
/// Hangfire's log provider is process-wide: the last host built in a process sets it. Where several hosts share a
/// process (the tests' second nodes) and that host is disposed, creating a logger from its factory throws, and Hangfire
/// creates loggers while it stores and fetches jobs: the jobs of the hosts still running failed. A logger the factory
/// can no longer create is a silent one instead.
/// </summary>
internal sealed class HostLogProvider(ILoggerFactory factory) : Hangfire.Logging.ILogProvider
{
    private readonly Hangfire.AspNetCore.AspNetCoreLogProvider inner = new(factory);

    public Hangfire.Logging.ILog GetLogger(string name)
    {
        try
        {
            return inner.GetLogger(name);
        }
        catch (ObjectDisposedException)
        {
            return Silent.Instance;
        }
    }

    private sealed class Silent : Hangfire.Logging.ILog
    {
        public static readonly Silent Instance = new();

        public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null) => false;
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
