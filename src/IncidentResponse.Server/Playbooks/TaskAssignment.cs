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

namespace IncidentResponse.Server.Playbooks;

public sealed record AssignStepRequest(Guid? AssigneeId);

/// <summary>Who may be given a team's task on an incident, and giving it (docs/playbooks.md "Assignment").</summary>
public static class TaskAssignment
{
    public static RouteGroupBuilder MapTaskAssignmentApi(this RouteGroupBuilder api)
    {
        api.MapPost("/runs/{runId:guid}/steps/{stepId}/assign", Assign).WithTags("Playbooks").RequirePermission(Permission.ManagePlaybooks);
        return api;
    }

    /// <summary>
    /// Why this person cannot take the team's tasks on this incident, or null: an active user who can see
    /// the incident and works for the team (by role, or as the incident's lead for it).
    /// </summary>
    public static async Task<Failure?> CheckAssigneeAsync(IncidentDbContext db, Guid incidentId, Team team, Guid userId, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, ct);
        if (user is null || user.Disabled)
        {
            return Failure.Invalid("assigneeId", $"There is no active user '{userId}'.");
        }

        var incident = await db.Incidents.AsNoTracking().Where(i => i.Id == incidentId)
            .Select(i => new { i.Restricted, Member = i.Members.Any(m => m.UserId == userId), Lead = i.TeamLeads.Any(l => l.UserId == userId && l.Role == Teams.LeadOf(team)) })
            .SingleAsync(ct);
        if (!Permissions.CanSeeIncident(incident.Restricted, incident.Member, user.Roles))
        {
            return Failure.Invalid("assigneeId", $"{user.DisplayName} cannot see this restricted incident; add them as a member first.");
        }

        return incident.Lead || Teams.MayWorkOn(team, user.Roles)
            ? null
            : Failure.Invalid("assigneeId", $"{user.DisplayName} does not work on {team.ToString().ToCamelCase()} tasks.");
    }

    private static async Task<Results<Ok<RunView>, ProblemHttpResult>> Assign(
        Guid runId, string stepId, AssignStepRequest? body, [AsParameters] TasksApi.TaskServices s, AuditTrail audit, CancellationToken ct)
    {
        var run = await s.Db.PlaybookRuns.SingleOrDefaultAsync(r => r.Id == runId, ct);
        var row = run is null ? null : await s.Db.RunSteps.SingleOrDefaultAsync(r => r.RunId == runId && r.StepId == stepId, ct);
        if (row is null || !await s.Db.IsVisibleAsync(s.Actor, run!.IncidentId, ct))
        {
            return Failure.NotFound($"The step '{stepId}'").ToProblem();
        }

        if (row.Status is StepStatus.Done or StepStatus.Skipped or StepStatus.Cancelled)
        {
            return Failure.Conflict($"The step '{stepId}' is {row.Status.ToString().ToCamelCase()} already.").ToProblem();
        }

        if (body?.AssigneeId is { } assignee && await CheckAssigneeAsync(s.Db, run.IncidentId, row.Team, assignee, ct) is { } refused)
        {
            return refused.ToProblem();
        }

        if (row.AssigneeId != body?.AssigneeId)
        {
            var before = row.AssigneeId;
            row.AssigneeId = body?.AssigneeId;
            var now = s.Clock.GetCurrentInstant();
            await using var transaction = await s.Db.Database.BeginTransactionAsync(ct);
            // The assignee owns the step's deadline; and the run's version moves, so a concurrent transition conflicts.
            await Deadlines.DeadlineSync.RequestAsync(s.Db, run.IncidentId, now, ct);
            s.Db.Entry(run).State = EntityState.Modified;
            audit.Record("playbook.step.assigned", "incident", run.IncidentId.ToString(), new { runId, step = stepId, assigneeId = before },
                new { runId, step = stepId, assigneeId = row.AssigneeId });
            try
            {
                await audit.CommitAsync(ct);
            }
            catch (DbUpdateConcurrencyException)
            {
                return Failure.Conflict("The run moved while the step was being assigned; try again.").ToProblem();
            }

            await transaction.CommitAsync(ct);
        }

        return TypedResults.Ok(await TasksApi.View(s, runId, ct));
    }
}
