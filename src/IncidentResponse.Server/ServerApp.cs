using Hangfire;
using IncidentResponse.Server.AffectedPeople;
using IncidentResponse.Server.Api;
using IncidentResponse.Server.Audit;
using IncidentResponse.Server.Deadlines;
using IncidentResponse.Server.Health;
using IncidentResponse.Server.Identity;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.Jobs;
using IncidentResponse.Server.LawEnforcement;
using IncidentResponse.Server.Letters;
using IncidentResponse.Server.Mailings;
using IncidentResponse.Server.Notifications;
using IncidentResponse.Server.Organisations;
using IncidentResponse.Server.Playbooks;
using IncidentResponse.Server.Persistence;
using NodaTime;
using Scalar.AspNetCore;

namespace IncidentResponse.Server;

/// <summary>Builds the server: services, middleware and endpoints, the same for production and tests.</summary>
public static class ServerApp
{
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        var settings = DatabaseSettings.From(builder.Configuration);

        builder.Services.AddSingleton<IClock>(SystemClock.Instance);
        // The rule base is validated before anything else: a bad rule file stops start-up, naming file and field.
        builder.Services.AddSingleton(IncidentResponse.Core.Laws.RuleBook.Current);
        builder.Services.AddIncidentDatabase(settings);
        builder.Services.AddApiConventions();
        builder.Services.AddIncidentAuthentication(settings, builder.Configuration);
        builder.Services.AddMediator(o => o.ServiceLifetime = ServiceLifetime.Scoped);
        builder.Services.AddScoped<AuditTrail>();
        builder.Services.AddScoped<IncidentAssessor>();
        builder.Services.AddSingleton(PlaybookLibrary.Load(builder.Configuration));
        builder.Services.AddSingleton<RunSnapshots>();
        builder.Services.AddScoped<PlaybookRuns>();
        builder.Services.AddScoped<RunMigrations>();
        builder.Services.AddScoped<AutomatedSteps>();
        builder.Services.AddScoped<PlaybookSweep>();
        builder.Services.AddDeadlines(builder.Configuration);
        builder.Services.AddAffectedPeople(builder.Configuration);
        builder.Services.AddMailings(builder.Configuration);
        // Registered before the job server, so no job runs before the schema is there.
        builder.Services.AddHostedService<DatabaseStartup>();
        builder.Services.AddBackgroundJobs(settings, builder.Configuration);
        // After the job server: hosted services stop in reverse, so what is handed over is queued before the jobs stop.
        builder.Services.AddSingleton<AutomatedStepQueue>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AutomatedStepQueue>());
        builder.Services.AddScoped<AutomatedStepBatch>();
        builder.Services.AddHealth();
        builder.Services.AddOpenApi();

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMiddleware<Idempotency>();

        app.MapHealth();
        app.MapOpenApi();
        app.MapScalarApiReference();
        app.MapJobs();
        var api = app.MapGroup("/api/v1");
        api.MapIdentityApi();
        api.MapIncidentsApi();
        api.MapIncidentClockApi();
        api.MapAuditApi();
        api.MapOrganisationApi();
        api.MapNotificationsApi();
        api.MapLawEnforcementApi();
        api.MapTasksApi().MapTaskAssignmentApi().MapAdHocTasksApi().MapRunMigrationApi().MapPlaybookCatalogApi();
        api.MapDeadlinesApi();
        api.MapLettersApi();
        api.MapMailingsApi();
        api.MapAffectedPeopleApi();
        return app;
    }
}

/// <summary>Before the server takes requests or runs jobs: migrate the schema, first-start set-up and the job storage's schema, one node at a time.</summary>
internal sealed class DatabaseStartup(IServiceProvider services, IConfiguration configuration) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => DatabaseSetup.OneNodeAtATimeAsync(services, async () =>
    {
        if (!string.Equals(configuration["IR_MIGRATE_ON_START"], "false", StringComparison.OrdinalIgnoreCase))
        {
            await DatabaseSetup.MigrateAsync(services, cancellationToken);
        }

        await FirstStart.RunAsync(services, configuration, cancellationToken);
        // Hangfire prepares its own schema when its storage is first built: in the same turn.
        services.GetService<JobStorage>();
    }, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
