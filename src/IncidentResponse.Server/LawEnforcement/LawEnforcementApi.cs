using IncidentResponse.Core.Identity;
using IncidentResponse.Core.LawEnforcement;
using IncidentResponse.Core.Laws;
using IncidentResponse.Server.Api;
using IncidentResponse.Server.Audit;
using IncidentResponse.Server.Identity;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.Persistence;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace IncidentResponse.Server.LawEnforcement;

public sealed record ContactRequest(
    string? AgencyId, Guid? LocalPoliceId, string? Person, ContactChannel? Channel, Instant? ContactedAt, string? CaseNumber, string? Shared,
    bool? Privileged, Guid? RunId, string? StepId);

/// <summary>A delay request or a renewal: an expiry, or explicitly none (until further notice).</summary>
public sealed record DelayTermRequest(
    string? AgencyId, Guid? LocalPoliceId, Guid? ContactId, DelayForm? Form, Instant? RequestedAt, Instant? ExpiresAt, bool? UntilFurtherNotice,
    string? DocumentReference);

public sealed record DelayLiftRequest(Instant? At, string? Reason);

public sealed record LocalPoliceRequest(string? Name, string? Jurisdiction, string? Phone, string? Email, string? Address, string? NonEmergency, string? Notes);

/// <summary>Services the law-enforcement endpoints use, bundled.</summary>
public sealed record LawEnforcementServices(IMediator Mediator, IncidentDbContext Db, CurrentActor Actor, IClock Clock);

public static class LawEnforcementApi
{
    private const int TextLength = IncidentLimits.TextLength;
    private const int NameLength = LawEnforcementModel.NameLength;

    public static RouteGroupBuilder MapLawEnforcementApi(this RouteGroupBuilder api)
    {
        api.MapGet("/law-enforcement/agencies", Agencies).WithTags("Law enforcement").RequirePermission(Permission.ReadIncidents);

        var incident = api.MapGroup("/incidents/{id:guid}/law-enforcement").WithTags("Law enforcement");
        incident.MapGet("/contacts", Contacts).RequirePermission(Permission.ReadIncidents);
        incident.MapPost("/contacts", RecordContact).RequirePermission(Permission.RecordDecisions);
        incident.MapGet("/delays", Delays).RequirePermission(Permission.ReadIncidents);
        incident.MapPost("/delays", RecordDelay).RequirePermission(Permission.RunAssessments);
        incident.MapPost("/delays/{delayId:guid}/renewals", Renew).RequirePermission(Permission.RunAssessments);
        incident.MapPost("/delays/{delayId:guid}/end", Lift).RequirePermission(Permission.RunAssessments);

        var police = api.MapGroup("/organisation/local-police").WithTags("Organisation");
        police.MapPost("/", CreateLocalPolice).RequirePermission(Permission.ManageUsers);
        police.MapPut("/{policeId:guid}", UpdateLocalPolice).RequirePermission(Permission.ManageUsers);
        police.MapDelete("/{policeId:guid}", DeleteLocalPolice).RequirePermission(Permission.ManageUsers);
        return api;
    }

    /// <summary>The directory (optionally the agencies covering one jurisdiction) and the organisation's police entries.</summary>
    private static async Task<Results<Ok<AgencyChoices>, ProblemHttpResult>> Agencies(string? jurisdiction, IncidentDbContext db, CancellationToken ct)
    {
        if (jurisdiction is not null && (!ResidenceKeys.IsValid(jurisdiction) || !jurisdiction.StartsWith("US-", StringComparison.Ordinal)))
        {
            return new Failure(FailureKind.BadRequest, $"'{jurisdiction}' is not a US jurisdiction code such as US-CA.", "jurisdiction").ToProblem();
        }

        var directory = AgencyDirectory.Current;
        var local = await db.LocalPolice.AsNoTracking().OrderBy(p => p.Name).ToListAsync(ct);
        return TypedResults.Ok(new AgencyChoices(
            jurisdiction is null ? directory.Agencies : directory.For(jurisdiction), local.Select(LocalPoliceView.From).ToList()));
    }

    private static async Task<Results<Ok<ContactView[]>, ProblemHttpResult>> Contacts(Guid id, [AsParameters] LawEnforcementServices s, CancellationToken ct)
    {
        if (!await s.Db.IsVisibleAsync(s.Actor, id, ct))
        {
            return Failure.NotFound("The incident").ToProblem();
        }

        var contacts = await s.Db.LawEnforcementContacts.AsNoTracking().Where(c => c.IncidentId == id).OrderBy(c => c.ContactedAt).ToListAsync(ct);
        return TypedResults.Ok(contacts.Select(c => ContactView.From(c, s.Actor.Privileged(c.Shared, c.Privileged))).ToArray());
    }

    private static async Task<Results<Created<ContactView>, ProblemHttpResult>> RecordContact(
        Guid id, ContactRequest? body, [AsParameters] LawEnforcementServices s, CancellationToken ct)
    {
        var invalid = (body is null ? Failure.Invalid("body", "A JSON body is required.") : null)
            ?? Require.Text("person", body!.Person, NameLength)
            ?? Require.Present("channel", body.Channel)
            ?? Require.Present("contactedAt", body.ContactedAt)
            ?? Require.Text("shared", body.Shared, TextLength)
            ?? Require.OptionalText("caseNumber", body.CaseNumber, NameLength)
            ?? ((body.RunId is null) != (body.StepId is null) ? Failure.Invalid(body.RunId is null ? "runId" : "stepId", "A playbook step is named by 'runId' and 'stepId' together.") : null);
        if (invalid is not null)
        {
            return invalid.ToProblem();
        }

        var outcome = await s.Mediator.Send(new RecordContact(
            id, new AgencyReference(body!.AgencyId, body.LocalPoliceId), body.Person!.Trim(), body.Channel!.Value, body.ContactedAt!.Value,
            Blank(body.CaseNumber), body.Shared!, body.Privileged ?? false, body.RunId is { } run ? new StepReference(run, body.StepId!) : null), ct);
        return outcome.Failure is { } f
            ? f.ToProblem()
            : TypedResults.Created($"/api/v1/incidents/{id}/law-enforcement/contacts/{outcome.Value!.Id}", outcome.Value);
    }

    private static async Task<Results<Ok<DelayView[]>, ProblemHttpResult>> Delays(Guid id, [AsParameters] LawEnforcementServices s, CancellationToken ct)
    {
        if (!await s.Db.IsVisibleAsync(s.Actor, id, ct))
        {
            return Failure.NotFound("The incident").ToProblem();
        }

        var now = s.Clock.GetCurrentInstant();
        return TypedResults.Ok((await s.Db.DelaysAsync(id, ct)).Select(d => DelayView.From(d, now)).ToArray());
    }

    private static async Task<Results<Created<DelayView>, ProblemHttpResult>> RecordDelay(
        Guid id, DelayTermRequest? body, [AsParameters] LawEnforcementServices s, CancellationToken ct)
    {
        var term = Term(body);
        if (term.Failure is { } bad)
        {
            return bad.ToProblem();
        }

        var outcome = await s.Mediator.Send(
            new RecordDelay(id, new AgencyReference(body!.AgencyId, body.LocalPoliceId), body.ContactId, term.Value!, Blank(body.DocumentReference)), ct);
        return outcome.Failure is { } f
            ? f.ToProblem()
            : TypedResults.Created($"/api/v1/incidents/{id}/law-enforcement/delays/{outcome.Value!.Id}", outcome.Value);
    }

    private static async Task<Results<Ok<DelayView>, ProblemHttpResult>> Renew(
        Guid id, Guid delayId, DelayTermRequest? body, [AsParameters] LawEnforcementServices s, HttpRequest request, CancellationToken ct)
    {
        var version = Versioning.IfMatch(request);
        var term = Term(body);
        var invalid = version.Failure ?? term.Failure
            ?? (body!.AgencyId is not null || body.LocalPoliceId is not null || body.ContactId is not null
                ? Failure.Invalid("agencyId", "A renewal comes from the agency of the delay it renews: give no agency or contact.") : null);
        if (invalid is not null)
        {
            return invalid.ToProblem();
        }

        return Respond(await s.Mediator.Send(new RenewDelay(id, delayId, version.Value, term.Value!, Blank(body!.DocumentReference)), ct), request);
    }

    private static async Task<Results<Ok<DelayView>, ProblemHttpResult>> Lift(
        Guid id, Guid delayId, DelayLiftRequest? body, [AsParameters] LawEnforcementServices s, HttpRequest request, CancellationToken ct)
    {
        var version = Versioning.IfMatch(request);
        var invalid = version.Failure
            ?? (body is null ? Failure.Invalid("body", "A JSON body is required.") : null)
            ?? Require.Present("at", body!.At)
            ?? Require.OptionalText("reason", body.Reason, IncidentLimits.TitleLength);
        if (invalid is not null)
        {
            return invalid.ToProblem();
        }

        return Respond(await s.Mediator.Send(new LiftDelay(id, delayId, version.Value, body!.At!.Value, Blank(body.Reason)), ct), request);
    }

    private static Results<Ok<DelayView>, ProblemHttpResult> Respond(Outcome<DelayView> outcome, HttpRequest request)
    {
        if (outcome.Failure is { } f)
        {
            return f.ToProblem();
        }

        request.HttpContext.Response.Headers.ETag = Versioning.ETag(outcome.Value!.Version);
        return TypedResults.Ok(outcome.Value);
    }

    /// <summary>The request as a term: its form, when it was made, and its expiry or, said outright, none.</summary>
    private static Outcome<DelayTerm> Term(DelayTermRequest? body)
    {
        var invalid = (body is null ? Failure.Invalid("body", "A JSON body is required.") : null)
            ?? Require.Present("form", body!.Form)
            ?? Require.Present("requestedAt", body.RequestedAt)
            ?? Require.OptionalText("documentReference", body.DocumentReference, LawEnforcementModel.ShortLength)
            ?? (body.Form == DelayForm.Written && string.IsNullOrWhiteSpace(body.DocumentReference)
                ? Failure.Invalid("documentReference", "A written request is recorded with its document reference (the letter, the email, the file number).") : null)
            ?? (body.ExpiresAt is null && body.UntilFurtherNotice != true
                ? Failure.Invalid("expiresAt", "Give 'expiresAt', or 'untilFurtherNotice': true for a delay that lasts until law enforcement says notice no longer impedes it.")
                : null)
            ?? (body.ExpiresAt is not null && body.UntilFurtherNotice == true
                ? Failure.Invalid("untilFurtherNotice", "A delay expires at 'expiresAt' or lasts until further notice, not both.") : null);
        return invalid ?? (Outcome<DelayTerm>)new DelayTerm(body!.RequestedAt!.Value, body.ExpiresAt, body.Form!.Value);
    }

    private static async Task<Results<Created<LocalPoliceView>, ProblemHttpResult>> CreateLocalPolice(
        LocalPoliceRequest? body, IncidentDbContext db, AuditTrail audit, IClock clock, CancellationToken ct)
    {
        if (CheckLocalPolice(body) is { } invalid)
        {
            return invalid.ToProblem();
        }

        var now = clock.GetCurrentInstant();
        var entry = new LocalPoliceEntry { Id = Guid.CreateVersion7(), Name = "", Jurisdiction = "", CreatedAt = now };
        Fill(entry, body!, now);
        db.LocalPolice.Add(entry);
        audit.Record("organisation.localPolice.created", "organisation", entry.Id.ToString(), null, LocalPoliceView.From(entry));
        await audit.CommitAsync(ct);
        return TypedResults.Created($"/api/v1/organisation/local-police/{entry.Id}", LocalPoliceView.From(entry));
    }

    private static async Task<Results<Ok<LocalPoliceView>, ProblemHttpResult>> UpdateLocalPolice(
        Guid policeId, LocalPoliceRequest? body, IncidentDbContext db, AuditTrail audit, IClock clock, HttpRequest request, CancellationToken ct)
    {
        var version = Versioning.RequireIfMatch(request);
        if ((version.Failure ?? CheckLocalPolice(body)) is { } invalid)
        {
            return invalid.ToProblem();
        }

        var entry = await db.LocalPolice.SingleOrDefaultAsync(p => p.Id == policeId, ct);
        if (entry is null)
        {
            return Failure.NotFound("The local-police entry").ToProblem();
        }

        if (entry.Version != version.Value)
        {
            return Failure.Stale(entry.Version).ToProblem();
        }

        var before = LocalPoliceView.From(entry);
        Fill(entry, body!, clock.GetCurrentInstant());
        audit.Record("organisation.localPolice.updated", "organisation", entry.Id.ToString(), before, LocalPoliceView.From(entry));
        await audit.CommitAsync(ct);
        request.HttpContext.Response.Headers.ETag = Versioning.ETag(entry.Version);
        return TypedResults.Ok(LocalPoliceView.From(entry));
    }

    /// <summary>Removes an entry; contacts and delays recorded with it keep the agency's name.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteLocalPolice(Guid policeId, IncidentDbContext db, AuditTrail audit, CancellationToken ct)
    {
        var entry = await db.LocalPolice.SingleOrDefaultAsync(p => p.Id == policeId, ct);
        if (entry is null)
        {
            return Failure.NotFound("The local-police entry").ToProblem();
        }

        db.LocalPolice.Remove(entry);
        audit.Record("organisation.localPolice.deleted", "organisation", entry.Id.ToString(), LocalPoliceView.From(entry), null);
        await audit.CommitAsync(ct);
        return TypedResults.NoContent();
    }

    private static Failure? CheckLocalPolice(LocalPoliceRequest? body) =>
        (body is null ? Failure.Invalid("body", "A JSON body is required.") : null)
        ?? Require.Text("name", body!.Name, NameLength)
        ?? Require.Text("jurisdiction", body.Jurisdiction, NameLength)
        ?? Require.OptionalText("phone", body.Phone, 64)
        ?? Require.OptionalText("email", body.Email, LawEnforcementModel.ShortLength)
        ?? Require.OptionalText("address", body.Address, 1000)
        ?? Require.OptionalText("nonEmergency", body.NonEmergency, LawEnforcementModel.ShortLength)
        ?? Require.OptionalText("notes", body.Notes, TextLength)
        ?? (new[] { body.Phone, body.Email, body.Address, body.NonEmergency }.All(string.IsNullOrWhiteSpace)
            ? Failure.Invalid("phone", "Give at least one way to reach the department: phone, email, address or nonEmergency.") : null);

    private static void Fill(LocalPoliceEntry entry, LocalPoliceRequest body, Instant now)
    {
        (entry.Name, entry.Jurisdiction) = (body.Name!.Trim(), body.Jurisdiction!.Trim());
        (entry.Phone, entry.Email, entry.Address, entry.NonEmergency, entry.Notes) =
            (Blank(body.Phone), Blank(body.Email), Blank(body.Address), Blank(body.NonEmergency), Blank(body.Notes));
        entry.UpdatedAt = now;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
