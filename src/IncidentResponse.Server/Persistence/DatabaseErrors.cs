using Microsoft.EntityFrameworkCore;

namespace IncidentResponse.Server.Persistence;

/// <summary>What a database refusal means, the same on PostgreSQL and SQLite.</summary>
public static class DatabaseErrors
{
    /// <summary>
    /// A save refused because a key it writes is taken (PostgreSQL's unique violation; SQLite reports every constraint
    /// with one code, so there a constraint failure of any kind).
    /// </summary>
    public static bool IsDuplicate(this DbUpdateException e) =>
        e.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation } or Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 19 };
}
