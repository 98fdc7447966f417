using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using IncidentResponse.Core.AffectedPeople;
using IncidentResponse.Core.Identity;
using IncidentResponse.Server.Api;
using IncidentResponse.Server.Identity;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.Persistence;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace IncidentResponse.Server.Mailings;

/// <summary>Mailings of an approved letter to the incident's affected people: start, progress, the print package, returns.</summary>
public static class MailingsApi
{
    public const string ManifestHeader = "file,reference,pages,bytes,sha256";
    private const string LetterFolder = "letters/";

    public static RouteGroupBuilder MapMailingsApi(this RouteGroupBuilder api)
    {
        var mailings = api.MapGroup("/incidents/{id:guid}/letters/{letterId:guid}/mailings").WithTags("Mailings");
        mailings.MapPost("/", Start).RequirePermission(Permission.ReleaseLetters);
        mailings.MapGet("/", List).RequirePermission(Permission.ReadIncidents);
        mailings.MapGet("/{mailingId:guid}", Get).RequirePermission(Permission.ReadIncidents);
        mailings.MapGet("/{mailingId:guid}/package", Package).RequirePermission(Permission.ReadIncidents);
        mailings.MapPost("/{mailingId:guid}/returns", Returns).RequirePermission(Permission.ReleaseLetters);
        return api;
    }

    /// <summary>Body: {"group": ["US-CA"] | "all" | absent (the letter's group), "channel": "print" | "email" | "both"}.</summary>
    private static async Task<Results<Created<MailingView>, ProblemHttpResult>> Start(
        Guid id, Guid letterId, JsonElement body, MailingStart start, CancellationToken ct)
    {
        var order = ReadOrder(body);
        if (order.Failure is { } bad)
        {
            return bad.ToProblem();
        }

        var outcome = await start.StartAsync(id, letterId, order.Value!, ct);
        return outcome.Failure is { } f
            ? f.ToProblem()
            : TypedResults.Created($"/api/v1/incidents/{id}/letters/{letterId}/mailings/{outcome.Value!.Id}", outcome.Value);
    }

    private static async Task<Results<Ok<MailingView[]>, ProblemHttpResult>> List(
        Guid id, Guid letterId, IncidentDbContext db, CurrentActor actor, CancellationToken ct)
    {
        if (!await db.IsVisibleAsync(actor, id, ct))
        {
            return Failure.NotFound("The incident").ToProblem();
        }

        var mailings = await db.Mailings.AsNoTracking().Where(m => m.IncidentId == id && m.LetterId == letterId).OrderBy(m => m.StartedAt).ToListAsync(ct);
        var views = new List<MailingView>();
        foreach (var mailing in mailings)
        {
            views.Add(await MailingViews.ViewAsync(db, mailing, ct));
        }

        return TypedResults.Ok(views.ToArray());
    }

    private static async Task<Results<Ok<MailingView>, ProblemHttpResult>> Get(
        Guid id, Guid letterId, Guid mailingId, IncidentDbContext db, CurrentActor actor, CancellationToken ct)
    {
        var mailing = await FindAsync(db, actor, id, letterId, mailingId, ct);
        return mailing is null ? Failure.NotFound("The mailing").ToProblem() : TypedResults.Ok(await MailingViews.ViewAsync(db, mailing, ct));
    }

    /// <summary>
    /// The print vendor's package, streamed: every letter going by post as letters/REFERENCE.pdf (stored, not
    /// recompressed) and manifest.csv with each file's pages, bytes and SHA-256; only once every letter is written.
    /// </summary>
    private static async Task<Results<PushStreamHttpResult, ProblemHttpResult>> Package(
        Guid id, Guid letterId, Guid mailingId, IncidentDbContext db, CurrentActor actor, MailingSettings settings, HttpContext context, CancellationToken ct)
    {
        var mailing = await FindAsync(db, actor, id, letterId, mailingId, ct);
        if (mailing is null)
        {
            return Failure.NotFound("The mailing").ToProblem();
        }

        var pending = await db.MailingRecipients.CountAsync(r => r.MailingId == mailingId && r.Status == RecipientStatus.Pending, ct);
        if (pending > 0)
        {
            return Failure.Conflict($"The letters are still being written: {pending} to go. The package is ready when none is pending.").ToProblem();
        }

        // ZipArchive writes synchronously; the response is a forward-only stream it writes straight into.
        if (context.Features.Get<IHttpBodyControlFeature>() is { } control)
        {
            control.AllowSynchronousIO = true;
        }

        var directory = settings.DirectoryOf(mailingId);
        if (!Directory.Exists(directory))
        {
            return Failure.Conflict("The letters of this mailing are gone: they were removed with the people's personal data.").ToProblem();
        }

        var letters = db.MailingRecipients.AsNoTracking().Where(r => r.MailingId == mailingId && r.ByPost && r.FileName != null).OrderBy(r => r.Sequence);
        return TypedResults.Stream(async stream =>
        {
            // The manifest first, from the recorded checksums, then the files: neither is ever held whole in memory.
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            await using (var writer = new StreamWriter(zip.CreateEntry("manifest.csv", CompressionLevel.Optimal).Open(), new UTF8Encoding(false)))
            {
                await writer.WriteAsync(ManifestHeader + "\n");
                await foreach (var r in letters.AsAsyncEnumerable().WithCancellation(ct))
                {
                    await writer.WriteAsync(string.Create(CultureInfo.InvariantCulture,
                        $"{LetterFolder}{r.FileName},{mailing.Reference(r.Sequence)},{r.Pages},{r.Bytes},{r.Sha256}\n"));
                }
            }

            await foreach (var r in letters.AsAsyncEnumerable().WithCancellation(ct))
            {
                await using var target = zip.CreateEntry(LetterFolder + r.FileName, CompressionLevel.NoCompression).Open();
                await using var source = File.OpenRead(Path.Combine(directory, r.FileName!));
                await source.CopyToAsync(target, ct);
            }
        }, "application/zip", $"mailing-{mailing.Code}.zip");
    }

    /// <summary>Returned mail and bounces: JSON {"returns": [{reference, status, reason, at}]} or a CSV with the header reference,status,reason,at.</summary>
    private static async Task<Results<Ok<ReturnsView>, ProblemHttpResult>> Returns(
        Guid id, Guid letterId, Guid mailingId, HttpRequest request, IncidentDbContext db, CurrentActor actor, MailingReturns returns, CancellationToken ct)
    {
        if (await FindAsync(db, actor, id, letterId, mailingId, ct) is null)
        {
            return Failure.NotFound("The mailing").ToProblem();
        }

        Outcome<List<ReturnEntry>> entries;
        if (request.ContentType?.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase) == true)
        {
            using var reader = new StreamReader(request.Body, new UTF8Encoding(false, throwOnInvalidBytes: true));
            var text = await reader.ReadToEndAsync(ct);
            entries = MailingReturns.ReadCsv(new StringReader(text));
        }
        else
        {
            try
            {
                var body = await request.ReadFromJsonAsync<ReturnsRequest>(ct);
                entries = body?.Returns is { } list ? list.ToList() : Failure.Invalid("returns", "'returns' is required: a list of {reference, status, reason, at}.");
            }
            catch (JsonException e)
            {
                return new Failure(FailureKind.BadRequest, $"The body is not valid JSON for returns: {e.Message}", "body").ToProblem();
            }
        }

        if (entries.Failure is { } bad)
        {
            return bad.ToProblem();
        }

        var outcome = await returns.RecordAsync(id, mailingId, entries.Value!, ct);
        return outcome.Failure is { } f ? f.ToProblem() : TypedResults.Ok(outcome.Value!);
    }

    private static Outcome<MailingOrder> ReadOrder(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return Failure.Invalid("body", "The request is a JSON object: {\"group\": [...] or \"all\", \"channel\": \"print\"}.");
        }

        var channel = MailingChannel.Print;
        if (body.TryGetProperty("channel", out var c) && c.ValueKind != JsonValueKind.Null)
        {
            if (c.ValueKind != JsonValueKind.String || !Enum.TryParse(c.GetString(), ignoreCase: true, out channel) || int.TryParse(c.GetString(), out _))
            {
                return Failure.Invalid("channel", "'channel' is print, email or both.");
            }
        }

        if (!body.TryGetProperty("group", out var g) || g.ValueKind == JsonValueKind.Null)
        {
            return new MailingOrder(null, false, channel);
        }

        if (g.ValueKind == JsonValueKind.String && g.GetString() == MailingStart.All)
        {
            return new MailingOrder(null, true, channel);
        }

        if (g.ValueKind != JsonValueKind.Array || g.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String) || g.GetArrayLength() == 0)
        {
            return Failure.Invalid("group", "'group' is a list of residence codes such as [\"US-CA\"], or \"all\".");
        }

        var codes = g.EnumerateArray().Select(e => e.GetString()!).ToList();
        return Require.AtMost("group", codes.Count, 100) is { } tooMany ? tooMany : new MailingOrder(codes, false, channel);
    }

    private static async Task<Mailing?> FindAsync(IncidentDbContext db, CurrentActor actor, Guid id, Guid letterId, Guid mailingId, CancellationToken ct) =>
        await db.IsVisibleAsync(actor, id, ct)
            ? await db.Mailings.AsNoTracking().SingleOrDefaultAsync(m => m.Id == mailingId && m.IncidentId == id && m.LetterId == letterId, ct)
            : null;
}
