using IncidentResponse.Server.Incidents;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace IncidentResponse.Server.AffectedPeople;

/// <summary>
/// One affected individual: the personal data sealed in one blob (AES-GCM, key id beside it), the keyed blind index
/// that de-duplicates across files, and what is counted in the clear: the residence key and the data elements.
/// </summary>
public sealed class AffectedPersonRecord
{
    public long Id { get; set; }
    public Guid IncidentId { get; set; }
    public Guid ImportId { get; set; }
    public required byte[] BlindIndex { get; set; }
    public required string KeyId { get; set; }
    public required byte[] Sealed { get; set; }
    public required string Residence { get; set; }
    /// <summary>Bit mask of the law engine's data elements (bit n = DataElement n).</summary>
    public int DataElements { get; set; }
    public Instant CreatedAt { get; set; }
}

public enum ImportStatus
{
    Running,
    Completed,
    Failed,
}

/// <summary>One import file: its mapping, progress and counts; its bad rows are <see cref="ImportRowError"/>s.</summary>
public sealed class AffectedPeopleImport
{
    public Guid Id { get; set; }
    public Guid IncidentId { get; set; }
    public string? FileName { get; set; }
    public required string Mapping { get; set; }
    public ImportStatus Status { get; set; }
    public long Rows { get; set; }
    public long Imported { get; set; }
    public long Duplicates { get; set; }
    public long Rejected { get; set; }
    public long FailedRows { get; set; }
    public int FailedBatches { get; set; }
    public string? Failure { get; set; }
    public Guid StartedBy { get; set; }
    public Instant StartedAt { get; set; }
    public Instant? FinishedAt { get; set; }
}

/// <summary>A row of an import that did not go in, or a whole batch the database refused (column "(batch)").</summary>
public sealed class ImportRowError
{
    public long Id { get; set; }
    public Guid ImportId { get; set; }
    public long Row { get; set; }
    public required string Column { get; set; }
    public required string Reason { get; set; }
}

internal static class AffectedPeopleModel
{
    public const int ReasonLength = 1000;

    public static void Configure(ModelBuilder model)
    {
        model.Entity<AffectedPersonRecord>(e =>
        {
            e.ToTable("affected_people");
            e.HasIndex(p => new { p.IncidentId, p.BlindIndex }).IsUnique();
            // Finds an incident's people still sealed under a former key without reading the others (AffectedPeopleRekey).
            e.HasIndex(p => new { p.IncidentId, p.KeyId });
            e.Property(p => p.BlindIndex).HasMaxLength(32);
            e.Property(p => p.KeyId).HasMaxLength(16);
            e.Property(p => p.Residence).HasMaxLength(8);
            e.HasOne<Incident>().WithMany().HasForeignKey(p => p.IncidentId);
        });
        model.Entity<AffectedPeopleImport>(e =>
        {
            e.HasIndex(i => new { i.IncidentId, i.StartedAt });
            e.Property(i => i.FileName).HasMaxLength(260);
            e.Property(i => i.Mapping).HasMaxLength(8000);
            e.Property(i => i.Status).HasConversion<string>().HasMaxLength(16);
            e.Property(i => i.Failure).HasMaxLength(ReasonLength);
            e.HasOne<Incident>().WithMany().HasForeignKey(i => i.IncidentId);
        });
        model.Entity<ImportRowError>(e =>
        {
            e.ToTable("affected_people_import_errors");
            e.HasIndex(r => new { r.ImportId, r.Row });
            e.Property(r => r.Column).HasMaxLength(200);
            e.Property(r => r.Reason).HasMaxLength(ReasonLength);
            e.HasOne<AffectedPeopleImport>().WithMany().HasForeignKey(r => r.ImportId);
        });
    }
}
