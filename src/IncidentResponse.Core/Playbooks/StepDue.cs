using IncidentResponse.Core.Incidents;
using NodaTime;

namespace IncidentResponse.Core.Playbooks;

/// <summary>The instants a due rule can anchor to, as the incident knows them now.</summary>
public sealed record DueAnchors(
    IReadOnlyDictionary<MilestoneKind, Instant> Milestones,
    IReadOnlyDictionary<string, Instant> StepsCompleted,
    IReadOnlyDictionary<string, Instant> Clocks,
    DateTimeZone Zone);

/// <summary>
/// When a step is due (docs/playbooks.md "Due dates"): hours are exact; days are calendar days in the
/// entity's zone; a rule whose anchor has no instant yet falls back to its `otherwise`, else no due date.
/// </summary>
public static class StepDue
{
    public static Instant? Compute(DueRule? rule, DueAnchors anchors)
    {
        for (var current = rule; current is not null; current = current.Otherwise)
        {
            if (Anchor(current, anchors) is { } anchor)
            {
                return current.Hours is { } hours
                    ? anchor + Duration.FromHours(hours)
                    : anchor.InZone(anchors.Zone).LocalDateTime.PlusDays(current.Days ?? 0).InZoneLeniently(anchors.Zone).ToInstant();
            }
        }

        return null;
    }

    private static Instant? Anchor(DueRule rule, DueAnchors anchors) => rule.From switch
    {
        DueAnchor.Milestone => Enum.GetValues<MilestoneKind>().Where(k => k.ToString().ToCamelCase() == rule.Anchor)
            .Select(k => anchors.Milestones.TryGetValue(k, out var at) ? at : (Instant?)null).FirstOrDefault(),
        DueAnchor.Step => anchors.StepsCompleted.TryGetValue(rule.Anchor, out var done) ? done : null,
        _ => anchors.Clocks.TryGetValue(rule.Anchor, out var clock) ? clock : null,
    };
}
