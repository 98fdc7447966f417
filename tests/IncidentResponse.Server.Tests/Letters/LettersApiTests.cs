using System.Net;
using System.Text.Json;
using DocumentFormat.OpenXml.Packaging;
using IncidentResponse.Core.Identity;
using IncidentResponse.Core.Letters;
using IncidentResponse.Server.Audit;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.Letters;
using IncidentResponse.Server.Tests.Infrastructure;
using UglyToad.PdfPig;

namespace IncidentResponse.Server.Tests.Letters;

[Collection(PostgresCollection.Name)]
public sealed class LettersApiTests(PostgresServerFixture fixture)
{
    private static readonly object Organisation = new
    {
        shortName = "Northwind", phone = "1-888-555-0147", website = "www.northwind.example/notice",
        address = "410 Harbor Way, Suite 200, Oakland, CA 94607",
    };

    [Fact]
    public async Task A_letter_goes_through_review_with_every_version_kept_a_redline_and_a_recorded_approval()
    {
        var url = await IncidentWithFactsAsync(exercise: false);
        using var comms = fixture.As(Role.Communications);
        using var legal = fixture.As(Role.Legal);
        using var commander = fixture.As(Role.IncidentCommander);

        var created = await comms.PostJson(url + "/letters", new
        {
            kind = "individuals", group = new[] { "US-CA", "US-WA" }, organisation = Organisation,
            offer = new { creditMonitoringMonths = 24, provider = "ClearWatch Identity" },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("\"1\"", created.Headers.ETag?.Tag);
        var letter = await created.Read<LetterView>();
        Assert.Equal(LetterStatus.Draft, letter.Status);
        Assert.True(letter.LatestCheck.Passed, string.Join("; ", letter.LatestCheck.Checks.Where(c => c.Status == CheckStatus.Missing).Select(c => c.Detail)));
        var letterUrl = $"{url}/letters/{letter.Id}";

        var first = await (await comms.GetAsync(letterUrl + "/versions/1")).Read<LetterVersionView>();
        var edited = first.Body.Replace("We took steps", "We promptly took steps", StringComparison.Ordinal);
        Assert.NotEqual(first.Body, edited);
        var stale = await comms.SendJson(HttpMethod.Post, letterUrl + "/versions", new { body = edited }, ifMatch: "7");
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        letter = await (await comms.SendJson(HttpMethod.Post, letterUrl + "/versions", new { body = edited, note = "Plainer" }, ifMatch: $"{letter.Version}")).Read<LetterView>();
        Assert.Equal(2, letter.Versions.Count);

        letter = await Act(comms, letterUrl + "/submit", letter.Version, null);
        Assert.Equal(LetterStatus.InReview, letter.Status);
        var noComment = await legal.SendJson(HttpMethod.Post, letterUrl + "/request-changes", new { }, ifMatch: $"{letter.Version}");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, noComment.StatusCode);
        letter = await Act(legal, letterUrl + "/request-changes", letter.Version, "Say when the monitoring must be enrolled.");
        Assert.Equal(LetterStatus.ChangesRequested, letter.Status);
        var third = edited.Replace("at no cost to you.", "at no cost to you. Enroll within 90 days.", StringComparison.Ordinal);
        letter = await (await comms.SendJson(HttpMethod.Post, letterUrl + "/versions", new { body = third }, ifMatch: $"{letter.Version}")).Read<LetterView>();
        letter = await Act(comms, letterUrl + "/submit", letter.Version, null);
        letter = await Act(legal, letterUrl + "/approve", letter.Version, null);
        Assert.Equal(LetterStatus.Approved, letter.Status);
        Assert.Equal("legal@test.example", letter.Approval!.By);
        Assert.Equal(3, letter.Approval.VersionNumber);
        letter = await Act(commander, letterUrl + "/release", letter.Version, null);
        Assert.Equal(LetterStatus.Released, letter.Status);
        Assert.Equal(
            [ReviewAction.Revise, ReviewAction.Submit, ReviewAction.RequestChanges, ReviewAction.Revise, ReviewAction.Submit, ReviewAction.Approve, ReviewAction.Release],
            letter.Steps.Select(s => s.Action));

        var redline = await (await legal.GetAsync(letterUrl + "/versions/2/redline?against=1")).Read<RedlineView>();
        Assert.Contains(redline.Segments, s => s.Op == RedlineOp.Inserted && s.Text == "promptly ");
        Assert.DoesNotContain(redline.Segments, s => s.Op == RedlineOp.Deleted);
        Assert.Contains("<ins>promptly </ins>", redline.Html, StringComparison.Ordinal);
        var back = await (await legal.GetAsync(letterUrl + "/versions/3/redline")).Read<RedlineView>();
        Assert.Equal(2, back.Against);

        var frozen = await comms.SendJson(HttpMethod.Post, letterUrl + "/versions", new { body = third + "\n\nP.S." }, ifMatch: $"{letter.Version}");
        Assert.Equal(HttpStatusCode.Conflict, frozen.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await comms.SendJson(HttpMethod.Post, letterUrl + "/submit", new { }, ifMatch: $"{letter.Version}")).StatusCode);

        var audit = await (await legal.GetAsync(url + "/audit")).Read<AuditEventView[]>();
        foreach (var action in new[] { "letter.drafted", "letter.revised", "letter.submit", "letter.requestChanges", "letter.approve", "letter.release" })
        {
            Assert.Contains(audit, e => e.Action == action);
        }

        var listed = await (await comms.GetAsync(url + "/letters")).Read<LetterListItem[]>();
        Assert.Equal(3, Assert.Single(listed).Versions);
    }

    [Fact]
    public async Task Approval_of_a_letter_that_fails_its_check_is_refused_with_the_findings_and_only_legal_may_approve()
    {
        var url = await IncidentWithFactsAsync(exercise: false);
        using var comms = fixture.As(Role.Communications);
        using var legal = fixture.As(Role.Legal);
        var letter = await (await comms.PostJson(url + "/letters", new { kind = "individuals", group = new[] { "US-CA" }, organisation = Organisation })).Read<LetterView>();
        var letterUrl = $"{url}/letters/{letter.Id}";
        letter = await (await comms.SendJson(HttpMethod.Post, letterUrl + "/versions", new { body = "# Notice of Data Breach\n\nSomething happened." }, ifMatch: $"{letter.Version}")).Read<LetterView>();
        Assert.False(letter.LatestCheck.Passed);
        letter = await Act(comms, letterUrl + "/submit", letter.Version, null);

        var refused = await legal.SendJson(HttpMethod.Post, letterUrl + "/approve", new { }, ifMatch: $"{letter.Version}");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var problem = await refused.Problem();
        Assert.Equal(2, problem.GetProperty("version").GetInt32());
        var findings = problem.GetProperty("findings").EnumerateArray().ToList();
        Assert.Contains(findings, f => f.GetProperty("requirement").GetString() == "creditBureausContact"
            && f.GetProperty("sources").EnumerateArray().Any(s => s.GetProperty("citation").GetString()!.Contains("1798.82", StringComparison.Ordinal)));

        foreach (var role in new[] { Role.Administrator, Role.IncidentCommander, Role.Communications })
        {
            using var other = fixture.As(role);
            Assert.Equal(HttpStatusCode.Forbidden, (await other.SendJson(HttpMethod.Post, letterUrl + "/approve", new { }, ifMatch: $"{letter.Version}")).StatusCode);
        }

        var still = await (await legal.GetAsync(letterUrl)).Read<LetterView>();
        Assert.Equal(LetterStatus.InReview, still.Status);
        Assert.Null(still.Approval);
    }

    [Fact]
    public async Task Downloads_are_real_docx_and_pdf_and_an_exercise_letter_is_watermarked_in_every_format()
    {
        var url = await IncidentWithFactsAsync(exercise: true);
        using var comms = fixture.As(Role.Communications);
        var letter = await (await comms.PostJson(url + "/letters", new { kind = "sec", group = new[] { "SEC" }, organisation = Organisation })).Read<LetterView>();
        Assert.True(letter.IsExercise);
        var version = $"{url}/letters/{letter.Id}/versions/1";

        var docx = await comms.GetAsync(version + "?format=docx");
        Assert.Equal("application/vnd.openxmlformats-officedocument.wordprocessingml.document", docx.Content.Headers.ContentType?.MediaType);
        using (var word = WordprocessingDocument.Open(new MemoryStream(await docx.Content.ReadAsByteArrayAsync()), false))
        {
            var paragraphs = word.MainDocumentPart!.Document!.Body!.Descendants<DocumentFormat.OpenXml.Wordprocessing.Paragraph>().Select(p => p.InnerText).ToList();
            Assert.Equal(LetterHandlers.ExerciseBanner, paragraphs[0]);
            Assert.Equal(LetterHandlers.ExerciseBanner, paragraphs[^1]);
            Assert.Contains("Form 8-K Item 1.05. Material Cybersecurity Incidents", paragraphs);
        }

        var pdf = await comms.GetAsync(version + "?format=pdf");
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
        using (var document = PdfDocument.Open(await pdf.Content.ReadAsByteArrayAsync()))
        {
            var words = string.Join(" ", document.GetPages().Select(p => string.Join(" ", p.GetWords().Select(w => w.Text))));
            Assert.Contains("EXERCISE", words, StringComparison.Ordinal);
            Assert.Contains("DISTRIBUTION", words, StringComparison.Ordinal);
            Assert.Contains("Material Impact", words, StringComparison.Ordinal);
        }

        var text = await comms.GetAsync(version + "?format=text");
        Assert.Equal("text/plain", text.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith(LetterHandlers.ExerciseBanner, await text.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var html = await comms.GetAsync(version + "?format=html");
        Assert.Equal("text/html", html.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"<p>{LetterHandlers.ExerciseBanner}</p>", await html.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await comms.GetAsync(version + "?format=rtf")).StatusCode);
    }

    [Fact]
    public async Task An_organisation_template_is_validated_used_for_new_drafts_and_audited()
    {
        using var legal = fixture.As(Role.Legal);
        using var comms = fixture.As(Role.Communications);
        const string templateUrl = "/api/v1/organisation/letter-templates/media";
        var builtIn = await (await comms.GetAsync(templateUrl)).Read<LetterTemplateView>();
        Assert.Equal("builtIn", builtIn.Source);

        var broken = await legal.SendJson(HttpMethod.Put, templateUrl, new { text = "{% if organisation.name %}never closed" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, broken.StatusCode);
        Assert.True((await broken.Problem()).GetProperty("errors").TryGetProperty("text", out _));
        Assert.Equal(HttpStatusCode.Forbidden, (await comms.SendJson(HttpMethod.Put, templateUrl, new { text = builtIn.Text })).StatusCode);

        var custom = builtIn.Text.Replace("FOR IMMEDIATE RELEASE", "FOR IMMEDIATE RELEASE FROM THE NORTHWIND NEWSROOM", StringComparison.Ordinal);
        var saved = await (await legal.SendJson(HttpMethod.Put, templateUrl, new { text = custom })).Read<LetterTemplateView>();
        Assert.Equal("organisation", saved.Source);
        try
        {
            var url = await IncidentWithFactsAsync(exercise: false);
            var letter = await (await comms.PostJson(url + "/letters", new { kind = "media", group = new[] { "HIPAA" }, organisation = Organisation })).Read<LetterView>();
            Assert.True(letter.OrganisationTemplate);
            var body = (await (await comms.GetAsync($"{url}/letters/{letter.Id}/versions/1")).Read<LetterVersionView>()).Body;
            Assert.Contains("NORTHWIND NEWSROOM", body, StringComparison.Ordinal);
        }
        finally
        {
            var removed = await legal.SendJson(HttpMethod.Delete, templateUrl, null, ifMatch: $"{saved.Version}");
            Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        }

        Assert.Equal("builtIn", (await (await comms.GetAsync(templateUrl)).Read<LetterTemplateView>()).Source);
        var audit = await (await legal.GetAsync("/api/v1/audit?targetType=organisation")).Read<AuditEventView[]>();
        Assert.Contains(audit, e => e.Action == "letter.template.saved" && e.TargetId == "media");
        Assert.Contains(audit, e => e.Action == "letter.template.removed" && e.TargetId == "media");
    }

    [Fact]
    public async Task An_ad_hoc_check_cites_what_is_missing_and_bad_requests_name_the_field()
    {
        var url = await IncidentWithFactsAsync(exercise: false);
        using var legal = fixture.As(Role.Legal);

        var report = await (await legal.PostJson(url + "/letters/check", new
        {
            kind = "sec", group = new[] { "SEC" }, organisation = Organisation, text = "Item 1.05. The nature and scope of the incident.",
        })).Read<LetterCheckReport>();
        Assert.False(report.Passed);
        var timing = Assert.Single(report.Checks, c => c.Requirement == "timing");
        Assert.Equal(CheckStatus.Missing, timing.Status);
        Assert.StartsWith("Form 8-K Item 1.05(a)", timing.Sources.Single().Citation, StringComparison.Ordinal);

        async Task<string> FieldAt(object body)
        {
            var response = await legal.PostJson(url + "/letters", body);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            return (await response.Problem()).GetProperty("errors").EnumerateObject().Single().Name;
        }

        Assert.Equal("kind", await FieldAt(new { kind = "pigeon", organisation = Organisation }));
        Assert.Equal("group", await FieldAt(new { kind = "sec", group = new[] { "US-CA" }, organisation = Organisation }));
        Assert.Equal("facts", await FieldAt(new { kind = "individuals", facts = new { }, organisation = Organisation }));
        Assert.Equal("organisation", await FieldAt(new { kind = "individuals", group = new[] { "US-CA" } }));
        Assert.Equal("offer.creditMonitoringMonths", await FieldAt(new { kind = "individuals", group = new[] { "US-CA" }, organisation = Organisation, offer = new { provider = "X" } }));
    }

    private async Task<string> IncidentWithFactsAsync(bool exercise)
    {
        using var commander = fixture.As(Role.IncidentCommander);
        using var legal = fixture.As(Role.Legal);
        var incident = await (await commander.PostJson("/api/v1/incidents", new
        {
            title = "Loyalty export", kind = "dataExfiltration", severity = "high", isExercise = exercise,
            summary = "An unauthorized party used a compromised vendor credential to reach our loyalty database and copied customer records.",
        })).Read<IncidentView>();
        var url = $"/api/v1/incidents/{incident.Id}";
        var facts = await legal.SendJson(HttpMethod.Put, url + "/facts", new
        {
            dataOwner = true, dataElements = new[] { "name", "ssn" }, affectedResidents = new Dictionary<string, int> { ["US-CA"] = 1200, ["US-WA"] = 300 },
        });
        Assert.Equal(HttpStatusCode.OK, facts.StatusCode);
        return url;
    }

    private static async Task<LetterView> Act(HttpClient client, string url, int version, string? comment)
    {
        var response = await client.SendJson(HttpMethod.Post, url, new { comment }, ifMatch: $"{version}");
        return await response.Read<LetterView>();
    }
}
