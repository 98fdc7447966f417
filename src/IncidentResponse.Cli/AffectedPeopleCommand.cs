using System.CommandLine;
using System.Text.Json;
using IncidentResponse.Core;
using IncidentResponse.Server.AffectedPeople;
using IncidentResponse.Server.Audit;
using IncidentResponse.Server.Identity;
using IncidentResponse.Server.Mailings;
using IncidentResponse.Server.Persistence;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace IncidentResponse.Cli;

/// <summary>
/// `ir affected-people purge`: on the server's database, removes the individuals of every incident whose notification
/// is complete and whose retention period has passed; the others are listed with the reason they are kept. Audited
/// as the system. Meant for a daily cron job or systemd timer.
/// </summary>
public static class AffectedPeopleCommand
{
    public static Command Create()
    {
        var connection = ServerDatabase.Option();
        var purge = new Command("purge", "Purge individuals' personal data where notification is complete and the retention period has passed.") { connection };
        purge.SetAction(async (parse, ct) =>
        {
            await using var services = new ServiceCollection().AddLogging().AddIncidentDatabase(ServerDatabase.Settings(parse, connection))
                .AddHttpContextAccessor().AddScoped<CurrentActor>().AddScoped<AuditTrail>().AddSingleton<IClock>(SystemClock.Instance)
                .AddSingleton(MailingSettings.From(new ConfigurationBuilder().AddEnvironmentVariables().Build()))
                .AddScoped<AffectedPeoplePurge>().BuildServiceProvider();
            await using var scope = services.CreateAsyncScope();
            var results = await scope.ServiceProvider.GetRequiredService<AffectedPeoplePurge>().PurgeDueAsync(ct);
            foreach (var (incident, outcome) in results)
            {
                await Console.Out.WriteLineAsync(JsonSerializer.Serialize(outcome.Value is { } done
                    ? (object)new { incident, purged = done.People, errors = done.Errors, done.PurgeableFrom }
                    : new { incident, kept = outcome.Failure!.Detail }, WireJson.Options));
            }

            return 0;
        });
        return new Command("affected-people", "Affected individuals' personal data.") { purge };
    }
}
