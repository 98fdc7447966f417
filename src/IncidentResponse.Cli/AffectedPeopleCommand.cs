using System.CommandLine;
using System.Text.Json;
using IncidentResponse.Core;
using IncidentResponse.Core.AffectedPeople;
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
/// `ir affected-people rekey`: after a key rotation, re-seals every person still under a former key with the current
/// one (the keys as the server reads them: IR_DATA_KEY, IR_DATA_KEY_PREVIOUS or the key files). Audited as the system.
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
        var rekey = new Command("rekey", "Re-seal individuals' personal data still under a former key (IR_DATA_KEY_PREVIOUS) with the current key (IR_DATA_KEY).") { connection };
        rekey.SetAction(async (parse, ct) =>
        {
            var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
            PersonalDataKeyRing keys;
            try
            {
                keys = PersonalDataKeys.Load(configuration);
            }
            catch (InvalidOperationException e)
            {
                await Console.Error.WriteLineAsync($"ir affected-people rekey: {e.Message}");
                return 2;
            }

            await using var services = new ServiceCollection().AddLogging().AddIncidentDatabase(ServerDatabase.Settings(parse, connection))
                .AddHttpContextAccessor().AddScoped<CurrentActor>().AddScoped<AuditTrail>().AddSingleton<IClock>(SystemClock.Instance)
                .AddSingleton(AffectedPeopleSettings.From(configuration)).AddSingleton(keys)
                .AddScoped<AffectedPeopleRekey>().BuildServiceProvider();
            await using var scope = services.CreateAsyncScope();
            var result = await scope.ServiceProvider.GetRequiredService<AffectedPeopleRekey>().RekeyAllAsync(ct);
            foreach (var incident in result.ByIncident)
            {
                await Console.Out.WriteLineAsync(JsonSerializer.Serialize(incident, WireJson.Options));
            }

            await Console.Out.WriteLineAsync(JsonSerializer.Serialize(new { result.CurrentKey, result.Incidents, result.Rekeyed, result.Duplicates, result.UnderOtherKeys }, WireJson.Options));
            return result.UnderOtherKeys == 0 ? 0 : 1;
        });
        return new Command("affected-people", "Affected individuals' personal data.") { purge, rekey };
    }
}
