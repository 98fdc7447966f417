using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using IncidentResponse.Core.AffectedPeople;
using IncidentResponse.Core.Identity;
using IncidentResponse.Server.Api;
using IncidentResponse.Server.Identity;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.Persistence;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace IncidentResponse.Server.AffectedPeople;

/// <summary>Affected individuals of an incident: CSV imports with their error reports, counts, and the purge; re-keying everyone after a key rotation.</summary>
public static class AffectedPeopleApi
{
    private static readonly JsonSerializerOptions MappingJson = new(JsonSerializerDefaults.Web) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };

    public static RouteGroupBuilder MapAffectedPeopleApi(this RouteGroupBuilder api)
    {
        var people = api.MapGroup("/incidents/{id:guid}/affected-people").WithTags("Affected people");
        people.MapPost("/imports", Import).RequirePermission(Permission.ManageAffectedPeople);
        people.MapGet("/imports/{importId:guid}", GetImport).RequirePermission(Permission.ReadIncidents);
        people.MapGet("/imports/{importId:guid}/errors.csv", ErrorReport).RequirePermission(Permission.ReadIncidents);
        people.MapGet("/summary", Summary).RequirePermission(Permission.ReadIncidents);
        people.MapPost("/purge", Purge).RequirePermission(Permission.ManageAffectedPeople);
        api.MapPost("/affected-people/rekey", Rekey).WithTags("Affected people").RequirePermission(Permission.ManageUsers);
        return api;
    }

    /// <summary>
    /// The body is the CSV file itself (text/csv, UTF-8, streamed as it arrives: no size limit, never buffered);
    /// the query's <c>mapping</c> is the column mapping as JSON, <c>fileName</c> an optional name to remember it by.
    /// </summary>
    private static async Task<Results<Created<ImportView>, ProblemHttpResult>> Import(
        Guid id, string? mapping, string? fileName, HttpContext context, AffectedPeopleImporter importer, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(mapping))
        {
            return Failure.Invalid("mapping", "Give the column mapping as JSON in the 'mapping' query parameter (docs/affected-people.md).").ToProblem();
        }

        ColumnMapping? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize<ColumnMapping>(mapping, MappingJson);
        }
        catch (JsonException e)
        {
            return Failure.Invalid("mapping", $"The mapping is not valid JSON for a column mapping: {e.Message}").ToProblem();
        }

        var invalid = Require.OptionalText("fileName", fileName, 260) ?? (parsed is null ? Failure.Invalid("mapping", "The mapping is a JSON object.") : null);
        if (invalid is not null)
        {
            return invalid.ToProblem();
        }

        // A file of a million people is larger than any default limit; it is read row by row, so nothing piles up.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }

        if (context.Features.Get<IHttpBodyControlFeature>() is { } control)
        {
            control.AllowSynchronousIO = true;
        }

        using var reader = new StreamReader(context.Request.Body, new UTF8Encoding(false, throwOnInvalidBytes: true), true, 64 * 1024);
        var outcome = await importer.ImportAsync(id, parsed!, mapping, fileName, reader, ct);
        return outcome.Failure is { } f
            ? f.ToProblem()
            : TypedResults.Created($"/api/v1/incidents/{id}/affected-people/imports/{outcome.Value!.Id}", outcome.Value);
    }

    private static async Task<Results<Ok<ImportView>, ProblemHttpResult>> GetImport(
        Guid id, Guid importId, IncidentDbContext db, CurrentActor actor, CancellationToken ct)
    {
        var import = await FindAsync(db, actor, id, importId, ct);
        return import is null
            ? Failure.NotFound("The import").ToProblem()
            : TypedResults.Ok(await AffectedPeopleViews.ImportAsync(db, import, null, ct));
    }

    /// <summary>Every error of an import as CSV (row, column, reason), streamed.</summary>
    private static async Task<Results<PushStreamHttpResult, ProblemHttpResult>> ErrorReport(
        Guid id, Guid importId, IncidentDbContext db, CurrentActor actor, CancellationToken ct)
    {
        if (await FindAsync(db, actor, id, importId, ct) is null)
        {
            return Failure.NotFound("The import").ToProblem();
        }

        return TypedResults.Stream(async stream =>
        {
            await using var writer = new StreamWriter(stream, new UTF8Encoding(false));
            await writer.WriteAsync("row,column,reason\n");
            var errors = db.ImportRowErrors.AsNoTracking().Where(e => e.ImportId == importId).OrderBy(e => e.Row).ThenBy(e => e.Id).AsAsyncEnumerable();
            await foreach (var e in errors.WithCancellation(ct))
            {
                await writer.WriteAsync($"{e.Row},{CsvField.Escape(e.Column)},{CsvField.Escape(e.Reason)}\n");
            }
        }, "text/csv", $"import-{importId}-errors.csv");
    }

    private static async Task<Results<Ok<AffectedPeopleSummary>, ProblemHttpResult>> Summary(
        Guid id, IncidentDbContext db, CurrentActor actor, CancellationToken ct) =>
        await db.IsVisibleAsync(actor, id, ct)
            ? TypedResults.Ok(await AffectedPeopleViews.CountsAsync(db, id, ct))
            : Failure.NotFound("The incident").ToProblem();

    private static async Task<Results<Ok<PurgeView>, ProblemHttpResult>> Purge(Guid id, AffectedPeoplePurge purge, CancellationToken ct)
    {
        var outcome = await purge.PurgeAsync(id, ct);
        return outcome.Failure is { } f ? f.ToProblem() : TypedResults.Ok(outcome.Value!);
    }

    /// <summary>Every person still under a former personal data key re-sealed under the current one (`ir affected-people rekey` does the same).</summary>
    private static async Task<Ok<RekeyView>> Rekey(AffectedPeopleRekey rekey, CancellationToken ct) => TypedResults.Ok(await rekey.RekeyAllAsync(ct));

    private static async Task<AffectedPeopleImport?> FindAsync(IncidentDbContext db, CurrentActor actor, Guid id, Guid importId, CancellationToken ct) =>
        await db.IsVisibleAsync(actor, id, ct)
            ? await db.AffectedPeopleImports.AsNoTracking().SingleOrDefaultAsync(i => i.Id == importId && i.IncidentId == id, ct)
            : null;
}
