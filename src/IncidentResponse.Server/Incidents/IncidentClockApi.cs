using IncidentResponse.Core.Identity;
using IncidentResponse.Core.Incidents;
using IncidentResponse.Server.Api;
using IncidentResponse.Server.Audit;
using IncidentResponse.Server.Identity;
using IncidentResponse.Server.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Text;

namespace IncidentResponse.Server.Incidents;

/// <summary>Sets an incident's clock: real time, or an exercise's simulated time from <c>start</c> at <c>speed</c> times real time.</summary>
public sealed record ClockRequest(ClockKind? Kind, Instant? Start, int? Speed, bool? Paused);

/// <summary>Skips an exercise's simulated time ahead: <c>by</c> an ISO-8601 duration (PT6H, P2D) or <c>to</c> an instant.</summary>
public sealed record AdvanceRequest(string? By, Instant? To);

/// <summary>Services the clock endpoints use, bundled.</summary>
public sealed record ClockServices(IncidentDbContext Db, CurrentActor Actor, AuditTrail Audit, IClock Clock);

/// <summary>
/// An incident's clock. Real incidents keep real time; an exercise's facilitator may run it on simulated time
/// (start, speed, pause, resume, advance), and its deadlines, reminders and waits follow that time.
/// </summary>
public static class IncidentClockApi
{
    public static RouteGroupBuilder MapIncidentClockApi(this RouteGroupBuilder api)
    {
        var clock = api.MapGroup("/incidents/{id:guid}/clock").WithTags("Incidents");
        clock.MapGet("/", Get).RequirePermission(Permission.ReadIncidents);
        clock.MapPut("/", Set).RequirePermission(Permission.RunExercises);
        clock.MapPost("/pause", (Guid id, [AsParameters] ClockServices s, HttpRequest request, CancellationToken ct) =>
            ChangeAsync(id, s, request, "paused", (c, now) => c.Pause(now), ct)).RequirePermission(Permission.RunExercises);
        clock.MapPost("/resume", (Guid id, [AsParameters] ClockServices s, HttpRequest request, CancellationToken ct) =>
            ChangeAsync(id, s, request, "resumed", (c, now) => c.Resume(now), ct)).RequirePermission(Permission.RunExercises);
        clock.MapPost("/advance", Advance).RequirePermission(Permission.RunExercises);
        return api;
    }

    private static async Task<Results<Ok<ClockView>, ProblemHttpResult>> Get(Guid id, [AsParameters] ClockServices s, HttpResponse response, CancellationToken ct)
    {
        if (!await s.Db.IsVisibleAsync(s.Actor, id, ct))
        {
            return Failure.NotFound("The incident").ToProblem();
        }

        var row = await s.Db.ExerciseClocks.AsNoTracking().SingleOrDefaultAsync(c => c.IncidentId == id, ct);
        var view = ClockView.Of(row?.ToClock() ?? IncidentClock.Real, s.Clock.GetCurrentInstant(), row?.Version ?? 0);
        response.Headers.ETag = Versioning.ETag(view.Version);
        return TypedResults.Ok(view);
    }

    private static Task<Results<Ok<ClockView>, ProblemHttpResult>> Set(
        Guid id, ClockRequest? body, [AsParameters] ClockServices s, HttpRequest request, CancellationToken ct)
    {
        if (body is null)
        {
            return Task.FromResult<Results<Ok<ClockView>, ProblemHttpResult>>(Failure.Invalid("body", "A JSON body is required.").ToProblem());
        }

        var invalid = Require.Present("kind", body.Kind)
            ?? (body.Kind == ClockKind.Simulated ? Require.Present("speed", body.Speed) : null)
            ?? (body.Speed is { } speed && IncidentClock.SpeedProblem(speed) is { } problem ? Failure.Invalid("speed", problem) : null);
        if (invalid is not null)
        {
            return Task.FromResult<Results<Ok<ClockView>, ProblemHttpResult>>(invalid.ToProblem());
        }

        return ChangeAsync(id, s, request, "set", (current, now) =>
        {
            if (body.Kind == ClockKind.Real)
            {
                return IncidentClock.Real;
            }

            var paused = body.Paused ?? current.Paused;
            if (body.Start is not null || !current.IsSimulated)
            {
                return IncidentClock.Start(now, body.Start ?? now, body.Speed!.Value, paused);
            }

            var respeeded = current.WithSpeed(now, body.Speed!.Value);
            return paused ? respeeded.Pause(now) : respeeded.Resume(now);
        }, ct);
    }

    private static Task<Results<Ok<ClockView>, ProblemHttpResult>> Advance(
        Guid id, AdvanceRequest? body, [AsParameters] ClockServices s, HttpRequest request, CancellationToken ct)
    {
        Duration? by = null;
        Failure? invalid = (body?.By is null) == (body?.To is null) ? Failure.Invalid("by", "Say how far to advance: 'by' an ISO-8601 duration or 'to' an instant, not both.") : null;
        if (invalid is null && body!.By is { } text)
        {
            var parsed = PeriodPattern.NormalizingIso.Parse(text);
            invalid = parsed.Success && parsed.Value is { Years: 0, Months: 0 } period && period.ToDuration() > Duration.Zero
                ? null
                : Failure.Invalid("by", "'by' is a positive ISO-8601 duration in weeks, days or hours (P2D, PT6H).");
            by = invalid is null ? parsed.Value.ToDuration() : null;
        }

        if (invalid is not null)
        {
            return Task.FromResult<Results<Ok<ClockView>, ProblemHttpResult>>(invalid.ToProblem());
        }

        // Advancing to an instant the clock has passed is refused by the core: time only goes forward.
        return ChangeAsync(id, s, request, "advanced", (current, now) => by is { } d ? current.Advance(now, d) : current.AdvanceTo(now, body!.To!.Value), ct);
    }

    /// <summary>
    /// One transaction: the clock changes, the incident's pending reminders and duration waits move with it, its
    /// deadlines are queued for recomputation (a delay's end may have come), and the change is audited.
    /// </summary>
    private static async Task<Results<Ok<ClockView>, ProblemHttpResult>> ChangeAsync(
        Guid id, ClockServices s, HttpRequest request, string action, Func<IncidentClock, Instant, IncidentClock> change, CancellationToken ct)
    {
        var version = Versioning.IfMatch(request);
        if (version.Failure is { } badVersion)
        {
            return badVersion.ToProblem();
        }

        var incident = await s.Db.FindVisibleAsync(s.Actor, id, ct);
        if (incident is null)
        {
            return Failure.NotFound("The incident").ToProblem();
        }

        if (!incident.IsExercise)
        {
            return Failure.Conflict("Only an exercise runs on a simulated clock; a real incident's deadlines keep real time.").ToProblem();
        }

        await using var transaction = await s.Db.Database.BeginTransactionAsync(ct);
        var row = await s.Db.ExerciseClocks.SingleOrDefaultAsync(c => c.IncidentId == id, ct);
        if (version.Value is { } expected && expected != (row?.Version ?? 0))
        {
            return Failure.Stale(row?.Version ?? 0).ToProblem();
        }

        var now = s.Clock.GetCurrentInstant();
        var current = row?.ToClock() ?? IncidentClock.Real;
        IncidentClock next;
        try
        {
            next = change(current, now);
        }
        catch (InvalidOperationException)
        {
            return Failure.Conflict("The exercise keeps real time: start its simulated clock first (PUT .../clock).").ToProblem();
        }
        catch (ArgumentOutOfRangeException)
        {
            return Failure.Invalid("to", "The clock already shows a later instant; an exercise's time only goes forward.").ToProblem();
        }

        var before = ClockView.Of(current, now, row?.Version ?? 0);
        if (!next.IsSimulated)
        {
            if (row is not null)
            {
                s.Db.ExerciseClocks.Remove(row);
            }

            row = null;
        }
        else
        {
            if (row is null)
            {
                row = new ExerciseClock { IncidentId = id };
                s.Db.ExerciseClocks.Add(row);
            }

            (row.RealAnchor, row.SimulatedAnchor, row.Speed, row.Paused, row.UpdatedAt) = (next.RealAnchor, next.SimulatedAnchor, next.Speed, next.Paused, now);
        }

        await IncidentClocks.RemapAsync(s.Db, id, next, ct);
        await Deadlines.DeadlineSync.RequestAsync(s.Db, id, now, ct);
        s.Audit.Record("incident.clock." + action, "incident", id.ToString(), before, ClockView.Of(next, now));
        await s.Audit.CommitAsync(ct);
        await transaction.CommitAsync(ct);
        var view = ClockView.Of(next, now, row?.Version ?? 0);
        request.HttpContext.Response.Headers.ETag = Versioning.ETag(view.Version);
        return TypedResults.Ok(view);
    }
}
