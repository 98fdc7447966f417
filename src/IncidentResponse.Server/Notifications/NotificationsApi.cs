using System.Text.Json;
using System.Text.Json.Nodes;
using IncidentResponse.Core.Identity;
using IncidentResponse.Core.Laws;
using IncidentResponse.Server.Api;
using IncidentResponse.Server.Identity;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.Persistence;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace IncidentResponse.Server.Notifications;

public sealed record LawSummary(string Code, string Name, string Kind, string Citation, NodaTime.LocalDate Effective, string Confidence, int Versions);

public sealed record ObligationStatusRequest(ObligationStatus? Status, string? Reason, string? Proof);

public static class NotificationsApi
{
    public static RouteGroupBuilder MapNotificationsApi(this RouteGroupBuilder api)
    {
        var laws = api.MapGroup("/laws").WithTags("Laws").RequirePermission(Permission.ReadLaws);
        laws.MapGet("/", ListLaws);
        laws.MapGet("/{code}", GetLaw);

        api.MapPost("/assessments", WhatIf).WithTags("Laws").RequirePermission(Permission.RunAssessments);

        var incident = api.MapGroup("/incidents/{id:guid}").WithTags("Notifications");
        incident.MapGet("/facts", GetFacts).RequirePermission(Permission.ReadIncidents);
        incident.MapPut("/facts", PutFacts).RequirePermission(Permission.RunAssessments);
        incident.MapPost("/assessment", Assess).RequirePermission(Permission.RunAssessments);
        incident.MapGet("/obligations", Obligations).RequirePermission(Permission.ReadIncidents);
        incident.MapPatch("/obligations/{obligationId:guid}", UpdateStatus).RequirePermission(Permission.RunAssessments);
        return api;
    }

    private static Ok<LawSummary[]> ListLaws(RuleBook rules) => TypedResults.Ok(rules.Rules.Select(r =>
    {
        var v = r.Versions[^1];
        return new LawSummary(r.Code, r.Name, r.Kind, v.Citation, v.Effective, v.Confidence, r.Versions.Count);
    }).ToArray());

    private static Results<Ok<Rule>, ProblemHttpResult> GetLaw(string code, RuleBook rules) =>
        rules.ByCode.TryGetValue(code, out var rule)
            ? TypedResults.Ok(rule)
            : new Failure(FailureKind.NotFound, $"There is no rule '{code}'. GET /api/v1/laws lists them.", "code").ToProblem();

    /// <summary>What-if: the facts JSON contract in, the assessment out; nothing is stored.</summary>
    private static Results<Ok<AssessmentResult>, ProblemHttpResult> WhatIf(JsonElement body, RuleBook rules)
    {
        var (facts, errors) = FactsReader.Read(body);
        return facts is null ? Invalid(errors) : TypedResults.Ok(Assessment.Assess(facts, rules));
    }

    private static async Task<Results<Ok<IncidentFactsView>, ProblemHttpResult>> GetFacts(
        Guid id, IncidentDbContext db, CurrentActor actor, HttpResponse response, CancellationToken ct)
    {
        if (!await db.IsVisibleAsync(actor, id, ct))
        {
            return Failure.NotFound("The incident").ToProblem();
        }

        var stored = await db.IncidentFacts.AsNoTracking().SingleOrDefaultAsync(f => f.IncidentId == id, ct);
        response.Headers.ETag = Versioning.ETag(stored?.Version ?? 0);
        return TypedResults.Ok(stored is null
            ? new IncidentFactsView(IncidentFactsComposer.Empty(), 0, null)
            : new IncidentFactsView(JsonNode.Parse(stored.Json)!.AsObject(), stored.Version, stored.UpdatedAt));
    }

    private static async Task<Results<Ok<IncidentFactsView>, ProblemHttpResult>> PutFacts(
        Guid id, JsonElement body, IMediator mediator, HttpRequest request, CancellationToken ct)
    {
        var version = Versioning.IfMatch(request);
        if (version.Failure is { } bad)
        {
            return bad.ToProblem();
        }

        if (body.ValueKind != JsonValueKind.Object)
        {
            return Failure.Invalid("body", "The facts are a JSON object.").ToProblem();
        }

        var outcome = await mediator.Send(new RecordIncidentFacts(id, version.Value, JsonObject.Create(body)!), ct);
        if (outcome.Failure is { } f)
        {
            return f.ToProblem();
        }

        request.HttpContext.Response.Headers.ETag = Versioning.ETag(outcome.Value!.Version);
        return TypedResults.Ok(outcome.Value);
    }

    private static async Task<Results<Ok<LedgerView>, ProblemHttpResult>> Assess(Guid id, IMediator mediator, CancellationToken ct)
    {
        var outcome = await mediator.Send(new AssessIncident(id), ct);
        return outcome.Failure is { } f ? f.ToProblem() : TypedResults.Ok(outcome.Value!);
    }

    private static async Task<Results<Ok<ObligationView[]>, ProblemHttpResult>> Obligations(
        Guid id, IncidentDbContext db, CurrentActor actor, CancellationToken ct)
    {
        if (!await db.IsVisibleAsync(actor, id, ct))
        {
            return Failure.NotFound("The incident").ToProblem();
        }

        var rows = await db.IncidentObligations.AsNoTracking().Where(o => o.IncidentId == id).ToListAsync(ct);
        return TypedResults.Ok(rows.OrderBy(r => r.DueBy ?? NodaTime.Instant.MaxValue).ThenBy(r => r.Regime).Select(ObligationView.From).ToArray());
    }

    private static async Task<Results<Ok<ObligationView>, ProblemHttpResult>> UpdateStatus(
        Guid id, Guid obligationId, ObligationStatusRequest? body, IMediator mediator, HttpRequest request, CancellationToken ct)
    {
        var version = Versioning.IfMatch(request);
        var invalid = version.Failure
            ?? Require.Present("status", body?.Status)
            ?? Require.OptionalText("reason", body!.Reason, 2000)
            ?? Require.OptionalText("proof", body.Proof, 2000)
            ?? (body.Status == ObligationStatus.Sent && string.IsNullOrWhiteSpace(body.Proof)
                ? Failure.Invalid("proof", "'sent' is recorded with its proof (a tracking number, a portal receipt, a document reference).") : null)
            ?? (body.Status == ObligationStatus.NotRequired && string.IsNullOrWhiteSpace(body.Reason)
                ? Failure.Invalid("reason", "'notRequired' is recorded with its reason.") : null);
        if (invalid is not null)
        {
            return invalid.ToProblem();
        }

        var outcome = await mediator.Send(new UpdateObligation(id, obligationId, version.Value, body!.Status!.Value, body.Reason, body.Proof), ct);
        if (outcome.Failure is { } f)
        {
            return f.ToProblem();
        }

        request.HttpContext.Response.Headers.ETag = Versioning.ETag(outcome.Value!.Version);
        return TypedResults.Ok(outcome.Value);
    }

    private static ProblemHttpResult Invalid(IReadOnlyList<FactError> errors) =>
        TypedResults.Problem(
            $"The facts are not valid: {errors[0].Field}: {errors[0].Message}", statusCode: 422, title: "Invalid facts",
            extensions: new Dictionary<string, object?>
            {
                ["errors"] = errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()),
            });
}
