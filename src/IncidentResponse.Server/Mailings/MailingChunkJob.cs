using System.Security.Cryptography;
using System.Text;
using Hangfire;
using IncidentResponse.Core.AffectedPeople;
using IncidentResponse.Core.Letters;
using IncidentResponse.Server.AffectedPeople;
using IncidentResponse.Server.Audit;
using IncidentResponse.Server.Deadlines;
using IncidentResponse.Server.Letters;
using IncidentResponse.Server.Persistence;
using MailKit.Net.Smtp;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace IncidentResponse.Server.Mailings;

/// <summary>
/// One chunk of a mailing: its pending recipients are claimed a batch at a time (on PostgreSQL with FOR UPDATE SKIP
/// LOCKED, so two nodes never take the same person), their personal data opened, their letters rendered, written
/// under the mailing's directory and recorded with size and SHA-256, all committed per batch; then the chunk's
/// emailed letters are sent, each claimed first so none goes twice. A job that dies resumes at the first
/// uncommitted batch; a duplicate job finds nothing left to claim.
/// </summary>
public sealed class MailingChunkJob(
    IncidentDbContext db, PersonalDataKeyRing keys, MailingSettings settings, EmailChannel email, AuditTrail audit, IClock clock)
{
    private const string Target = "incident";

    [AutomaticRetry(Attempts = 5)]
    public async Task RunAsync(Guid mailingId, int chunk, CancellationToken ct)
    {
        var mailing = await db.Mailings.AsNoTracking().SingleOrDefaultAsync(m => m.Id == mailingId, ct);
        if (mailing is null)
        {
            return;
        }

        var version = await db.LetterVersions.AsNoTracking().SingleAsync(v => v.LetterId == mailing.LetterId && v.Number == mailing.LetterVersion, ct);
        var approved = LetterDocument.Parse(version.Body, version.FontPt);
        Directory.CreateDirectory(settings.DirectoryOf(mailing.Id));
        using var seals = new PersonalDataSeals(keys);
        while (await GenerateBatchAsync(mailing, chunk, approved, seals, ct))
        {
        }

        if (mailing.Channel != MailingChannel.Print)
        {
            while (await SendBatchAsync(mailing, chunk, approved, seals, ct))
            {
            }
        }

        await FinishAsync(mailing, ct);
    }

    /// <summary>The letter as the person receives it: personalised, and watermarked in an exercise.</summary>
    private static LetterDocument Personalise(Mailing mailing, LetterDocument approved, MailingRecipient recipient, PersonalData person, int dataElements)
    {
        var letter = PersonalLetter.For(approved,
            new LetterRecipient(person, AffectedPerson.ElementsOf(dataElements).ToHashSet(), mailing.Reference(recipient.Sequence)));
        return mailing.IsExercise ? letter.WithBanner(LetterHandlers.ExerciseBanner) : letter;
    }

    private async Task<bool> GenerateBatchAsync(Mailing mailing, int chunk, LetterDocument approved, PersonalDataSeals seals, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var claimed = await ClaimPending(mailing.Id, chunk).ToListAsync(ct);
        if (claimed.Count == 0)
        {
            return false;
        }

        var ids = claimed.Select(r => r.PersonId).ToList();
        var people = await db.AffectedPeople.AsNoTracking().Where(p => ids.Contains(p.Id)).ToDictionaryAsync(p => p.Id, ct);
        var now = clock.GetCurrentInstant();
        var directory = settings.DirectoryOf(mailing.Id);
        foreach (var recipient in claimed)
        {
            if (!people.TryGetValue(recipient.PersonId, out var stored))
            {
                (recipient.Status, recipient.Reason) = (RecipientStatus.Undeliverable, "The person's data was purged before the letter was written.");
                continue;
            }

            var person = seals.Open(stored.KeyId, stored.Sealed, mailing.IncidentId);
            var (post, byEmail, note) = Route(mailing.Channel, person);
            (recipient.ByPost, recipient.ByEmail, recipient.Reason) = (post, byEmail, note);
            if (!post && !byEmail)
            {
                recipient.Status = RecipientStatus.Undeliverable;
                continue;
            }

            using var pdf = new MemoryStream();
            recipient.Pages = PdfLetterWriter.Write(Personalise(mailing, approved, recipient, person, stored.DataElements), pdf);
            recipient.FileName = mailing.Reference(recipient.Sequence) + ".pdf";
            recipient.Bytes = pdf.Length;
            recipient.Sha256 = Convert.ToHexStringLower(SHA256.HashData(pdf.GetBuffer().AsSpan(0, (int)pdf.Length)));
            await WriteAtomicallyAsync(Path.Combine(directory, recipient.FileName), pdf, ct);
            recipient.Status = RecipientStatus.Generated;
            recipient.GeneratedAt = now;
        }

        await db.Mailings.Where(m => m.Id == mailing.Id).ExecuteUpdateAsync(u => u.SetProperty(m => m.ProgressAt, now), ct);
        audit.Record("mailing.letters.generated", Target, mailing.IncidentId.ToString(), null, new
        {
            mailing = mailing.Id, chunk, from = claimed[0].Sequence, to = claimed[^1].Sequence,
            generated = claimed.Count(r => r.Status == RecipientStatus.Generated),
            undeliverable = claimed.Count(r => r.Status == RecipientStatus.Undeliverable),
        });
        await audit.CommitAsync(ct);
        await transaction.CommitAsync(ct);
        return true;
    }

    /// <summary>The chunk's next pending recipients, locked by this transaction; rows another node holds are skipped.</summary>
    private IQueryable<MailingRecipient> ClaimPending(Guid mailingId, int chunk) => db.Provider == DatabaseProvider.Postgres
        ? db.MailingRecipients.FromSql(
            $"SELECT * FROM mailing_recipients WHERE mailing_id = {mailingId} AND chunk = {chunk} AND status = 'Pending' ORDER BY sequence LIMIT {settings.BatchSize} FOR UPDATE SKIP LOCKED")
        : db.MailingRecipients.Where(r => r.MailingId == mailingId && r.Chunk == chunk && r.Status == RecipientStatus.Pending)
            .OrderBy(r => r.Sequence).Take(settings.BatchSize);

    /// <summary>By post where there is a postal address; by email where asked for and there is an address; by post when email cannot be.</summary>
    private static (bool Post, bool Email, string? Note) Route(MailingChannel channel, PersonalData person)
    {
        var hasAddress = person.AddressLines.Count > 0;
        var hasEmail = person.Email is { Length: > 0 };
        return channel switch
        {
            MailingChannel.Print => (hasAddress, false, hasAddress ? null : "No postal address on file."),
            MailingChannel.Email when hasEmail => (false, true, null),
            MailingChannel.Email => (hasAddress, false, hasAddress ? "No email address on file: sent by post instead." : "Neither an email nor a postal address on file."),
            _ => (hasAddress, hasEmail, (hasAddress, hasEmail) switch
            {
                (true, true) => null,
                (true, false) => "No email address on file: sent by post only.",
                (false, true) => "No postal address on file: sent by email only.",
                _ => "Neither an email nor a postal address on file.",
            }),
        };
    }

    /// <summary>A whole file or none: written beside its name and renamed over it, so a re-run replaces a half-written letter.</summary>
    private static async Task WriteAtomicallyAsync(string path, MemoryStream content, CancellationToken ct)
    {
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true))
        {
            content.Position = 0;
            await content.CopyToAsync(file, ct);
            await file.FlushAsync(ct);
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>
    /// Sends the chunk's next generated email letters. Each is claimed (generated to sending) before it is handed to
    /// the mail server and marked sent after, so a crash in between leaves it "sending" for a person to check, never
    /// sent again; a refusal by the server is a bounce; a broken connection returns the unsent ones and retries the job.
    /// </summary>
    private async Task<bool> SendBatchAsync(Mailing mailing, int chunk, LetterDocument approved, PersonalDataSeals seals, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var candidates = await db.MailingRecipients.AsNoTracking()
            .Where(r => r.MailingId == mailing.Id && r.Chunk == chunk && r.Status == RecipientStatus.Generated && r.ByEmail)
            .OrderBy(r => r.Sequence).Take(settings.BatchSize).ToListAsync(ct);
        if (candidates.Count == 0)
        {
            return false;
        }

        var claimed = new List<MailingRecipient>();
        foreach (var candidate in candidates)
        {
            if (await db.MailingRecipients.Where(r => r.Id == candidate.Id && r.Status == RecipientStatus.Generated)
                    .ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, RecipientStatus.Sending), ct) == 1)
            {
                claimed.Add(candidate);
            }
        }

        var ids = claimed.Select(r => r.PersonId).ToList();
        var people = await db.AffectedPeople.AsNoTracking().Where(p => ids.Contains(p.Id)).ToDictionaryAsync(p => p.Id, ct);
        var directory = settings.DirectoryOf(mailing.Id);
        int sent = 0, bounced = 0;
        SmtpClient? smtp = null;
        try
        {
            for (var i = 0; i < claimed.Count; i++)
            {
                var recipient = claimed[i];
                try
                {
                    var stored = people[recipient.PersonId];
                    var person = seals.Open(stored.KeyId, stored.Sealed, mailing.IncidentId);
                    var letter = Personalise(mailing, approved, recipient, person, stored.DataElements);
                    var pdf = await File.ReadAllBytesAsync(Path.Combine(directory, recipient.FileName!), ct);
                    if (Convert.ToHexStringLower(SHA256.HashData(pdf)) != recipient.Sha256)
                    {
                        throw new InvalidDataException($"The letter file {recipient.FileName} no longer matches its recorded checksum.");
                    }

                    var title = approved.Blocks.FirstOrDefault(b => b.Kind == BlockKind.Title)?.Text ?? LetterDrafter.DefaultTitle;
                    var message = new OutgoingMessage(MessageId(mailing, recipient), person.Email!, title, letter.ToText(), "",
                        new MailAttachment(recipient.FileName!, "application/pdf", pdf));
                    smtp ??= await email.ConnectAsync(ct);
                    await email.SendAsync(smtp, message, ct);
                    var at = clock.GetCurrentInstant();
                    await db.MailingRecipients.Where(r => r.Id == recipient.Id && r.Status == RecipientStatus.Sending)
                        .ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, RecipientStatus.Sent).SetProperty(r => r.SentAt, at), ct);
                    sent++;
                }
                catch (SmtpCommandException refused)
                {
                    var at = clock.GetCurrentInstant();
                    var reason = Clip($"Refused by the mail server: {refused.Message}");
                    await db.MailingRecipients.Where(r => r.Id == recipient.Id && r.Status == RecipientStatus.Sending)
                        .ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, RecipientStatus.Bounced).SetProperty(r => r.ReturnedAt, at).SetProperty(r => r.Reason, reason), ct);
                    bounced++;
                }
                catch (Exception) when (!ct.IsCancellationRequested)
                {
                    // Nothing from here on was handed over: back to generated, and the job is retried.
                    var unsent = claimed.Skip(i).Select(r => r.Id).ToList();
                    await db.MailingRecipients.Where(r => unsent.Contains(r.Id) && r.Status == RecipientStatus.Sending)
                        .ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, RecipientStatus.Generated), CancellationToken.None);
                    throw;
                }
            }
        }
        finally
        {
            if (smtp is not null)
            {
                await smtp.DisconnectAsync(true, CancellationToken.None);
                smtp.Dispose();
            }

            if (sent + bounced > 0)
            {
                await db.Mailings.Where(m => m.Id == mailing.Id).ExecuteUpdateAsync(u => u.SetProperty(m => m.ProgressAt, clock.GetCurrentInstant()), CancellationToken.None);
                audit.Record("mailing.letters.emailed", Target, mailing.IncidentId.ToString(), null, new { mailing = mailing.Id, chunk, sent, bounced });
                await audit.CommitAsync(CancellationToken.None);
            }
        }

        return true;
    }

    /// <summary>The same Message-ID for the same letter whatever happens: a receiver seeing it twice knows it is one message.</summary>
    private static Guid MessageId(Mailing mailing, MailingRecipient recipient) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes($"{mailing.Id}/{recipient.Sequence}")).AsSpan(0, 16));

    private static string Clip(string text) => text.Length > MailingRecipient.ReasonLength ? text[..MailingRecipient.ReasonLength] : text;

    /// <summary>The mailing is finished when no letter is left to write or send; the first job to see it says so.</summary>
    private async Task FinishAsync(Mailing mailing, CancellationToken ct)
    {
        if (await db.MailingRecipients.AnyAsync(r => r.MailingId == mailing.Id
                && (r.Status == RecipientStatus.Pending || r.Status == RecipientStatus.Sending || (r.Status == RecipientStatus.Generated && r.ByEmail)), ct))
        {
            return;
        }

        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var now = clock.GetCurrentInstant();
        if (await db.Mailings.Where(m => m.Id == mailing.Id && m.FinishedAt == null).ExecuteUpdateAsync(u => u.SetProperty(m => m.FinishedAt, now), ct) == 0)
        {
            return;
        }

        var counts = await MailingViews.CountsAsync(db, mailing.Id, ct);
        audit.Record("mailing.finished", Target, mailing.IncidentId.ToString(), null, new { mailing = mailing.Id, counts });
        await audit.CommitAsync(ct);
        await transaction.CommitAsync(ct);
    }
}
