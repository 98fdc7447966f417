using IncidentResponse.Core.Identity;
using IncidentResponse.Core.Incidents;
using IncidentResponse.Server.Api;
using IncidentResponse.Server.Identity;
using IncidentResponse.Server.Persistence;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace IncidentResponse.Server.Incidents;

public sealed record CreateIncidentRequest(
    string? Title, IncidentKind? Kind, Severity? Severity, string? Summary, bool? IsExercise, bool? Restricted,
    Guid[]? Members, Instant? DiscoveredAt);

public sealed record UpdateIncidentRequest(string? Title, string? Summary, IncidentKind? Kind, Severity? Severity);

public sealed record TransitionRequestBody(IncidentStatus? To, string? Reason, string? OverrideReason);

public sealed record MilestoneRequest(Instant? At, bool? IsEstimate, string? Note);

public sealed record TeamLeadRequest(Guid? UserId);

public sealed record MembersRequest(bool? Restricted, Guid[]? UserIds);

public sealed record TimelineEntryRequest(Instant? At, string? Text, string? Category);

public sealed record DecisionRequest(string? Title, string? Outcome, string? Rationale, bool? Privileged, Instant? DecidedAt);

/// <summary>Services every incident endpoint uses, bundled.</summary>
public sealed record IncidentServices(IMediator Mediator, IncidentDbContext Db, CurrentActor Actor, Playbooks.PlaybookRuns Runs);

public static class IncidentsApi
{
    public static RouteGroupBuilder MapIncidentsApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/incidents").WithTags("Incidents");
        group.MapPost("/", Create).RequirePermission(Permission.CreateIncidents);
        group.MapGet("/", List).RequirePermission(Permission.ReadIncidents);
        group.MapGet("/{id:guid}", Get).RequirePermission(Permission.ReadIncidents);
        group.MapPatch("/{id:guid}", Update).RequirePermission(Permission.ManageIncidents);
        group.MapPost("/{id:guid}/transitions", Transition).RequirePermission(Permission.ManageIncidents);
        group.MapPut("/{id:guid}/milestones/{kind}", RecordMilestone).RequirePermission(Permission.RecordMilestones);
        group.MapPut("/{id:guid}/team-leads/{role}", AssignTeamLead).RequirePermission(Permission.ManageIncidents);
        group.MapPut("/{id:guid}/members", SetMembers).RequirePermission(Permission.ManageIncidents);
        group.MapGet("/{id:guid}/timeline", Timeline).RequirePermission(Permission.ReadIncidents);
        group.MapPost("/{id:guid}/timeline", AddTimelineEntry).RequirePermission(Permission.WriteTimeline);
        group.MapGet("/{id:guid}/decisions", Decisions).RequirePermission(Permission.ReadIncidents);
        group.MapPost("/{id:guid}/decisions", RecordDecision).RequirePermission(Permission.RecordDecisions);
        group.MapGet("/{id:guid}/audit", Audit).RequirePermission(Permission.ReadAudit);
        return api;
    }

    private static async Task<Results<Created<IncidentView>, ProblemHttpResult>> Create(
        CreateIncidentRequest? body, [AsParameters] IncidentServices s, CancellationToken ct)
    {
        if (body is null)
        {
            return Failure.Invalid("body", "A JSON body is required.").ToProblem();
        }

        var invalid = Require.Text("title", body.Title, IncidentLimits.TitleLength)
            ?? Require.Present("kind", body.Kind)
            ?? Require.Present("severity", body.Severity)
            ?? Require.OptionalText("summary", body.Summary, IncidentLimits.SummaryLength)
            ?? Require.AtMost("members", body.Members?.Length ?? 0, 500);
        if (invalid is not null)
        {
            return invalid.ToProblem();
        }

        var outcome = await s.Mediator.Send(new CreateIncident(
            body.Title!, body.Kind!.Value, body.Severity!.Value, body.Summary, body.IsExercise ?? false,
            body.Restricted ?? false, body.Members ?? [], body.DiscoveredAt), ct);
        if (outcome.Failure is { } f)
        {
            return f.ToProblem();
        }

        // The playbook for the incident's kind starts with it; a kind no playbook serves starts none.
        await s.Runs.StartAsync(outcome.Value!.Id, null, ct);
        return TypedResults.Created($"/api/v1/incidents/{outcome.Value!.Id}", outcome.Value);
    }

    private static async Task<Results<Ok<Paged<IncidentListItem>>, ProblemHttpResult>> List(
        [AsParameters] IncidentServices s, string? status, string? severity, string? kind,
        bool? exercise, int? page, int? pageSize, CancellationToken ct)
    {
        var query = s.Db.Incidents.AsNoTracking().VisibleTo(s.Actor);
        if (status is not null)
        {
            var st = Require.Word<IncidentStatus>("status", status, FailureKind.BadRequest);
            if (st.Failure is { } f)
            {
                return f.ToProblem();
            }

            query = query.Where(i => i.Status == st.Value);
        }

        if (severity is not null)
        {
            var sv = Require.Word<Severity>("severity", severity, FailureKind.BadRequest);
            if (sv.Failure is { } f)
            {
                return f.ToProblem();
            }

            query = query.Where(i => i.Severity == sv.Value);
        }

        if (kind is not null)
        {
            var k = Require.Word<IncidentKind>("kind", kind, FailureKind.BadRequest);
            if (k.Failure is { } f)
            {
                return f.ToProblem();
            }

            query = query.Where(i => i.Kind == k.Value);
        }

        if (exercise is { } ex)
        {
            query = query.Where(i => i.IsExercise == ex);
        }

        var size = Math.Clamp(pageSize ?? 50, 1, 200);
        var number = Math.Max(page ?? 1, 1);
        var total = await query.CountAsync(ct);
        var items = await query.OrderByDescending(i => i.Reference)
            .Skip((number - 1) * size).Take(size)
            .Select(i => new IncidentListItem(i.Id, i.Reference, i.Title, i.Kind, i.Severity, i.Status, i.IsExercise, i.CreatedAt, i.UpdatedAt, i.Version))
            .ToListAsync(ct);
        return TypedResults.Ok(new Paged<IncidentListItem>(items, number, size, total));
    }

    private static async Task<Results<Ok<IncidentView>, ProblemHttpResult>> Get(
        Guid id, [AsParameters] IncidentServices s, HttpResponse response, CancellationToken ct)
    {
        var incident = await s.Db.FindVisibleAsync(s.Actor, id, ct);
        if (incident is null)
        {
            return Failure.NotFound("The incident").ToProblem();
        }

        response.Headers.ETag = Versioning.ETag(incident.Version);
        return TypedResults.Ok(IncidentView.From(incident));
    }

    private static async Task<Results<Ok<IncidentView>, ProblemHttpResult>> Update(
        Guid id, UpdateIncidentRequest? body, [AsParameters] IncidentServices s, HttpRequest request, CancellationToken ct)
    {
        var version = Versioning.RequireIfMatch(request);
        if (version.Failure is { } bad)
        {
            return bad.ToProblem();
        }

        if (body is null)
        {
            return Failure.Invalid("body", "A JSON body is required.").ToProblem();
        }

        var invalid = (body.Title is null ? null : Require.Text("title", body.Title, IncidentLimits.TitleLength))
            ?? Require.OptionalText("summary", body.Summary, IncidentLimits.SummaryLength);
        if (invalid is not null)
        {
            return invalid.ToProblem();
        }

        return Respond(await s.Mediator.Send(
            new UpdateIncident(id, version.Value, body.Title, body.Summary, body.Kind, body.Severity), ct), request.HttpContext);
    }

    private static async Task<Results<Ok<IncidentView>, ProblemHttpResult>> Transition(
        Guid id, TransitionRequestBody? body, [AsParameters] IncidentServices s, HttpRequest request, CancellationToken ct)
    {
        var version = Versioning.IfMatch(request);
        var invalid = version.Failure
            ?? Require.Present("to", body?.To)
            ?? Require.OptionalText("reason", body!.Reason, IncidentLimits.ReasonLength)
            ?? Require.OptionalText("overrideReason", body.OverrideReason, IncidentLimits.ReasonLength);
        if (invalid is not null)
        {
            return invalid.ToProblem();
        }

        return Respond(await s.Mediator.Send(
            new TransitionIncident(id, version.Value, body!.To!.Value, body.Reason, body.OverrideReason), ct), request.HttpContext);
    }

    private static async Task<Results<Ok<IncidentView>, ProblemHttpResult>> RecordMilestone(
        Guid id, string kind, MilestoneRequest? body, [AsParameters] IncidentServices s, HttpRequest request, CancellationToken ct)
    {
        var version = Versioning.IfMatch(request);
        var milestone = Require.Word<MilestoneKind>("kind", kind);
        var invalid = version.Failure ?? milestone.Failure
            ?? Require.Present("at", body?.At)
            ?? Require.OptionalText("note", body!.Note, IncidentLimits.NoteLength);
        if (invalid is not null)
        {
            return invalid.ToProblem();
        }

        return Respond(await s.Mediator.Send(
            new RecordMilestone(id, version.Value, milestone.Value, body!.At!.Value, body.IsEstimate ?? false, body.Note), ct), request.HttpContext);
    }

    private static async Task<Results<Ok<IncidentView>, ProblemHttpResult>> AssignTeamLead(
        Guid id, string role, TeamLeadRequest? body, [AsParameters] IncidentServices s, HttpRequest request, CancellationToken ct)
    {
        var version = Versioning.IfMatch(request);
        var leadRole = Require.Word<TeamLeadRole>("role", role);
        var invalid = version.Failure ?? leadRole.Failure ?? Require.Present("userId", body?.UserId);
        if (invalid is not null)
        {
            return invalid.ToProblem();
        }

        return Respond(await s.Mediator.Send(new AssignTeamLead(id, version.Value, leadRole.Value, body!.UserId!.Value), ct), request.HttpContext);
    }

    private static async Task<Results<Ok<IncidentView>, ProblemHttpResult>> SetMembers(
        Guid id, MembersRequest? body, [AsParameters] IncidentServices s, HttpRequest request, CancellationToken ct)
    {
        var version = Versioning.IfMatch(request);
        var invalid = version.Failure ?? Require.Present("restricted", body?.Restricted)
            ?? Require.AtMost("userIds", body!.UserIds?.Length ?? 0, 500);
        if (invalid is not null)
        {
            return invalid.ToProblem();
        }

        return Respond(await s.Mediator.Send(new SetMembers(id, version.Value, body!.Restricted!.Value, body.UserIds ?? []), ct), request.HttpContext);
    }

    private static async Task<Results<Ok<TimelineEntryView[]>, ProblemHttpResult>> Timeline(
        Guid id, [AsParameters] IncidentServices s, CancellationToken ct)
    {
        if (!await s.Db.IsVisibleAsync(s.Actor, id, ct))
        {
            return Failure.NotFound("The incident").ToProblem();
        }

        var entries = await s.Db.TimelineEntries.AsNoTracking().Where(t => t.IncidentId == id).OrderBy(t => t.At)
            .Select(t => new TimelineEntryView(t.Id, t.At, t.Text, t.Category, t.AuthorId, t.RecordedAt)).ToArrayAsync(ct);
        return TypedResults.Ok(entries);
    }

    private static async Task<Results<Created<TimelineEntryView>, ProblemHttpResult>> AddTimelineEntry(
        Guid id, TimelineEntryRequest? body, [AsParameters] IncidentServices s, CancellationToken ct)
    {
        var invalid = Require.Text("text", body?.Text, IncidentLimits.TextLength)
            ?? Require.OptionalText("category", body!.Category, 64);
        if (invalid is not null)
        {
            return invalid.ToProblem();
        }

        var outcome = await s.Mediator.Send(new AddTimelineEntry(id, body!.At, body.Text!, body.Category), ct);
        return outcome.Failure is { } f
            ? f.ToProblem()
            : TypedResults.Created($"/api/v1/incidents/{id}/timeline/{outcome.Value!.Id}", outcome.Value);
    }

    private static async Task<Results<Ok<DecisionView[]>, ProblemHttpResult>> Decisions(
        Guid id, [AsParameters] IncidentServices s, CancellationToken ct)
    {
        if (!await s.Db.IsVisibleAsync(s.Actor, id, ct))
        {
            return Failure.NotFound("The incident").ToProblem();
        }

        var decisions = await s.Db.Decisions.AsNoTracking().Where(d => d.IncidentId == id).OrderBy(d => d.DecidedAt).ToArrayAsync(ct);
        return TypedResults.Ok(decisions.Select(d => new DecisionView(
            d.Id, d.Title, d.Outcome, s.Actor.Privileged(d.Rationale, d.Privileged),
            d.Privileged, d.DecidedBy, d.DecidedAt, d.RecordedAt)).ToArray());
    }

    private static async Task<Results<Created<DecisionView>, ProblemHttpResult>> RecordDecision(
        Guid id, DecisionRequest? body, [AsParameters] IncidentServices s, CancellationToken ct)
    {
        var invalid = Require.Text("title", body?.Title, IncidentLimits.TitleLength)
            ?? Require.Text("outcome", body!.Outcome, IncidentLimits.TitleLength)
            ?? Require.Text("rationale", body.Rationale, IncidentLimits.TextLength);
        if (invalid is not null)
        {
            return invalid.ToProblem();
        }

        var outcome = await s.Mediator.Send(
            new RecordDecision(id, body!.Title!, body.Outcome!, body.Rationale!, body.Privileged ?? false, body.DecidedAt), ct);
        return outcome.Failure is { } f
            ? f.ToProblem()
            : TypedResults.Created($"/api/v1/incidents/{id}/decisions/{outcome.Value!.Id}", outcome.Value);
    }

    private static async Task<Results<Ok<Audit.AuditEventView[]>, ProblemHttpResult>> Audit(
        Guid id, [AsParameters] IncidentServices s, CancellationToken ct)
    {
        if (!await s.Db.IsVisibleAsync(s.Actor, id, ct))
        {
            return Failure.NotFound("The incident").ToProblem();
        }

        var key = id.ToString();
        var events = await s.Db.AuditEvents.AsNoTracking().Where(a => a.TargetType == "incident" && a.TargetId == key)
            .OrderBy(a => a.Sequence).ToArrayAsync(ct);
        return TypedResults.Ok(events.Select(global::IncidentResponse.Server.Audit.AuditApi.ToView).ToArray());
    }

    private static Results<Ok<IncidentView>, ProblemHttpResult> Respond(Outcome<IncidentView> outcome, HttpContext context)
    {
        if (outcome.Failure is { } f)
        {
            return f.ToProblem();
        }

        context.Response.Headers.ETag = Versioning.ETag(outcome.Value!.Version);
        return TypedResults.Ok(outcome.Value);
    }
}
