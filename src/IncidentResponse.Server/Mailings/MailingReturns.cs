using System.Globalization;
using IncidentResponse.Core;
using IncidentResponse.Core.AffectedPeople;
using IncidentResponse.Server.Api;
using IncidentResponse.Server.Audit;
using IncidentResponse.Server.Identity;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.Persistence;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Text;

namespace IncidentResponse.Server.Mailings;

/// <summary>
/// What became of one letter: status "returned" (mail came back), "bounced" (email refused) or "sent" (an email left
/// in "sending" by a node that stopped mid-send, confirmed delivered from the mail server's log), the reason, and when
/// (ISO instant; default now).
/// </summary>
public sealed record ReturnEntry(string? Reference, string? Status, string? Reason, string? At);

public sealed record ReturnsRequest(IReadOnlyList<ReturnEntry>? Returns);

/// <summary>
/// Records returned mail and bounces by recipient reference, all or nothing: a returned letter must have gone by
/// post, a bounce must have been an email that was sent or was being sent; "sent" settles an email left in "sending";
/// recording the same outcome again changes nothing.
/// </summary>
public sealed class MailingReturns(IncidentDbContext db, AuditTrail audit, CurrentActor actor, IClock clock)
{
    public const int MaxEntries = 10_000;
    public const string CsvHeader = "reference,status,reason,at";

    /// <summary>The entries of a CSV body with the header <see cref="CsvHeader"/>; an error names the row.</summary>
    public static Outcome<List<ReturnEntry>> ReadCsv(TextReader text)
    {
        var reader = new CsvRecordReader(text);
        var header = reader.Read();
        if (header is null || !string.Join(',', header.Fields.Select(f => f.Trim().ToLowerInvariant())).StartsWith("reference,status,reason", StringComparison.Ordinal))
        {
            return Failure.Invalid("body", $"A returns file starts with the header '{CsvHeader}' (at is optional).");
        }

        var entries = new List<ReturnEntry>();
        while (reader.Read() is { } record)
        {
            if (record.Malformed is { } malformed)
            {
                return Failure.Invalid($"returns[{entries.Count}]", $"Row {record.Row} is not valid CSV: {malformed}.");
            }

            string? Field(int i) => record.Fields.Count > i && record.Fields[i].Trim().Length > 0 ? record.Fields[i].Trim() : null;
            entries.Add(new ReturnEntry(Field(0), Field(1), Field(2), Field(3)));
            if (entries.Count > MaxEntries)
            {
                break;
            }
        }

        return entries;
    }

    public async Task<Outcome<ReturnsView>> RecordAsync(Guid incidentId, Guid mailingId, IReadOnlyList<ReturnEntry> entries, CancellationToken ct)
    {
        if (!await db.IsVisibleAsync(actor, incidentId, ct))
        {
            return Failure.NotFound("The incident");
        }

        var mailing = await db.Mailings.AsNoTracking().SingleOrDefaultAsync(m => m.Id == mailingId && m.IncidentId == incidentId, ct);
        if (mailing is null)
        {
            return Failure.NotFound("The mailing");
        }

        var invalid = Require.AtMost("returns", entries.Count, MaxEntries)
            ?? (entries.Count == 0 ? Failure.Invalid("returns", "'returns' lists at least one returned letter.") : null);
        if (invalid is not null)
        {
            return invalid;
        }

        var now = clock.GetCurrentInstant();
        var wanted = new List<(int Sequence, RecipientStatus Status, string Reason, Instant At)>();
        for (var i = 0; i < entries.Count; i++)
        {
            var read = Read(mailing, entries[i], $"returns[{i}]", now);
            if (read.Failure is { } bad)
            {
                return bad;
            }

            wanted.Add(read.Value);
        }

        var sequences = wanted.Select(w => w.Sequence).Distinct().ToList();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var recipients = await db.MailingRecipients.Where(r => r.MailingId == mailingId && sequences.Contains(r.Sequence)).ToDictionaryAsync(r => r.Sequence, ct);
        int recorded = 0, already = 0;
        for (var i = 0; i < wanted.Count; i++)
        {
            var (sequence, status, reason, at) = wanted[i];
            if (!recipients.TryGetValue(sequence, out var recipient))
            {
                return Failure.Invalid($"returns[{i}].reference", $"{mailing.Reference(sequence)} is not a recipient of this mailing.");
            }

            if (recipient.Status == status)
            {
                already++;
                continue;
            }

            var allowed = status switch
            {
                RecipientStatus.Returned => recipient.ByPost && recipient.Status is RecipientStatus.Generated or RecipientStatus.Sent,
                RecipientStatus.Bounced => recipient.ByEmail && recipient.Status is RecipientStatus.Sent or RecipientStatus.Sending,
                _ => recipient.ByEmail && recipient.Status == RecipientStatus.Sending,
            };
            if (!allowed)
            {
                return new Failure(FailureKind.Conflict,
                    $"{mailing.Reference(sequence)} cannot be {status.ToString().ToLowerInvariant()}: its letter is {recipient.Status.ToString().ToCamelCase()}"
                    + status switch
                    {
                        RecipientStatus.Returned => " and a returned letter is one that went by post.",
                        RecipientStatus.Bounced => " and a bounce is of an email that was sent.",
                        _ => " and only an email left in sending is confirmed sent.",
                    },
                    $"returns[{i}].status");
            }

            (recipient.Status, recipient.Reason) = (status, reason);
            if (status == RecipientStatus.Sent)
            {
                recipient.SentAt = at;
            }
            else
            {
                recipient.ReturnedAt = at;
            }

            recorded++;
        }

        audit.Record("mailing.returns.recorded", "incident", incidentId.ToString(), null, new
        {
            mailing = mailingId, recorded, alreadyRecorded = already,
            returned = wanted.Count(w => w.Status == RecipientStatus.Returned), bounced = wanted.Count(w => w.Status == RecipientStatus.Bounced),
            confirmedSent = wanted.Count(w => w.Status == RecipientStatus.Sent),
        });
        await audit.CommitAsync(ct);
        await transaction.CommitAsync(ct);
        return new ReturnsView(mailingId, recorded, already);
    }

    private static Outcome<(int Sequence, RecipientStatus Status, string Reason, Instant At)> Read(Mailing mailing, ReturnEntry entry, string path, Instant now)
    {
        var prefix = mailing.Code + "-";
        if (entry.Reference is not { } reference || !reference.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
            || !int.TryParse(reference.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
        {
            return Failure.Invalid($"{path}.reference", $"'{entry.Reference}' is not a reference of this mailing ({mailing.Reference(1)} is).");
        }

        RecipientStatus status;
        switch (entry.Status?.ToLowerInvariant())
        {
            case "returned":
                status = RecipientStatus.Returned;
                break;
            case "bounced":
                status = RecipientStatus.Bounced;
                break;
            case "sent":
                status = RecipientStatus.Sent;
                break;
            default:
                return Failure.Invalid($"{path}.status", "'status' is 'returned' (mail came back), 'bounced' (email refused) or 'sent' (an email left in sending, delivered).");
        }

        if ((Require.Text($"{path}.reason", entry.Reason, MailingRecipient.ReasonLength)) is { } noReason)
        {
            return noReason;
        }

        var at = now;
        if (entry.At is { } text)
        {
            var parsed = InstantPattern.ExtendedIso.Parse(text);
            if (!parsed.Success || parsed.Value > now)
            {
                return Failure.Invalid($"{path}.at", $"'{text}' is not a past instant such as 2026-07-01T09:30:00Z.");
            }

            at = parsed.Value;
        }

        return (sequence, status, entry.Reason!.Trim(), at);
    }
}
