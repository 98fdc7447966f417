using System.Text.Json;
using IncidentResponse.Core;
using IncidentResponse.Core.Deadlines;
using IncidentResponse.Core.Laws;
using IncidentResponse.Core.Playbooks;
using IncidentResponse.Core.Incidents;
using IncidentResponse.Server.Audit;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.LawEnforcement;
using IncidentResponse.Server.Persistence;
using IncidentResponse.Server.Playbooks;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace IncidentResponse.Server.Deadlines;

public static class DeadlineServices
{
    public static IServiceCollection AddDeadlines(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(DeliverySettings.From(configuration));
        services.AddSingleton<EmailChannel>();
        services.AddHttpClient<WebhookChannel>(c => c.Timeout = TimeSpan.FromSeconds(15));
        services.AddScoped<DeadlineSync>();
        services.AddScoped<DeadlineSweep>();
        return services;
    }
}

/// <summary>
/// Keeps an incident's deadlines in step with what it knows: obligations from the last assessment, due
/// dates of open playbook steps, ends of law-enforcement delays. Rungs already dispatched stay dispatched,
/// pending ones move with their deadline, new ones appear, obsolete ones are withdrawn; every change is
/// audited. Idempotent: running it twice changes nothing the second time.
/// </summary>
public sealed class DeadlineSync(IncidentDbContext db, AuditTrail audit, IClock clock, PlaybookLibrary library, ILogger<DeadlineSync> logger)
{
    /// <summary>Ladder of a delay's end: three days and one day before, and at the end; nothing repeats after it.</summary>
    public static readonly Ladder DelayLadder = new(
        [new(Duration.FromDays(3), EscalationLevel.Owner), new(Duration.FromDays(1), EscalationLevel.Owner), new(Duration.Zero, EscalationLevel.TeamLead)],
        Duration.Zero, []);

    private sealed record Wanted(string Key, DeadlineSource Source, string Title, string? Citation, Instant? Due, Team Team, Guid? Owner,
        DeadlineStatus Status, Instant? ClosedAt, Ladder Ladder);

    /// <summary>Recomputes, and logs instead of failing: the change that called it stands, and the hourly resync repeats it.</summary>
    public async Task TrySyncAsync(Guid incidentId, CancellationToken ct)
    {
        try
        {
            await SyncAsync(incidentId, ct);
        }
        catch (DbUpdateException e)
        {
            logger.LogWarning(e, "Deadlines of incident {Incident} were not recomputed now; the resync will", incidentId);
        }
    }

    /// <summary>Asks, inside the caller's transaction, for the incident's deadlines to be recomputed by the next sweep.</summary>
    public static Task RequestAsync(IncidentDbContext db, Guid incidentId, Instant now, CancellationToken ct)
    {
        // Raw SQL bypasses value converters: SQLite keeps instants as Unix ticks.
        object at = db.Provider == DatabaseProvider.Sqlite ? now.ToUnixTimeTicks() : now;
        return db.Database.ExecuteSqlAsync(
            $"INSERT INTO deadline_recomputes (incident_id, requested_at) VALUES ({incidentId}, {at}) ON CONFLICT (incident_id) DO UPDATE SET requested_at = excluded.requested_at",
            ct);
    }

    /// <summary>Recomputes the incidents that asked for it; a request made while recomputing stays for the next sweep.</summary>
    public async Task<int> RecomputeRequestedAsync(CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var requests = await db.DeadlineRecomputes.AsNoTracking().OrderBy(r => r.RequestedAt).Take(200).ToListAsync(ct);
        foreach (var request in requests)
        {
            await TrySyncAsync(request.IncidentId, ct);
            await db.DeadlineRecomputes.Where(r => r.IncidentId == request.IncidentId && r.RequestedAt <= request.RequestedAt).ExecuteDeleteAsync(ct);
        }

        return requests.Count;
    }

    /// <summary>The hourly safety net: recomputes every open incident, catching any change whose recomputation was lost.</summary>
    public async Task ResyncOpenIncidentsAsync(CancellationToken ct)
    {
        var open = await db.Incidents.AsNoTracking().Where(i => i.Status != Core.Incidents.IncidentStatus.Closed).Select(i => i.Id).ToListAsync(ct);
        foreach (var incident in open)
        {
            await TrySyncAsync(incident, ct);
        }
    }

    public async Task SyncAsync(Guid incidentId, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // One recomputation per incident at a time; others wait and then find nothing left to do.
        await db.TakeTurnAsync("deadlines:" + incidentId, ct);

        // An exercise's deadlines are laid out on its simulated clock; the rungs get the real instants it reaches them.
        var real = clock.GetCurrentInstant();
        var incidentClock = await IncidentClocks.ForAsync(db, incidentId, ct);
        var now = incidentClock.Now(real);
        var wanted = (await WantedAsync(incidentId, now, ct)).ToDictionary(w => w.Key);
        var existing = await db.Deadlines.Where(d => d.IncidentId == incidentId).ToDictionaryAsync(d => d.Key, ct);
        // Only deadlines that change have their rungs loaded: recomputing a large incident touches what moved.
        var withPending = (await db.DeadlineRungs.AsNoTracking()
            .Where(r => r.State == RungState.Pending && db.Deadlines.Any(d => d.Id == r.DeadlineId && d.IncidentId == incidentId))
            .Select(r => r.DeadlineId).Distinct().ToListAsync(ct)).ToHashSet();
        var target = incidentId.ToString();
        var changes = new List<(Deadline Row, Ladder Ladder, bool Moved, bool Closed, Instant? DueBefore, DeadlineStatus StatusBefore)>();

        foreach (var want in wanted.Values)
        {
            if (!existing.TryGetValue(want.Key, out var row))
            {
                row = new Deadline
                {
                    Id = Guid.CreateVersion7(), IncidentId = incidentId, Key = want.Key, Source = want.Source, Title = want.Title,
                    Ladder = "", CreatedAt = real, UpdatedAt = real,
                };
                db.Deadlines.Add(row);
                audit.Record("deadline.created", "incident", target, null, new { row.Key, want.Title, due = want.Due, want.Status });
            }

            var ladder = row.LadderOverride is { } custom ? Read(custom) ?? want.Ladder : want.Ladder;
            var ladderJson = JsonSerializer.Serialize(ladder, WireJson.Options);
            var moved = row.DueAt != want.Due || row.Ladder != ladderJson;
            var closed = row.Status != want.Status;
            // A deadline closed elsewhere (a follow-up closed by hand) still has its pending rungs withdrawn here.
            var pendingAfterClose = want.Status != DeadlineStatus.Open && withPending.Contains(row.Id);
            if (!moved && !closed && !pendingAfterClose && row.Title == want.Title && row.OwnerId == want.Owner && row.Team == want.Team)
            {
                continue;
            }

            changes.Add((row, ladder, moved, closed, row.DueAt, row.Status));
            (row.Title, row.Citation, row.Team, row.OwnerId, row.Ladder, row.UpdatedAt) = (want.Title, want.Citation, want.Team, want.Owner, ladderJson, real);
            row.DueAt = want.Due;
            row.Status = want.Status;
            row.ClosedAt = want.ClosedAt;
        }

        var gone = existing.Values.Where(d => !wanted.ContainsKey(d.Key) && d.Status == DeadlineStatus.Open).ToList();
        foreach (var row in gone)
        {
            changes.Add((row, Ladder.Default, false, true, row.DueAt, row.Status));
            (row.Status, row.ClosedAt, row.UpdatedAt) = (DeadlineStatus.Withdrawn, now, real);
        }

        var changed = changes.Select(c => c.Row.Id).ToList();
        var rungs = (await db.DeadlineRungs.Where(r => changed.Contains(r.DeadlineId)).ToListAsync(ct)).ToLookup(r => r.DeadlineId);
        foreach (var (row, ladder, moved, closed, dueBefore, statusBefore) in changes)
        {
            var change = Relayout(row, ladder, rungs[row.Id].ToList(), incidentClock, now);
            var before = new { due = dueBefore, status = statusBefore };
            if (moved && dueBefore is not null)
            {
                audit.Record("deadline.moved", "incident", target, before, new
                {
                    row.Key, due = row.DueAt, added = change.Added, moved = change.Moved, withdrawn = change.Withdrawn,
                });
            }

            if (closed && row.Status != DeadlineStatus.Open)
            {
                audit.Record("deadline." + row.Status.ToString().ToLowerInvariant(), "incident", target, before, new
                {
                    row.Key, row.ClosedAt, withdrawn = change.Withdrawn, reason = gone.Contains(row) ? "its source no longer applies" : null,
                });
            }
        }

        await audit.CommitAsync(ct);
        await transaction.CommitAsync(ct);
    }

    /// <summary>Lays the rungs out again (the core decides how) and writes what changed.</summary>
    private (int Added, int Moved, int Withdrawn) Relayout(Deadline deadline, Ladder ladder, List<DeadlineRung> current, IncidentClock incidentClock, Instant now)
    {
        var layout = ReminderLadder.Relayout(
            current.Select(r => new StoredRung(r.Key, r.At, r.To, r.State)).ToList(),
            deadline.Status == DeadlineStatus.Open ? deadline.DueAt : null, ladder, now);
        var byKey = current.ToDictionary(r => r.Key);
        foreach (var rung in layout.Rungs)
        {
            if (byKey.TryGetValue(rung.Key, out var row))
            {
                (row.At, row.FireAt, row.State, row.To) = (rung.At, incidentClock.RealAt(rung.At), rung.State, rung.To);
            }
            else
            {
                db.DeadlineRungs.Add(new DeadlineRung
                {
                    Id = Guid.CreateVersion7(), DeadlineId = deadline.Id, Key = rung.Key, At = rung.At, FireAt = incidentClock.RealAt(rung.At), To = rung.To, State = rung.State,
                });
            }
        }

        return (layout.Added, layout.Moved, layout.Withdrawn);
    }

    /// <summary>The organisation's default ladder, or the built-in one.</summary>
    internal async Task<Ladder> OrganisationLadderAsync(CancellationToken ct)
    {
        var text = await db.Organisations.AsNoTracking().Select(o => o.ReminderLadder).FirstOrDefaultAsync(ct);
        return text is null ? Ladder.Default : Read(text) ?? Ladder.Default;
    }

    internal static Ladder? Read(string json)
    {
        var setting = JsonSerializer.Deserialize<LadderSetting>(json, WireJson.Options);
        return setting is null ? null : LadderSettings.Read(setting).Ladder;
    }

    private async Task<List<Wanted>> WantedAsync(Guid incidentId, Instant now, CancellationToken ct)
    {
        var wanted = new List<Wanted>();
        var defaultLadder = await OrganisationLadderAsync(ct);

        var obligations = await db.IncidentObligations.AsNoTracking().Where(o => o.IncidentId == incidentId && o.DueBy != null).ToListAsync(ct);
        foreach (var o in obligations.Where(o => o.Status != ObligationStatus.NotRequired))
        {
            var sent = o.Status == ObligationStatus.Sent;
            wanted.Add(new Wanted($"obligation:{o.Key}", DeadlineSource.Obligation,
                $"{o.Regime}: notify {RecipientWords(o.Recipient)}{(o.Authority is null ? "" : $" ({o.Authority})")}", o.Citation, o.DueBy, Team.Legal, null,
                sent ? DeadlineBoard.Closed(o.DueBy, o.UpdatedAt) : DeadlineStatus.Open, sent ? o.UpdatedAt : null, defaultLadder));
        }

        var runs = await db.PlaybookRuns.AsNoTracking().Include(r => r.Steps).Where(r => r.IncidentId == incidentId).ToListAsync(ct);
        foreach (var run in runs)
        {
            var definition = await library.DefinitionAsync(db, run, ct);
            var anchors = await RunDueAnchors.LoadAsync(db, run, ct);
            foreach (var step in run.Steps.Where(s => s.Status != StepStatus.Blocked))
            {
                var spec = definition.HasStep(step.StepId) ? definition.Step(step.StepId) : null;
                if ((step.DueAt ?? StepDue.Compute(spec?.Due, anchors)) is not { } due)
                {
                    continue;
                }

                var status = step.Status switch
                {
                    StepStatus.Done => DeadlineBoard.Closed(due, step.CompletedAt ?? now),
                    StepStatus.Skipped or StepStatus.Cancelled => DeadlineStatus.Withdrawn,
                    _ => DeadlineStatus.Open,
                };
                wanted.Add(new Wanted($"step:{run.Id:N}:{step.StepId}", DeadlineSource.Step, $"{run.PlaybookId}: {step.Title}", null, due, step.Team,
                    step.AssigneeId, status, status == DeadlineStatus.Open ? null : step.CompletedAt ?? now,
                    spec is { Escalation.Count: > 0 } ? ReminderLadder.FromEscalation(spec.Escalation) : defaultLadder));
            }
        }

        // Follow-ups are what people set them to: recomputing only lays their rungs out again.
        var followUps = await db.Deadlines.AsNoTracking().Where(d => d.IncidentId == incidentId && d.Source == DeadlineSource.FollowUp).ToListAsync(ct);
        wanted.AddRange(followUps.Select(f => new Wanted(f.Key, f.Source, f.Title, f.Citation, f.DueAt, f.Team, f.OwnerId, f.Status, f.ClosedAt, defaultLadder)));

        // A delay's end (its expiry, or its lift), once it has one: the moment to get a written extension or to notify.
        foreach (var delay in await db.DelaysAsync(incidentId, ct))
        {
            if (delay.ToRequest() is not { EndsAt: { } ends } request)
            {
                continue;
            }

            wanted.Add(new Wanted($"delay:{delay.Id:N}", DeadlineSource.LawEnforcementDelay,
                $"Law-enforcement delay ({request.Current.Form.ToString().ToCamelCase()}, {delay.AgencyName}) ends: obtain a written extension or proceed with notification",
                null, ends, Team.Legal, null, ends <= now ? DeadlineStatus.Met : DeadlineStatus.Open, ends <= now ? ends : null, DelayLadder));
        }

        return wanted;
    }

    private static string RecipientWords(Recipient recipient) => recipient switch
    {
        Recipient.Individuals => "affected individuals",
        Recipient.Regulator => "the regulator",
        Recipient.ConsumerReportingAgencies => "the consumer reporting agencies",
        Recipient.Media => "the media",
        _ => "the data owner",
    };
}
