using IncidentResponse.Core.Letters;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.Persistence;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace IncidentResponse.Server.Letters;

/// <summary>A letter of an incident under review: its kind, its recipients' jurisdictions, its status and who signed it off.</summary>
public sealed class Letter : IVersioned
{
    public const int GroupLength = 2000;

    public Guid Id { get; set; }
    public Guid IncidentId { get; set; }
    public LetterKind Kind { get; set; }

    /// <summary>The rule codes of the recipient group, comma-separated, in order.</summary>
    public required string Group { get; set; }

    /// <summary>The letter input (docs/letters.md) the draft and every check were made from, so a check can be repeated.</summary>
    public required string RequestJson { get; set; }

    public LetterStatus Status { get; set; }
    public bool IsExercise { get; set; }
    public bool OrganisationTemplate { get; set; }
    public Guid CreatedBy { get; set; }
    public Instant CreatedAt { get; set; }
    public Instant UpdatedAt { get; set; }
    public Guid? ApprovedBy { get; set; }
    public string? ApprovedByName { get; set; }
    public Instant? ApprovedAt { get; set; }
    public int? ApprovedVersion { get; set; }
    public Guid? ReleasedBy { get; set; }
    public Instant? ReleasedAt { get; set; }
    public int Version { get; set; }

    public List<LetterVersion> Versions { get; set; } = [];
    public List<LetterReviewStep> Steps { get; set; } = [];

    public IReadOnlyList<string> Codes => Group.Split(',', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>One kept version of a letter's text (the template markup) with the check made on it.</summary>
public sealed class LetterVersion
{
    public const int BodyLength = 200_000;

    public Guid LetterId { get; set; }
    public int Number { get; set; }
    public required string Body { get; set; }
    public int FontPt { get; set; }
    public bool Passed { get; set; }

    /// <summary>The checker's report (LetterCheckReport as JSON).</summary>
    public required string ReportJson { get; set; }

    public string? Note { get; set; }
    public Guid AuthorId { get; set; }
    public required string AuthorName { get; set; }
    public Instant CreatedAt { get; set; }
}

/// <summary>One step of the review: who did what, when, on which version, with what comment.</summary>
public sealed class LetterReviewStep
{
    public Guid Id { get; set; }
    public Guid LetterId { get; set; }
    public ReviewAction Action { get; set; }
    public LetterStatus From { get; set; }
    public LetterStatus To { get; set; }
    public int VersionNumber { get; set; }
    public string? Comment { get; set; }
    public Guid ById { get; set; }
    public required string ByName { get; set; }
    public Instant At { get; set; }
}

/// <summary>The organisation's own template for one kind of letter, replacing the built-in one.</summary>
public sealed class LetterTemplate : IVersioned
{
    public const int TextLength = 100_000;

    public LetterKind Kind { get; set; }
    public required string Text { get; set; }
    public required string UpdatedBy { get; set; }
    public Instant UpdatedAt { get; set; }
    public int Version { get; set; }
}

internal static class LetterModel
{
    public static void Configure(ModelBuilder model)
    {
        model.Entity<Letter>(e =>
        {
            e.Property(l => l.Kind).HasConversion<string>().HasMaxLength(32);
            e.Property(l => l.Status).HasConversion<string>().HasMaxLength(24);
            e.Property(l => l.Group).HasMaxLength(Letter.GroupLength);
            e.Property(l => l.ApprovedByName).HasMaxLength(320);
            e.Property(l => l.Version).IsConcurrencyToken();
            e.Ignore(l => l.Codes);
            e.HasIndex(l => new { l.IncidentId, l.CreatedAt });
            e.HasOne<Incident>().WithMany().HasForeignKey(l => l.IncidentId);
            e.HasMany(l => l.Versions).WithOne().HasForeignKey(v => v.LetterId);
            e.HasMany(l => l.Steps).WithOne().HasForeignKey(s => s.LetterId);
        });
        model.Entity<LetterVersion>(e =>
        {
            e.HasKey(v => new { v.LetterId, v.Number });
            e.Property(v => v.Number).ValueGeneratedNever();
            e.Property(v => v.Body).HasMaxLength(LetterVersion.BodyLength);
            e.Property(v => v.Note).HasMaxLength(2000);
            e.Property(v => v.AuthorName).HasMaxLength(320);
        });
        model.Entity<LetterReviewStep>(e =>
        {
            e.Property(s => s.Action).HasConversion<string>().HasMaxLength(24);
            e.Property(s => s.From).HasConversion<string>().HasMaxLength(24);
            e.Property(s => s.To).HasConversion<string>().HasMaxLength(24);
            e.Property(s => s.Comment).HasMaxLength(4000);
            e.Property(s => s.ByName).HasMaxLength(320);
            e.HasIndex(s => new { s.LetterId, s.At });
        });
        model.Entity<LetterTemplate>(e =>
        {
            e.HasKey(t => t.Kind);
            e.Property(t => t.Kind).HasConversion<string>().HasMaxLength(32);
            e.Property(t => t.Text).HasMaxLength(LetterTemplate.TextLength);
            e.Property(t => t.UpdatedBy).HasMaxLength(320);
            e.Property(t => t.Version).IsConcurrencyToken();
        });
    }
}
