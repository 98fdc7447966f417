using IncidentResponse.Core.Audit;
using NodaTime;

namespace IncidentResponse.Core.Tests.Audit;

public sealed class AuditChainTests
{
    private static List<AuditRecord> Chain(int length, string incident = "42", long firstSequence = 1)
    {
        var events = new List<AuditRecord>();
        var previous = AuditChain.Genesis;
        for (var i = 1; i <= length; i++)
        {
            var at = Instant.FromUtc(2026, 3, 2, 15, 0) + Duration.FromMinutes(i);
            var hash = AuditChain.Hash(i, at, "dana", "incident.updated", "incident", incident, $"{{\"n\":{i}}}", previous);
            events.Add(new AuditRecord(firstSequence + i - 1, incident, i, at, "dana", "incident.updated", "incident", incident, $"{{\"n\":{i}}}", previous, hash));
            previous = hash;
        }

        return events;
    }

    private static ChainHead[] Heads(params List<AuditRecord>[] chains) =>
        chains.Select(c => new ChainHead(c[^1].Chain, c[^1].Position, c[^1].Hash)).ToArray();

    [Fact]
    public void An_untouched_chain_verifies()
    {
        var events = Chain(10);
        var result = AuditChain.Verify(events, Heads(events));
        Assert.True(result.Valid);
        Assert.Equal(10, result.EventsChecked);
    }

    [Fact]
    public void Chains_of_several_incidents_verify_each_on_its_own()
    {
        var first = Chain(4, "a", firstSequence: 1);
        var second = Chain(3, "b", firstSequence: 5);
        var result = AuditChain.Verify(first.Concat(second), Heads(first, second));
        Assert.True(result.Valid, result.Problem);
        Assert.Equal(7, result.EventsChecked);
    }

    [Fact]
    public void Changing_any_field_breaks_the_link_at_that_event()
    {
        var events = Chain(10);
        events[4] = events[4] with { Actor = "mallory" };
        var result = AuditChain.Verify(events, Heads(Chain(10)));
        Assert.False(result.Valid);
        Assert.Equal(5, result.FirstBrokenSequence);
        Assert.Contains("altered", result.Problem);
    }

    [Fact]
    public void Removing_an_event_is_detected()
    {
        var events = Chain(10);
        events.RemoveAt(6);
        var result = AuditChain.Verify(events, Heads(Chain(10)));
        Assert.False(result.Valid);
        Assert.Equal(8, result.FirstBrokenSequence);
    }

    [Fact]
    public void Removing_the_newest_events_is_detected_by_the_head()
    {
        var events = Chain(10);
        var heads = Heads(events);
        events.RemoveRange(8, 2);
        var result = AuditChain.Verify(events, heads);
        Assert.False(result.Valid);
        Assert.Equal(8, result.FirstBrokenSequence);
        Assert.Contains("head records 10", result.Problem);
    }

    [Fact]
    public void Removing_a_whole_chain_is_detected_by_its_head()
    {
        var kept = Chain(3, "a");
        var removed = Chain(2, "b", firstSequence: 4);
        var result = AuditChain.Verify(kept, Heads(kept, removed));
        Assert.False(result.Valid);
        Assert.Contains("incident b", result.Problem);
    }

    [Fact]
    public void An_event_moved_to_another_chain_is_detected()
    {
        var events = Chain(3, "a");
        events[2] = events[2] with { Chain = "b" };
        var result = AuditChain.Verify(events, Heads(Chain(3, "a")));
        Assert.False(result.Valid);
        Assert.Equal(3, result.FirstBrokenSequence);
        Assert.Contains("belongs to the chain of incident a", result.Problem);
    }

    [Fact]
    public void Incident_events_written_before_chains_were_split_verify_in_the_organisation_chain()
    {
        var events = Chain(3, "a").Select(e => e with { Chain = AuditChain.Organisation }).ToList();
        var result = AuditChain.Verify(events, Heads(events));
        Assert.True(result.Valid, result.Problem);
    }

    [Fact]
    public void Rehashing_a_changed_event_still_breaks_the_next_link()
    {
        var events = Chain(5);
        var e = events[2] with { Summary = "{\"n\":999}" };
        events[2] = e with { Hash = AuditChain.Hash(e.Position, e.At, e.Actor, e.Action, e.TargetType, e.TargetId, e.Summary, e.PreviousHash) };
        var result = AuditChain.Verify(events, Heads(Chain(5)));
        Assert.Equal(4, result.FirstBrokenSequence);
    }

    [Fact]
    public void Events_outside_incidents_share_the_organisation_chain()
    {
        Assert.Equal(AuditChain.Organisation, AuditChain.ChainOf("user", "7"));
        Assert.Equal("9f1c", AuditChain.ChainOf("incident", "9f1c"));
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
