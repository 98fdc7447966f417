using IncidentResponse.Core.Identity;
using IncidentResponse.Core.Incidents;
using IncidentResponse.Core.Playbooks.Conditions;

namespace IncidentResponse.Core.Playbooks;

public enum Team
{
    Legal,
    It,
    Risk,
    Communications,
    CustomerService,
    Executive,
}

public static class Teams
{
    /// <summary>The incident lead who answers for a team's work (the executive team's is the incident commander).</summary>
    public static TeamLeadRole LeadOf(Team team) => team switch
    {
        Team.Legal => TeamLeadRole.Legal,
        Team.It => TeamLeadRole.It,
        Team.Risk => TeamLeadRole.Risk,
        Team.Communications => TeamLeadRole.Communications,
        Team.CustomerService => TeamLeadRole.CustomerService,
        _ => TeamLeadRole.IncidentCommander,
    };

    /// <summary>
    /// Whether someone with these roles may be assigned a team's task: a responder of that team, or one who
    /// answers for every team (an incident commander or an administrator). Team leads are checked per incident.
    /// </summary>
    public static bool MayWorkOn(Team team, IEnumerable<Role> roles)
    {
        var held = roles.ToList();
        return Permissions.Allows(held, Permission.WorkOnTasks)
            && held.Any(r => r is Role.Administrator or Role.IncidentCommander || r == RoleOf(team));
    }

    private static Role RoleOf(Team team) => team switch
    {
        Team.Legal => Role.Legal,
        Team.It => Role.It,
        Team.Risk => Role.Risk,
        Team.Communications => Role.Communications,
        Team.CustomerService => Role.CustomerService,
        _ => Role.IncidentCommander,
    };
}

public enum Phase
{
    Detection,
    Containment,
    Eradication,
    Recovery,
    Notification,
    PostIncident,
}

public enum StepKind
{
    Task,
    Decision,
    Approval,
    Milestone,
    Assessment,
    LawEnforcement,
    Wait,
    Notify,
    GenerateLetters,
}

public enum DueAnchor
{
    Milestone,
    Step,
    LegalClock,
}

/// <summary>A versioned playbook, as loaded from workflows/playbooks (docs/playbooks.md).</summary>
public sealed record PlaybookDefinition(
    string Id,
    string Title,
    int Version,
    IReadOnlyList<IncidentKind> AppliesTo,
    string Summary,
    IReadOnlyList<PlaybookReference> References,
    IReadOnlyList<StepDefinition> Steps,
    string ContentHash)
{
    private readonly Dictionary<string, StepDefinition> byId = Steps.GroupBy(s => s.Id).ToDictionary(g => g.Key, g => g.First());

    public StepDefinition Step(string id) => byId[id];

    public bool HasStep(string id) => byId.ContainsKey(id);
}

public sealed record PlaybookReference(string Id, string Title, string? Url);

public sealed record StepDefinition(
    string Id,
    string Title,
    string Description,
    Team Team,
    string? Role,
    Phase Phase,
    StepKind Kind,
    IReadOnlyList<string> After,
    Condition? When,
    DueRule? Due,
    IReadOnlyList<EscalationRung> Escalation,
    IReadOnlyList<string> References,
    bool Automated,
    IReadOnlyList<DecisionOption> Options,
    IReadOnlyList<string> Approvers,
    MilestoneKind? Milestone,
    WaitFor? Wait,
    NotifySpec? Notify,
    IReadOnlyList<string> Agencies,
    IReadOnlyList<string> LetterRecipients,
    int Line);

public sealed record DecisionOption(string Id, string Title);

/// <summary>When a step is due: hours or calendar days from an anchor, with a fallback anchor.</summary>
public sealed record DueRule(DueAnchor From, string Anchor, int? Hours, int? Days, DueRule? Otherwise);

public sealed record EscalationRung(NodaTime.Duration Offset, bool Before, string To);

/// <summary>What a wait step waits for: one of a milestone, an event or a duration.</summary>
public sealed record WaitFor(MilestoneKind? Milestone, string? Event, NodaTime.Duration? Duration);

public sealed record NotifySpec(IReadOnlyList<string> To, string Message);
