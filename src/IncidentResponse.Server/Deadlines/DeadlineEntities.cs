using IncidentResponse.Core.Deadlines;
using IncidentResponse.Core.Playbooks;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.Persistence;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace IncidentResponse.Server.Deadlines;

/// <summary>
/// One clock the scheduler enforces on an incident: an obligation's due date, a step's due date or the
/// end of a law-enforcement delay. Its key names its source, so recomputing finds the same row again.
/// </summary>
public sealed class Deadline : IVersioned
{
    public Guid Id { get; set; }
    public Guid IncidentId { get; set; }
    public required string Key { get; set; }
    public DeadlineSource Source { get; set; }
    public required string Title { get; set; }
    public string? Citation { get; set; }
    public Instant? DueAt { get; set; }
    public Team Team { get; set; }
    /// <summary>The person who owns it (a step's assignee); none means the team lead.</summary>
    public Guid? OwnerId { get; set; }
    public DeadlineStatus Status { get; set; }
    public Instant? ClosedAt { get; set; }
    /// <summary>A ladder set for this deadline alone (<see cref="LadderSetting"/> JSON), over the playbook's and the organisation's.</summary>
    public string? LadderOverride { get; set; }
    /// <summary>The ladder the rungs were laid out with, as JSON: a change of ladder is a change of rungs.</summary>
    public required string Ladder { get; set; }
    public Instant CreatedAt { get; set; }
    public Instant UpdatedAt { get; set; }
    public int Version { get; set; }
}

/// <summary>
/// One reminder of a deadline. Pending rungs are what the sweep claims (oldest due first, skipping rows
/// another node holds); a dispatched rung has its deliveries written and is never sent again.
/// <see cref="At"/> is on the incident's clock (an exercise's simulated time); <see cref="FireAt"/> is the real
/// instant that clock reaches it, the one the sweep queries: the same instant for a real incident, none while
/// an exercise's clock is paused.
/// </summary>
public sealed class DeadlineRung
{
    public Guid Id { get; set; }
    public Guid DeadlineId { get; set; }
    public required string Key { get; set; }
    public Instant At { get; set; }
    public Instant? FireAt { get; set; }
    public EscalationLevel To { get; set; }
    public RungState State { get; set; }
    public Instant? DispatchedAt { get; set; }
}

public enum DeliveryChannel
{
    InApp,
    Email,
    Webhook,
}

public enum DeliveryState
{
    Pending,
    Sent,
    Failed,
}

/// <summary>
/// One message of one rung to one recipient over one channel. Unique per (deadline, rung, recipient,
/// channel): a retried sweep, a crash or a second node can only find the row already there.
/// </summary>
public sealed class Delivery
{
    public Guid Id { get; set; }
    public Guid DeadlineId { get; set; }
    public Guid IncidentId { get; set; }
    public required string RungKey { get; set; }
    /// <summary>A user id, or a webhook subscription id.</summary>
    public Guid Recipient { get; set; }
    public DeliveryChannel Channel { get; set; }
    public DeliveryState State { get; set; }
    public required string Subject { get; set; }
    public required string Body { get; set; }
    public int Attempts { get; set; }
    public Instant CreatedAt { get; set; }
    /// <summary>When the next attempt may start; a node sending it holds it until then (a lease).</summary>
    public Instant NextAttemptAt { get; set; }
    public Instant? SentAt { get; set; }
    public Instant? ReadAt { get; set; }
    public string? LastError { get; set; }
}

/// <summary>
/// "This incident's deadlines need recomputing", written in the same transaction as the change that makes it
/// so (a step opened or closed). The sweep recomputes and clears it: a crash can delay a recomputation, never
/// lose it, and a burst of changes costs one recomputation.
/// </summary>
public sealed class DeadlineRecompute
{
    public Guid IncidentId { get; set; }
    public Instant RequestedAt { get; set; }
}

/// <summary>An outbound webhook that receives every reminder of the organisation's incidents.</summary>
public sealed class WebhookSubscription
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public required string Url { get; set; }
    /// <summary>The HMAC-SHA256 key, protected at rest.</summary>
    public required string Secret { get; set; }
    public WebhookFormat Format { get; set; }
    public bool IncludeExercises { get; set; }
    public Instant CreatedAt { get; set; }
}

public enum WebhookFormat
{
    Json,
    Slack,
}

internal static class DeadlineModel
{
    public static void Configure(ModelBuilder model)
    {
        model.Entity<Deadline>(e =>
        {
            e.HasIndex(d => new { d.IncidentId, d.Key }).IsUnique();
            e.HasIndex(d => new { d.Status, d.DueAt });
            e.Property(d => d.Key).HasMaxLength(200);
            e.Property(d => d.Source).HasConversion<string>().HasMaxLength(32);
            e.Property(d => d.Title).HasMaxLength(300);
            e.Property(d => d.Citation).HasMaxLength(1000);
            e.Property(d => d.Team).HasConversion<string>().HasMaxLength(24);
            e.Property(d => d.Status).HasConversion<string>().HasMaxLength(16);
            e.Property(d => d.LadderOverride).HasMaxLength(4000);
            e.Property(d => d.Ladder).HasMaxLength(4000);
            e.Property(d => d.Version).IsConcurrencyToken();
            e.HasOne<Incident>().WithMany().HasForeignKey(d => d.IncidentId);
        });
        model.Entity<DeadlineRung>(e =>
        {
            e.HasIndex(r => new { r.DeadlineId, r.Key }).IsUnique();
            // The sweep's query: pending rungs by real fire instant. On PostgreSQL the index holds only pending rows,
            // so its size follows what is waiting, not everything ever sent.
            e.HasIndex(r => r.FireAt).HasFilter("state = 'Pending'").HasDatabaseName("ix_deadline_rungs_pending_fire_at");
            e.Property(r => r.Key).HasMaxLength(40);
            e.Property(r => r.To).HasConversion<string>().HasMaxLength(24);
            e.Property(r => r.State).HasConversion<string>().HasMaxLength(16);
            e.HasOne<Deadline>().WithMany().HasForeignKey(r => r.DeadlineId);
        });
        model.Entity<Delivery>(e =>
        {
            e.HasIndex(d => new { d.DeadlineId, d.RungKey, d.Recipient, d.Channel }).IsUnique();
            e.HasIndex(d => d.NextAttemptAt).HasFilter("state = 'Pending'").HasDatabaseName("ix_deliveries_pending_next_attempt_at");
            e.HasIndex(d => new { d.Recipient, d.Channel, d.CreatedAt });
            e.HasIndex(d => new { d.IncidentId, d.State });
            e.Property(d => d.RungKey).HasMaxLength(40);
            e.Property(d => d.Channel).HasConversion<string>().HasMaxLength(16);
            e.Property(d => d.State).HasConversion<string>().HasMaxLength(16);
            e.Property(d => d.Subject).HasMaxLength(400);
            e.Property(d => d.Body).HasMaxLength(8000);
            e.Property(d => d.LastError).HasMaxLength(2000);
            e.HasOne<Deadline>().WithMany().HasForeignKey(d => d.DeadlineId);
        });
        model.Entity<DeadlineRecompute>(e => e.HasKey(r => r.IncidentId));
        model.Entity<WebhookSubscription>(e =>
        {
            e.Property(w => w.Name).HasMaxLength(200);
            e.Property(w => w.Url).HasMaxLength(2000);
            e.Property(w => w.Secret).HasMaxLength(2000);
            e.Property(w => w.Format).HasConversion<string>().HasMaxLength(16);
        });
    }
}
