using System.Globalization;
using System.Text.Json;
using IncidentResponse.Core;
using IncidentResponse.Core.Deadlines;
using IncidentResponse.Core.Incidents;
using IncidentResponse.Core.Playbooks;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.Persistence;
using MailKit.Net.Smtp;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Text;

namespace IncidentResponse.Server.Deadlines;

/// <summary>What one sweep did.</summary>
public sealed record SweepResult(int Dispatched, int Superseded, int Sent, int Retried, int Failed);

/// <summary>
/// The recurring sweep: claims due rungs (on PostgreSQL with FOR UPDATE SKIP LOCKED, so nodes never take
/// the same row), writes one delivery per recipient and channel, and marks the rung dispatched, all in one
/// transaction; then sends pending email and webhook deliveries under a lease, retrying with back-off.
/// </summary>
public sealed class DeadlineSweep(IncidentDbContext db, IClock clock, DeliverySettings settings, EmailChannel email, WebhookChannel webhooks,
    DeadlineSync sync, ILogger<DeadlineSweep> logger)
{
    public const int BatchSize = 500;
    public const int SendBatchSize = 50;
    private static readonly LocalDateTimePattern LocalMinutes = LocalDateTimePattern.CreateWithInvariantCulture("yyyy-MM-dd HH:mm");

    /// <summary>The recurring job: the live clock, read afresh for every batch and every lease.</summary>
    public Task<SweepResult> RunAsync(CancellationToken ct) => RunAsync(clock.GetCurrentInstant, ct);

    /// <summary>A sweep at an instant the caller names (tests, exercises with a simulated clock).</summary>
    public Task<SweepResult> RunAsync(Instant now, CancellationToken ct) => RunAsync(() => now, ct);

    private async Task<SweepResult> RunAsync(Func<Instant> now, CancellationToken ct)
    {
        // Deadlines first brought up to date, so no reminder goes out for a due date that has just moved.
        await sync.RecomputeRequestedAsync(ct);
        int dispatched = 0, superseded = 0;
        while (true)
        {
            var (d, s, claimed) = await DispatchAsync(now(), BatchSize, ct);
            (dispatched, superseded) = (dispatched + d, superseded + s);
            if (claimed < BatchSize)
            {
                break;
            }
        }

        int sent = 0, retried = 0, failed = 0;
        while (await ClaimDeliveriesAsync(now(), ct) is { Count: > 0 } batch)
        {
            var (s, r, f) = await SendAsync(batch, now, ct);
            (sent, retried, failed) = (sent + s, retried + r, failed + f);
        }

        return new SweepResult(dispatched, superseded, sent, retried, failed);
    }

    /// <summary>One transaction: claim up to <paramref name="limit"/> due rungs and write their deliveries.</summary>
    public async Task<(int Dispatched, int Superseded, int Claimed)> DispatchAsync(Instant now, int limit, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // Claimed rows come back already marked dispatched and stay locked until commit; the few that are not sent are put right below.
        var claimed = await ClaimRungsAsync(now, limit, ct);
        if (claimed.Count == 0)
        {
            return (0, 0, 0);
        }

        var deadlineIds = claimed.Select(r => r.DeadlineId).Distinct().ToList();
        var deadlines = await db.Deadlines.AsNoTracking().Where(d => deadlineIds.Contains(d.Id)).ToDictionaryAsync(d => d.Id, ct);
        var incidentIds = deadlines.Values.Select(d => d.IncidentId).Distinct().ToList();
        var incidents = await db.Incidents.AsNoTracking().Include(i => i.TeamLeads).Where(i => incidentIds.Contains(i.Id)).ToDictionaryAsync(i => i.Id, ct);
        var people = incidents.Values.SelectMany(i => i.TeamLeads.Select(l => l.UserId)).Concat(deadlines.Values.Select(d => d.OwnerId ?? Guid.Empty)).Distinct().ToList();
        var emails = await db.Users.AsNoTracking().Where(u => people.Contains(u.Id) && !u.Disabled).ToDictionaryAsync(u => u.Id, u => u.Email, ct);
        var hooks = await db.Webhooks.AsNoTracking().ToListAsync(ct);
        var zoneId = await db.Organisations.AsNoTracking().Select(o => o.TimeZone).FirstOrDefaultAsync(ct);
        var zone = zoneId is null ? DateTimeZone.Utc : DateTimeZoneProviders.Tzdb.GetZoneOrNull(zoneId) ?? DateTimeZone.Utc;
        // Only a rung at or past due lays out the next overdue one; the reminders ahead of due need no look at the overdue keys.
        var pastDue = claimed.Where(r => r.Key == "due" || ReminderLadder.OverdueNumber(r.Key) is not null).Select(r => r.DeadlineId).Distinct().ToList();
        var existingKeys = (pastDue.Count == 0 ? []
            : await db.DeadlineRungs.AsNoTracking().Where(r => pastDue.Contains(r.DeadlineId) && r.Key.StartsWith("overdue-"))
                .Select(r => new { r.DeadlineId, r.Key }).ToListAsync(ct)).ToLookup(r => r.DeadlineId, r => r.Key);
        // Exercises run on their own clocks and remind only their participants; real incidents need neither query.
        var exercises = incidents.Values.Where(i => i.IsExercise).Select(i => i.Id).ToList();
        var clocks = await IncidentClocks.ForAsync(db, exercises, ct);
        var participants = (exercises.Count == 0 ? new List<IncidentMember>()
            : await db.IncidentMembers.AsNoTracking().Where(m => exercises.Contains(m.IncidentId)).ToListAsync(ct)).ToLookup(m => m.IncidentId, m => m.UserId);

        var deliveries = new List<Delivery>();
        var dispatched = 0;
        var supersededIds = new List<Guid>();
        var stillPendingIds = new List<Guid>();
        var delaysEnded = new List<Guid>();
        foreach (var group in claimed.GroupBy(r => r.DeadlineId))
        {
            var deadline = deadlines[group.Key];
            var incident = incidents[deadline.IncidentId];
            var live = deadline.Status == DeadlineStatus.Open && incident.Status != IncidentStatus.Closed;
            var incidentClock = clocks.Of(incident.Id);
            var incidentNow = incidentClock.Now(now);
            // A rung its clock has not reached (the clock was paused or slowed since the rung was claimed) stays pending.
            var due = group.Where(r => r.At <= incidentNow).ToList();
            if (live)
            {
                stillPendingIds.AddRange(group.Where(r => r.At > incidentNow).Select(r => r.Id));
            }

            // Rungs that fell while nothing ran (an outage, an exercise's clock advanced): only the latest goes out.
            var latest = live ? ReminderLadder.DueNow(due.Select(r => new Rung(r.Key, r.At, r.To)).ToList(), new HashSet<string>(), incidentNow) : [];
            supersededIds.AddRange((live ? due : group.ToList()).Where(r => latest.All(l => l.Key != r.Key)).Select(r => r.Id));
            if (latest.Count == 0)
            {
                continue;
            }

            var rung = group.Single(r => r.Key == latest[0].Key);
            // An exercise's reminders reach only its participants: an owner outside the exercise passes the rung up.
            Guid? Participant(Guid? user) => !incident.IsExercise || (user is { } u && participants[incident.Id].Contains(u)) ? user : null;
            var lead = Participant(incident.TeamLeads.FirstOrDefault(l => l.Role == Teams.LeadOf(deadline.Team))?.UserId);
            var commander = Participant(incident.TeamLeads.FirstOrDefault(l => l.Role == TeamLeadRole.IncidentCommander)?.UserId);
            var recipient = DeadlineBoard.Recipient(rung.To, Participant(deadline.OwnerId), lead, commander);
            var (subject, body, json) = Message(incident.Reference, incident.IsExercise, deadline, rung, zone, hooks.Count > 0);
            if (recipient is { } user)
            {
                deliveries.Add(Deliver(deadline, rung, user, DeliveryChannel.InApp, subject, body, now, sent: true));
                if (settings.EmailEnabled && emails.ContainsKey(user))
                {
                    deliveries.Add(Deliver(deadline, rung, user, DeliveryChannel.Email, subject, body, now, sent: false));
                }
            }

            // Exercise reminders stay with the exercise's participants unless a hook asks for them.
            foreach (var hook in hooks.Where(h => !incident.IsExercise || h.IncludeExercises))
            {
                deliveries.Add(Deliver(deadline, rung, hook.Id, DeliveryChannel.Webhook, subject, json, now, sent: false));
            }

            dispatched++;
            if (deadline.Source == DeadlineSource.LawEnforcementDelay && rung.Key == "due")
            {
                delaysEnded.Add(deadline.Id);
            }
            else
            {
                NextOverdue(deadline, rung, existingKeys[deadline.Id].ToHashSet(), incidentClock, incidentNow);
            }
        }

        // The claim marked every rung dispatched: the superseded are withdrawn, the ones their clock has not reached wait again.
        if (supersededIds.Count > 0)
        {
            await db.DeadlineRungs.Where(r => supersededIds.Contains(r.Id))
                .ExecuteUpdateAsync(u => u.SetProperty(r => r.State, RungState.Withdrawn).SetProperty(r => r.DispatchedAt, (Instant?)null), ct);
        }

        if (stillPendingIds.Count > 0)
        {
            await db.DeadlineRungs.Where(r => stillPendingIds.Contains(r.Id))
                .ExecuteUpdateAsync(u => u.SetProperty(r => r.State, RungState.Pending).SetProperty(r => r.DispatchedAt, (Instant?)null), ct);
        }

        // The end of a law-enforcement delay has come: that deadline is met.
        if (delaysEnded.Count > 0)
        {
            await db.Deadlines.Where(d => delaysEnded.Contains(d.Id))
                .ExecuteUpdateAsync(u => u.SetProperty(d => d.Status, DeadlineStatus.Met).SetProperty(d => d.ClosedAt, d => d.DueAt), ct);
        }

        await InsertAsync(deliveries, ct);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return (dispatched, supersededIds.Count, claimed.Count);
    }

    /// <summary>
    /// Takes the due rungs this node may have and marks them dispatched in the same statement: on PostgreSQL one
    /// UPDATE over the rows a FOR UPDATE SKIP LOCKED subquery locked (locked rows of other nodes are skipped, not
    /// waited for), returning them; on SQLite, the single writer, a read then an update.
    /// </summary>
    private async Task<List<DeadlineRung>> ClaimRungsAsync(Instant now, int limit, CancellationToken ct)
    {
        if (db.Provider == DatabaseProvider.Postgres)
        {
            return await db.DeadlineRungs.FromSql($"""
                UPDATE deadline_rungs r SET state = 'Dispatched', dispatched_at = {now}
                FROM (SELECT ctid FROM deadline_rungs WHERE state = 'Pending' AND fire_at <= {now} ORDER BY fire_at LIMIT {limit} FOR UPDATE SKIP LOCKED) c
                WHERE r.ctid = c.ctid
                RETURNING r.*
                """).AsNoTracking().ToListAsync(ct);
        }

        var claimed = await db.DeadlineRungs.AsNoTracking().Where(r => r.State == RungState.Pending && r.FireAt <= now).OrderBy(r => r.FireAt).Take(limit).ToListAsync(ct);
        var ids = claimed.Select(r => r.Id).ToList();
        await db.DeadlineRungs.Where(r => ids.Contains(r.Id))
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.State, RungState.Dispatched).SetProperty(r => r.DispatchedAt, now), ct);
        return claimed;
    }

    /// <summary>After a rung at or past due: the next overdue reminder, the first still ahead on the incident's clock.</summary>
    private void NextOverdue(Deadline deadline, DeadlineRung rung, HashSet<string> keys, IncidentClock incidentClock, Instant now)
    {
        var n = rung.Key == "due" ? 0 : ReminderLadder.OverdueNumber(rung.Key);
        if (n is not { } reached || deadline.DueAt is not { } due)
        {
            return;
        }

        if (JsonSerializer.Deserialize<Ladder>(deadline.Ladder, WireJson.Options) is { } ladder
            && ReminderLadder.NextOverdue(due, ladder, reached, now) is { } next && keys.Add(next.Key))
        {
            db.DeadlineRungs.Add(new DeadlineRung
            {
                Id = Guid.CreateVersion7(), DeadlineId = deadline.Id, Key = next.Key, At = next.At, FireAt = incidentClock.RealAt(next.At), To = next.To,
                State = RungState.Pending,
            });
        }
    }

    private static Delivery Deliver(Deadline deadline, DeadlineRung rung, Guid recipient, DeliveryChannel channel, string subject, string body, Instant now, bool sent) =>
        new()
        {
            Id = Guid.CreateVersion7(), DeadlineId = deadline.Id, IncidentId = deadline.IncidentId, RungKey = rung.Key, Recipient = recipient, Channel = channel,
            State = sent ? DeliveryState.Sent : DeliveryState.Pending, Subject = subject, Body = body, CreatedAt = now, NextAttemptAt = now,
            SentAt = sent ? now : null,
        };

    /// <summary>
    /// Writes a batch's deliveries in its transaction: binary COPY on PostgreSQL (a batch is up to hundreds of
    /// rows), ordinary inserts on SQLite. The unique key still refuses a second delivery of the same rung.
    /// </summary>
    private async Task InsertAsync(List<Delivery> deliveries, CancellationToken ct)
    {
        if (db.Provider != DatabaseProvider.Postgres)
        {
            db.Deliveries.AddRange(deliveries);
            return;
        }

        var connection = (Npgsql.NpgsqlConnection)db.Database.GetDbConnection();
        await using var copy = await connection.BeginBinaryImportAsync(
            "COPY deliveries (id, deadline_id, incident_id, rung_key, recipient, channel, state, subject, body, attempts, created_at, next_attempt_at, sent_at) FROM STDIN (FORMAT BINARY)",
            ct);
        foreach (var d in deliveries)
        {
            await copy.StartRowAsync(ct);
            await copy.WriteAsync(d.Id, NpgsqlTypes.NpgsqlDbType.Uuid, ct);
            await copy.WriteAsync(d.DeadlineId, NpgsqlTypes.NpgsqlDbType.Uuid, ct);
            await copy.WriteAsync(d.IncidentId, NpgsqlTypes.NpgsqlDbType.Uuid, ct);
            await copy.WriteAsync(d.RungKey, NpgsqlTypes.NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(d.Recipient, NpgsqlTypes.NpgsqlDbType.Uuid, ct);
            await copy.WriteAsync(d.Channel.ToString(), NpgsqlTypes.NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(d.State.ToString(), NpgsqlTypes.NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(d.Subject, NpgsqlTypes.NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(d.Body, NpgsqlTypes.NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(d.Attempts, NpgsqlTypes.NpgsqlDbType.Integer, ct);
            await copy.WriteAsync(d.CreatedAt, NpgsqlTypes.NpgsqlDbType.TimestampTz, ct);
            await copy.WriteAsync(d.NextAttemptAt, NpgsqlTypes.NpgsqlDbType.TimestampTz, ct);
            if (d.SentAt is { } sentAt)
            {
                await copy.WriteAsync(sentAt, NpgsqlTypes.NpgsqlDbType.TimestampTz, ct);
            }
            else
            {
                await copy.WriteNullAsync(ct);
            }
        }

        await copy.CompleteAsync(ct);
    }

    /// <summary>Claims pending deliveries: the lease, written before anything is sent, keeps other nodes off them.</summary>
    private async Task<List<Delivery>> ClaimDeliveriesAsync(Instant now, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var batch = await (db.Provider == DatabaseProvider.Postgres
            ? db.Deliveries.FromSql(
                $"SELECT * FROM deliveries WHERE state = 'Pending' AND next_attempt_at <= {now} ORDER BY next_attempt_at LIMIT {SendBatchSize} FOR UPDATE SKIP LOCKED")
            : db.Deliveries.Where(d => d.State == DeliveryState.Pending && d.NextAttemptAt <= now).OrderBy(d => d.NextAttemptAt).Take(SendBatchSize)).ToListAsync(ct);
        foreach (var delivery in batch)
        {
            delivery.NextAttemptAt = now + settings.Lease;
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return batch;
    }

    private async Task<(int Sent, int Retried, int Failed)> SendAsync(List<Delivery> batch, Func<Instant> now, CancellationToken ct)
    {

        var users = batch.Where(d => d.Channel == DeliveryChannel.Email).Select(d => d.Recipient).Distinct().ToList();
        var emails = await db.Users.AsNoTracking().Where(u => users.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Email, ct);
        var hookIds = batch.Where(d => d.Channel == DeliveryChannel.Webhook).Select(d => d.Recipient).Distinct().ToList();
        var hooks = await db.Webhooks.AsNoTracking().Where(h => hookIds.Contains(h.Id)).ToDictionaryAsync(h => h.Id, ct);
        int sent = 0, retried = 0, failed = 0;
        SmtpClient? smtp = null;
        try
        {
            foreach (var delivery in batch)
            {
                // Fencing: renew this node's lease just before sending; if another node took the delivery over
                // (this one stalled past its lease), the update finds nothing and this node leaves it alone.
                var lease = delivery.NextAttemptAt;
                var renewed = now() + settings.Lease;
                if (await db.Deliveries.Where(d => d.Id == delivery.Id && d.State == DeliveryState.Pending && d.NextAttemptAt == lease)
                        .ExecuteUpdateAsync(u => u.SetProperty(d => d.NextAttemptAt, renewed), ct) == 0)
                {
                    continue;
                }

                string? error = null;
                try
                {
                    var message = new OutgoingMessage(delivery.Id, "", delivery.Subject, delivery.Body, delivery.Body);
                    switch (delivery.Channel)
                    {
                        case DeliveryChannel.Email when emails.TryGetValue(delivery.Recipient, out var to):
                            smtp ??= await email.ConnectAsync(ct);
                            await email.SendAsync(smtp, message with { To = to }, ct);
                            break;
                        case DeliveryChannel.Webhook when hooks.TryGetValue(delivery.Recipient, out var hook):
                            await webhooks.SendAsync(hook, message, now().ToUnixTimeSeconds(), ct);
                            break;
                        default:
                            error = "The recipient no longer exists.";
                            break;
                    }
                }
                catch (Exception e) when (e is IOException or HttpRequestException or MailKit.ProtocolException or SmtpCommandException
                    or System.Net.Sockets.SocketException or TaskCanceledException or MimeKit.ParseException)
                {
                    error = e.Message;
                    if (smtp is not null && !smtp.IsConnected)
                    {
                        smtp.Dispose();
                        smtp = null;
                    }
                }

                // Recorded at once, one row each: the window between a receiver's acceptance and this commit is one statement long.
                var attempts = delivery.Attempts + 1;
                if (error is null)
                {
                    var at = now();
                    await db.Deliveries.Where(d => d.Id == delivery.Id).ExecuteUpdateAsync(u => u
                        .SetProperty(d => d.State, DeliveryState.Sent).SetProperty(d => d.SentAt, at).SetProperty(d => d.Attempts, attempts)
                        .SetProperty(d => d.LastError, (string?)null), ct);
                    sent++;
                    continue;
                }

                var final = attempts >= settings.MaxAttempts;
                var retryAt = now() + Backoff(attempts);
                await db.Deliveries.Where(d => d.Id == delivery.Id).ExecuteUpdateAsync(u => u
                    .SetProperty(d => d.State, final ? DeliveryState.Failed : DeliveryState.Pending)
                    .SetProperty(d => d.Attempts, attempts)
                    .SetProperty(d => d.NextAttemptAt, retryAt)
                    .SetProperty(d => d.LastError, error.Length > 2000 ? error[..2000] : error), ct);
                logger.LogWarning("Delivery {Delivery} over {Channel} failed (attempt {Attempt}): {Error}", delivery.Id, delivery.Channel, attempts, error);
                (failed, retried) = final ? (failed + 1, retried) : (failed, retried + 1);
            }
        }
        finally
        {
            if (smtp is not null)
            {
                if (smtp.IsConnected)
                {
                    await smtp.DisconnectAsync(true, CancellationToken.None);
                }

                smtp.Dispose();
            }
        }

        return (sent, retried, failed);
    }

    /// <summary>30 s, 1 min, 2 min, ... capped at an hour.</summary>
    public static Duration Backoff(int attempts) => Duration.FromSeconds(Math.Min(3600, 30 * Math.Pow(2, Math.Max(0, attempts - 1))));

    /// <summary>The reminder's words: subject and text for people, JSON for machines.</summary>
    public static (string Subject, string Body, string Json) Message(string reference, bool exercise, Deadline deadline, DeadlineRung rung, DateTimeZone zone, bool withJson)
    {
        var due = deadline.DueAt!.Value;
        var when = rung.Key switch
        {
            "due" => "due now",
            _ when rung.At < due => $"due in {Words(due - rung.At)}",
            _ => $"overdue by {Words(rung.At - due)}",
        };
        var prefix = exercise ? "[EXERCISE] " : "";
        var subject = $"{prefix}[{reference}] {deadline.Title}: {when}";
        var local = LocalMinutes.Format(due.InZone(zone).LocalDateTime);
        var body = string.Join('\n', new[]
        {
            $"{prefix}{deadline.Title}",
            $"Incident: {reference}",
            $"Due: {local} {zone.Id} ({InstantPattern.General.Format(due)})",
            $"Reminder: {when}, to the {rung.To.ToString().ToCamelCase()}",
            deadline.Citation is null ? "" : $"Citation: {deadline.Citation}",
            exercise ? "This reminder belongs to a tabletop exercise; no real notice is due." : "",
        }.Where(l => l.Length > 0));
        var json = !withJson ? "" : JsonSerializer.Serialize(new
        {
            type = "deadline.reminder", exercise, incident = reference, incidentId = deadline.IncidentId, deadlineId = deadline.Id, deadline.Key, deadline.Title,
            deadline.Citation, due = InstantPattern.General.Format(due), rung = rung.Key, to = rung.To.ToString().ToCamelCase(), subject,
        });
        return (subject, body, json);
    }

    private static string Words(Duration d) => d.TotalDays >= 1 && d.TotalHours % 24 == 0
        ? (d.TotalDays == 1 ? "1 day" : string.Create(CultureInfo.InvariantCulture, $"{(long)d.TotalDays} days"))
        : d.TotalHours >= 1 && d.TotalMinutes % 60 == 0
            ? (d.TotalHours == 1 ? "1 hour" : string.Create(CultureInfo.InvariantCulture, $"{(long)d.TotalHours} hours"))
            : string.Create(CultureInfo.InvariantCulture, $"{(long)d.TotalMinutes} minutes");
}
