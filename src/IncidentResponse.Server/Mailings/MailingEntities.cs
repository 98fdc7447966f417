using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.Letters;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace IncidentResponse.Server.Mailings;

public enum MailingChannel
{
    Print,
    Email,
    Both,
}

/// <summary>
/// Where one recipient's letter stands. Pending until its PDF is written (generated); an emailed letter is claimed
/// (sending) before it is handed to the mail server and sent once accepted. Bounced and returned are recorded later.
/// Undeliverable: neither a postal address nor, where email was asked for, an email address.
/// </summary>
public enum RecipientStatus
{
    Pending,
    Generated,
    Sending,
    Sent,
    Bounced,
    Returned,
    Undeliverable,
}

/// <summary>One approved letter sent to a group of an incident's affected people, in chunks of recipients.</summary>
public sealed class Mailing
{
    public const int CodeLength = 8;

    public Guid Id { get; set; }
    public Guid IncidentId { get; set; }
    public Guid LetterId { get; set; }
    public int LetterVersion { get; set; }

    /// <summary>The start of every recipient reference of the mailing: eight hex digits, nothing personal.</summary>
    public required string Code { get; set; }

    /// <summary>The residence codes, comma-separated and sorted, or "all".</summary>
    public required string Group { get; set; }

    public MailingChannel Channel { get; set; }
    public bool IsExercise { get; set; }
    public int Recipients { get; set; }
    public int ChunkSize { get; set; }
    public int Chunks { get; set; }
    public Guid StartedBy { get; set; }
    public Instant StartedAt { get; set; }

    /// <summary>When a chunk job last committed work: the sweep re-queues a mailing that has stopped moving.</summary>
    public Instant ProgressAt { get; set; }

    public Instant? FinishedAt { get; set; }

    public string Reference(int sequence) => $"{Code}-{sequence:D7}";
}

/// <summary>One person of a mailing: the letter's file and checksum once generated, how it went out, and what came back.</summary>
public sealed class MailingRecipient
{
    public const int ReasonLength = 500;

    public long Id { get; set; }
    public Guid MailingId { get; set; }

    /// <summary>The affected person (no foreign key: the purge of personal data leaves the mailing's record).</summary>
    public long PersonId { get; set; }

    public int Sequence { get; set; }
    public int Chunk { get; set; }
    public RecipientStatus Status { get; set; }
    public bool ByPost { get; set; }
    public bool ByEmail { get; set; }
    public string? FileName { get; set; }
    public long? Bytes { get; set; }
    public int? Pages { get; set; }
    public string? Sha256 { get; set; }
    public Instant? GeneratedAt { get; set; }
    public Instant? SentAt { get; set; }

    /// <summary>When the letter came back (returned mail) or the email bounced.</summary>
    public Instant? ReturnedAt { get; set; }

    public string? Reason { get; set; }
}

internal static class MailingModel
{
    public static void Configure(ModelBuilder model)
    {
        model.Entity<Mailing>(e =>
        {
            e.Property(m => m.Code).HasMaxLength(Mailing.CodeLength);
            e.Property(m => m.Group).HasMaxLength(Letter.GroupLength);
            e.Property(m => m.Channel).HasConversion<string>().HasMaxLength(8);
            e.HasIndex(m => m.Code).IsUnique();
            // One mailing per letter version, group and channel: starting it again is a mistake that costs postage.
            e.HasIndex(m => new { m.LetterId, m.LetterVersion, m.Group, m.Channel }).IsUnique();
            e.HasIndex(m => new { m.IncidentId, m.StartedAt });
            e.HasOne<Incident>().WithMany().HasForeignKey(m => m.IncidentId);
            e.HasOne<Letter>().WithMany().HasForeignKey(m => m.LetterId);
        });
        model.Entity<MailingRecipient>(e =>
        {
            e.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
            e.Property(r => r.FileName).HasMaxLength(64);
            e.Property(r => r.Sha256).HasMaxLength(64);
            e.Property(r => r.Reason).HasMaxLength(MailingRecipient.ReasonLength);
            e.HasIndex(r => new { r.MailingId, r.PersonId }).IsUnique();
            e.HasIndex(r => new { r.MailingId, r.Sequence }).IsUnique();
            e.HasIndex(r => new { r.MailingId, r.Chunk, r.Status });
            e.HasOne<Mailing>().WithMany().HasForeignKey(r => r.MailingId);
        });
    }
}
