using System.Net;
using IncidentResponse.Core.Identity;
using IncidentResponse.Core.Letters;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.Letters;
using IncidentResponse.Server.Tests.AffectedPeople;
using IncidentResponse.Server.Tests.Infrastructure;

namespace IncidentResponse.Server.Tests.Letters;

/// <summary>
/// Through the API, as each role would: an incident with its facts and its affected people imported, a letter to
/// them drafted by communications for a group, and approved by legal.
/// </summary>
public static class ApprovedLetters
{
    private static readonly object Organisation = new
    {
        shortName = "Northwind", phone = "1-888-555-0147", website = "www.northwind.example/notice", address = "410 Harbor Way, Suite 200, Oakland, CA 94607",
    };

    /// <summary>The incident and the draft's URL; <paramref name="people"/> is an import CSV with <see cref="AffectedPeopleImports.Header"/>.</summary>
    public static async Task<(Guid Incident, string LetterUrl)> DraftAsync(Func<Role, HttpClient> @as, HttpClient admin, string people, string[] group, bool exercise)
    {
        using var commander = @as(Role.IncidentCommander);
        using var legal = @as(Role.Legal);
        using var comms = @as(Role.Communications);
        var incident = await (await commander.PostJson("/api/v1/incidents", new
        {
            title = "Loyalty export", kind = "dataExfiltration", severity = "high", isExercise = exercise,
            summary = "An unauthorized party used a compromised vendor credential to reach our loyalty database and copied customer records.",
        })).Read<IncidentView>();
        var url = $"/api/v1/incidents/{incident.Id}";
        (await legal.SendJson(HttpMethod.Put, url + "/facts", new { dataOwner = true, dataElements = new[] { "name" } })).EnsureSuccessStatusCode();
        var import = await admin.PostCsv(incident.Id, people);
        Assert.Equal(HttpStatusCode.Created, import.StatusCode);
        var letter = await (await comms.PostJson(url + "/letters", new
        {
            kind = "individuals", group, organisation = Organisation, offer = new { creditMonitoringMonths = 24, provider = "ClearWatch Identity" },
        })).Read<LetterView>();
        Assert.True(letter.LatestCheck.Passed, string.Join("; ", letter.LatestCheck.Checks.Where(c => c.Status == CheckStatus.Missing).Select(c => c.Detail)));
        return (incident.Id, $"{url}/letters/{letter.Id}");
    }

    /// <summary>Submitted by communications, approved by legal.</summary>
    public static async Task ApproveAsync(Func<Role, HttpClient> @as, string letterUrl)
    {
        using var comms = @as(Role.Communications);
        using var legal = @as(Role.Legal);
        var letter = await (await comms.GetAsync(letterUrl)).Read<LetterView>();
        letter = await (await comms.SendJson(HttpMethod.Post, letterUrl + "/submit", new { }, ifMatch: $"{letter.Version}")).Read<LetterView>();
        letter = await (await legal.SendJson(HttpMethod.Post, letterUrl + "/approve", new { }, ifMatch: $"{letter.Version}")).Read<LetterView>();
        Assert.Equal(LetterStatus.Approved, letter.Status);
    }
}
