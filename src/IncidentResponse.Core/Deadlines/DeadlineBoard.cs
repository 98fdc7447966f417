using NodaTime;

namespace IncidentResponse.Core.Deadlines;

/// <summary>Where a deadline comes from: every clock the scheduler enforces is one of these.</summary>
public enum DeadlineSource
{
    Obligation,
    Step,
    LawEnforcementDelay,
    /// <summary>One a person set (a regulator's follow-up, a promised update); closed by hand, never recomputed.</summary>
    FollowUp,
}

/// <summary>A deadline's own state; "overdue" is not a state but an open deadline past its due instant.</summary>
public enum DeadlineStatus
{
    Open,
    Met,
    Missed,
    Withdrawn,
}

/// <summary>The columns of the deadline board.</summary>
public enum BoardColumn
{
    Upcoming,
    DueSoon,
    Overdue,
    Met,
    Missed,
    Withdrawn,
}

public static class DeadlineBoard
{
    /// <summary>An open deadline within this of its due instant is due soon.</summary>
    public static readonly Duration SoonWindow = Duration.FromDays(7);

    public static BoardColumn Column(DeadlineStatus status, Instant? due, Instant now) => status switch
    {
        DeadlineStatus.Met => BoardColumn.Met,
        DeadlineStatus.Missed => BoardColumn.Missed,
        DeadlineStatus.Withdrawn => BoardColumn.Withdrawn,
        _ when due is null => BoardColumn.Upcoming,
        _ when due <= now => BoardColumn.Overdue,
        _ when due - now <= SoonWindow => BoardColumn.DueSoon,
        _ => BoardColumn.Upcoming,
    };

    /// <summary>Whether work finished at <paramref name="finished"/> met a deadline due at <paramref name="due"/>.</summary>
    public static DeadlineStatus Closed(Instant? due, Instant finished) =>
        due is { } d && finished > d ? DeadlineStatus.Missed : DeadlineStatus.Met;

    /// <summary>
    /// Who receives a rung: the level it names, or the next one up when nobody holds that level (a step with
    /// no assignee goes to its team lead; a team with no lead goes to the incident commander).
    /// </summary>
    public static T? Recipient<T>(EscalationLevel level, T? owner, T? teamLead, T? commander)
        where T : struct => level switch
        {
            EscalationLevel.Owner => owner ?? teamLead ?? commander,
            EscalationLevel.TeamLead => teamLead ?? commander,
            _ => commander ?? teamLead,
        };
}
