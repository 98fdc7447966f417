using NodaTime;

namespace IncidentResponse.Core.Incidents;

/// <summary>Milestones must tell a possible story: nothing discovered before it occurred, nothing in the future.</summary>
public static class MilestoneRules
{
    /// <summary>How far ahead of the clock a recorded instant may be (clock skew between machines).</summary>
    public static readonly Duration Skew = Duration.FromMinutes(5);

    private static readonly (MilestoneKind Later, MilestoneKind Earlier)[] Order =
    [
        (MilestoneKind.Discovered, MilestoneKind.Occurred),
        (MilestoneKind.BreachDetermined, MilestoneKind.Discovered),
        (MilestoneKind.Contained, MilestoneKind.Discovered),
        (MilestoneKind.MaterialityDetermined, MilestoneKind.Discovered),
        (MilestoneKind.Closed, MilestoneKind.Discovered),
        (MilestoneKind.Closed, MilestoneKind.Contained),
        (MilestoneKind.Closed, MilestoneKind.BreachDetermined),
    ];

    /// <summary>Why recording <paramref name="kind"/> at <paramref name="at"/> is impossible, or null.</summary>
    public static string? Check(IReadOnlyDictionary<MilestoneKind, Instant> recorded, MilestoneKind kind, Instant at, Instant now)
    {
        if (at > now + Skew)
        {
            return $"A milestone cannot be in the future (it is now {now}).";
        }

        foreach (var (later, earlier) in Order)
        {
            if (kind == later && recorded.TryGetValue(earlier, out var before) && at < before)
            {
                return $"'{later.ToString().ToCamelCase()}' cannot be before '{earlier.ToString().ToCamelCase()}' ({before}).";
            }

            if (kind == earlier && recorded.TryGetValue(later, out var after) && at > after)
            {
                return $"'{earlier.ToString().ToCamelCase()}' cannot be after '{later.ToString().ToCamelCase()}' ({after}).";
            }
        }

        return null;
    }
}
