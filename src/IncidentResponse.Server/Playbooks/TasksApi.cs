using IncidentResponse.Core;
using IncidentResponse.Core.Identity;
using IncidentResponse.Core.Incidents;
using IncidentResponse.Core.Playbooks;
using IncidentResponse.Server.Api;
using IncidentResponse.Server.Identity;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace IncidentResponse.Server.Playbooks;

public sealed record TaskView(
    Guid RunId, Guid IncidentId, string IncidentReference, string PlaybookId, string StepId, string Title, Team Team, Phase Phase,
    StepKind Kind, StepStatus Status, Instant? ReadyAt, Instant? CompletedAt, string? CompletedBy, string? Outcome,
    IReadOnlyList<string> Approvals, IReadOnlyList<DecisionOption> Options, IReadOnlyList<string> Approvers, bool Automated,
    int Attempts, string? Note, string Description, Instant? DueAt, bool Overdue, Guid? AssigneeId, IReadOnlyList<string> Evidence);

public sealed record RunView(Guid Id, Guid IncidentId, string PlaybookId, int PlaybookVersion, string DefinitionHash, Instant StartedAt, Instant? FinishedAt, IReadOnlyList<TaskView> Steps);

/// <summary>
/// What a step action changed, for a client that asks for no more (<c>Prefer: return=minimal</c>): the run's finish and
/// the steps the transition moved, each as the inbox shows it. Merged by step id into a view read earlier, it gives the
/// full view the action would have returned.
/// </summary>
public sealed record RunChangeView(Guid Id, Guid IncidentId, Instant? FinishedAt, IReadOnlyList<TaskView> Changed);

public sealed record StartRunRequest(string? PlaybookId);

public sealed record StepActionRequest(string? Note, string? Option, string? Rationale, string? Comment, Instant? At, IReadOnlyList<string>? Evidence);

/// <summary>Playbook runs on incidents, and the task inbox across them.</summary>
public static class TasksApi
{
    public static RouteGroupBuilder MapTasksApi(this RouteGroupBuilder api)
    {
        var runs = api.MapGroup("/incidents/{id:guid}/runs").WithTags("Playbooks");
        runs.MapGet("/", ListRuns).RequirePermission(Permission.ReadIncidents);
        runs.MapPost("/", StartRun).RequirePermission(Permission.ManagePlaybooks);

        api.MapGet("/tasks", Inbox).WithTags("Playbooks").RequirePermission(Permission.ReadIncidents);
        var step = api.MapGroup("/runs/{runId:guid}/steps/{stepId}").WithTags("Playbooks");
        step.MapPost("/start", (Guid runId, string stepId, StepActionRequest? body, [AsParameters] TaskServices s, CancellationToken ct) =>
            Act(runId, stepId, s, _ => new StepStarted(stepId, s.Actor.Name), ct)).RequirePermission(Permission.WorkOnTasks);
        step.MapPost("/complete", (Guid runId, string stepId, StepActionRequest? body, [AsParameters] TaskServices s, CancellationToken ct) =>
            Act(runId, stepId, s, _ => EvidenceLinks.Read(body?.Evidence) is var evidence && evidence.Failure is { } bad
                ? bad
                : new StepCompleted(stepId, s.Actor.Name, body?.Note, body?.At, evidence.Value), ct)).RequirePermission(Permission.WorkOnTasks);
        step.MapPost("/decide", (Guid runId, string stepId, StepActionRequest? body, [AsParameters] TaskServices s, CancellationToken ct) =>
            Act(runId, stepId, s, _ => (object?)(Require.Text("option", body?.Option, 80) ?? Require.Text("rationale", body!.Rationale, IncidentLimits.TextLength))
                ?? new DecisionTaken(stepId, body!.Option!, s.Actor.Name, body.Rationale!), ct)).RequirePermission(Permission.RecordDecisions);
        step.MapPost("/approve", (Guid runId, string stepId, StepActionRequest? body, [AsParameters] TaskServices s, CancellationToken ct) =>
            Act(runId, stepId, s, definition => ApproverRole(definition, s.Actor) is { } role
                ? new ApprovalGiven(stepId, role, s.Actor.Name)
                : Failure.Conflict($"None of your roles approves '{stepId}' ({string.Join(", ", definition.Approvers)})."), ct)).RequirePermission(Permission.WorkOnTasks);
        step.MapPost("/reject", (Guid runId, string stepId, StepActionRequest? body, [AsParameters] TaskServices s, CancellationToken ct) =>
            Act(runId, stepId, s, definition => (object?)Require.Text("comment", body?.Comment, IncidentLimits.TextLength)
                ?? (ApproverRole(definition, s.Actor) is { } role
                    ? new ApprovalRejected(stepId, role, s.Actor.Name, body!.Comment!)
                    : Failure.Conflict($"None of your roles approves '{stepId}' ({string.Join(", ", definition.Approvers)}).")), ct))
            .RequirePermission(Permission.WorkOnTasks);
        step.MapPost("/cancel", (Guid runId, string stepId, StepActionRequest? body, [AsParameters] TaskServices s, CancellationToken ct) =>
            Act(runId, stepId, s, _ => (object?)Require.Text("comment", body?.Comment, IncidentLimits.ReasonLength)
                ?? new StepCancelled(stepId, s.Actor.Name, body!.Comment!), ct)).RequirePermission(Permission.ManagePlaybooks);
        step.MapPost("/retry", RetryAutomated).RequirePermission(Permission.ManagePlaybooks);
        return api;
    }

    /// <summary>Services every task endpoint uses, bundled.</summary>
    public sealed record TaskServices(
        IncidentDbContext Db, PlaybookRuns Runs, PlaybookLibrary Library, CurrentActor Actor, AutomatedStepQueue AutomatedSteps, IClock Clock, HttpContext Http);

    /// <summary>
    /// A step action: the run's whole view, or on <c>Prefer: return=minimal</c> (RFC 7240) only what the action changed
    /// (<see cref="RunChangeView"/>), which saves a client that keeps the view the whole run's JSON.
    /// </summary>
    private static async Task<Results<Ok<RunView>, Ok<RunChangeView>, ProblemHttpResult>> Act(
        Guid runId, string stepId, TaskServices s, Func<StepDefinition, object> toEvent, CancellationToken ct)
    {
        // Who may act, and on what, is decided again on every attempt, on the run as that attempt reads it.
        var outcome = await s.Runs.ApplyAsync(runId, snapshot =>
            !snapshot.Context.VisibleTo(s.Actor) ? Failure.NotFound("The playbook run")
            : !snapshot.Definition.HasStep(stepId) ? Failure.NotFound($"The step '{stepId}'")
            : toEvent(snapshot.Definition.Step(stepId)), ct);
        if (outcome.Failure is { } refused)
        {
            return refused.ToProblem();
        }

        // The transition holds the run as committed and the incident as it saw it: the view needs no second read.
        var (applied, context, definition, changed) = outcome.Value!;
        var anchors = context.Anchors(applied);
        if (!PrefersMinimal(s.Http.Request))
        {
            return TypedResults.Ok(ToView(s, applied, context.Reference, anchors, definition));
        }

        s.Http.Response.Headers["Preference-Applied"] = "return=minimal";
        var now = s.Clock.GetCurrentInstant();
        return TypedResults.Ok(new RunChangeView(applied.Id, applied.IncidentId, applied.FinishedAt,
            Ordered(applied, definition).Where(x => changed.Contains(x.StepId)).Select(x => ToTask(definition, applied, x, context.Reference, anchors, now)).ToList()));
    }

    /// <summary>Whether the request prefers the minimal answer (RFC 7240: preferences in one or more Prefer headers, comma separated).</summary>
    private static bool PrefersMinimal(HttpRequest request) =>
        request.Headers["Prefer"].SelectMany(h => (h ?? "").Split(','))
            .Select(p => p.Split(';')[0].Replace(" ", "").Replace("\"", ""))
            .Any(p => p.Equals("return=minimal", StringComparison.OrdinalIgnoreCase));

    private static async Task<Results<Ok<RunView>, ProblemHttpResult>> RetryAutomated(Guid runId, string stepId, [AsParameters] TaskServices s, CancellationToken ct)
    {
        var row = await s.Db.RunSteps.AsNoTracking().SingleOrDefaultAsync(r => r.RunId == runId && r.StepId == stepId, ct);
        var run = row is null ? null : await s.Db.PlaybookRuns.AsNoTracking().SingleAsync(r => r.Id == runId, ct);
        if (row is null || !await s.Db.IsVisibleAsync(s.Actor, run!.IncidentId, ct))
        {
            return Failure.NotFound("The step").ToProblem();
        }

        if (!row.Automated || row.Status is not (StepStatus.Failed or StepStatus.Ready or StepStatus.InProgress))
        {
            return Failure.Conflict($"Only an open automated step can be retried; '{stepId}' is {row.Status.ToString().ToCamelCase()}.").ToProblem();
        }

        await s.Runs.ApplyAsync(runId, new StepRetried(stepId, s.Actor.Name), ct);
        s.AutomatedSteps.Request(runId, stepId);
        return TypedResults.Ok(await View(s, runId, ct));
    }

    private static async Task<Results<Ok<RunView[]>, ProblemHttpResult>> ListRuns(Guid id, [AsParameters] TaskServices s, CancellationToken ct)
    {
        if (!await s.Db.IsVisibleAsync(s.Actor, id, ct))
        {
            return Failure.NotFound("The incident").ToProblem();
        }

        var runs = await s.Db.PlaybookRuns.AsNoTracking().Where(r => r.IncidentId == id).OrderBy(r => r.StartedAt).Select(r => r.Id).ToListAsync(ct);
        var views = new List<RunView>();
        foreach (var run in runs)
        {
            views.Add(await View(s, run, ct));
        }

        return TypedResults.Ok(views.ToArray());
    }

    private static async Task<Results<Created<RunView>, ProblemHttpResult>> StartRun(Guid id, StartRunRequest? body, [AsParameters] TaskServices s, CancellationToken ct)
    {
        if (!await s.Db.IsVisibleAsync(s.Actor, id, ct))
        {
            return Failure.NotFound("The incident").ToProblem();
        }

        var outcome = await s.Runs.StartAsync(id, body?.PlaybookId, ct);
        return outcome.Failure is { } f
            ? f.ToProblem()
            : TypedResults.Created($"/api/v1/incidents/{id}/runs", await View(s, outcome.Value!.Id, ct));
    }

    /// <summary>The inbox: open steps across visible incidents, mine (assigned, or my team's as its lead), by team, incident or status.</summary>
    private static async Task<Results<Ok<TaskView[]>, ProblemHttpResult>> Inbox(
        [AsParameters] TaskServices s, bool? mine, string? team, Guid? incident, bool? all, bool? overdue, string? status, CancellationToken ct)
    {
        var (teamFilter, badTeam) = Require.OptionalWord<Team>("team", team, FailureKind.BadRequest);
        var (statusFilter, badStatus) = Require.OptionalWord<StepStatus>("status", status, FailureKind.BadRequest);
        if ((badTeam ?? badStatus) is { } bad)
        {
            return bad.ToProblem();
        }

        var visible = s.Db.Incidents.AsNoTracking().VisibleTo(s.Actor);
        if (all != true)
        {
            // A closed incident's remaining steps are no one's work (closing with open tasks needs an override).
            visible = visible.Where(i => i.Status != IncidentStatus.Closed);
        }

        var query =
            from step in s.Db.RunSteps.AsNoTracking()
            join run in s.Db.PlaybookRuns.AsNoTracking() on step.RunId equals run.Id
            join i in visible on run.IncidentId equals i.Id
            select new { step, run, i.Reference };
        if (statusFilter is { } wanted)
        {
            query = query.Where(x => x.step.Status == wanted);
        }
        else if (all != true)
        {
            query = query.Where(x => x.step.Status == StepStatus.Ready || x.step.Status == StepStatus.InProgress || x.step.Status == StepStatus.Failed);
        }

        if (incident is { } incidentId)
        {
            query = query.Where(x => x.run.IncidentId == incidentId);
        }

        if (teamFilter is { } t)
        {
            query = query.Where(x => x.step.Team == t);
        }

        var rows = await query.OrderBy(x => x.step.ReadyAt).Take(500).ToListAsync(ct);
        if (mine == true)
        {
            var me = s.Actor.Id;
            var incidents = rows.Select(r => r.run.IncidentId).Distinct().ToList();
            var leads = await s.Db.TeamLeads.AsNoTracking().Where(l => incidents.Contains(l.IncidentId) && l.UserId == me).ToListAsync(ct);
            rows = rows.Where(r => r.step.AssigneeId == me
                || (r.step.AssigneeId is null && leads.Any(l => l.IncidentId == r.run.IncidentId && l.Role == Teams.LeadOf(r.step.Team)))).ToList();
        }

        var anchors = new Dictionary<Guid, DueAnchors>();
        var definitions = new Dictionary<Guid, PlaybookDefinition>();
        foreach (var run in rows.Select(r => r.run).DistinctBy(r => r.Id))
        {
            anchors[run.Id] = await RunDueAnchors.LoadAsync(s.Db, run, ct);
            definitions[run.Id] = await s.Library.DefinitionAsync(s.Db, run, ct);
        }

        var now = s.Clock.GetCurrentInstant();
        var tasks = rows.Select(r => ToTask(definitions[r.run.Id], r.run, r.step, r.Reference, anchors[r.run.Id], now));
        if (overdue == true)
        {
            tasks = tasks.Where(t => t.Overdue);
        }

        return TypedResults.Ok(tasks.OrderBy(t => t.DueAt ?? Instant.MaxValue).ToArray());
    }

    internal static async Task<RunView> View(TaskServices s, Guid runId, CancellationToken ct)
    {
        var run = await s.Db.PlaybookRuns.AsNoTracking().Include(r => r.Steps).SingleAsync(r => r.Id == runId, ct);
        var reference = await s.Db.Incidents.AsNoTracking().Where(i => i.Id == run.IncidentId).Select(i => i.Reference).SingleAsync(ct);
        return ToView(s, run, reference, await RunDueAnchors.LoadAsync(s.Db, run, ct), await s.Library.DefinitionAsync(s.Db, run, ct));
    }

    private static RunView ToView(TaskServices s, PlaybookRunRecord run, string reference, DueAnchors anchors, PlaybookDefinition definition)
    {
        var now = s.Clock.GetCurrentInstant();
        return new RunView(run.Id, run.IncidentId, run.PlaybookId, definition.Version, run.DefinitionHash, run.StartedAt, run.FinishedAt,
            Ordered(run, definition).Select(x => ToTask(definition, run, x, reference, anchors, now)).ToList());
    }

    /// <summary>The run's steps in the definition's order.</summary>
    private static IEnumerable<RunStepRecord> Ordered(PlaybookRunRecord run, PlaybookDefinition definition)
    {
        var order = definition.Steps.Select((step, i) => (step.Id, i)).ToDictionary(x => x.Id, x => x.i);
        return run.Steps.OrderBy(x => order.GetValueOrDefault(x.StepId));
    }

    private static TaskView ToTask(PlaybookDefinition playbook, PlaybookRunRecord run, RunStepRecord step, string reference, DueAnchors anchors, Instant now)
    {
        var definition = playbook.HasStep(step.StepId) ? playbook.Step(step.StepId) : null;
        var due = step.DueAt ?? StepDue.Compute(definition?.Due, anchors);
        var open = step.Status is StepStatus.Ready or StepStatus.InProgress or StepStatus.Failed;
        return new TaskView(run.Id, run.IncidentId, reference, run.PlaybookId, step.StepId, step.Title, step.Team, definition?.Phase ?? Phase.Detection,
            step.Kind, step.Status, step.ReadyAt, step.CompletedAt, step.CompletedBy, step.Outcome,
            step.Approvals?.Split(',', StringSplitOptions.RemoveEmptyEntries) ?? [], definition?.Options ?? [], definition?.Approvers ?? [],
            step.Automated, step.Attempts, step.Note, definition?.Description ?? "", due, open && due < now, step.AssigneeId, EvidenceLinks.Split(step.Evidence));
    }

    /// <summary>The approver role the actor holds for this step, in the playbook's words (legal, incidentCommander, ...).</summary>
    private static string? ApproverRole(StepDefinition step, CurrentActor actor) =>
        step.Approvers.FirstOrDefault(a => actor.Roles.Any(r => r.ToString().ToCamelCase() == a) || (a == "incidentCommander" && actor.Roles.Contains(Role.Administrator)));
}
