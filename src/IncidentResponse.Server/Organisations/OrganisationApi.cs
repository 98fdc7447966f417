using IncidentResponse.Core.Identity;
using IncidentResponse.Server.Api;
using IncidentResponse.Server.Audit;
using IncidentResponse.Server.Identity;
using IncidentResponse.Server.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace IncidentResponse.Server.Organisations;

public sealed record SystemView(Guid Id, string Name, SystemCategory Category, IReadOnlyList<string> DataElements, string? Vendor, string? Residency);

/// <summary>How letters tell people to reach the organisation: the name they use, a postal address, phone, website, email.</summary>
public sealed record LetterContact(string? ShortName, string? Address, string? Phone, string? Website, string? Email)
{
    public const int ShortNameLength = 100;
    public const int AddressLength = 500;
    public const int PhoneLength = 50;
    public const int WebsiteLength = 300;
    public const int EmailLength = 320;

    public Failure? Invalid() =>
        Require.OptionalText("contact.shortName", ShortName, ShortNameLength) ?? Require.OptionalText("contact.address", Address, AddressLength)
        ?? Require.OptionalText("contact.phone", Phone, PhoneLength) ?? Require.OptionalText("contact.website", Website, WebsiteLength)
        ?? Require.OptionalEmail("contact.email", Email, EmailLength);
}

public sealed record OrganisationView(
    Guid Id, string Name, string TimeZone, string Headquarters, bool HipaaCoveredEntity, bool HipaaBusinessAssociate,
    bool SecRegistrant, bool NydfsCoveredEntity, bool GlbaFinancialInstitution, bool PhrVendor, bool EstablishedInEu,
    int AffectedPeopleRetentionDays, LetterContact Contact, IReadOnlyList<SystemView> Systems, int Version);

/// <summary>A change to the profile: fields left out stay as they are; <c>contact</c>, when given, replaces the whole contact.</summary>
public sealed record OrganisationRequest(
    string? Name, string? TimeZone, string? Headquarters, bool? HipaaCoveredEntity, bool? HipaaBusinessAssociate,
    bool? SecRegistrant, bool? NydfsCoveredEntity, bool? GlbaFinancialInstitution, bool? PhrVendor, bool? EstablishedInEu,
    int? AffectedPeopleRetentionDays, LetterContact? Contact);

public static class OrganisationApi
{
    public static RouteGroupBuilder MapOrganisationApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/organisation").WithTags("Organisation");
        group.MapGet("/", Get).RequirePermission(Permission.ReadIncidents);
        group.MapPatch("/", Update).RequirePermission(Permission.ManageUsers);
        return api;
    }

    private static async Task<Results<Ok<OrganisationView>, ProblemHttpResult>> Get(IncidentDbContext db, CancellationToken ct)
    {
        var organisation = await db.Organisations.AsNoTracking().Include(o => o.Systems).FirstOrDefaultAsync(ct);
        return organisation is null ? Failure.NotFound("The organisation").ToProblem() : TypedResults.Ok(ToView(organisation));
    }

    private static async Task<Results<Ok<OrganisationView>, ProblemHttpResult>> Update(
        OrganisationRequest? body, IncidentDbContext db, AuditTrail audit, HttpRequest request, CancellationToken ct)
    {
        var version = Versioning.RequireIfMatch(request);
        if (version.Failure is { } bad)
        {
            return bad.ToProblem();
        }

        if (body is null)
        {
            return Failure.Invalid("body", "A JSON body is required.").ToProblem();
        }

        var invalid = Require.OptionalText("name", body.Name, 200) ?? Require.OptionalText("headquarters", body.Headquarters, 16) ?? body.Contact?.Invalid();
        if (invalid is not null)
        {
            return invalid.ToProblem();
        }

        if (body.AffectedPeopleRetentionDays is < 0 or > Organisation.MaxRetentionDays)
        {
            return Failure.Invalid("affectedPeopleRetentionDays", $"Keep affected people's data 0 to {Organisation.MaxRetentionDays} days after notification is complete.").ToProblem();
        }

        if (body.TimeZone is not null && DateTimeZoneProviders.Tzdb.GetZoneOrNull(body.TimeZone) is null)
        {
            return Failure.Invalid("timeZone", $"'{body.TimeZone}' is not an IANA time zone such as America/New_York.").ToProblem();
        }

        var o = await db.Organisations.Include(x => x.Systems).FirstOrDefaultAsync(ct);
        if (o is null)
        {
            return Failure.NotFound("The organisation").ToProblem();
        }

        if (o.Version != version.Value)
        {
            return Failure.Stale(o.Version).ToProblem();
        }

        var before = ToView(o) with { Systems = [] };
        o.Name = body.Name?.Trim() ?? o.Name;
        o.TimeZone = body.TimeZone ?? o.TimeZone;
        o.Headquarters = body.Headquarters ?? o.Headquarters;
        o.HipaaCoveredEntity = body.HipaaCoveredEntity ?? o.HipaaCoveredEntity;
        o.HipaaBusinessAssociate = body.HipaaBusinessAssociate ?? o.HipaaBusinessAssociate;
        o.SecRegistrant = body.SecRegistrant ?? o.SecRegistrant;
        o.NydfsCoveredEntity = body.NydfsCoveredEntity ?? o.NydfsCoveredEntity;
        o.GlbaFinancialInstitution = body.GlbaFinancialInstitution ?? o.GlbaFinancialInstitution;
        o.PhrVendor = body.PhrVendor ?? o.PhrVendor;
        o.EstablishedInEu = body.EstablishedInEu ?? o.EstablishedInEu;
        o.AffectedPeopleRetentionDays = body.AffectedPeopleRetentionDays ?? o.AffectedPeopleRetentionDays;
        if (body.Contact is { } contact)
        {
            static string? Clean(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
            (o.ContactShortName, o.ContactAddress, o.ContactPhone, o.ContactWebsite, o.ContactEmail) =
                (Clean(contact.ShortName), Clean(contact.Address), Clean(contact.Phone), Clean(contact.Website), Clean(contact.Email));
        }

        audit.Record("organisation.updated", "organisation", o.Id.ToString(), before, ToView(o) with { Systems = [] });
        await audit.CommitAsync(ct);
        return TypedResults.Ok(ToView(o));
    }

    private static OrganisationView ToView(Organisation o) => new(
        o.Id, o.Name, o.TimeZone, o.Headquarters, o.HipaaCoveredEntity, o.HipaaBusinessAssociate, o.SecRegistrant,
        o.NydfsCoveredEntity, o.GlbaFinancialInstitution, o.PhrVendor, o.EstablishedInEu, o.AffectedPeopleRetentionDays,
        new LetterContact(o.ContactShortName, o.ContactAddress, o.ContactPhone, o.ContactWebsite, o.ContactEmail),
        o.Systems.OrderBy(s => s.Name).Select(s => new SystemView(s.Id, s.Name, s.Category, s.DataElements, s.Vendor, s.Residency)).ToArray(),
        o.Version);
}
