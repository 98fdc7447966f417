using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NodaTime;
using NodaTime.Text;

namespace IncidentResponse.Core.Audit;

/// <summary>The fields of one audit event: where it sits (global sequence, chain and position) and what its hash covers.</summary>
public sealed record AuditRecord(
    long Sequence,
    string Chain,
    long Position,
    Instant At,
    string Actor,
    string Action,
    string TargetType,
    string TargetId,
    string Summary,
    string PreviousHash,
    string Hash);

/// <summary>Where a chain ends, as the chain heads record it.</summary>
public sealed record ChainHead(string Chain, long Position, string Hash);

public sealed record ChainVerification(bool Valid, long EventsChecked, long? FirstBrokenSequence, string? Problem);

/// <summary>
/// The audit trail's hash chains: one per incident (its events) and one for everything else (the organisation
/// chain, key ""). Each event's hash covers its position in its chain, its fields and the previous event's
/// hash, so changing, removing or reordering any event breaks every link after it; each chain's head records
/// its last position and hash, so removing the newest events is found too.
/// </summary>
public static class AuditChain
{
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary>The organisation chain: users, keys, settings, webhooks, and every event written before chains were split.</summary>
    public const string Organisation = "";

    /// <summary>The chain an event belongs to: its incident's, or the organisation chain.</summary>
    public static string ChainOf(string targetType, string targetId) => targetType == "incident" ? targetId : Organisation;

    public static string Hash(
        long position, Instant at, string actor, string action, string targetType, string targetId,
        string summary, string previousHash)
    {
        var builder = new StringBuilder();
        // Length-prefixed fields: no choice of field contents can make two events serialise alike.
        foreach (var field in new[]
                 {
                     position.ToString(CultureInfo.InvariantCulture), InstantPattern.ExtendedIso.Format(at), actor,
                     action, targetType, targetId, summary, previousHash,
                 })
        {
            builder.Append(field.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(field).Append(';');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(builder.ToString())));
    }

    /// <summary>Recomputes every chain (events in chain, then position order) against the heads and reports the first broken link.</summary>
    public static ChainVerification Verify(IEnumerable<AuditRecord> eventsInChainOrder, IEnumerable<ChainHead> heads)
    {
        var walk = new ChainWalk(heads);
        foreach (var e in eventsInChainOrder)
        {
            if (walk.Next(e) is { } broken)
            {
                return broken;
            }
        }

        return walk.Finish();
    }
}

/// <summary>
/// Checks chains event by event, in chain then position order, so a caller can stream millions of events:
/// positions count from 1 without gaps, each event links to the previous hash and matches its own, sits in
/// the chain its target belongs to (or the organisation chain), and each chain ends where its head says.
/// </summary>
public sealed class ChainWalk(IEnumerable<ChainHead> heads)
{
    private readonly Dictionary<string, ChainHead> unseen = heads.ToDictionary(h => h.Chain, StringComparer.Ordinal);
    private string? chain;
    private long position;
    private long lastSequence;
    private string previousHash = AuditChain.Genesis;
    private long count;

    /// <summary>The next event; a failed verification when it breaks its chain, else null.</summary>
    public ChainVerification? Next(AuditRecord e)
    {
        count++;
        // The organisation chain also holds every event written before chains were split, whatever its target.
        var expected = AuditChain.ChainOf(e.TargetType, e.TargetId);
        if (e.Chain != AuditChain.Organisation && !string.Equals(e.Chain, expected, StringComparison.Ordinal))
        {
            return new ChainVerification(false, count, e.Sequence, $"Event {e.Sequence} sits in {Name(e.Chain)} but its target belongs to {Name(expected)}.");
        }

        if (!string.Equals(e.Chain, chain, StringComparison.Ordinal))
        {
            if (EndOfChain() is { } ended)
            {
                return ended;
            }

            chain = e.Chain;
            position = 0;
            previousHash = AuditChain.Genesis;
        }

        var problem = CheckLink(e);
        position = e.Position;
        previousHash = e.Hash;
        lastSequence = e.Sequence;
        return problem is null ? null : new ChainVerification(false, count, e.Sequence, problem);
    }

    /// <summary>After the last event: the last chain's end, and heads whose chain has no events at all.</summary>
    public ChainVerification Finish()
    {
        if (EndOfChain() is { } ended)
        {
            return ended;
        }

        return unseen.Values.FirstOrDefault() is { } orphan
            ? new ChainVerification(false, count, null, $"{Name(orphan.Chain)} records {orphan.Position} event(s) but none was found.")
            : new ChainVerification(true, count, null, null);
    }

    private string? CheckLink(AuditRecord e)
    {
        if (e.Position != position + 1)
        {
            return $"{Name(e.Chain)}: event {position + 1} is missing; the next event found is {e.Position} (sequence {e.Sequence}).";
        }

        if (!string.Equals(e.PreviousHash, previousHash, StringComparison.Ordinal))
        {
            return $"Event {e.Sequence} does not link to the hash of the event before it in {Name(e.Chain)}.";
        }

        var recomputed = AuditChain.Hash(e.Position, e.At, e.Actor, e.Action, e.TargetType, e.TargetId, e.Summary, e.PreviousHash);
        return string.Equals(recomputed, e.Hash, StringComparison.Ordinal)
            ? null
            : $"Event {e.Sequence} was altered: its contents no longer match its hash.";
    }

    private ChainVerification? EndOfChain()
    {
        if (chain is null)
        {
            return null;
        }

        var ended = chain;
        if (!unseen.Remove(ended, out var head))
        {
            return new ChainVerification(false, count, lastSequence, $"{Name(ended)} has events but no head.");
        }

        return head.Position == position && string.Equals(head.Hash, previousHash, StringComparison.Ordinal)
            ? null
            : new ChainVerification(false, count, lastSequence,
                $"{Name(ended)} ends at event {position} but its head records {head.Position}: events at its end were removed or added.");
    }

    private static string Name(string chain) => chain.Length == 0 ? "the organisation chain" : $"the chain of incident {chain}";
}
