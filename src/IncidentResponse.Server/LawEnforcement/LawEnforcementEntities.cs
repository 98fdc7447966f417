using IncidentResponse.Core.LawEnforcement;
using IncidentResponse.Core.Laws;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.Persistence;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace IncidentResponse.Server.LawEnforcement;

/// <summary>The organisation's own police department entry: the directory's local-police template, filled in.</summary>
public sealed class LocalPoliceEntry : IVersioned
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public required string Jurisdiction { get; set; }
    public string? Phone { get; set; }
    public string? Email { get; set; }
    public string? Address { get; set; }
    public string? NonEmergency { get; set; }
    public string? Notes { get; set; }
    public Instant CreatedAt { get; set; }
    public Instant UpdatedAt { get; set; }
    public int Version { get; set; }
}

/// <summary>One contact with law enforcement on an incident: who was reached, how, when, and what was shared.</summary>
public sealed class LawEnforcementContact
{
    public Guid Id { get; set; }
    public Guid IncidentId { get; set; }

    /// <summary>The agency's directory id, or null when it is one of the organisation's local-police entries.</summary>
    public string? AgencyId { get; set; }

    public Guid? LocalPoliceId { get; set; }

    /// <summary>The agency's name when the contact was recorded: it stays readable if a local entry is later removed.</summary>
    public required string AgencyName { get; set; }

    public required string Person { get; set; }
    public ContactChannel Channel { get; set; }
    public Instant ContactedAt { get; set; }
    public string? CaseNumber { get; set; }
    public required string Shared { get; set; }
    public bool Privileged { get; set; }
    public Guid RecordedBy { get; set; }
    public Instant RecordedAt { get; set; }
    public Guid? RunId { get; set; }
    public string? StepId { get; set; }
}

/// <summary>A law-enforcement request to delay notification, with its renewals and its lift: the law engine's delays.</summary>
public sealed class LawEnforcementDelayRecord : IVersioned
{
    public Guid Id { get; set; }
    public Guid IncidentId { get; set; }
    public string? AgencyId { get; set; }
    public Guid? LocalPoliceId { get; set; }
    public required string AgencyName { get; set; }
    public Guid? ContactId { get; set; }
    public DelayForm Form { get; set; }
    public Instant RequestedAt { get; set; }

    /// <summary>Null: until further notice.</summary>
    public Instant? ExpiresAt { get; set; }

    public string? DocumentReference { get; set; }
    public Instant? LiftedAt { get; set; }
    public string? LiftReason { get; set; }
    public Guid RecordedBy { get; set; }
    public Instant RecordedAt { get; set; }
    public Instant UpdatedAt { get; set; }
    public int Version { get; set; }
    public List<DelayRenewalRecord> Renewals { get; set; } = [];

    public DelayRequest ToRequest() => new(
        [new DelayTerm(RequestedAt, ExpiresAt, Form), .. Renewals.OrderBy(r => r.RequestedAt).ThenBy(r => r.RecordedAt).Select(r => new DelayTerm(r.RequestedAt, r.ExpiresAt, r.Form))],
        LiftedAt);
}

/// <summary>A renewal of a delay: a new request with its own expiry, form and document.</summary>
public sealed class DelayRenewalRecord
{
    public Guid Id { get; set; }
    public Guid DelayId { get; set; }
    public DelayForm Form { get; set; }
    public Instant RequestedAt { get; set; }
    public Instant? ExpiresAt { get; set; }
    public string? DocumentReference { get; set; }
    public Guid RecordedBy { get; set; }
    public Instant RecordedAt { get; set; }
}

internal static class LawEnforcementModel
{
    public const int NameLength = 200;
    public const int ShortLength = 320;

    public static void Configure(ModelBuilder model)
    {
        model.Entity<LocalPoliceEntry>(e =>
        {
            e.Property(p => p.Name).HasMaxLength(NameLength);
            e.Property(p => p.Jurisdiction).HasMaxLength(NameLength);
            e.Property(p => p.Phone).HasMaxLength(64);
            e.Property(p => p.Email).HasMaxLength(ShortLength);
            e.Property(p => p.Address).HasMaxLength(1000);
            e.Property(p => p.NonEmergency).HasMaxLength(ShortLength);
            e.Property(p => p.Notes).HasMaxLength(IncidentLimits.TextLength);
            e.Property(p => p.Version).IsConcurrencyToken();
        });
        model.Entity<LawEnforcementContact>(e =>
        {
            e.HasIndex(c => new { c.IncidentId, c.ContactedAt });
            e.Property(c => c.AgencyId).HasMaxLength(80);
            e.Property(c => c.AgencyName).HasMaxLength(NameLength);
            e.Property(c => c.Person).HasMaxLength(NameLength);
            e.Property(c => c.Channel).HasConversion<string>().HasMaxLength(16);
            e.Property(c => c.CaseNumber).HasMaxLength(NameLength);
            e.Property(c => c.Shared).HasMaxLength(IncidentLimits.TextLength);
            e.Property(c => c.StepId).HasMaxLength(80);
            e.HasOne<Incident>().WithMany().HasForeignKey(c => c.IncidentId);
        });
        model.Entity<LawEnforcementDelayRecord>(e =>
        {
            e.HasIndex(d => new { d.IncidentId, d.RequestedAt });
            e.Property(d => d.AgencyId).HasMaxLength(80);
            e.Property(d => d.AgencyName).HasMaxLength(NameLength);
            e.Property(d => d.Form).HasConversion<string>().HasMaxLength(16);
            e.Property(d => d.DocumentReference).HasMaxLength(ShortLength);
            e.Property(d => d.LiftReason).HasMaxLength(IncidentLimits.TitleLength);
            e.Property(d => d.Version).IsConcurrencyToken();
            e.HasOne<Incident>().WithMany().HasForeignKey(d => d.IncidentId);
            e.HasOne<LawEnforcementContact>().WithMany().HasForeignKey(d => d.ContactId);
            e.HasMany(d => d.Renewals).WithOne().HasForeignKey(r => r.DelayId);
        });
        model.Entity<DelayRenewalRecord>(e =>
        {
            e.Property(r => r.Form).HasConversion<string>().HasMaxLength(16);
            e.Property(r => r.DocumentReference).HasMaxLength(ShortLength);
        });
    }

    /// <summary>The incident's delay requests as the core reads them, in the order they were requested.</summary>
    public static async Task<List<LawEnforcementDelayRecord>> DelaysAsync(this IncidentDbContext db, Guid incidentId, CancellationToken ct) =>
        await db.LawEnforcementDelays.AsNoTracking().Include(d => d.Renewals).Where(d => d.IncidentId == incidentId)
            .OrderBy(d => d.RequestedAt).ToListAsync(ct);
}
