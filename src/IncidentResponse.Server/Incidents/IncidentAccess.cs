using IncidentResponse.Core.Identity;
using IncidentResponse.Server.Identity;
using IncidentResponse.Server.Persistence;
using Microsoft.EntityFrameworkCore;

namespace IncidentResponse.Server.Incidents;

/// <summary>Need-to-know: which incidents the current person may see. Others do not exist for them (404).</summary>
public static class IncidentAccess
{
    public static IQueryable<Incident> VisibleTo(this IQueryable<Incident> incidents, CurrentActor actor)
    {
        if (actor.IsSystem || actor.Roles.Contains(Role.Administrator))
        {
            return incidents;
        }

        var me = actor.Id;
        return incidents.Where(i => !i.Restricted || i.Members.Any(m => m.UserId == me));
    }

    /// <summary>The incident with its milestones, leads and members, if the actor may see it.</summary>
    public static Task<Incident?> FindVisibleAsync(this IncidentDbContext db, CurrentActor actor, Guid id, CancellationToken ct) =>
        db.Incidents.VisibleTo(actor)
            .Include(i => i.Milestones).Include(i => i.TeamLeads).Include(i => i.Members)
            .AsSplitQuery()
            .SingleOrDefaultAsync(i => i.Id == id, ct);

    public static Task<bool> IsVisibleAsync(this IncidentDbContext db, CurrentActor actor, Guid id, CancellationToken ct) =>
        db.Incidents.VisibleTo(actor).AnyAsync(i => i.Id == id, ct);
}
