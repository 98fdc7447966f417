using System.Net;
using System.Text.Json;
using IncidentResponse.Core.Identity;
using IncidentResponse.Core.LawEnforcement;
using IncidentResponse.Core.Playbooks;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.LawEnforcement;
using IncidentResponse.Server.Playbooks;
using IncidentResponse.Server.Tests.Infrastructure;
using NodaTime;

namespace IncidentResponse.Server.Tests.LawEnforcement;

[Collection(PostgresCollection.Name)]
public sealed class LawEnforcementApiTests(PostgresServerFixture fixture)
{
    private static readonly Instant Now = Instant.FromUnixTimeSeconds(SystemClock.Instance.GetCurrentInstant().ToUnixTimeSeconds());

    [Fact]
    public async Task The_organisation_fills_in_its_police_entries_and_the_picker_offers_them_with_the_directory()
    {
        using var admin = fixture.Server.Admin();
        await AssertInvalid(await admin.PostJson("/api/v1/organisation/local-police", new { jurisdiction = "Austin, TX", phone = "+1 512 555 0100" }), "name");
        await AssertInvalid(await admin.PostJson("/api/v1/organisation/local-police", new { name = "Austin Police Department", jurisdiction = "Austin, TX" }), "phone");

        var created = await (await admin.PostJson("/api/v1/organisation/local-police", new
        {
            name = "Austin Police Department", jurisdiction = "City of Austin, US-TX", nonEmergency = "311", address = "715 E 8th St, Austin TX",
            notes = "Cyber crimes unit via the non-emergency line",
        })).Read<LocalPoliceView>();
        using var observer = fixture.As(Role.Observer);
        var texas = await (await observer.GetAsync("/api/v1/law-enforcement/agencies?jurisdiction=US-TX")).Read<AgencyChoices>();
        Assert.Contains(texas.Directory, a => a.Id == "fbi-houston");
        Assert.Contains(texas.Directory, a => a.Kind == AgencyKind.StateAttorneyGeneral);
        Assert.DoesNotContain(texas.Directory, a => a.Id == "fbi-sanfrancisco");
        Assert.Contains(texas.LocalPolice, p => p.Id == created.Id && p.NonEmergency == "311");
        Assert.Equal(HttpStatusCode.BadRequest, (await observer.GetAsync("/api/v1/law-enforcement/agencies?jurisdiction=TX")).StatusCode);

        var url = $"/api/v1/organisation/local-police/{created.Id}";
        var update = new { name = "Austin Police Department", jurisdiction = "City of Austin, US-TX", phone = "+1 512 974 5000" };
        Assert.Equal(HttpStatusCode.PreconditionRequired, (await admin.SendJson(HttpMethod.Put, url, update)).StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await admin.SendJson(HttpMethod.Put, url, update, ifMatch: "9")).StatusCode);
        var updated = await (await admin.SendJson(HttpMethod.Put, url, update, ifMatch: created.Version.ToString())).Read<LocalPoliceView>();
        Assert.Equal("+1 512 974 5000", updated.Phone);
        Assert.Null(updated.NonEmergency);
        Assert.Equal(HttpStatusCode.Forbidden, (await observer.DeleteAsync(url)).StatusCode);

        // A contact recorded with the entry keeps the department's name after the entry is removed.
        var incident = await IncidentAsync();
        using var legal = fixture.As(Role.Legal);
        var contact = await (await legal.PostJson($"/api/v1/incidents/{incident}/law-enforcement/contacts", new
        {
            localPoliceId = created.Id, person = "Sgt. Ortiz", channel = "inPerson", contactedAt = Now, caseNumber = "APD-26-4411", shared = "Stolen laptop report",
        })).Read<ContactView>();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync(url)).StatusCode);
        Assert.DoesNotContain((await (await observer.GetAsync("/api/v1/law-enforcement/agencies")).Read<AgencyChoices>()).LocalPolice, p => p.Id == created.Id);
        var kept = await (await observer.GetAsync($"/api/v1/incidents/{incident}/law-enforcement/contacts")).Read<ContactView[]>();
        Assert.Equal("Austin Police Department", Assert.Single(kept, c => c.Id == contact.Id).AgencyName);
    }

    [Fact]
    public async Task A_contact_round_trips_and_what_was_shared_under_privilege_is_withheld_from_an_observer_and_the_audit_trail()
    {
        var incident = await IncidentAsync();
        var url = $"/api/v1/incidents/{incident}/law-enforcement/contacts";
        using var legal = fixture.As(Role.Legal);
        const string Shared = "Counsel's summary of the forensic findings, shared under common interest";
        var recorded = await (await legal.PostJson(url, new
        {
            agencyId = "fbi-sanfrancisco", person = "SA Jordan Lee", channel = "phone", contactedAt = Now - Duration.FromHours(3), caseNumber = "288A-SF-1234",
            shared = Shared, privileged = true,
        })).Read<ContactView>();
        Assert.Equal("FBI San Francisco Field Office", recorded.AgencyName);
        Assert.Equal(fixture.Users[Role.Legal].Id, recorded.RecordedBy);
        await (await legal.PostJson(url, new { agencyId = "ic3", person = "Online complaint", channel = "onlinePortal", contactedAt = Now, shared = "IC3 complaint filed" }))
            .Read<ContactView>();

        var asLegal = await (await legal.GetAsync(url)).Read<ContactView[]>();
        Assert.Equal([ContactChannel.Phone, ContactChannel.OnlinePortal], asLegal.Select(c => c.Channel));
        Assert.Equal(Shared, asLegal[0].Shared);
        Assert.Equal("288A-SF-1234", asLegal[0].CaseNumber);
        using var observer = fixture.As(Role.Observer);
        var asObserver = await (await observer.GetAsync(url)).Read<ContactView[]>();
        Assert.Equal("[privileged]", asObserver[0].Shared);
        Assert.True(asObserver[0].Privileged);
        Assert.Equal("IC3 complaint filed", asObserver[1].Shared);

        using var admin = fixture.Server.Admin();
        var audit = await admin.GetStringAsync($"/api/v1/audit?targetType=incident&targetId={incident}");
        Assert.Contains("incident.lawEnforcement.contact.recorded", audit, StringComparison.Ordinal);
        Assert.DoesNotContain("forensic findings", audit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_contacts_are_refused_naming_the_field_and_nothing_is_stored()
    {
        var incident = await IncidentAsync();
        var url = $"/api/v1/incidents/{incident}/law-enforcement/contacts";
        using var legal = fixture.As(Role.Legal);
        var good = new Dictionary<string, object?>
        {
            ["agencyId"] = "cisa", ["person"] = "Regional advisor", ["channel"] = "email", ["contactedAt"] = Now, ["shared"] = "Indicators",
        };
        Dictionary<string, object?> With(string key, object? value) => new(good) { [key] = value };

        await AssertInvalid(await legal.PostJson(url, With("agencyId", "fbi-atlantis")), "agencyId");
        await AssertInvalid(await legal.PostJson(url, With("agencyId", "local-police")), "agencyId");
        await AssertInvalid(await legal.PostJson(url, With("localPoliceId", Guid.NewGuid())), "agencyId");
        await AssertInvalid(await legal.PostJson(url, With("agencyId", null)), "agencyId");
        await AssertInvalid(await legal.PostJson(url, new Dictionary<string, object?>(good) { ["agencyId"] = null, ["localPoliceId"] = Guid.NewGuid() }), "localPoliceId");
        await AssertInvalid(await legal.PostJson(url, With("person", " ")), "person");
        await AssertInvalid(await legal.PostJson(url, With("channel", null)), "channel");
        await AssertInvalid(await legal.PostJson(url, With("contactedAt", null)), "contactedAt");
        await AssertInvalid(await legal.PostJson(url, With("shared", new string('x', 8001))), "shared");
        await AssertInvalid(await legal.PostJson(url, With("runId", Guid.NewGuid())), "stepId");
        Assert.Equal(HttpStatusCode.BadRequest, (await legal.PostJson(url, With("channel", "pigeon"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await legal.PostJson($"/api/v1/incidents/{Guid.NewGuid()}/law-enforcement/contacts", good)).StatusCode);
        Assert.Empty(await (await legal.GetAsync(url)).Read<ContactView[]>());
    }

    [Fact]
    public async Task Recording_a_contact_against_a_law_enforcement_step_completes_it()
    {
        using var commander = fixture.As(Role.IncidentCommander);
        var incident = await (await commander.PostJson("/api/v1/incidents", new { title = "Contact step", kind = "other", severity = "high" })).Read<IncidentView>();
        var run = Assert.Single(await (await commander.GetAsync($"/api/v1/incidents/{incident.Id}/runs")).Read<RunView[]>());
        using var it = fixture.As(Role.It);
        using var legal = fixture.As(Role.Legal);
        var url = $"/api/v1/incidents/{incident.Id}/law-enforcement/contacts";
        var contact = new { agencyId = "fbi-sacramento", person = "SA Chen", channel = "phone", contactedAt = Now, shared = "Ransom note", runId = run.Id, stepId = "le-contact" };

        // Not ready yet: the decision before it is open.
        Assert.Equal(HttpStatusCode.Conflict, (await legal.PostJson(url, contact)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await it.PostJson($"/api/v1/runs/{run.Id}/steps/triage/complete", new { note = "EDR and SIEM agree" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await legal.PostJson($"/api/v1/runs/{run.Id}/steps/le-decision/decide", new { option = "contact", rationale = "Known group" })).StatusCode);
        await AssertInvalid(await legal.PostJson(url, contact with { stepId = "triage" }), "stepId");

        var recorded = await (await legal.PostJson(url, contact)).Read<ContactView>();
        Assert.Equal("le-contact", recorded.StepId);
        var after = Assert.Single(await (await commander.GetAsync($"/api/v1/incidents/{incident.Id}/runs")).Read<RunView[]>());
        var step = after.Steps.Single(s => s.StepId == "le-contact");
        Assert.Equal(StepStatus.Done, step.Status);
        Assert.Equal(HttpStatusCode.Conflict, (await legal.PostJson(url, contact)).StatusCode);
    }

    [Fact]
    public async Task Bad_delays_renewals_and_lifts_are_refused_naming_the_field_or_the_conflict()
    {
        var incident = await IncidentAsync();
        var url = $"/api/v1/incidents/{incident}/law-enforcement/delays";
        using var legal = fixture.As(Role.Legal);
        var good = new Dictionary<string, object?>
        {
            ["agencyId"] = "fbi-houston", ["form"] = "written", ["requestedAt"] = Now, ["expiresAt"] = Now + Duration.FromDays(30), ["documentReference"] = "Letter 7",
        };
        Dictionary<string, object?> With(string key, object? value) => new(good) { [key] = value };

        await AssertInvalid(await legal.PostJson(url, With("expiresAt", null)), "expiresAt");
        await AssertInvalid(await legal.PostJson(url, With("untilFurtherNotice", true)), "untilFurtherNotice");
        await AssertInvalid(await legal.PostJson(url, With("expiresAt", Now - Duration.FromDays(1))), "expiresAt");
        await AssertInvalid(await legal.PostJson(url, With("documentReference", null)), "documentReference");
        await AssertInvalid(await legal.PostJson(url, With("form", null)), "form");
        await AssertInvalid(await legal.PostJson(url, With("requestedAt", null)), "requestedAt");
        await AssertInvalid(await legal.PostJson(url, With("contactId", Guid.NewGuid())), "contactId");
        using var observer = fixture.As(Role.Observer);
        Assert.Empty(await (await observer.GetAsync(url)).Read<DelayView[]>());

        var oral = await (await legal.PostJson(url, With("form", "oral"))).Read<DelayView>();
        var renewals = $"{url}/{oral.Id}/renewals";
        var renewal = new Dictionary<string, object?> { ["form"] = "written", ["requestedAt"] = Now + Duration.FromDays(1), ["expiresAt"] = Now + Duration.FromDays(60), ["documentReference"] = "Letter 9" };
        await AssertInvalid(await legal.PostJson(renewals, new Dictionary<string, object?>(renewal) { ["requestedAt"] = Now - Duration.FromDays(1) }), "requestedAt");
        await AssertInvalid(await legal.PostJson(renewals, new Dictionary<string, object?>(renewal) { ["agencyId"] = "ic3" }), "agencyId");
        Assert.Equal(HttpStatusCode.Conflict, (await legal.PostJson(renewals, new Dictionary<string, object?>(renewal) { ["requestedAt"] = Now + Duration.FromDays(31) })).StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await legal.SendJson(HttpMethod.Post, renewals, renewal, ifMatch: "7")).StatusCode);

        var renewed = await (await legal.SendJson(HttpMethod.Post, renewals, renewal, ifMatch: oral.Version.ToString())).Read<DelayView>();
        Assert.Equal(Core.Laws.DelayForm.Written, renewed.CurrentForm);
        Assert.Equal(Core.Laws.DelayForm.Oral, renewed.Form);
        Assert.True(renewed.Version > oral.Version);

        var end = $"{url}/{oral.Id}/end";
        await AssertInvalid(await legal.PostJson(end, new { reason = "no instant" }), "at");
        await AssertInvalid(await legal.PostJson(end, new { at = Now - Duration.FromDays(1) }), "at");
        await (await legal.PostJson(end, new { at = Now + Duration.FromDays(2) })).Read<DelayView>();
        Assert.Equal(HttpStatusCode.Conflict, (await legal.PostJson(end, new { at = Now + Duration.FromDays(3) })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await legal.PostJson(renewals, renewal)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await legal.PostJson($"{url}/{Guid.NewGuid()}/end", new { at = Now })).StatusCode);

        var stored = Assert.Single(await (await observer.GetAsync(url)).Read<DelayView[]>());
        Assert.Equal(Now + Duration.FromDays(2), stored.EndsAt);
        Assert.Equal("Letter 9", Assert.Single(stored.Renewals).DocumentReference);
    }

    [Fact]
    public async Task Delays_are_no_longer_written_into_the_facts()
    {
        var incident = await IncidentAsync();
        using var legal = fixture.As(Role.Legal);
        var response = await legal.SendJson(HttpMethod.Put, $"/api/v1/incidents/{incident}/facts", new
        {
            dataOwner = true, lawEnforcementDelays = new[] { new { requestedAt = Now, endsAt = Now + Duration.FromDays(3), form = "written" } },
        });
        var problem = await AssertInvalid(response, "lawEnforcementDelays");
        Assert.Contains("law-enforcement/delays", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private async Task<Guid> IncidentAsync()
    {
        using var commander = fixture.As(Role.IncidentCommander);
        return (await (await commander.PostJson("/api/v1/incidents", new { title = "Law enforcement", kind = "dataExfiltration", severity = "high" })).Read<IncidentView>()).Id;
    }

    private static async Task<JsonElement> AssertInvalid(HttpResponseMessage response, string field)
    {
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.Problem();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"expected a problem naming '{field}': {problem}");
        return problem;
    }
}
