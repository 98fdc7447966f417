using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using IncidentResponse.Core.Identity;
using IncidentResponse.Server.Audit;
using IncidentResponse.Server.Persistence;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Npgsql;

namespace IncidentResponse.Server.Identity;

/// <summary>
/// A user as a request sees them: who they are, their roles, whether they may sign in at all, and a stamp of their
/// password that changes whenever the password does (never the password hash itself).
/// </summary>
public sealed record SignedInUser(Guid Id, string Email, string DisplayName, IReadOnlyList<Role> Roles, bool Disabled, int Version, string PasswordStamp)
{
    public static SignedInUser Of(User user) =>
        new(user.Id, user.Email, user.DisplayName, [.. user.Roles], user.Disabled, user.Version, StampOf(user.PasswordHash));

    private static string StampOf(string? passwordHash) => passwordHash is null
        ? "none"
        : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(passwordHash)))[..16];
}

/// <summary>
/// The users behind API keys and sign-in cookies, kept in memory for a short while so that a request does not read its
/// caller from the database every time. A change to a user or a key empties it on every node: the node that made the
/// change at once, the others when PostgreSQL delivers the change's notification (<see cref="UserChangeListener"/>).
/// A node that is not listening (its listening connection lost, or not yet open) reads the database every time, and
/// what it remembers expires after <c>Authentication:UserCacheSeconds</c> (30) whatever happens; 0 turns it off.
/// </summary>
public sealed class SignedInUsers(IClock clock, Duration lifetime, bool onlyNode)
{
    /// <summary>The PostgreSQL channel changes to users and keys are announced on.</summary>
    public const string Channel = "ir_users";

    private readonly ConcurrentDictionary<string, Remembered> byKey = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, Remembered> byId = new();
    private long generation;
    private readonly bool announced = !onlyNode;
    private volatile bool listening = onlyNode;

    private sealed record Remembered(SignedInUser User, Instant Until);

    /// <summary>The user behind a key's hash, if the key is known and not revoked; null otherwise.</summary>
    public async Task<SignedInUser?> ByKeyAsync(string keyHash, IncidentDbContext db, CancellationToken cancellationToken)
    {
        if (Recall(byKey, keyHash) is { } known)
        {
            return known;
        }

        var seen = Volatile.Read(ref generation);
        var user = await db.ApiKeys.AsNoTracking()
            .Where(k => k.Hash == keyHash && k.RevokedAt == null)
            .Join(db.Users, k => k.UserId, u => u.Id, (k, u) => u)
            .SingleOrDefaultAsync(cancellationToken);
        return user is null ? null : Remember(byKey, keyHash, SignedInUser.Of(user), seen);
    }

    /// <summary>The user as they are now, for a sign-in cookie that names them; null if there is no such user.</summary>
    public async Task<SignedInUser?> ByIdAsync(Guid id, IncidentDbContext db, CancellationToken cancellationToken)
    {
        if (Recall(byId, id) is { } known)
        {
            return known;
        }

        var seen = Volatile.Read(ref generation);
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == id, cancellationToken);
        return user is null ? null : Remember(byId, id, SignedInUser.Of(user), seen);
    }

    /// <summary>
    /// Commits a change to a user or a key with its audit events, announcing it in the same transaction where other nodes
    /// may share the database (PostgreSQL): they hear of it when, and only if, it commits. This node forgets at once.
    /// </summary>
    public async Task CommitChangeAsync(IncidentDbContext db, AuditTrail audit, CancellationToken cancellationToken)
    {
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            await audit.CommitAsync(cancellationToken);
            if (announced)
            {
                await db.Database.ExecuteSqlRawAsync($"SELECT pg_notify('{Channel}', '')", cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }

        Forget();
    }

    /// <summary>Everything remembered is dropped, and a read that began before now is not remembered.</summary>
    public void Forget()
    {
        Interlocked.Increment(ref generation);
        byKey.Clear();
        byId.Clear();
    }

    /// <summary>Told by the listener whether it hears announcements: while it does not, nothing is remembered or recalled.</summary>
    internal void Listening(bool hears)
    {
        listening = hears;
        Forget();
    }

    private SignedInUser? Recall<TKey>(ConcurrentDictionary<TKey, Remembered> entries, TKey key) where TKey : notnull =>
        listening && entries.TryGetValue(key, out var entry) && entry.Until > clock.GetCurrentInstant() ? entry.User : null;

    private SignedInUser Remember<TKey>(ConcurrentDictionary<TKey, Remembered> entries, TKey key, SignedInUser user, long seen)
        where TKey : notnull
    {
        if (listening && lifetime > Duration.Zero)
        {
            entries[key] = new Remembered(user, clock.GetCurrentInstant() + lifetime);
            // A change that committed while this read was under way may have been read before it or not: drop it.
            if (Volatile.Read(ref generation) != seen)
            {
                entries.TryRemove(key, out _);
            }
        }

        return user;
    }
}

/// <summary>
/// Listens on PostgreSQL for changes to users and keys made by any node, and empties <see cref="SignedInUsers"/> when one
/// arrives. It holds one connection of its own, outside the pool; while that connection is down the cache is off.
/// </summary>
public sealed class UserChangeListener(SignedInUsers users, DatabaseSettings settings, ILogger<UserChangeListener> logger)
    : BackgroundService
{
    /// <summary>How the listening connection names itself in <c>pg_stat_activity</c>.</summary>
    public const string ApplicationName = "incident-response user changes";

    private static readonly TimeSpan Probe = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var connectionString = new NpgsqlConnectionStringBuilder(settings.ConnectionString)
        {
            Pooling = false, Enlist = false, ApplicationName = ApplicationName,
            // A connection gone without a word (a dropped network path) is noticed within seconds, not at the next probe.
            KeepAlive = 10,
        }.ConnectionString;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(stoppingToken);
                connection.Notification += (_, _) => users.Forget();
                await using (var listen = new NpgsqlCommand($"LISTEN {SignedInUsers.Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                users.Listening(true);
                while (true)
                {
                    if (!await connection.WaitAsync(Probe, stoppingToken))
                    {
                        // Nothing for a while: make sure the connection is still there, not silently gone.
                        await using var probe = new NpgsqlCommand("SELECT 1", connection);
                        await probe.ExecuteScalarAsync(stoppingToken);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // Whatever broke the connection, the node carries on reading callers from the database and tries again.
                logger.LogWarning(e, "Lost the connection that hears of changes to users and keys; every request reads its caller from the database until it is back.");
            }
            finally
            {
                users.Listening(false);
            }

            try
            {
                await Task.Delay(Retry, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
