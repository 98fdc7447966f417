using IncidentResponse.Core.LawEnforcement;
using IncidentResponse.Core.Laws;
using NodaTime;

namespace IncidentResponse.Server.LawEnforcement;

public sealed record ContactView(
    Guid Id, string? AgencyId, Guid? LocalPoliceId, string AgencyName, string Person, ContactChannel Channel, Instant ContactedAt,
    string? CaseNumber, string Shared, bool Privileged, Guid RecordedBy, Instant RecordedAt, Guid? RunId, string? StepId)
{
    /// <summary>The contact with what was shared as the reader may see it.</summary>
    public static ContactView From(LawEnforcementContact c, string shared) => new(
        c.Id, c.AgencyId, c.LocalPoliceId, c.AgencyName, c.Person, c.Channel, c.ContactedAt, c.CaseNumber, shared, c.Privileged,
        c.RecordedBy, c.RecordedAt, c.RunId, c.StepId);
}

public sealed record RenewalView(Guid Id, DelayForm Form, Instant RequestedAt, Instant? ExpiresAt, string? DocumentReference, Guid RecordedBy, Instant RecordedAt);

/// <summary>A delay request as first made, its renewals, its lift, and where it stands now (endsAt null: until further notice).</summary>
public sealed record DelayView(
    Guid Id, string? AgencyId, Guid? LocalPoliceId, string AgencyName, Guid? ContactId, DelayForm Form, Instant RequestedAt, Instant? ExpiresAt,
    string? DocumentReference, IReadOnlyList<RenewalView> Renewals, Instant? LiftedAt, string? LiftReason, DelayStatus Status, DelayForm CurrentForm,
    Instant? EndsAt, Guid RecordedBy, Instant RecordedAt, int Version)
{
    public static DelayView From(LawEnforcementDelayRecord d, Instant now)
    {
        var request = d.ToRequest();
        return new(
            d.Id, d.AgencyId, d.LocalPoliceId, d.AgencyName, d.ContactId, d.Form, d.RequestedAt, d.ExpiresAt, d.DocumentReference,
            d.Renewals.OrderBy(r => r.RequestedAt).ThenBy(r => r.RecordedAt)
                .Select(r => new RenewalView(r.Id, r.Form, r.RequestedAt, r.ExpiresAt, r.DocumentReference, r.RecordedBy, r.RecordedAt)).ToList(),
            d.LiftedAt, d.LiftReason, request.StatusAt(now), request.Current.Form, request.EndsAt, d.RecordedBy, d.RecordedAt, d.Version);
    }
}

public sealed record LocalPoliceView(
    Guid Id, string Name, string Jurisdiction, string? Phone, string? Email, string? Address, string? NonEmergency, string? Notes, int Version)
{
    public static LocalPoliceView From(LocalPoliceEntry p) => new(p.Id, p.Name, p.Jurisdiction, p.Phone, p.Email, p.Address, p.NonEmergency, p.Notes, p.Version);
}

/// <summary>What an agency picker offers: the reviewed directory and the organisation's own police entries.</summary>
public sealed record AgencyChoices(IReadOnlyList<Agency> Directory, IReadOnlyList<LocalPoliceView> LocalPolice);
