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

public sealed record MigrateRunRequest(string? To, bool? Force, string? Reason);

/// <summary>A migration, planned or done: every step's fate and the conflicts; the run's version to send back as If-Match.</summary>
public sealed record MigrationView(
    Guid RunId, int RunVersion, string PlaybookId, string FromHash, int FromVersion, string ToHash, int ToVersion,
    IReadOnlyList<MigratedStep> Steps, IReadOnlyList<MigrationConflict> Conflicts)
{
    public static MigrationView Of(PlaybookRunRecord run, MigrationPlan plan) => new(
        run.Id, run.Version, run.PlaybookId, plan.FromHash, plan.FromVersion, plan.ToHash, plan.ToVersion, plan.Steps, plan.Conflicts);
}

/// <summary>A run read for migration, the version it would move to, and the core's plan.</summary>
public sealed record PlannedMigration(PlaybookRunRecord Run, PlaybookDefinition Target, MigrationPlan Plan);

/// <summary>
/// Moves a running incident's run to another stored version of its playbook, only when someone asks
/// (docs/playbooks.md "Migrating a running incident"): the core plans, this stores the plan in one
/// transaction with its audit event, then lets the engine advance the run as it does after a start.
/// </summary>
public sealed class RunMigrations(IncidentDbContext db, AuditTrail audit, IClock clock, PlaybookLibrary library, PlaybookRuns runs)
{
    /// <summary>The plan to the version with this hash, or to the playbook's current version.</summary>
    public async Task<Outcome<PlannedMigration>> PlanAsync(PlaybookRunRecord run, string? toHash, CancellationToken ct)
    {
        if (run.PlaybookId == AdHocPlaybook.Id)
        {
            return Failure.Conflict("Ad-hoc tasks follow no playbook version; there is nothing to migrate.");
        }

        var current = await library.CurrentAsync(db, run.PlaybookId, ct);
        var target = toHash is null || current?.ContentHash == toHash
            ? current
            : await db.StoredPlaybooks.AnyAsync(p => p.Hash == toHash && p.PlaybookId == run.PlaybookId, ct) ? await library.PinnedAsync(db, toHash, ct) : null;
        if (target is null)
        {
            return Failure.NotFound(toHash is null ? $"The playbook '{run.PlaybookId}'" : $"The version '{toHash}' of '{run.PlaybookId}'");
        }

        if (target.ContentHash == run.DefinitionHash)
        {
            return Failure.Conflict($"The run already follows version {target.Version} of '{run.PlaybookId}' ({target.ContentHash}).");
        }

        var from = await library.PinnedAsync(db, run.DefinitionHash, ct);
        var states = run.Steps.ToDictionary(s => s.StepId, PlaybookRuns.ToState);
        var context = await RunContext.LoadAsync(db, run.IncidentId, clock.GetCurrentInstant(), ct);
        var plan = RunMigration.Plan(from, target, states, context);
        return new PlannedMigration(run, target, plan);
    }

    /// <summary>Stores a plan made from the tracked run: dropped steps go, new ones arrive blocked, kept ones take the planned state.</summary>
    public async Task<Outcome<PlaybookRunRecord>> MigrateAsync(PlannedMigration planned, bool forced, string? reason, CancellationToken ct)
    {
        var (run, target, plan) = planned;
        var now = clock.GetCurrentInstant();
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            await library.EnsureStoredAsync(db, target, now, ct);
            var dropped = plan.Dropped.ToHashSet();
            db.RunSteps.RemoveRange(run.Steps.Where(s => dropped.Contains(s.StepId)));
            foreach (var step in target.Steps)
            {
                var row = run.Steps.SingleOrDefault(s => s.StepId == step.Id);
                if (row is null)
                {
                    row = new RunStepRecord { RunId = run.Id, StepId = step.Id, Title = step.Title };
                    db.RunSteps.Add(row);
                }

                (row.Title, row.Team, row.Kind, row.Automated) = (step.Title, step.Team, step.Kind, step.Automated);
                PlaybookRuns.Write(row, plan.States[step.Id]);
            }

            run.DefinitionHash = target.ContentHash;
            run.FinishedAt = plan.States.Values.All(s => s.Resolved) ? now : null;
            audit.Record("playbook.run.migrated", "incident", run.IncidentId.ToString(),
                new { runId = run.Id, hash = plan.FromHash, version = plan.FromVersion },
                new { runId = run.Id, hash = plan.ToHash, version = plan.ToVersion, forced, reason, steps = plan.Steps, conflicts = plan.Conflicts });
            // Dropped, reopened and new steps change the incident's deadlines.
            await Deadlines.DeadlineSync.RequestAsync(db, run.IncidentId, now, ct);
            try
            {
                await audit.CommitAsync(ct);
            }
            catch (DbUpdateConcurrencyException)
            {
                return Failure.Conflict("The run moved while it was being migrated; plan the migration again.");
            }

            await transaction.CommitAsync(ct);
        }

        // New steps are evaluated now: ready, or skipped by their condition (automated ones are queued).
        db.ChangeTracker.Clear();
        var applied = await runs.ApplyAsync(run.Id, new IncidentChanged(), ct);
        return applied.Failure is { } failure ? failure : applied.Value!.Run;
    }
}

/// <summary>Dry run and migration of a running incident's playbook run.</summary>
public static class RunMigrationApi
{
    public static RouteGroupBuilder MapRunMigrationApi(this RouteGroupBuilder api)
    {
        var run = api.MapGroup("/runs/{runId:guid}").WithTags("Playbooks");
        run.MapGet("/migration", DryRun).RequirePermission(Permission.ManagePlaybooks);
        run.MapPost("/migrate", Migrate).RequirePermission(Permission.ManagePlaybooks);
        return api;
    }

    public sealed record MigrationServices(IncidentDbContext Db, RunMigrations Migrations, CurrentActor Actor);

    private static async Task<Results<Ok<MigrationView>, ProblemHttpResult>> DryRun(
        Guid runId, string? to, [AsParameters] MigrationServices s, HttpResponse response, CancellationToken ct)
    {
        var planned = await PlanAsync(runId, to, s, ct);
        if (planned.Failure is { } failure)
        {
            return failure.ToProblem();
        }

        response.Headers.ETag = Versioning.ETag(planned.Value!.Run.Version);
        return TypedResults.Ok(MigrationView.Of(planned.Value.Run, planned.Value.Plan));
    }

    private static async Task<Results<Ok<MigrationView>, ProblemHttpResult>> Migrate(
        Guid runId, MigrateRunRequest? body, [AsParameters] MigrationServices s, HttpRequest request, CancellationToken ct)
    {
        var version = Versioning.RequireIfMatch(request);
        if (version.Failure is { } noVersion)
        {
            return noVersion.ToProblem();
        }

        var forced = body?.Force == true;
        if ((forced ? Require.Text("reason", body!.Reason, IncidentLimits.ReasonLength) : Require.OptionalText("reason", body?.Reason, IncidentLimits.ReasonLength)) is { } badReason)
        {
            return badReason.ToProblem();
        }

        var planned = await PlanAsync(runId, body?.To, s, ct);
        if (planned.Failure is { } failure)
        {
            return failure.ToProblem();
        }

        var (run, _, plan) = planned.Value!;
        if (run.Version != version.Value)
        {
            return Failure.Stale(run.Version).ToProblem();
        }

        if (plan.Conflicts.Count > 0 && !forced)
        {
            return TypedResults.Problem(
                $"The migration to version {plan.ToVersion} has {plan.Conflicts.Count} conflict(s); resolve them, or send force: true with a reason.",
                statusCode: StatusCodes.Status409Conflict, title: "Conflict",
                extensions: new Dictionary<string, object?> { ["conflicts"] = plan.Conflicts });
        }

        var migrated = await s.Migrations.MigrateAsync(planned.Value, forced, body?.Reason, ct);
        if (migrated.Failure is { } refused)
        {
            return refused.ToProblem();
        }

        var after = await s.Db.PlaybookRuns.AsNoTracking().SingleAsync(r => r.Id == runId, ct);
        return TypedResults.Ok(MigrationView.Of(after, plan));
    }

    /// <summary>The run (tracked, with its steps) if the actor may see its incident, and the plan.</summary>
    private static async Task<Outcome<PlannedMigration>> PlanAsync(Guid runId, string? to, MigrationServices s, CancellationToken ct)
    {
        var run = await s.Db.PlaybookRuns.Include(r => r.Steps).SingleOrDefaultAsync(r => r.Id == runId, ct);
        if (run is null || !await s.Db.IsVisibleAsync(s.Actor, run.IncidentId, ct))
        {
            return Failure.NotFound("The playbook run");
        }

        return await s.Migrations.PlanAsync(run, to, ct);
    }
}
