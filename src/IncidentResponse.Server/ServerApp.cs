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
        builder.Services.AddIncidentAuthentication();
        builder.Services.AddMediator(o => o.ServiceLifetime = ServiceLifetime.Scoped);
        builder.Services.AddScoped<AuditTrail>();
        builder.Services.AddScoped<IncidentAssessor>();
        builder.Services.AddSingleton(PlaybookLibrary.Load(builder.Configuration));
        builder.Services.AddScoped<PlaybookRuns>();
        builder.Services.AddScoped<RunMigrations>();
        builder.Services.AddScoped<AutomatedSteps>();
        builder.Services.AddScoped<PlaybookSweep>();
        builder.Services.AddDeadlines(builder.Configuration);
        builder.Services.AddAffectedPeople(builder.Configuration);
        builder.Services.AddMailings(builder.Configuration);
        builder.Services.AddBackgroundJobs(settings, builder.Configuration);
        builder.Services.AddHealth();
        builder.Services.AddOpenApi();
        builder.Services.AddHostedService<DatabaseStartup>();

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

/// <summary>Before the server takes requests: migrate the schema, then first-start set-up.</summary>
internal sealed class DatabaseStartup(IServiceProvider services, IConfiguration configuration) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!string.Equals(configuration["IR_MIGRATE_ON_START"], "false", StringComparison.OrdinalIgnoreCase))
        {
            await DatabaseSetup.MigrateAsync(services, cancellationToken);
        }

        await FirstStart.RunAsync(services, configuration, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
