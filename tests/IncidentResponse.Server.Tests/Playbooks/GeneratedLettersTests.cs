using System.Net;
using IncidentResponse.Core.Identity;
using IncidentResponse.Core.Letters;
using IncidentResponse.Core.Playbooks;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.Letters;
using IncidentResponse.Server.Organisations;
using IncidentResponse.Server.Playbooks;
using IncidentResponse.Server.Tests.Infrastructure;

namespace IncidentResponse.Server.Tests.Playbooks;

/// <summary>The playbook's letters steps against the letters module: drafting from the obligations, waits on approval and release.</summary>
[Collection(PostgresCollection.Name)]
public sealed class GeneratedLettersTests(PostgresServerFixture fixture)
{
    [Fact]
    public async Task The_letters_step_drafts_what_the_obligations_call_for_and_the_waits_follow_approval_and_release()
    {
        using var admin = fixture.As(Role.Administrator);
        using var commander = fixture.As(Role.IncidentCommander);
        using var legal = fixture.As(Role.Legal);
        using var comms = fixture.As(Role.Communications);
        // Drafts take the ways to reach the organisation from its profile.
        var organisation = await (await admin.GetAsync("/api/v1/organisation")).Read<OrganisationView>();
        var contact = new LetterContact("Northwind", "410 Harbor Way, Suite 200, Oakland, CA 94607", "1-888-555-0147", "www.northwind.example/notice", null);
        var patched = await admin.SendJson(HttpMethod.Patch, "/api/v1/organisation", new { contact }, ifMatch: $"{organisation.Version}");
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.Equal(contact, (await patched.Read<OrganisationView>()).Contact);

        var incident = await (await commander.PostJson("/api/v1/incidents", new { title = "Letters run", kind = "other", severity = "high" })).Read<IncidentView>();
        var url = $"/api/v1/incidents/{incident.Id}";
        Assert.Equal(HttpStatusCode.OK, (await legal.SendJson(HttpMethod.Put, url + "/facts", new
        {
            dataOwner = true, dataElements = new[] { "name", "ssn" }, affectedResidents = new Dictionary<string, int> { ["US-TX"] = 300 },
        })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await commander.PostJson(url + "/runs", new { playbookId = "letters-test" })).StatusCode);

        // Texas: a letter to the residents, and one to the Attorney General (250 or more residents, § 521.053(i)).
        var drafted = await Until(incident.Id, r => Status(r, "draft-letters") is StepStatus.Done or StepStatus.Failed);
        var note = drafted.Steps.Single(s => s.StepId == "draft-letters").Note;
        Assert.True(Status(drafted, "draft-letters") == StepStatus.Done, note);
        Assert.Contains("individuals (US-TX, passes the content check)", note);
        Assert.Contains("stateRegulators (US-TX", note);
        var letters = await (await legal.GetAsync(url + "/letters")).Read<LetterListItem[]>();
        Assert.Equal([LetterKind.Individuals, LetterKind.StateRegulators], letters.Select(l => l.Kind).Order());
        Assert.Equal(StepStatus.Ready, Status(drafted, "letters-approved"));

        // Approving the letter to individuals ends the first wait; releasing it ends the second.
        var letterUrl = $"{url}/letters/{letters.Single(l => l.Kind == LetterKind.Individuals).Id}";
        var letter = await Review(comms, letterUrl + "/submit", letters.Single(l => l.Kind == LetterKind.Individuals).Version);
        letter = await Review(legal, letterUrl + "/approve", letter.Version);
        Assert.Equal(LetterStatus.Approved, letter.Status);
        var approved = await Until(incident.Id, r => Status(r, "letters-approved") == StepStatus.Done);
        Assert.Equal(StepStatus.Ready, Status(approved, "letters-released"));

        await Review(commander, letterUrl + "/release", letter.Version);
        var released = await Until(incident.Id, r => Status(r, "confirm-mailing") == StepStatus.Ready);
        Assert.Equal(StepStatus.Done, Status(released, "letters-released"));
    }

    private static async Task<LetterView> Review(HttpClient client, string url, int version)
    {
        var response = await client.SendJson(HttpMethod.Post, url, new { }, ifMatch: $"{version}");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Read<LetterView>();
    }

    private static StepStatus Status(RunView run, string step) => run.Steps.Single(s => s.StepId == step).Status;

    private async Task<RunView> Until(Guid incident, Func<RunView, bool> condition)
    {
        using var commander = fixture.As(Role.IncidentCommander);
        for (var i = 0; i < 150; i++)
        {
            var runs = await (await commander.GetAsync($"/api/v1/incidents/{incident}/runs")).Read<RunView[]>();
            if (runs.SingleOrDefault(r => r.PlaybookId == "letters-test") is { } run && condition(run))
            {
                return run;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException("the letters run did not reach the expected state within 30 s");
    }
}
