namespace IncidentResponse.Core.Incidents;

/// <summary>What the lifecycle needs to know about an incident to judge a transition.</summary>
public sealed record LifecycleContext(IncidentStatus Status, int OpenTasks, int OpenObligations);

public sealed record TransitionRequest(IncidentStatus Target, string? Reason, string? OverrideReason);

/// <summary>The outcome of a transition: the new status and the milestones it records, or why not.</summary>
public sealed record TransitionDecision(
    bool Allowed,
    IncidentStatus Status,
    string? Refusal,
    IReadOnlyList<MilestoneKind> MilestonesToRecord,
    bool Overridden)
{
    public static TransitionDecision Refuse(IncidentStatus current, string why) =>
        new(false, current, why, [], false);
}

/// <summary>
/// The incident lifecycle as a table: each row is a transition users need, with its guard.
/// Anything not in the table is refused.
/// </summary>
public static class Lifecycle
{
    private enum Guard
    {
        None,
        ReasonRequired,
        NoOpenWorkOrOverride,
    }

    private sealed record Row(IncidentStatus From, IncidentStatus To, Guard Guard, string Meaning);

    private static readonly Row[] Table =
    [
        new(IncidentStatus.Detected, IncidentStatus.Triage, Guard.None, "start triage"),
        new(IncidentStatus.Detected, IncidentStatus.Closed, Guard.ReasonRequired, "dismiss a false positive"),
        new(IncidentStatus.Triage, IncidentStatus.Contained, Guard.None, "containment achieved"),
        new(IncidentStatus.Triage, IncidentStatus.Closed, Guard.NoOpenWorkOrOverride, "close: not an incident"),
        new(IncidentStatus.Contained, IncidentStatus.Triage, Guard.ReasonRequired, "containment failed"),
        new(IncidentStatus.Contained, IncidentStatus.Eradicated, Guard.None, "threat removed"),
        new(IncidentStatus.Contained, IncidentStatus.Notification, Guard.None, "notify before eradication completes"),
        new(IncidentStatus.Eradicated, IncidentStatus.Contained, Guard.ReasonRequired, "threat reappeared"),
        new(IncidentStatus.Eradicated, IncidentStatus.Recovered, Guard.None, "services restored"),
        new(IncidentStatus.Recovered, IncidentStatus.Notification, Guard.None, "notification phase"),
        new(IncidentStatus.Recovered, IncidentStatus.Closed, Guard.NoOpenWorkOrOverride, "close without notification"),
        new(IncidentStatus.Notification, IncidentStatus.Recovered, Guard.ReasonRequired, "recovery incomplete"),
        new(IncidentStatus.Notification, IncidentStatus.Closed, Guard.NoOpenWorkOrOverride, "close"),
        new(IncidentStatus.Closed, IncidentStatus.Triage, Guard.ReasonRequired, "reopen"),
    ];

    /// <summary>The transitions open from a status, for clients that offer them.</summary>
    public static IReadOnlyList<IncidentStatus> Next(IncidentStatus from) =>
        Table.Where(r => r.From == from).Select(r => r.To).ToArray();

    public static TransitionDecision Decide(LifecycleContext context, TransitionRequest request)
    {
        var row = Array.Find(Table, r => r.From == context.Status && r.To == request.Target);
        if (row is null)
        {
            var allowed = string.Join(", ", Next(context.Status).Select(s => s.ToString().ToCamelCase()));
            return TransitionDecision.Refuse(
                context.Status,
                $"An incident in status '{context.Status.ToString().ToCamelCase()}' cannot move to " +
                $"'{request.Target.ToString().ToCamelCase()}'. Allowed: {allowed}.");
        }

        var overridden = false;
        switch (row.Guard)
        {
            case Guard.ReasonRequired when string.IsNullOrWhiteSpace(request.Reason):
                return TransitionDecision.Refuse(context.Status, $"A reason is required to {row.Meaning}.");
            case Guard.NoOpenWorkOrOverride when context.OpenTasks + context.OpenObligations > 0:
                if (string.IsNullOrWhiteSpace(request.OverrideReason))
                {
                    return TransitionDecision.Refuse(
                        context.Status,
                        $"The incident has {context.OpenTasks} open task(s) and {context.OpenObligations} open " +
                        "obligation(s); close them or give an override reason.");
                }

                overridden = true;
                break;
        }

        IReadOnlyList<MilestoneKind> milestones = request.Target switch
        {
            IncidentStatus.Contained => [MilestoneKind.Contained],
            IncidentStatus.Closed => [MilestoneKind.Closed],
            _ => [],
        };
        return new TransitionDecision(true, request.Target, null, milestones, overridden);
    }
}
