using IncidentResponse.Server.Persistence;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace IncidentResponse.Server.AffectedPeople;

/// <summary>
/// One writer of an incident's people at a time across nodes (an import, a re-key), so a re-key never runs between an
/// import's batches and de-duplication never compares blind indexes made with different keys. On PostgreSQL a session
/// advisory lock held on the context's connection, kept open until disposed; SQLite already takes one writer at a time.
/// </summary>
public sealed class AffectedPeopleLock : IAsyncDisposable
{
    private readonly IncidentDbContext? held;
    private readonly Guid incidentId;

    private AffectedPeopleLock(IncidentDbContext? held, Guid incidentId) => (this.held, this.incidentId) = (held, incidentId);

    public static async Task<AffectedPeopleLock> TakeAsync(IncidentDbContext db, Guid incidentId, CancellationToken ct)
    {
        if (db.Provider != DatabaseProvider.Postgres)
        {
            return new AffectedPeopleLock(null, incidentId);
        }

        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock(hashtextextended({Name(incidentId)}, 0))", ct);
        }
        catch
        {
            await db.Database.CloseConnectionAsync();
            throw;
        }

        return new AffectedPeopleLock(db, incidentId);
    }

    private static string Name(Guid incidentId) => "affected-people:" + incidentId;

    public async ValueTask DisposeAsync()
    {
        if (held is null)
        {
            return;
        }

        try
        {
            await held.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock(hashtextextended({Name(incidentId)}, 0))", CancellationToken.None);
        }
        catch (NpgsqlException)
        {
            // The connection is gone, and the session's locks with it.
        }
        finally
        {
            await held.Database.CloseConnectionAsync();
        }
    }
}
