using IncidentResponse.Core.Identity;

namespace IncidentResponse.Core.Tests.Identity;

public sealed class PermissionsTests
{
    [Fact]
    public void Observers_can_read_but_never_write()
    {
        Assert.True(Permissions.Allows([Role.Observer], Permission.ReadIncidents));
        foreach (var permission in Enum.GetValues<Permission>().Except([Permission.ReadIncidents, Permission.ReadLaws]))
        {
            Assert.False(Permissions.Allows([Role.Observer], permission), permission.ToString());
        }
    }

    [Fact]
    public void Only_administrators_manage_users()
    {
        Assert.Equal([Role.Administrator], Permissions.RolesWith(Permission.ManageUsers));
    }

    [Fact]
    public void Need_to_know_hides_restricted_incidents_from_non_members_except_administrators()
    {
        Assert.True(Permissions.CanSeeIncident(restricted: false, isMember: false, [Role.It]));
        Assert.False(Permissions.CanSeeIncident(restricted: true, isMember: false, [Role.IncidentCommander]));
        Assert.True(Permissions.CanSeeIncident(restricted: true, isMember: true, [Role.It]));
        Assert.True(Permissions.CanSeeIncident(restricted: true, isMember: false, [Role.Administrator]));
    }
}
