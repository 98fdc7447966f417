using IncidentResponse.Core;
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

namespace IncidentResponse.Server.Playbooks;

public sealed record AddTaskRequest(string? Title, string? Description, string? Team, string? Phase, Guid? AssigneeId, Instant? DueAt, string? After);

public sealed record StepGroup(string Key, IReadOnlyList<TaskView> Steps);

public sealed record IncidentStepsView(Guid IncidentId, string GroupBy, IReadOnlyList<StepGroup> Groups);

/// <summary>
/// An incident's work beyond its playbooks: ad-hoc tasks added by hand (docs/playbooks.md "Ad-hoc tasks"),
/// and every step of every run listed by phase or by team with its due date.
/// </summary>
public static class AdHocTasks
{
    private const int Attempts = 3;

    public static RouteGroupBuilder MapAdHocTasksApi(this RouteGroupBuilder api)
    {
        var incident = api.MapGroup("/incidents/{id:guid}").WithTags("Playbooks");
        incident.MapPost("/tasks", Add).RequirePermission(Permission.ManagePlaybooks);
        incident.MapGet("/steps", Steps).RequirePermission(Permission.ReadIncidents);
        return api;
    }

    private static async Task<Results<Created<TaskView>, ProblemHttpResult>> Add(
        Guid id, AddTaskRequest? body, [AsParameters] TasksApi.TaskServices s, AuditTrail audit, CancellationToken ct)
    {
        var incident = await s.Db.Incidents.AsNoTracking().VisibleTo(s.Actor).Where(i => i.Id == id).Select(i => new { i.Status }).SingleOrDefaultAsync(ct);
        if (incident is null)
        {
            return Failure.NotFound("The incident").ToProblem();
        }

        var team = Require.Word<Team>("team", body?.Team ?? "", FailureKind.Invalid);
        var phase = Require.OptionalWord<Phase>("phase", body?.Phase, FailureKind.Invalid);
        var invalid = Require.Text("title", body?.Title, 200) ?? Require.Text("description", body?.Description, IncidentLimits.TextLength)
            ?? team.Failure ?? phase.Failure ?? Require.Present("dueAt", body?.DueAt) ?? Require.OptionalText("after", body?.After, 80);
        if (invalid is not null)
        {
            return invalid.ToProblem();
        }

        if (body!.AssigneeId is { } assignee && await TaskAssignment.CheckAssigneeAsync(s.Db, id, team.Value, assignee, ct) is { } refused)
        {
            return refused.ToProblem();
        }

        var added = await AddWithRetryAsync(id, body, team.Value, phase.Value ?? AdHocPlaybook.PhaseOf(incident.Status), s, audit, ct);
        if (added.Failure is { } failure)
        {
            return failure.ToProblem();
        }

        // The engine opens the task now, or once the task it follows is resolved.
        await s.Runs.ApplyAsync(added.Value.RunId, new IncidentChanged(), ct);
        var view = await TasksApi.View(s, added.Value.RunId, ct);
        return TypedResults.Created($"/api/v1/tasks?incident={id}", view.Steps.Single(t => t.StepId == added.Value.StepId));
    }

    private static async Task<Outcome<(Guid RunId, string StepId)>> AddWithRetryAsync(
        Guid incidentId, AddTaskRequest body, Team team, Phase phase, TasksApi.TaskServices s, AuditTrail audit, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await AddOnceAsync(incidentId, body, team, phase, s, audit, ct);
            }
            catch (DbUpdateException) when (attempt < Attempts)
            {
                // Someone added the incident's first task, or a task numbered the same, at the same moment: number again.
                s.Db.ChangeTracker.Clear();
            }
        }
    }

    /// <summary>Stores the task as a blocked step of the incident's ad-hoc run (created with the first task), audited, in one transaction.</summary>
    private static async Task<Outcome<(Guid RunId, string StepId)>> AddOnceAsync(
        Guid incidentId, AddTaskRequest body, Team team, Phase phase, TasksApi.TaskServices s, AuditTrail audit, CancellationToken ct)
    {
        var now = s.Clock.GetCurrentInstant();
        await using var transaction = await s.Db.Database.BeginTransactionAsync(ct);
        var run = await s.Db.PlaybookRuns.Include(r => r.Steps).SingleOrDefaultAsync(r => r.IncidentId == incidentId && r.PlaybookId == AdHocPlaybook.Id, ct);
        if (run is null)
        {
            await PlaybookLibrary.StoreAsync(s.Db, AdHocPlaybook.Definition([]), "", now, ct);
            run = new PlaybookRunRecord { Id = Guid.CreateVersion7(), IncidentId = incidentId, PlaybookId = AdHocPlaybook.Id, DefinitionHash = AdHocPlaybook.Hash, StartedAt = now };
            s.Db.PlaybookRuns.Add(run);
        }
        else
        {
            // A new task reopens a finished run; the run's version moves so a concurrent transition conflicts.
            s.Db.Entry(run).State = EntityState.Modified;
        }

        if (body.After is { } after && run.Steps.All(x => x.StepId != after))
        {
            return Failure.Invalid("after", $"The incident has no ad-hoc task '{after}' to follow.");
        }

        var step = new RunStepRecord
        {
            RunId = run.Id, StepId = $"task-{run.Steps.Count + 1}", Status = StepStatus.Blocked, Team = team, Kind = StepKind.Task, Title = body.Title!.Trim(),
            Description = body.Description!.Trim(), Phase = phase, After = body.After, DueAt = body.DueAt, AssigneeId = body.AssigneeId,
        };
        run.Steps.Add(step);
        audit.Record("playbook.task.added", "incident", incidentId.ToString(), null, new
        {
            runId = run.Id, step = step.StepId, step.Title, step.Team, step.Phase, step.DueAt, step.AssigneeId, step.After,
        });
        await Deadlines.DeadlineSync.RequestAsync(s.Db, incidentId, now, ct);
        await audit.CommitAsync(ct);
        await transaction.CommitAsync(ct);
        s.Db.ChangeTracker.Clear();
        return (run.Id, step.StepId);
    }

    /// <summary>Every step of the incident's runs, ad-hoc tasks included, grouped by phase or team in their natural order, soonest due first.</summary>
    private static async Task<Results<Ok<IncidentStepsView>, ProblemHttpResult>> Steps(
        Guid id, string? groupBy, [AsParameters] TasksApi.TaskServices s, CancellationToken ct)
    {
        if (groupBy is not (null or "phase" or "team"))
        {
            return new Failure(FailureKind.BadRequest, $"'{groupBy}' is not a valid groupBy. Allowed: phase, team.", "groupBy").ToProblem();
        }

        if (!await s.Db.IsVisibleAsync(s.Actor, id, ct))
        {
            return Failure.NotFound("The incident").ToProblem();
        }

        var steps = new List<TaskView>();
        foreach (var run in await s.Db.PlaybookRuns.AsNoTracking().Where(r => r.IncidentId == id).OrderBy(r => r.StartedAt).Select(r => r.Id).ToListAsync(ct))
        {
            steps.AddRange((await TasksApi.View(s, run, ct)).Steps);
        }

        var byTeam = groupBy == "team";
        var groups = steps
            .GroupBy(t => byTeam ? (int)t.Team : (int)t.Phase)
            .OrderBy(g => g.Key)
            .Select(g => new StepGroup(
                (byTeam ? g.First().Team.ToString() : g.First().Phase.ToString()).ToCamelCase(),
                g.OrderBy(t => t.DueAt ?? Instant.MaxValue).ThenBy(t => t.Title, StringComparer.Ordinal).ToList()))
            .ToList();
        return TypedResults.Ok(new IncidentStepsView(id, byTeam ? "team" : "phase", groups));
    }
}
