using IncidentResponse.Core.Identity;
using IncidentResponse.Core.Incidents;
using IncidentResponse.Core.Playbooks;
using IncidentResponse.Server.Api;
using IncidentResponse.Server.Audit;
using IncidentResponse.Server.Identity;
using IncidentResponse.Server.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace IncidentResponse.Server.Playbooks;

public sealed record PlaybookSummaryView(
    string Id, string Title, int Version, string Hash, IReadOnlyList<IncidentKind> AppliesTo, string Summary, int Steps, bool FromWorkflowsFolder);

public sealed record PlaybookVersionView(string Id, int Version, string Hash, string Title, Instant? StoredAt, bool Current, bool FromWorkflowsFolder, int Runs);

/// <summary>
/// The playbook catalogue: current versions, every stored version of one playbook, and publishing a new
/// version as YAML (validated as `ir playbooks validate` does, stored by content hash, audited).
/// </summary>
public static class PlaybookCatalogApi
{
    /// <summary>Generous for a playbook of a hundred steps; a bigger body is refused unread.</summary>
    public const int MaxYamlBytes = 512 * 1024;

    private static readonly string[] YamlTypes = ["application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"];

    public static RouteGroupBuilder MapPlaybookCatalogApi(this RouteGroupBuilder api)
    {
        var playbooks = api.MapGroup("/playbooks").WithTags("Playbooks");
        playbooks.MapGet("/", List).RequirePermission(Permission.ReadIncidents);
        playbooks.MapGet("/{playbookId}/versions", Versions).RequirePermission(Permission.ReadIncidents);
        // The body is YAML, checked by the handler so that another media type gets a problem naming the one expected.
        playbooks.MapPost("/", Publish).RequirePermission(Permission.PublishPlaybooks);
        return api;
    }

    public sealed record CatalogServices(IncidentDbContext Db, PlaybookLibrary Library, AuditTrail Audit, IClock Clock, CurrentActor Actor);

    private static async Task<Ok<PlaybookSummaryView[]>> List([AsParameters] CatalogServices s, CancellationToken ct) =>
        TypedResults.Ok((await s.Library.CurrentAsync(s.Db, ct)).Select(p => new PlaybookSummaryView(
            p.Id, p.Title, p.Version, p.ContentHash, p.AppliesTo, p.Summary, p.Steps.Count, s.Library.Playbooks.Any(f => f.Playbook.ContentHash == p.ContentHash))).ToArray());

    private static async Task<Results<Ok<PlaybookVersionView[]>, ProblemHttpResult>> Versions(string playbookId, [AsParameters] CatalogServices s, CancellationToken ct)
    {
        var current = await s.Library.CurrentAsync(s.Db, playbookId, ct);
        if (current is null)
        {
            return Failure.NotFound($"The playbook '{playbookId}'").ToProblem();
        }

        var stored = await s.Db.StoredPlaybooks.AsNoTracking().Where(p => p.PlaybookId == playbookId)
            .Select(p => new { p.Hash, p.Version, p.LoadedAt, Runs = s.Db.PlaybookRuns.Count(r => r.DefinitionHash == p.Hash) }).ToListAsync(ct);
        var folder = s.Library.Playbooks.Where(f => f.Playbook.Id == playbookId).Select(f => f.Playbook.ContentHash).ToHashSet();
        var versions = new List<PlaybookVersionView>();
        foreach (var row in stored)
        {
            var definition = await s.Library.PinnedAsync(s.Db, row.Hash, ct);
            versions.Add(new PlaybookVersionView(playbookId, row.Version, row.Hash, definition.Title, row.LoadedAt, row.Hash == current.ContentHash, folder.Contains(row.Hash), row.Runs));
        }

        // The folder's version is listed before any run has stored it.
        versions.AddRange(s.Library.Playbooks.Where(f => f.Playbook.Id == playbookId && stored.All(r => r.Hash != f.Playbook.ContentHash))
            .Select(f => new PlaybookVersionView(playbookId, f.Playbook.Version, f.Playbook.ContentHash, f.Playbook.Title, null, f.Playbook.ContentHash == current.ContentHash, true, 0)));
        return TypedResults.Ok(versions.OrderByDescending(v => v.Version).ThenByDescending(v => v.StoredAt).ToArray());
    }

    private static async Task<Results<Created<PlaybookVersionView>, Ok<PlaybookVersionView>, ProblemHttpResult>> Publish(
        HttpRequest request, [AsParameters] CatalogServices s, CancellationToken ct)
    {
        var text = await ReadYamlAsync(request, ct);
        if (text.Failure is { } unreadable)
        {
            return unreadable.ToProblem();
        }

        // The loader checks that the id matches the file name; a posted text is named after its own id.
        var (playbook, problems) = s.Library.Loader.Load((IdOf(text.Value!) ?? "playbook") + ".yaml", text.Value!);
        if (playbook is null)
        {
            return TypedResults.Problem($"The playbook is not valid: {problems.Count} problem(s).", statusCode: StatusCodes.Status422UnprocessableEntity,
                title: "Invalid request", extensions: new Dictionary<string, object?>
                {
                    ["errors"] = new Dictionary<string, string[]> { ["yaml"] = problems.Select(p => p.ToString()).ToArray() },
                });
        }

        if (playbook.Id == AdHocPlaybook.Id)
        {
            return Failure.Invalid("id", $"'{AdHocPlaybook.Id}' is reserved for an incident's ad-hoc tasks.").ToProblem();
        }

        var current = await s.Library.CurrentAsync(s.Db, playbook.Id, ct);
        if (current?.ContentHash == playbook.ContentHash)
        {
            // Publishing the current text again changes nothing.
            return TypedResults.Ok(View(playbook, null, current: true, s.Library));
        }

        if (current is not null && playbook.Version <= current.Version)
        {
            return Failure.Conflict($"Version {playbook.Version} is not newer than the current version {current.Version} of '{playbook.Id}'; raise `version`.").ToProblem();
        }

        var now = s.Clock.GetCurrentInstant();
        await using var transaction = await s.Db.Database.BeginTransactionAsync(ct);
        await PlaybookLibrary.StoreAsync(s.Db, playbook, text.Value!, now, ct);
        s.Audit.Record("playbook.published", "playbook", playbook.Id,
            current is null ? null : new { current.Version, hash = current.ContentHash },
            new { playbook.Version, hash = playbook.ContentHash, playbook.Title, steps = playbook.Steps.Count });
        await s.Audit.CommitAsync(ct);
        await transaction.CommitAsync(ct);
        return TypedResults.Created($"/api/v1/playbooks/{playbook.Id}/versions", View(playbook, now, current: true, s.Library));
    }

    private static PlaybookVersionView View(PlaybookDefinition playbook, Instant? storedAt, bool current, PlaybookLibrary library) =>
        new(playbook.Id, playbook.Version, playbook.ContentHash, playbook.Title, storedAt, current, library.Playbooks.Any(f => f.Playbook.ContentHash == playbook.ContentHash), 0);

    private static async Task<Outcome<string>> ReadYamlAsync(HttpRequest request, CancellationToken ct)
    {
        var type = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        if (type is null || !YamlTypes.Contains(type))
        {
            return new Failure(FailureKind.BadRequest, $"Send the playbook as YAML, with Content-Type {YamlTypes[0]}.", "Content-Type");
        }

        if (request.ContentLength > MaxYamlBytes)
        {
            return new Failure(FailureKind.BadRequest, $"A playbook is at most {MaxYamlBytes / 1024} KiB.", "body");
        }

        var buffer = new char[MaxYamlBytes + 1];
        using var reader = new StreamReader(request.Body);
        var read = await reader.ReadBlockAsync(buffer, ct);
        return read > MaxYamlBytes
            ? new Failure(FailureKind.BadRequest, $"A playbook is at most {MaxYamlBytes / 1024} KiB.", "body")
            : new string(buffer, 0, read);
    }

    /// <summary>The id the text declares, if it reads as YAML with one; the loader reports everything else.</summary>
    private static string? IdOf(string text)
    {
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            return stream.Documents is [{ RootNode: YamlMappingNode root }] && root.Children.TryGetValue(new YamlScalarNode("id"), out var id)
                && id is YamlScalarNode { Value: { Length: > 0 and <= 80 } value } && !value.Contains('/') && !value.Contains('\\')
                ? value
                : null;
        }
        catch (YamlException)
        {
            return null;
        }
    }
}
