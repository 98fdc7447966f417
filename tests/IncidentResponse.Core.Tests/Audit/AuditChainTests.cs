using IncidentResponse.Core.Audit;
using NodaTime;

namespace IncidentResponse.Core.Tests.Audit;

public sealed class AuditChainTests
{
    private static List<AuditRecord> Chain(int length)
    {
        var events = new List<AuditRecord>();
        var previous = AuditChain.Genesis;
        for (var i = 1; i <= length; i++)
        {
            var at = Instant.FromUtc(2026, 3, 2, 15, 0) + Duration.FromMinutes(i);
            var hash = AuditChain.Hash(i, at, "dana", "incident.updated", "incident", "42", $"{{\"n\":{i}}}", previous);
            events.Add(new AuditRecord(i, at, "dana", "incident.updated", "incident", "42", $"{{\"n\":{i}}}", previous, hash));
            previous = hash;
        }

        return events;
    }

    [Fact]
    public void An_untouched_chain_verifies()
    {
        var result = AuditChain.Verify(Chain(10));
        Assert.True(result.Valid);
        Assert.Equal(10, result.EventsChecked);
    }

    [Fact]
    public void Changing_any_field_breaks_the_link_at_that_event()
    {
        var events = Chain(10);
        events[4] = events[4] with { Actor = "mallory" };
        var result = AuditChain.Verify(events);
        Assert.False(result.Valid);
        Assert.Equal(5, result.FirstBrokenSequence);
        Assert.Contains("altered", result.Problem);
    }

    [Fact]
    public void Removing_an_event_is_detected()
    {
        var events = Chain(10);
        events.RemoveAt(6);
        var result = AuditChain.Verify(events);
        Assert.False(result.Valid);
        Assert.Equal(8, result.FirstBrokenSequence);
    }

    [Fact]
    public void Rehashing_a_changed_event_still_breaks_the_next_link()
    {
        var events = Chain(5);
        var e = events[2] with { Summary = "{\"n\":999}" };
        events[2] = e with { Hash = AuditChain.Hash(e.Sequence, e.At, e.Actor, e.Action, e.TargetType, e.TargetId, e.Summary, e.PreviousHash) };
        var result = AuditChain.Verify(events);
        Assert.Equal(4, result.FirstBrokenSequence);
    }

    [Fact]
    public void Field_boundaries_are_part_of_the_hash()
    {
        var at = Instant.FromUtc(2026, 1, 1, 0, 0);
        Assert.NotEqual(
            AuditChain.Hash(1, at, "ab", "c", "t", "1", "s", AuditChain.Genesis),
            AuditChain.Hash(1, at, "a", "bc", "t", "1", "s", AuditChain.Genesis));
    }
}
