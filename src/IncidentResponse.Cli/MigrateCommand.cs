using System.CommandLine;
using IncidentResponse.Server.Persistence;
using Microsoft.Extensions.DependencyInjection;

namespace IncidentResponse.Cli;

/// <summary>`ir migrate`: applies the schema migrations to the database the server would use.</summary>
public static class MigrateCommand
{
    public static Command Create()
    {
        var connection = ServerDatabase.Option();
        var command = new Command("migrate", "Apply database migrations (PostgreSQL, or the embedded SQLite file).") { connection };
        command.SetAction(async (parse, ct) =>
        {
            var settings = ServerDatabase.Settings(parse, connection);
            var services = new ServiceCollection().AddLogging().AddIncidentDatabase(settings).BuildServiceProvider();
            // A server starting on the same database at the same time waits its turn, as nodes do among themselves.
            await DatabaseSetup.OneNodeAtATimeAsync(services, () => DatabaseSetup.MigrateAsync(services, ct), ct);
            await Console.Out.WriteLineAsync(settings.Provider == DatabaseProvider.Postgres
                ? "PostgreSQL schema is up to date."
                : $"Embedded database is up to date ({settings.DataDirectory}).");
            return 0;
        });
        return command;
    }
}
