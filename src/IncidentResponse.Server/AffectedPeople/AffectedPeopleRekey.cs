using IncidentResponse.Core.AffectedPeople;
using IncidentResponse.Server.Audit;
using IncidentResponse.Server.Persistence;
using Microsoft.EntityFrameworkCore;

namespace IncidentResponse.Server.AffectedPeople;

/// <summary>
/// Moves people sealed under a former personal data key to the current one, incident by incident under the incident's
/// <see cref="AffectedPeopleLock"/>: each row opened with the key it names, its blind index recomputed and its data
/// sealed with the current key, a batch per transaction. Rows already under the current key are never selected, so a
/// run that stops is resumed by running it again. A person already stored under the current key (imported after a
/// rotation without re-keying) is kept once: the former row is merged into it. One audit event per incident re-keyed.
/// </summary>
public sealed class AffectedPeopleRekey(IncidentDbContext db, PersonalDataKeyRing keys, AffectedPeopleSettings settings, AuditTrail audit)
{
    public async Task<RekeyView> RekeyAllAsync(CancellationToken ct)
    {
        var current = keys.Current.Id;
        var incidents = await db.AffectedPeople.AsNoTracking().Where(p => p.KeyId != current).Select(p => p.IncidentId).Distinct().ToListAsync(ct);
        var results = new List<IncidentRekeyView>();
        foreach (var incidentId in incidents)
        {
            await using (await AffectedPeopleLock.TakeAsync(db, incidentId, ct))
            {
                results.Add(await RekeyIncidentAsync(incidentId, ct));
            }
        }

        var underOtherKeys = await db.AffectedPeople.LongCountAsync(p => p.KeyId != current, ct);
        return new RekeyView(current, results.Count(r => r.Rekeyed + r.Duplicates > 0), results.Sum(r => r.Rekeyed), results.Sum(r => r.Duplicates), underOtherKeys, results);
    }

    /// <summary>Re-keys one incident; the caller holds its <see cref="AffectedPeopleLock"/>. A row under a key not configured stops it, named in <c>Failure</c>.</summary>
    public async Task<IncidentRekeyView> RekeyIncidentAsync(Guid incidentId, CancellationToken ct)
    {
        var current = keys.Current.Id;
        using var seals = new PersonalDataSeals(keys);
        long rekeyed = 0, duplicates = 0;
        var fromKeys = new SortedSet<string>(StringComparer.Ordinal);
        string? failure = null;
        try
        {
            while (true)
            {
                db.ChangeTracker.Clear();
                await using var transaction = await db.Database.BeginTransactionAsync(ct);
                // "Before or after the current key" rather than "not the current key": two ranges of the (incident, key)
                // index, so an incident whose people are all current costs nothing to check, however many they are.
                var rows = await db.AffectedPeople.AsNoTracking()
                    .Where(p => p.IncidentId == incidentId && (string.Compare(p.KeyId, current) < 0 || string.Compare(p.KeyId, current) > 0))
                    .OrderBy(p => p.Id).Take(settings.BatchSize).ToListAsync(ct);
                if (rows.Count == 0)
                {
                    break;
                }

                // Every row of the batch is opened before anything is written: a key that is missing stops the batch whole.
                var resealed = rows.Select(r => (Row: r, Person: seals.Reseal(r.KeyId, r.Sealed, incidentId, r.Residence, r.DataElements))).ToList();
                fromKeys.UnionWith(rows.Select(r => r.KeyId));
                if (await MoveAllAsync(resealed, current, ct))
                {
                    rekeyed += rows.Count;
                    await transaction.CommitAsync(ct);
                    continue;
                }

                // Someone in the batch is already stored under the current key: row by row, merging those.
                foreach (var (row, person) in resealed)
                {
                    var index = person.BlindIndex;
                    var moved = await db.AffectedPeople
                        .Where(p => p.Id == row.Id && !db.AffectedPeople.Any(o => o.IncidentId == incidentId && o.BlindIndex == index))
                        .ExecuteUpdateAsync(u => u.SetProperty(p => p.BlindIndex, index).SetProperty(p => p.Sealed, person.Sealed).SetProperty(p => p.KeyId, current), ct);
                    if (moved == 0)
                    {
                        await db.AffectedPeople.Where(p => p.Id == row.Id).ExecuteDeleteAsync(ct);
                        duplicates++;
                    }
                    else
                    {
                        rekeyed++;
                    }
                }

                await transaction.CommitAsync(ct);
            }
        }
        catch (UnknownPersonalDataKeyException e)
        {
            failure = e.Message;
        }

        if (rekeyed + duplicates > 0)
        {
            audit.Record("affected-people.rekeyed", "incident", incidentId.ToString(), null, new { rekeyed, duplicates, fromKeys, toKey = current, failure });
            await audit.CommitAsync(CancellationToken.None);
        }

        return new IncidentRekeyView(incidentId, rekeyed, duplicates, [.. fromKeys], failure);
    }

    private const string BatchSavepoint = "rekey_batch";

    /// <summary>
    /// Moves a whole batch in one save (its updates batched into few round trips). False, with nothing written, when a
    /// resealed person's blind index is taken (rolled back to a savepoint: the transaction goes on row by row).
    /// </summary>
    private async Task<bool> MoveAllAsync(List<(AffectedPersonRecord Row, SealedPerson Person)> resealed, string current, CancellationToken ct)
    {
        foreach (var (row, person) in resealed)
        {
            var moved = new AffectedPersonRecord { Id = row.Id, BlindIndex = person.BlindIndex, Sealed = person.Sealed, KeyId = current, Residence = row.Residence };
            var entry = db.AffectedPeople.Attach(moved);
            entry.Property(p => p.BlindIndex).IsModified = true;
            entry.Property(p => p.Sealed).IsModified = true;
            entry.Property(p => p.KeyId).IsModified = true;
        }

        var transaction = db.Database.CurrentTransaction!;
        await transaction.CreateSavepointAsync(BatchSavepoint, ct);
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException e) when (e.IsDuplicate())
        {
            await transaction.RollbackToSavepointAsync(BatchSavepoint, ct);
            return false;
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }
}
