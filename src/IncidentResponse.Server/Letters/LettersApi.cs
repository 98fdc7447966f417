using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IncidentResponse.Core.Identity;
using IncidentResponse.Core.Letters;
using IncidentResponse.Server.Api;
using IncidentResponse.Server.Identity;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.Persistence;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace IncidentResponse.Server.Letters;

public sealed record LetterVersionRequest(string? Body, string? Note);

public sealed record ReviewRequest(string? Comment);

public sealed record LetterTemplateRequest(string? Text);

public static class LettersApi
{
    private const int CommentLength = 4000;

    public static RouteGroupBuilder MapLettersApi(this RouteGroupBuilder api)
    {
        var letters = api.MapGroup("/incidents/{id:guid}/letters").WithTags("Letters");
        letters.MapPost("/", Draft).RequirePermission(Permission.DraftLetters);
        letters.MapGet("/", List).RequirePermission(Permission.ReadIncidents);
        letters.MapPost("/check", Check).RequirePermission(Permission.DraftLetters);
        letters.MapGet("/{letterId:guid}", Get).RequirePermission(Permission.ReadIncidents);
        letters.MapPost("/{letterId:guid}/versions", Revise).RequirePermission(Permission.DraftLetters);
        letters.MapGet("/{letterId:guid}/versions/{n:int}", GetVersion).RequirePermission(Permission.ReadIncidents);
        letters.MapGet("/{letterId:guid}/versions/{n:int}/redline", GetRedline).RequirePermission(Permission.ReadIncidents);
        letters.MapPost("/{letterId:guid}/submit", (Guid id, Guid letterId, IMediator m, HttpRequest r, CancellationToken ct) =>
            Review(id, letterId, ReviewAction.Submit, null, m, r, ct)).RequirePermission(Permission.DraftLetters);
        letters.MapPost("/{letterId:guid}/request-changes", (Guid id, Guid letterId, ReviewRequest? body, IMediator m, HttpRequest r, CancellationToken ct) =>
            Review(id, letterId, ReviewAction.RequestChanges, body, m, r, ct)).RequirePermission(Permission.ApproveLetters);
        letters.MapPost("/{letterId:guid}/approve", (Guid id, Guid letterId, ReviewRequest? body, IMediator m, HttpRequest r, CancellationToken ct) =>
            Review(id, letterId, ReviewAction.Approve, body, m, r, ct)).RequirePermission(Permission.ApproveLetters);
        letters.MapPost("/{letterId:guid}/release", (Guid id, Guid letterId, ReviewRequest? body, IMediator m, HttpRequest r, CancellationToken ct) =>
            Review(id, letterId, ReviewAction.Release, body, m, r, ct)).RequirePermission(Permission.ReleaseLetters);

        var templates = api.MapGroup("/organisation/letter-templates/{kind}").WithTags("Letters");
        templates.MapGet("/", GetTemplate).RequirePermission(Permission.DraftLetters);
        templates.MapPut("/", PutTemplate).RequirePermission(Permission.ApproveLetters);
        templates.MapDelete("/", DeleteTemplate).RequirePermission(Permission.ApproveLetters);
        return api;
    }

    private static async Task<Results<Created<LetterView>, ProblemHttpResult>> Draft(
        Guid id, JsonElement body, IMediator mediator, HttpResponse response, CancellationToken ct)
    {
        var read = ReadTarget(body, "text");
        if (read.Failure is { } bad)
        {
            return bad.ToProblem();
        }

        var (kind, group, input) = read.Value;
        var outcome = await mediator.Send(new DraftLetter(id, kind, group, input), ct);
        if (outcome.Failure is { } f)
        {
            return f.ToProblem();
        }

        response.Headers.ETag = Versioning.ETag(outcome.Value!.Version);
        return TypedResults.Created($"/api/v1/incidents/{id}/letters/{outcome.Value.Id}", outcome.Value);
    }

    /// <summary>An ad-hoc check of any text (a lawyer's own draft) against a kind's content rules for the incident.</summary>
    private static async Task<Results<Ok<LetterCheckReport>, ProblemHttpResult>> Check(Guid id, JsonElement body, IMediator mediator, CancellationToken ct)
    {
        var read = ReadTarget(body, null);
        if (read.Failure is { } bad)
        {
            return bad.ToProblem();
        }

        var (kind, group, input) = read.Value;
        var text = input["text"] is JsonValue value && value.TryGetValue<string>(out var t) ? t : null;
        var invalid = Require.Text("text", text, LetterVersion.BodyLength);
        if (invalid is not null)
        {
            return invalid.ToProblem();
        }

        input.Remove("text");
        var outcome = await mediator.Send(new CheckLetterText(id, kind, group, text!, input), ct);
        return outcome.Failure is { } f ? f.ToProblem() : TypedResults.Ok(outcome.Value!);
    }

    private static async Task<Results<Ok<LetterListItem[]>, ProblemHttpResult>> List(Guid id, IncidentDbContext db, CurrentActor actor, CancellationToken ct)
    {
        if (!await db.IsVisibleAsync(actor, id, ct))
        {
            return Failure.NotFound("The incident").ToProblem();
        }

        var rows = await db.Letters.AsNoTracking().Where(l => l.IncidentId == id)
            .Select(l => new { Letter = l, Versions = l.Versions.Count }).ToListAsync(ct);
        return TypedResults.Ok(rows.OrderBy(r => r.Letter.CreatedAt)
            .Select(r => new LetterListItem(r.Letter.Id, r.Letter.Kind, r.Letter.Codes, r.Letter.Status, r.Letter.IsExercise, r.Versions, r.Letter.UpdatedAt, r.Letter.Version))
            .ToArray());
    }

    private static async Task<Results<Ok<LetterView>, ProblemHttpResult>> Get(
        Guid id, Guid letterId, IncidentDbContext db, CurrentActor actor, HttpResponse response, CancellationToken ct)
    {
        var letter = await LoadAsync(db, actor, id, letterId, ct);
        if (letter.Failure is { } bad)
        {
            return bad.ToProblem();
        }

        response.Headers.ETag = Versioning.ETag(letter.Value!.Version);
        return TypedResults.Ok(LetterView.From(letter.Value));
    }

    private static async Task<Results<Ok<LetterView>, ProblemHttpResult>> Revise(
        Guid id, Guid letterId, LetterVersionRequest? body, IMediator mediator, HttpRequest request, CancellationToken ct)
    {
        var version = Versioning.RequireIfMatch(request);
        var invalid = version.Failure
            ?? Require.Text("body", body?.Body, LetterVersion.BodyLength)
            ?? Require.OptionalText("note", body!.Note, 2000);
        if (invalid is not null)
        {
            return invalid.ToProblem();
        }

        return Respond(await mediator.Send(new ReviseLetter(id, letterId, version.Value, body!.Body!, body.Note), ct), request.HttpContext.Response);
    }

    private static async Task<Results<Ok<LetterView>, ProblemHttpResult>> Review(
        Guid id, Guid letterId, ReviewAction action, ReviewRequest? body, IMediator mediator, HttpRequest request, CancellationToken ct)
    {
        var version = Versioning.RequireIfMatch(request);
        var invalid = version.Failure
            ?? (action == ReviewAction.RequestChanges ? Require.Text("comment", body?.Comment, CommentLength) : Require.OptionalText("comment", body?.Comment, CommentLength));
        if (invalid is not null)
        {
            return invalid.ToProblem();
        }

        return Respond(await mediator.Send(new ReviewLetter(id, letterId, version.Value, action, body?.Comment), ct), request.HttpContext.Response);
    }

    /// <summary>A version as JSON, or rendered: text, html, docx or pdf. An exercise incident's letter carries the watermark in every format.</summary>
    private static async Task<Results<Ok<LetterVersionView>, FileContentHttpResult, ProblemHttpResult>> GetVersion(
        Guid id, Guid letterId, int n, string? format, IncidentDbContext db, CurrentActor actor, CancellationToken ct)
    {
        var letter = await LoadAsync(db, actor, id, letterId, ct);
        if (letter.Failure is { } bad)
        {
            return bad.ToProblem();
        }

        if (letter.Value!.Versions.SingleOrDefault(v => v.Number == n) is not { } version)
        {
            return Failure.NotFound($"Version {n} of the letter").ToProblem();
        }

        if (format is null)
        {
            return TypedResults.Ok(LetterVersionView.From(version));
        }

        var document = LetterDocument.Parse(version.Body, version.FontPt);
        document = letter.Value.IsExercise ? document.WithBanner(LetterHandlers.ExerciseBanner) : document;
        var name = $"{letter.Value.Kind.ToString().ToLowerInvariant()}-letter-v{n}";
        switch (format)
        {
            case "text":
                return TypedResults.File(Encoding.UTF8.GetBytes(document.ToText()), "text/plain; charset=utf-8");
            case "html":
                return TypedResults.File(Encoding.UTF8.GetBytes(document.ToHtml()), "text/html; charset=utf-8");
            case "docx":
            case "pdf":
                using (var buffer = new MemoryStream())
                {
                    if (format == "docx")
                    {
                        DocxLetterWriter.Write(document, buffer);
                    }
                    else
                    {
                        PdfLetterWriter.Write(document, buffer);
                    }

                    return TypedResults.File(buffer.ToArray(),
                        format == "docx" ? "application/vnd.openxmlformats-officedocument.wordprocessingml.document" : "application/pdf", $"{name}.{format}");
                }

            default:
                return new Failure(FailureKind.BadRequest, $"'{format}' is not a format. Allowed: text, html, docx, pdf.", "format").ToProblem();
        }
    }

    private static async Task<Results<Ok<RedlineView>, ProblemHttpResult>> GetRedline(
        Guid id, Guid letterId, int n, int? against, IncidentDbContext db, CurrentActor actor, CancellationToken ct)
    {
        var letter = await LoadAsync(db, actor, id, letterId, ct);
        if (letter.Failure is { } bad)
        {
            return bad.ToProblem();
        }

        var before = against ?? n - 1;
        var after = letter.Value!.Versions.SingleOrDefault(v => v.Number == n);
        var earlier = letter.Value.Versions.SingleOrDefault(v => v.Number == before);
        if (after is null || earlier is null)
        {
            return Failure.NotFound($"Version {(after is null ? n : before)} of the letter").ToProblem();
        }

        var segments = Redline.Compare(Text(earlier), Text(after));
        return TypedResults.Ok(new RedlineView(n, before, segments, Redline.ToHtml(segments)));
    }

    private static async Task<Results<Ok<LetterTemplateView>, ProblemHttpResult>> GetTemplate(string kind, IncidentDbContext db, CancellationToken ct)
    {
        var word = Require.Word<LetterKind>("kind", kind);
        if (word.Failure is { } bad)
        {
            return bad.ToProblem();
        }

        var stored = await db.LetterTemplates.AsNoTracking().SingleOrDefaultAsync(t => t.Kind == word.Value, ct);
        return TypedResults.Ok(stored is null
            ? new LetterTemplateView(word.Value, "builtIn", Notices.DefaultTemplate(word.Value), null, null, 0)
            : new LetterTemplateView(stored.Kind, "organisation", stored.Text, stored.UpdatedBy, stored.UpdatedAt, stored.Version));
    }

    private static async Task<Results<Ok<LetterTemplateView>, ProblemHttpResult>> PutTemplate(
        string kind, LetterTemplateRequest? body, IMediator mediator, HttpRequest request, CancellationToken ct)
    {
        var word = Require.Word<LetterKind>("kind", kind);
        var version = Versioning.IfMatch(request);
        var invalid = word.Failure ?? version.Failure ?? Require.Text("text", body?.Text, LetterTemplate.TextLength);
        if (invalid is not null)
        {
            return invalid.ToProblem();
        }

        return Respond(await mediator.Send(new SaveLetterTemplate(word.Value, version.Value, body!.Text!), ct), request.HttpContext.Response);
    }

    private static async Task<Results<Ok<LetterTemplateView>, ProblemHttpResult>> DeleteTemplate(
        string kind, IMediator mediator, HttpRequest request, CancellationToken ct)
    {
        var word = Require.Word<LetterKind>("kind", kind);
        var version = Versioning.IfMatch(request);
        var invalid = word.Failure ?? version.Failure;
        if (invalid is not null)
        {
            return invalid.ToProblem();
        }

        var outcome = await mediator.Send(new RemoveLetterTemplate(word.Value, version.Value), ct);
        return outcome.Failure is { } f ? f.ToProblem() : TypedResults.Ok(outcome.Value!);
    }

    private static string Text(LetterVersion version) => LetterDocument.Parse(version.Body, version.FontPt).ToText();

    private static Results<Ok<T>, ProblemHttpResult> Respond<T>(Outcome<T> outcome, HttpResponse response)
    {
        if (outcome.Failure is { } f)
        {
            return f.ToProblem();
        }

        response.Headers.ETag = Versioning.ETag(outcome.Value switch
        {
            LetterView letter => letter.Version,
            LetterTemplateView template => template.Version,
            _ => 0,
        });
        return TypedResults.Ok(outcome.Value!);
    }

    private static async Task<Outcome<Letter>> LoadAsync(IncidentDbContext db, CurrentActor actor, Guid incidentId, Guid letterId, CancellationToken ct)
    {
        if (!await db.IsVisibleAsync(actor, incidentId, ct))
        {
            return Failure.NotFound("The incident");
        }

        var letter = await db.Letters.AsNoTracking().Include(l => l.Versions).Include(l => l.Steps).AsSplitQuery()
            .SingleOrDefaultAsync(l => l.IncidentId == incidentId && l.Id == letterId, ct);
        return letter is null ? Failure.NotFound("The letter") : letter;
    }

    /// <summary>The kind and group of a draft or check request; the rest of the body is the letter input.</summary>
    private static Outcome<(LetterKind Kind, IReadOnlyList<string>? Group, JsonObject Input)> ReadTarget(JsonElement body, string? notAllowed)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return Failure.Invalid("body", "The request is a JSON object with the letter's kind.");
        }

        var input = JsonObject.Create(body)!;
        var kindText = input["kind"] is JsonValue k && k.TryGetValue<string>(out var s) ? s : null;
        if (kindText is null)
        {
            return Failure.Invalid("kind", "'kind' is required: individuals, stateRegulators, consumerReportingAgencies, hhs, sec, supervisoryAuthority, nydfs, media or substituteNotice.");
        }

        var kind = Require.Word<LetterKind>("kind", kindText, FailureKind.Invalid);
        if (kind.Failure is { } unknown)
        {
            return unknown;
        }

        List<string>? group = null;
        if (input["group"] is JsonNode node)
        {
            if (node is not JsonArray array || array.Any(e => e is not JsonValue v || !v.TryGetValue<string>(out _)))
            {
                return Failure.Invalid("group", "'group' is a list of rule codes such as [\"US-CA\", \"US-WA\"].");
            }

            group = array.Select(e => e!.GetValue<string>()).ToList();
            if (Require.AtMost("group", group.Count, 100) is { } tooMany)
            {
                return tooMany;
            }
        }

        if (notAllowed is not null && input.ContainsKey(notAllowed))
        {
            return Failure.Invalid(notAllowed, $"'{notAllowed}' belongs to a new version (POST .../versions), not to a draft.");
        }

        input.Remove("kind");
        input.Remove("group");
        return (kind.Value, group, input);
    }
}
