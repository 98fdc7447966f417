using System.CommandLine;
using IncidentResponse.Server.Persistence;
using Microsoft.Extensions.Configuration;

namespace IncidentResponse.Cli;

/// <summary>The database the server would use, chosen the same way by every command that works on it.</summary>
internal static class ServerDatabase
{
    public static Option<string?> Option() =>
        new("--postgres") { Description = "PostgreSQL connection string (default: ConnectionStrings__Postgres; unset = embedded SQLite)" };

    public static DatabaseSettings Settings(ParseResult parse, Option<string?> option)
    {
        var overrides = new Dictionary<string, string?>();
        if (parse.GetValue(option) is { } connection)
        {
            overrides["ConnectionStrings:Postgres"] = connection;
        }

        return DatabaseSettings.From(new ConfigurationBuilder().AddEnvironmentVariables().AddInMemoryCollection(overrides).Build());
    }
}
