using System.Security.Cryptography;
using System.Text.Json;
using IncidentResponse.Core;
using IncidentResponse.Core.Deadlines;
using IncidentResponse.Core.Identity;
using IncidentResponse.Core.Playbooks;
using IncidentResponse.Server.Api;
using IncidentResponse.Server.Audit;
using IncidentResponse.Server.Identity;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace IncidentResponse.Server.Deadlines;

public sealed record DeadlineView(
    Guid Id, Guid IncidentId, string Reference, string Key, DeadlineSource Source, string Title, string? Citation, Instant? DueAt, Team Team,
    Guid? OwnerId, DeadlineStatus Status, BoardColumn Column, Instant? ClosedAt, Instant? NextReminderAt, int RemindersSent, int FailedDeliveries,
    bool CustomLadder, ClockView Clock);

public sealed record DeliveryView(
    Guid Id, Guid DeadlineId, Guid IncidentId, string RungKey, Guid Recipient, DeliveryChannel Channel, DeliveryState State, string Subject, string Body,
    int Attempts, Instant CreatedAt, Instant? SentAt, Instant? ReadAt, string? LastError);

public sealed record FollowUpRequest(string? Title, Instant? DueAt, string? Team, Guid? OwnerId, string? Citation);

public sealed record WebhookRequest(string? Name, string? Url, string? Secret, WebhookFormat? Format, bool? IncludeExercises);

public sealed record WebhookView(Guid Id, string Name, string Url, WebhookFormat Format, bool IncludeExercises, Instant CreatedAt, string? Secret);

/// <summary>The deadline board (per incident and across them), its calendar feed, reminder ladders, deliveries, the in-app inbox and webhooks.</summary>
public static class DeadlinesApi
{
    public static RouteGroupBuilder MapDeadlinesApi(this RouteGroupBuilder api)
    {
        var incident = api.MapGroup("/incidents/{id:guid}").WithTags("Deadlines");
        incident.MapGet("/deadlines", ForIncident).RequirePermission(Permission.ReadIncidents);
        incident.MapGet("/deadlines.ics", Calendar).RequirePermission(Permission.ReadIncidents);
        incident.MapPost("/deadlines", AddFollowUp).RequirePermission(Permission.WorkOnTasks);
        incident.MapPost("/deadlines/{deadlineId:guid}/close", CloseFollowUp).RequirePermission(Permission.WorkOnTasks);
        incident.MapPut("/deadlines/{deadlineId:guid}/ladder", SetLadder).RequirePermission(Permission.RunAssessments);
        incident.MapDelete("/deadlines/{deadlineId:guid}/ladder", ClearLadder).RequirePermission(Permission.RunAssessments);
        incident.MapGet("/deliveries", Deliveries).RequirePermission(Permission.ReadIncidents);
        api.MapGet("/deadlines", Board).WithTags("Deadlines").RequirePermission(Permission.ReadIncidents);

        var inbox = api.MapGroup("/inbox").WithTags("Deadlines").RequirePermission(Permission.ReadIncidents);
        inbox.MapGet("/", Inbox);
        inbox.MapPost("/{deliveryId:guid}/read", MarkRead);

        api.MapPut("/organisation/reminder-ladder", SetOrganisationLadder).WithTags("Deadlines").RequirePermission(Permission.ManageUsers);
        var hooks = api.MapGroup("/webhooks").WithTags("Deadlines").RequirePermission(Permission.ManageUsers);
        hooks.MapGet("/", ListWebhooks);
        hooks.MapPost("/", AddWebhook);
        hooks.MapDelete("/{hookId:guid}", RemoveWebhook);
        return api;
    }

    private static async Task<Results<Ok<DeadlineView[]>, ProblemHttpResult>> ForIncident(
        Guid id, IncidentDbContext db, CurrentActor actor, IClock clock, CancellationToken ct)
    {
        if (!await db.IsVisibleAsync(actor, id, ct))
        {
            return Failure.NotFound("The incident").ToProblem();
        }

        return TypedResults.Ok(await ViewsAsync(db, db.Deadlines.Where(d => d.IncidentId == id), clock.GetCurrentInstant(), ct));
    }

    /// <summary>Across every open incident the caller may see; column filters (overdue, dueSoon, upcoming, met, missed).</summary>
    private static async Task<Results<Ok<DeadlineView[]>, ProblemHttpResult>> Board(string? column, IncidentDbContext db, CurrentActor actor, IClock clock, CancellationToken ct)
    {
        var (filter, bad) = Require.OptionalWord<BoardColumn>("column", column, FailureKind.BadRequest);
        if (bad is not null)
        {
            return bad.ToProblem();
        }

        var now = clock.GetCurrentInstant();
        var soon = now + DeadlineBoard.SoonWindow;
        var visible = db.Incidents.VisibleTo(actor).Where(i => i.Status != Core.Incidents.IncidentStatus.Closed).Select(i => i.Id);
        var query = db.Deadlines.Where(d => visible.Contains(d.IncidentId));
        // An exercise on simulated time has its own now: its open deadlines are placed in columns after loading.
        var simulated = db.ExerciseClocks.Select(c => c.IncidentId);
        query = filter switch
        {
            BoardColumn.Overdue => query.Where(d => d.Status == DeadlineStatus.Open && (d.DueAt <= now || simulated.Contains(d.IncidentId))),
            BoardColumn.DueSoon => query.Where(d => d.Status == DeadlineStatus.Open && ((d.DueAt > now && d.DueAt <= soon) || simulated.Contains(d.IncidentId))),
            BoardColumn.Upcoming => query.Where(d => d.Status == DeadlineStatus.Open && (d.DueAt == null || d.DueAt > soon || simulated.Contains(d.IncidentId))),
            BoardColumn.Met => query.Where(d => d.Status == DeadlineStatus.Met),
            BoardColumn.Missed => query.Where(d => d.Status == DeadlineStatus.Missed),
            BoardColumn.Withdrawn => query.Where(d => d.Status == DeadlineStatus.Withdrawn),
            _ => query.Where(d => d.Status != DeadlineStatus.Withdrawn),
        };
        var views = await ViewsAsync(db, query, now, ct);
        return TypedResults.Ok(filter is { } wanted ? views.Where(v => v.Column == wanted).ToArray() : views);
    }

    /// <summary>The deadlines as the board shows them at the real instant <paramref name="now"/>, each on its incident's clock.</summary>
    private static async Task<DeadlineView[]> ViewsAsync(IncidentDbContext db, IQueryable<Deadline> query, Instant now, CancellationToken ct)
    {
        var rows = await query.AsNoTracking().OrderBy(d => d.DueAt).Take(2000)
            .Select(d => new
            {
                Deadline = d,
                Reference = db.Incidents.Where(i => i.Id == d.IncidentId).Select(i => i.Reference).First(),
                Next = db.DeadlineRungs.Where(r => r.DeadlineId == d.Id && r.State == RungState.Pending).Min(r => (Instant?)r.At),
                Sent = db.DeadlineRungs.Count(r => r.DeadlineId == d.Id && r.State == RungState.Dispatched),
                Failed = db.Deliveries.Count(x => x.DeadlineId == d.Id && x.State == DeliveryState.Failed),
            }).ToListAsync(ct);
        var clocks = await IncidentClocks.ForAsync(db, rows.Select(x => x.Deadline.IncidentId).Distinct().ToList(), ct);
        return rows.Select(x =>
        {
            var incidentClock = ClockView.Of(clocks.Of(x.Deadline.IncidentId), now);
            return new DeadlineView(x.Deadline.Id, x.Deadline.IncidentId, x.Reference, x.Deadline.Key, x.Deadline.Source, x.Deadline.Title,
                x.Deadline.Citation, x.Deadline.DueAt, x.Deadline.Team, x.Deadline.OwnerId, x.Deadline.Status,
                DeadlineBoard.Column(x.Deadline.Status, x.Deadline.DueAt, incidentClock.Now), x.Deadline.ClosedAt, x.Next, x.Sent, x.Failed,
                x.Deadline.LadderOverride is not null, incidentClock);
        }).ToArray();
    }

    /// <summary>The incident's open and closed deadlines as an iCalendar feed (withdrawn ones appear cancelled).</summary>
    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> Calendar(Guid id, IncidentDbContext db, CurrentActor actor, IClock clock, CancellationToken ct)
    {
        var incident = await db.FindVisibleAsync(actor, id, ct);
        if (incident is null)
        {
            return Failure.NotFound("The incident").ToProblem();
        }

        var deadlines = await db.Deadlines.AsNoTracking().Where(d => d.IncidentId == id && d.DueAt != null).OrderBy(d => d.DueAt).ToListAsync(ct);
        var stamp = clock.GetCurrentInstant();
        // An exercise's deadlines stand at their simulated instants; the calendar's name says so.
        var shown = ClockView.Of(await IncidentClocks.ForAsync(db, id, ct), stamp);
        var name = shown.Kind == Core.Incidents.ClockKind.Simulated
            ? $"{incident.Reference} deadlines (exercise on simulated time: {NodaTime.Text.InstantPattern.General.Format(shown.Now)}, x{shown.Speed}{(shown.Paused ? ", paused" : "")})"
            : $"{incident.Reference} deadlines";
        var events = deadlines.Select(d => new CalendarEvent(
            $"{d.Id}@incident-response", d.DueAt!.Value, $"[{incident.Reference}] {d.Title}",
            string.Join('\n', new[] { d.Title, d.Citation is null ? null : "Citation: " + d.Citation, $"Status: {d.Status.ToString().ToCamelCase()}" }.OfType<string>()),
            stamp, d.Status == DeadlineStatus.Withdrawn));
        return TypedResults.Text(CalendarFeed.Write(name, events), "text/calendar; charset=utf-8");
    }

    /// <summary>A follow-up deadline a person sets (a regulator's request, a promised update), reminded on the organisation's ladder.</summary>
    private static async Task<Results<Created<DeadlineView>, ProblemHttpResult>> AddFollowUp(
        Guid id, FollowUpRequest body, IncidentDbContext db, CurrentActor actor, AuditTrail audit, DeadlineSync sync, IClock clock, CancellationToken ct)
    {
        if (!await db.IsVisibleAsync(actor, id, ct))
        {
            return Failure.NotFound("The incident").ToProblem();
        }

        if (string.IsNullOrWhiteSpace(body.Title) || body.Title.Length > 300)
        {
            return Failure.Invalid("title", "Give the follow-up a title of at most 300 characters.").ToProblem();
        }

        if (body.DueAt is not { } due)
        {
            return Failure.Invalid("dueAt", "Say when it is due, as an ISO-8601 instant.").ToProblem();
        }

        var (team, badTeam) = Require.OptionalWord<Team>("team", body.Team, FailureKind.Invalid);
        if (badTeam is not null)
        {
            return badTeam.ToProblem();
        }

        if (body.OwnerId is { } owner && !await db.Users.AnyAsync(u => u.Id == owner && !u.Disabled, ct))
        {
            return Failure.Invalid("ownerId", "There is no active user with this id.").ToProblem();
        }

        if (body.Citation is { Length: > 1000 })
        {
            return Failure.Invalid("citation", "A citation has at most 1000 characters.").ToProblem();
        }

        var now = clock.GetCurrentInstant();
        var deadline = new Deadline
        {
            Id = Guid.CreateVersion7(), IncidentId = id, Key = $"follow-up:{Guid.CreateVersion7():N}", Source = DeadlineSource.FollowUp, Title = body.Title.Trim(),
            Citation = body.Citation, DueAt = due, Team = team ?? Team.Legal, OwnerId = body.OwnerId, Status = DeadlineStatus.Open, Ladder = "", CreatedAt = now, UpdatedAt = now,
        };
        db.Deadlines.Add(deadline);
        audit.Record("deadline.created", "incident", id.ToString(), null, new { deadline.Key, deadline.Title, due, deadline.Team, owner = body.OwnerId });
        await audit.CommitAsync(ct);
        await sync.SyncAsync(id, ct);
        var view = (await ViewsAsync(db, db.Deadlines.Where(d => d.Id == deadline.Id), clock.GetCurrentInstant(), ct))[0];
        return TypedResults.Created($"/api/v1/incidents/{id}/deadlines", view);
    }

    /// <summary>Closes a follow-up: met if on time, missed if late. Other deadlines close with their obligation or step.</summary>
    private static async Task<Results<Ok<DeadlineView>, ProblemHttpResult>> CloseFollowUp(
        Guid id, Guid deadlineId, IncidentDbContext db, CurrentActor actor, AuditTrail audit, DeadlineSync sync, IClock clock, CancellationToken ct)
    {
        if (!await db.IsVisibleAsync(actor, id, ct))
        {
            return Failure.NotFound("The incident").ToProblem();
        }

        var deadline = await db.Deadlines.SingleOrDefaultAsync(d => d.Id == deadlineId && d.IncidentId == id, ct);
        if (deadline is null)
        {
            return Failure.NotFound("The deadline").ToProblem();
        }

        if (deadline.Source != DeadlineSource.FollowUp)
        {
            return Failure.Conflict($"This deadline closes with its {deadline.Source.ToString().ToCamelCase()}: mark that done instead.").ToProblem();
        }

        if (deadline.Status != DeadlineStatus.Open)
        {
            return Failure.Conflict($"The follow-up is already {deadline.Status.ToString().ToCamelCase()}.").ToProblem();
        }

        var now = clock.GetCurrentInstant();
        var closedAt = (await IncidentClocks.ForAsync(db, id, ct)).Now(now);
        deadline.Status = DeadlineBoard.Closed(deadline.DueAt, closedAt);
        deadline.ClosedAt = closedAt;
        audit.Record("deadline." + deadline.Status.ToString().ToLowerInvariant(), "incident", id.ToString(), null, new { deadline.Key, closedBy = actor.Name });
        await audit.CommitAsync(ct);
        await sync.SyncAsync(id, ct);
        return TypedResults.Ok((await ViewsAsync(db, db.Deadlines.Where(d => d.Id == deadlineId), now, ct))[0]);
    }

    private static async Task<Results<Ok<DeadlineView>, ProblemHttpResult>> SetLadder(
        Guid id, Guid deadlineId, LadderSetting body, IncidentDbContext db, CurrentActor actor, AuditTrail audit, DeadlineSync sync, IClock clock, CancellationToken ct)
    {
        var reading = LadderSettings.Read(body);
        if (reading.Ladder is null)
        {
            return Failure.Invalid(reading.Field!, reading.Error!).ToProblem();
        }

        return await ChangeLadder(id, deadlineId, JsonSerializer.Serialize(body, WireJson.Options), db, actor, audit, sync, clock, ct);
    }

    private static Task<Results<Ok<DeadlineView>, ProblemHttpResult>> ClearLadder(
        Guid id, Guid deadlineId, IncidentDbContext db, CurrentActor actor, AuditTrail audit, DeadlineSync sync, IClock clock, CancellationToken ct) =>
        ChangeLadder(id, deadlineId, null, db, actor, audit, sync, clock, ct);

    private static async Task<Results<Ok<DeadlineView>, ProblemHttpResult>> ChangeLadder(
        Guid id, Guid deadlineId, string? ladder, IncidentDbContext db, CurrentActor actor, AuditTrail audit, DeadlineSync sync, IClock clock, CancellationToken ct)
    {
        if (!await db.IsVisibleAsync(actor, id, ct))
        {
            return Failure.NotFound("The incident").ToProblem();
        }

        var deadline = await db.Deadlines.SingleOrDefaultAsync(d => d.Id == deadlineId && d.IncidentId == id, ct);
        if (deadline is null)
        {
            return Failure.NotFound("The deadline").ToProblem();
        }

        audit.Record("deadline.ladder.changed", "incident", id.ToString(), deadline.LadderOverride, ladder);
        deadline.LadderOverride = ladder;
        await audit.CommitAsync(ct);
        await sync.SyncAsync(id, ct);
        return TypedResults.Ok((await ViewsAsync(db, db.Deadlines.Where(d => d.Id == deadlineId), clock.GetCurrentInstant(), ct))[0]);
    }

    private static async Task<Results<Ok<DeliveryView[]>, ProblemHttpResult>> Deliveries(
        Guid id, string? state, IncidentDbContext db, CurrentActor actor, CancellationToken ct)
    {
        var (filter, bad) = Require.OptionalWord<DeliveryState>("state", state, FailureKind.BadRequest);
        if (bad is not null)
        {
            return bad.ToProblem();
        }

        if (!await db.IsVisibleAsync(actor, id, ct))
        {
            return Failure.NotFound("The incident").ToProblem();
        }

        var query = db.Deliveries.AsNoTracking().Where(d => d.IncidentId == id && d.Channel != DeliveryChannel.InApp);
        if (filter is { } s)
        {
            query = query.Where(d => d.State == s);
        }

        return TypedResults.Ok((await query.OrderByDescending(d => d.CreatedAt).Take(1000).ToListAsync(ct)).Select(View).ToArray());
    }

    private static async Task<Ok<DeliveryView[]>> Inbox(bool? unread, IncidentDbContext db, CurrentActor actor, CancellationToken ct)
    {
        var query = db.Deliveries.AsNoTracking().Where(d => d.Recipient == actor.Id && d.Channel == DeliveryChannel.InApp);
        if (unread == true)
        {
            query = query.Where(d => d.ReadAt == null);
        }

        return TypedResults.Ok((await query.OrderByDescending(d => d.CreatedAt).Take(500).ToListAsync(ct)).Select(View).ToArray());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> MarkRead(Guid deliveryId, IncidentDbContext db, CurrentActor actor, IClock clock, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        var changed = await db.Deliveries.Where(d => d.Id == deliveryId && d.Recipient == actor.Id && d.Channel == DeliveryChannel.InApp)
            .ExecuteUpdateAsync(u => u.SetProperty(d => d.ReadAt, d => d.ReadAt ?? now), ct);
        return changed == 0 ? Failure.NotFound("The message").ToProblem() : TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> SetOrganisationLadder(
        LadderSetting? body, IncidentDbContext db, AuditTrail audit, IClock clock, CancellationToken ct)
    {
        string? json = null;
        if (body is { Rungs: not null })
        {
            var reading = LadderSettings.Read(body);
            if (reading.Ladder is null)
            {
                return Failure.Invalid(reading.Field!, reading.Error!).ToProblem();
            }

            json = JsonSerializer.Serialize(body, WireJson.Options);
        }

        var organisation = await db.Organisations.FirstOrDefaultAsync(ct);
        if (organisation is null)
        {
            return Failure.NotFound("The organisation").ToProblem();
        }

        audit.Record("organisation.reminder-ladder.changed", "organisation", organisation.Id.ToString(), organisation.ReminderLadder, json);
        organisation.ReminderLadder = json;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // Every open incident's rungs follow the new ladder at the next sweep.
        var now = clock.GetCurrentInstant();
        foreach (var incident in await db.Incidents.Where(i => i.Status != Core.Incidents.IncidentStatus.Closed).Select(i => i.Id).ToListAsync(ct))
        {
            await DeadlineSync.RequestAsync(db, incident, now, ct);
        }

        await audit.CommitAsync(ct);
        await transaction.CommitAsync(ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<WebhookView[]>> ListWebhooks(IncidentDbContext db, CancellationToken ct) =>
        TypedResults.Ok((await db.Webhooks.AsNoTracking().OrderBy(w => w.CreatedAt).ToListAsync(ct)).Select(w => View(w, null)).ToArray());

    /// <summary>Adds a webhook; its signing secret is shown in this answer only.</summary>
    private static async Task<Results<Created<WebhookView>, ProblemHttpResult>> AddWebhook(WebhookRequest body, IncidentDbContext db, AuditTrail audit, IClock clock, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(body.Name) || body.Name.Length > 200)
        {
            return Failure.Invalid("name", "Give the webhook a name of at most 200 characters.").ToProblem();
        }

        if (!Uri.TryCreate(body.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp) || body.Url!.Length > 2000)
        {
            return Failure.Invalid("url", "Give an absolute http or https URL.").ToProblem();
        }

        if (body.Secret is { Length: < 16 or > 200 })
        {
            return Failure.Invalid("secret", "A signing secret has 16 to 200 characters; leave it out to have one generated.").ToProblem();
        }

        var hook = new WebhookSubscription
        {
            Id = Guid.CreateVersion7(), Name = body.Name, Url = url.ToString(), Secret = body.Secret ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
            Format = body.Format ?? WebhookFormat.Json, IncludeExercises = body.IncludeExercises ?? false, CreatedAt = clock.GetCurrentInstant(),
        };
        db.Webhooks.Add(hook);
        audit.Record("webhook.added", "webhook", hook.Id.ToString(), null, new { hook.Name, hook.Url, hook.Format, hook.IncludeExercises });
        await audit.CommitAsync(ct);
        return TypedResults.Created($"/api/v1/webhooks/{hook.Id}", View(hook, hook.Secret));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveWebhook(Guid hookId, IncidentDbContext db, AuditTrail audit, CancellationToken ct)
    {
        var hook = await db.Webhooks.SingleOrDefaultAsync(w => w.Id == hookId, ct);
        if (hook is null)
        {
            return Failure.NotFound("The webhook").ToProblem();
        }

        // Its pending deliveries go with it; sent ones stay as the record of what went out.
        await db.Deliveries.Where(d => d.Recipient == hookId && d.Channel == DeliveryChannel.Webhook && d.State == DeliveryState.Pending)
            .ExecuteUpdateAsync(u => u.SetProperty(d => d.State, DeliveryState.Failed).SetProperty(d => d.LastError, "The webhook was removed."), ct);
        db.Webhooks.Remove(hook);
        audit.Record("webhook.removed", "webhook", hook.Id.ToString(), new { hook.Name, hook.Url }, null);
        await audit.CommitAsync(ct);
        return TypedResults.NoContent();
    }

    private static DeliveryView View(Delivery d) => new(d.Id, d.DeadlineId, d.IncidentId, d.RungKey, d.Recipient, d.Channel, d.State, d.Subject, d.Body, d.Attempts,
        d.CreatedAt, d.SentAt, d.ReadAt, d.LastError);

    private static WebhookView View(WebhookSubscription w, string? secret) => new(w.Id, w.Name, w.Url, w.Format, w.IncludeExercises, w.CreatedAt, secret);
}
