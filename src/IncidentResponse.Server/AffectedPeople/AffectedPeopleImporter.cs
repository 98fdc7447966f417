using System.Data.Common;
using System.Threading.Channels;
using System.Text.Json.Nodes;
using IncidentResponse.Core;
using IncidentResponse.Core.AffectedPeople;
using IncidentResponse.Core.Laws;
using IncidentResponse.Server.Api;
using IncidentResponse.Server.Audit;
using IncidentResponse.Server.Identity;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.Notifications;
using IncidentResponse.Server.Persistence;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using NodaTime;
using Npgsql;

namespace IncidentResponse.Server.AffectedPeople;

public sealed record AffectedPeopleSettings(int BatchSize)
{
    public static AffectedPeopleSettings From(IConfiguration configuration) =>
        new(Math.Clamp(configuration.GetValue("AffectedPeople:BatchSize", 20_000), 1, 1_000_000));
}

public static class AffectedPeopleServices
{
    public static IServiceCollection AddAffectedPeople(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(AffectedPeopleSettings.From(configuration));
        services.AddSingleton(_ => PersonalDataKeys.Load(configuration));
        services.AddScoped<AffectedPeopleImporter>();
        services.AddScoped<AffectedPeoplePurge>();
        services.AddScoped<AffectedPeopleRekey>();
        return services;
    }
}

/// <summary>
/// Imports a CSV of affected individuals as it streams in: each row is read, validated, normalised, sealed and
/// indexed; rows go to the database in batches, each batch in its own transaction (see <see cref="Storing"/>:
/// binary COPY straight into the table while nobody met is already stored, otherwise binary COPY into a staging
/// table and one insert that skips people already on the incident). Bad rows never enter: they go to the error
/// report. A batch the database refuses is rolled back whole and reported; the batches before it stand.
/// Afterwards the counts by jurisdiction and the data elements flow into the incident's facts. The import holds the
/// incident's <see cref="AffectedPeopleLock"/> throughout, and first re-keys the incident's people still sealed under a
/// former key, so every blind index it compares with was made with the current key.
/// </summary>
public sealed class AffectedPeopleImporter(
    IncidentDbContext db, PersonalDataKeyRing keys, AffectedPeopleRekey rekey, AffectedPeopleSettings settings, IClock clock, AuditTrail audit,
    CurrentActor actor, IMediator mediator)
{
    private const string Target = "incident";

    public async Task<Outcome<ImportView>> ImportAsync(Guid incidentId, ColumnMapping mapping, string mappingJson, string? fileName, TextReader csv, CancellationToken ct)
    {
        if (!await db.IsVisibleAsync(actor, incidentId, ct))
        {
            return Failure.NotFound("The incident");
        }

        var reader = new CsvRecordReader(csv);
        var header = reader.Read();
        if (header is null)
        {
            return Failure.Invalid("body", "The file is empty: an import starts with a header row naming its columns.");
        }

        if (header.Malformed is { } malformed)
        {
            return Failure.Invalid("body", $"The header row is not valid CSV: {malformed}.");
        }

        var (map, mappingErrors) = ResolvedMapping.Resolve(mapping, header.Fields);
        if (map is null)
        {
            return Failure.Invalid($"mapping.{mappingErrors[0].Field}", string.Join("; ", mappingErrors.Select(e => $"{e.Field}: {e.Message}")));
        }

        await using var held = await AffectedPeopleLock.TakeAsync(db, incidentId, ct);
        if ((await rekey.RekeyIncidentAsync(incidentId, ct)).Failure is { } unreadable)
        {
            return Failure.Conflict($"{unreadable} Nothing was imported: the people already stored could not be re-keyed to the current key, so new people could not be compared with them.");
        }

        var import = new AffectedPeopleImport
        {
            Id = Guid.CreateVersion7(), IncidentId = incidentId, FileName = fileName, Mapping = mappingJson, Status = ImportStatus.Running,
            StartedBy = actor.Id, StartedAt = clock.GetCurrentInstant(),
        };
        db.AffectedPeopleImports.Add(import);
        audit.Record("affected-people.import.started", Target, incidentId.ToString(), null, new { import = import.Id, fileName, mapping });
        await audit.CommitAsync(ct);

        // An incident nobody was imported into yet can take its people by plain COPY (see Storing).
        var store = db.Provider == DatabaseProvider.Postgres && !await db.AffectedPeople.AnyAsync(p => p.IncidentId == incidentId, ct)
            ? Storing.Copy
            : Storing.SkipKnown;

        // Reading and sealing run beside the database work: while one batch is written, the next is prepared.
        using var seal = new PersonalDataSeal(keys.Current);
        var people = new PersonBatches(reader, map, seal, incidentId, settings.BatchSize);
        var batches = Channel.CreateBounded<PersonBatch>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var producer = Task.Run(() => ProduceAsync(people, batches.Writer, stop.Token), stop.Token);
        try
        {
            await foreach (var batch in batches.Reader.ReadAllAsync(ct))
            {
                store = await FlushAsync(import, batch, store, ct);
            }

            import.Status = ImportStatus.Completed;
        }
        catch (Exception e) when (UploadBrokeOff(e) is { } cause)
        {
            // What was committed stands (whole batches); importing the file again skips those people.
            import.Status = ImportStatus.Failed;
            import.Failure = Clip($"The upload broke off after {import.Rows} stored rows: {cause.Message}");
        }
        finally
        {
            await stop.CancelAsync();
            await producer.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }

        import.FinishedAt = clock.GetCurrentInstant();
        audit.Record("affected-people.imported", Target, incidentId.ToString(), null, new
        {
            import = import.Id, import.Status, import.Rows, import.Imported, import.Duplicates, import.Rejected, import.FailedRows, import.FailedBatches,
        });
        await audit.CommitAsync(CancellationToken.None);

        // The counts follow what was stored even when the client has gone.
        var factsProblem = await FlowIntoFactsAsync(incidentId, CancellationToken.None);
        return await AffectedPeopleViews.ImportAsync(db, import, factsProblem, CancellationToken.None);
    }

    private static async Task ProduceAsync(PersonBatches reader, ChannelWriter<PersonBatch> batches, CancellationToken ct)
    {
        try
        {
            while (reader.Next() is { } batch)
            {
                await batches.WriteAsync(batch, ct);
            }

            batches.Complete();
        }
        catch (Exception e)
        {
            batches.Complete(e);
        }
    }

    private static Exception? UploadBrokeOff(Exception e) => e is ChannelClosedException { InnerException: { } inner } ? UploadBrokeOff(inner)
        : e is IOException or BadHttpRequestException or System.Text.DecoderFallbackException or OperationCanceledException ? e : null;

    /// <summary>
    /// How a batch reaches affected_people on PostgreSQL. Copy: binary COPY straight into the table, for an import
    /// that has met nobody already stored (the unique index refuses a known person, and the batch is then stored again
    /// the other way). SkipKnown: COPY into a staging table, then one insert that skips the people already there.
    /// SQLite always inserts row by row, skipping known people.
    /// </summary>
    private enum Storing
    {
        Copy,
        SkipKnown,
    }

    /// <summary>Stores one batch in its own transaction; returns how the next batch is to be stored.</summary>
    private async Task<Storing> FlushAsync(AffectedPeopleImport import, PersonBatch batch, Storing store, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        var committed = false;
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var inserted = db.Provider == DatabaseProvider.Sqlite ? await InsertAsync(import, batch.People, now, transaction, ct)
                : store == Storing.Copy ? await CopyAsync("affected_people", import, batch.People, now, ct)
                : await CopyThenSkipKnownAsync(import, batch.People, now, ct);
            AddErrors(import, batch.Errors);
            import.Rows += batch.Rows;
            import.Rejected += batch.Rejected;
            import.Imported += inserted;
            import.Duplicates += batch.ValidRows - inserted;
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            committed = true;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && store == Storing.Copy && !committed)
        {
            // Someone in this batch is already stored (an earlier batch, or another import at the same time).
            return await FlushAsync(import, batch, Storing.SkipKnown, ct);
        }
        catch (Exception e) when (e is DbException or DbUpdateException && !committed)
        {
            await RecordFailedBatchAsync(import, batch, e, ct);
        }

        return store;
    }

    /// <summary>The database refused a batch: nothing of it is there; its rows and the reason go to the error report.</summary>
    private async Task RecordFailedBatchAsync(AffectedPeopleImport import, PersonBatch batch, Exception e, CancellationToken ct)
    {
        var saved = await db.AffectedPeopleImports.AsNoTracking().SingleAsync(i => i.Id == import.Id, ct);
        db.ChangeTracker.Clear();
        import.Rows = saved.Rows + batch.Rows;
        import.Rejected = saved.Rejected + batch.Rejected;
        import.Imported = saved.Imported;
        import.Duplicates = saved.Duplicates;
        import.FailedRows = saved.FailedRows + batch.ValidRows;
        import.FailedBatches = saved.FailedBatches + 1;
        db.AffectedPeopleImports.Attach(import).State = EntityState.Modified;
        var reason = $"rows {batch.FirstRow} to {batch.LastRow} were not imported ({batch.ValidRows} valid rows): the database refused the batch, so all of it was rolled back: {(e.InnerException ?? e).Message}";
        AddErrors(import, [.. batch.Errors, new RowError(batch.FirstRow, "(batch)", Clip(reason))]);
        audit.Record("affected-people.import.batch-failed", Target, import.IncidentId.ToString(), null,
            new { import = import.Id, batch.FirstRow, batch.LastRow, people = batch.ValidRows });
        await audit.CommitAsync(ct);
    }

    private static string Clip(string reason) => reason.Length <= AffectedPeopleModel.ReasonLength ? reason : reason[..AffectedPeopleModel.ReasonLength];

    private void AddErrors(AffectedPeopleImport import, IEnumerable<RowError> errors) =>
        db.ImportRowErrors.AddRange(errors.Select(e => new ImportRowError { ImportId = import.Id, Row = e.Row, Column = e.Column, Reason = e.Reason }));

    private const string CreateStaging = """
        CREATE TEMP TABLE IF NOT EXISTS affected_people_batch (incident_id uuid, import_id uuid, blind_index bytea, key_id varchar(16), sealed bytea,
            residence varchar(8), data_elements integer, created_at timestamptz) ON COMMIT DELETE ROWS
        """;

    private const string InsertSkippingKnown = $"""
        INSERT INTO affected_people ({AffectedPeopleCopy.Columns})
        SELECT {AffectedPeopleCopy.Columns} FROM affected_people_batch ORDER BY blind_index
        ON CONFLICT (incident_id, blind_index) DO NOTHING
        """;

    /// <summary>PostgreSQL: binary COPY of the batch into affected_people, or into a table of the same columns.</summary>
    private async Task<int> CopyAsync(string table, AffectedPeopleImport import, List<SealedPerson> people, Instant now, CancellationToken ct)
    {
        await AffectedPeopleCopy.WriteAsync((NpgsqlConnection)db.Database.GetDbConnection(), table, import.IncidentId, import.Id, keys.Current.Id, people, now, ct);
        return people.Count;
    }

    /// <summary>PostgreSQL: binary COPY into a session staging table, then one insert (in blind index order) that skips known people.</summary>
    private async Task<int> CopyThenSkipKnownAsync(AffectedPeopleImport import, List<SealedPerson> people, Instant now, CancellationToken ct)
    {
        await db.Database.ExecuteSqlRawAsync(CreateStaging, ct);
        await CopyAsync("affected_people_batch", import, people, now, ct);
        return await db.Database.ExecuteSqlRawAsync(InsertSkippingKnown, ct);
    }

    /// <summary>SQLite: one prepared insert per person in the batch's transaction; the unique index skips known people.</summary>
    private async Task<int> InsertAsync(AffectedPeopleImport import, List<SealedPerson> people, Instant now, IDbContextTransaction transaction, CancellationToken ct)
    {
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = transaction.GetDbTransaction();
        command.CommandText =
            """
            INSERT INTO affected_people (incident_id, import_id, blind_index, key_id, sealed, residence, data_elements, created_at)
            VALUES ($incident, $import, $index, $key, $sealed, $residence, $elements, $at)
            ON CONFLICT (incident_id, blind_index) DO NOTHING
            """;
        DbParameter Parameter(string name, object value)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
            return parameter;
        }

        // Guids as EF Core's SQLite provider writes them (upper-case text), instants as its Unix ticks.
        Parameter("$incident", import.IncidentId.ToString().ToUpperInvariant());
        Parameter("$import", import.Id.ToString().ToUpperInvariant());
        Parameter("$key", keys.Current.Id);
        Parameter("$at", now.ToUnixTimeTicks());
        var index = Parameter("$index", Array.Empty<byte>());
        var blob = Parameter("$sealed", Array.Empty<byte>());
        var residence = Parameter("$residence", "");
        var elements = Parameter("$elements", 0);
        var inserted = 0;
        foreach (var p in people)
        {
            index.Value = p.BlindIndex;
            blob.Value = p.Sealed;
            residence.Value = p.Residence;
            elements.Value = p.DataElements;
            inserted += await command.ExecuteNonQueryAsync(ct);
        }

        return inserted;
    }

    /// <summary>
    /// The imported people become the incident's residents by jurisdiction, and their data elements join the facts'
    /// (recorded the way PUT facts records them, audited); an incident already assessed is assessed again.
    /// Returns why that could not be done, if it could not.
    /// </summary>
    private async Task<string?> FlowIntoFactsAsync(Guid incidentId, CancellationToken ct)
    {
        var counts = await AffectedPeopleViews.CountsAsync(db, incidentId, ct);
        var facts = await IncidentFactsComposer.RecordedAsync(db, incidentId, ct);
        facts["affectedResidents"] = new JsonObject(counts.ByJurisdiction.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value))));
        var elements = (facts["dataElements"] as JsonArray ?? []).Select(e => e?.GetValue<string>()).OfType<string>()
            .Concat(counts.ByDataElement.Keys).Distinct().ToList();
        facts["dataElements"] = new JsonArray(elements.Select(e => (JsonNode?)JsonValue.Create(e)).ToArray());

        var recorded = await mediator.Send(new RecordIncidentFacts(incidentId, null, facts), ct);
        if (recorded.Failure is { } failed)
        {
            return $"The counts could not be recorded in the incident's facts: {failed.Field}: {failed.Detail}";
        }

        if (await db.AssessmentRuns.AnyAsync(r => r.IncidentId == incidentId, ct))
        {
            var assessed = await mediator.Send(new AssessIncident(incidentId), ct);
            if (assessed.Failure is { } notAssessed)
            {
                return $"The facts were recorded but not assessed: {notAssessed.Detail}";
            }
        }

        return null;
    }
}
