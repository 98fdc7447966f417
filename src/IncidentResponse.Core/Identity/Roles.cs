namespace IncidentResponse.Core.Identity;

public enum Role
{
    Administrator,
    IncidentCommander,
    Legal,
    It,
    Risk,
    Communications,
    CustomerService,
    Facilitator,
    Observer,
}

/// <summary>What a person may do; each endpoint demands one permission.</summary>
public enum Permission
{
    ReadIncidents,
    CreateIncidents,
    ManageIncidents,
    RecordMilestones,
    WriteTimeline,
    RecordDecisions,
    ReadAudit,
    VerifyAudit,
    ManageUsers,
    RunAssessments,
    ReadLaws,
    WorkOnTasks,
    ManagePlaybooks,
    PublishPlaybooks,
    /// <summary>Run an exercise's simulated clock: start, pause, resume, speed up, advance.</summary>
    RunExercises,
    DraftLetters,
    ApproveLetters,
    ReleaseLetters,
    ManageAffectedPeople,
}

/// <summary>The role matrix: which roles hold which permissions.</summary>
public static class Permissions
{
    private static readonly Role[] Everyone = Enum.GetValues<Role>();
    private static readonly Role[] Responders =
        [Role.Administrator, Role.IncidentCommander, Role.Legal, Role.It, Role.Risk, Role.Communications, Role.CustomerService, Role.Facilitator];

    private static readonly Dictionary<Permission, Role[]> Matrix = new()
    {
        [Permission.ReadIncidents] = Everyone,
        [Permission.ReadLaws] = Everyone,
        [Permission.CreateIncidents] = [Role.Administrator, Role.IncidentCommander, Role.Facilitator],
        [Permission.ManageIncidents] = [Role.Administrator, Role.IncidentCommander],
        [Permission.RecordMilestones] = [Role.Administrator, Role.IncidentCommander, Role.Legal, Role.It],
        [Permission.WriteTimeline] = Responders,
        [Permission.RecordDecisions] = [Role.Administrator, Role.IncidentCommander, Role.Legal, Role.Risk],
        [Permission.RunAssessments] = [Role.Administrator, Role.IncidentCommander, Role.Legal, Role.Risk],
        [Permission.ReadAudit] = [Role.Administrator, Role.IncidentCommander, Role.Legal],
        [Permission.VerifyAudit] = [Role.Administrator, Role.Legal],
        [Permission.ManageUsers] = [Role.Administrator],
        [Permission.WorkOnTasks] = Responders,
        [Permission.ManagePlaybooks] = [Role.Administrator, Role.IncidentCommander, Role.Facilitator],
        [Permission.PublishPlaybooks] = [Role.Administrator],
        [Permission.RunExercises] = [Role.Administrator, Role.IncidentCommander, Role.Facilitator],
        [Permission.DraftLetters] = [Role.Administrator, Role.IncidentCommander, Role.Legal, Role.Communications],
        // Approval of a letter's wording (and of the organisation's templates) is a legal sign-off.
        [Permission.ApproveLetters] = [Role.Legal],
        [Permission.ReleaseLetters] = [Role.Administrator, Role.IncidentCommander, Role.Legal],
        [Permission.ManageAffectedPeople] = [Role.Administrator, Role.IncidentCommander, Role.Legal],
    };

    public static IReadOnlyList<Role> RolesWith(Permission permission) => Matrix[permission];

    public static bool Allows(IEnumerable<Role> roles, Permission permission) =>
        roles.Any(r => Matrix[permission].Contains(r));

    /// <summary>
    /// Need-to-know: a restricted incident is visible to its members and to administrators only.
    /// </summary>
    public static bool CanSeeIncident(bool restricted, bool isMember, IEnumerable<Role> roles) =>
        !restricted || isMember || roles.Contains(Role.Administrator);
}
