using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NodaTime;
using NodaTime.Text;

namespace IncidentResponse.Core.Audit;

/// <summary>The fields of one audit event that its hash covers.</summary>
public sealed record AuditRecord(
    long Sequence,
    Instant At,
    string Actor,
    string Action,
    string TargetType,
    string TargetId,
    string Summary,
    string PreviousHash,
    string Hash);

public sealed record ChainVerification(bool Valid, long EventsChecked, long? FirstBrokenSequence, string? Problem);

/// <summary>
/// The audit trail's hash chain: each event's hash covers its fields and the previous event's hash, so
/// changing, removing or reordering any event breaks every link after it.
/// </summary>
public static class AuditChain
{
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    public static string Hash(
        long sequence, Instant at, string actor, string action, string targetType, string targetId,
        string summary, string previousHash)
    {
        var builder = new StringBuilder();
        // Length-prefixed fields: no choice of field contents can make two events serialise alike.
        foreach (var field in new[]
                 {
                     sequence.ToString(CultureInfo.InvariantCulture), InstantPattern.ExtendedIso.Format(at), actor,
                     action, targetType, targetId, summary, previousHash,
                 })
        {
            builder.Append(field.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(field).Append(';');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(builder.ToString())));
    }

    /// <summary>Checks one link given the previous event's sequence and hash; null when it holds.</summary>
    public static string? CheckLink(long previousSequence, string previousHash, AuditRecord e)
    {
        if (e.Sequence != previousSequence + 1)
        {
            return $"Event {previousSequence + 1} is missing: the next event found is {e.Sequence}.";
        }

        if (!string.Equals(e.PreviousHash, previousHash, StringComparison.Ordinal))
        {
            return $"Event {e.Sequence} does not link to the hash of event {previousSequence}.";
        }

        var recomputed = Hash(e.Sequence, e.At, e.Actor, e.Action, e.TargetType, e.TargetId, e.Summary, e.PreviousHash);
        return string.Equals(recomputed, e.Hash, StringComparison.Ordinal)
            ? null
            : $"Event {e.Sequence} was altered: its contents no longer match its hash.";
    }

    /// <summary>Recomputes the chain in sequence order and reports the first broken link.</summary>
    public static ChainVerification Verify(IEnumerable<AuditRecord> eventsInOrder)
    {
        long previousSequence = 0;
        var previousHash = Genesis;
        long count = 0;
        foreach (var e in eventsInOrder)
        {
            count++;
            if (CheckLink(previousSequence, previousHash, e) is { } problem)
            {
                return new ChainVerification(false, count, e.Sequence, problem);
            }

            previousSequence = e.Sequence;
            previousHash = e.Hash;
        }

        return new ChainVerification(true, count, null, null);
    }
}
