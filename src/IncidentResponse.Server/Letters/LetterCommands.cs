using System.Text.Json;
using System.Text.Json.Nodes;
using IncidentResponse.Core;
using IncidentResponse.Core.Incidents;
using IncidentResponse.Core.Laws;
using IncidentResponse.Core.Letters;
using IncidentResponse.Server.Api;
using IncidentResponse.Server.Audit;
using IncidentResponse.Server.Identity;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.Notifications;
using IncidentResponse.Server.Persistence;
using Mediator;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Text;

namespace IncidentResponse.Server.Letters;

public sealed record DraftLetter(Guid IncidentId, LetterKind Kind, IReadOnlyList<string>? Group, JsonObject Input) : ICommand<Outcome<LetterView>>;

public sealed record CheckLetterText(Guid IncidentId, LetterKind Kind, IReadOnlyList<string>? Group, string Text, JsonObject Input)
    : ICommand<Outcome<LetterCheckReport>>;

public sealed record ReviseLetter(Guid IncidentId, Guid LetterId, int ExpectedVersion, string Body, string? Note) : ICommand<Outcome<LetterView>>;

public sealed record ReviewLetter(Guid IncidentId, Guid LetterId, int ExpectedVersion, ReviewAction Action, string? Comment) : ICommand<Outcome<LetterView>>;

public sealed record SaveLetterTemplate(LetterKind Kind, int? ExpectedVersion, string Text) : ICommand<Outcome<LetterTemplateView>>;

public sealed record RemoveLetterTemplate(LetterKind Kind, int? ExpectedVersion) : ICommand<Outcome<LetterTemplateView>>;

public sealed class LetterHandlers(IncidentDbContext db, AuditTrail audit, CurrentActor actor, IClock clock, RuleBook rules, Playbooks.PlaybookRuns runs) :
    ICommandHandler<DraftLetter, Outcome<LetterView>>,
    ICommandHandler<CheckLetterText, Outcome<LetterCheckReport>>,
    ICommandHandler<ReviseLetter, Outcome<LetterView>>,
    ICommandHandler<ReviewLetter, Outcome<LetterView>>,
    ICommandHandler<SaveLetterTemplate, Outcome<LetterTemplateView>>,
    ICommandHandler<RemoveLetterTemplate, Outcome<LetterTemplateView>>
{
    /// <summary>Printed first and last on every rendering of an exercise incident's letter.</summary>
    public const string ExerciseBanner = "EXERCISE \u2014 NOT FOR DISTRIBUTION";

    private const string Target = "incident";

    public async ValueTask<Outcome<LetterView>> Handle(DraftLetter command, CancellationToken ct)
    {
        var composed = await ComposeAsync(command.IncidentId, command.Input, ct);
        if (composed.Failure is { } bad)
        {
            return bad;
        }

        var (incident, request, requestJson) = composed.Value;
        var custom = await db.LetterTemplates.AsNoTracking().SingleOrDefaultAsync(t => t.Kind == command.Kind, ct);
        LetterDraft draft;
        try
        {
            draft = Notices.Draft(command.Kind, request, command.Group, rules, ContactDirectory.Current, custom?.Text);
        }
        catch (LetterException e)
        {
            return Failure.Invalid(e.Field, e.Problem);
        }

        if (draft.Document is null)
        {
            return new Failure(FailureKind.Invalid,
                $"One letter cannot satisfy the whole group: {string.Join("; ", draft.Requirements.Conflicts.Select(c => c.Description))}. Draft one letter per part of the split.",
                "group", new Dictionary<string, object?> { ["conflicts"] = draft.Requirements.Conflicts, ["split"] = draft.Split });
        }

        var now = clock.GetCurrentInstant();
        var letter = new Letter
        {
            Id = Guid.CreateVersion7(), IncidentId = incident.Id, Kind = command.Kind, Group = string.Join(',', draft.Requirements.Group),
            RequestJson = requestJson, Status = LetterStatus.Draft, IsExercise = incident.IsExercise, OrganisationTemplate = custom is not null,
            CreatedBy = actor.Id, CreatedAt = now, UpdatedAt = now,
        };
        var group = letter.Group;
        if (group.Length > Letter.GroupLength)
        {
            return Failure.Invalid("group", $"The group is longer than {Letter.GroupLength} characters.");
        }

        var report = Check(letter, request, draft.Document.ToText());
        letter.Versions.Add(NewVersion(letter, 1, draft.Document.ToMarkup(), draft.Document.FontPt, report, "Drafted from the template", now));
        db.Letters.Add(letter);
        audit.Record("letter.drafted", Target, incident.Id.ToString(), null,
            new { letter = letter.Id, letter.Kind, group = letter.Codes, template = custom is null ? "builtIn" : "organisation", report.Passed });
        await audit.CommitAsync(ct);
        return LetterView.From(letter);
    }

    public async ValueTask<Outcome<LetterCheckReport>> Handle(CheckLetterText command, CancellationToken ct)
    {
        var composed = await ComposeAsync(command.IncidentId, command.Input, ct);
        if (composed.Failure is { } bad)
        {
            return bad;
        }

        try
        {
            return Notices.Check(command.Kind, command.Text, composed.Value.Request, command.Group, rules, ContactDirectory.Current);
        }
        catch (LetterException e)
        {
            return Failure.Invalid(e.Field, e.Problem);
        }
    }

    public async ValueTask<Outcome<LetterView>> Handle(ReviseLetter command, CancellationToken ct)
    {
        var found = await FindAsync(command.IncidentId, command.LetterId, command.ExpectedVersion, ct);
        if (found.Failure is { } bad)
        {
            return bad;
        }

        var letter = found.Value!;
        var decision = LetterReview.Decide(letter.Status, ReviewAction.Revise, actor.Roles, checkPassed: true);
        if (!decision.Allowed)
        {
            return Refused(decision, null);
        }

        var request = ReadRequest(letter);
        var latest = letter.Versions.MaxBy(v => v.Number)!;
        var document = LetterDocument.Parse(command.Body, latest.FontPt);
        var report = Check(letter, request, document.ToText());
        var now = clock.GetCurrentInstant();
        var version = NewVersion(letter, latest.Number + 1, command.Body, latest.FontPt, report, command.Note, now);
        // Relationship fix-up puts the new rows into the tracked letter's collections.
        db.LetterVersions.Add(version);
        Step(letter, ReviewAction.Revise, decision.To!.Value, version.Number, command.Note, now);
        letter.ApprovedAt = null;
        letter.ApprovedBy = null;
        letter.ApprovedByName = null;
        letter.ApprovedVersion = null;
        audit.Record("letter.revised", Target, letter.IncidentId.ToString(), new { letter = letter.Id, version = latest.Number },
            new { letter = letter.Id, version = version.Number, report.Passed, letter.Status });
        await audit.CommitAsync(ct);
        return LetterView.From(letter);
    }

    public async ValueTask<Outcome<LetterView>> Handle(ReviewLetter command, CancellationToken ct)
    {
        var found = await FindAsync(command.IncidentId, command.LetterId, command.ExpectedVersion, ct);
        if (found.Failure is { } bad)
        {
            return bad;
        }

        var letter = found.Value!;
        var latest = letter.Versions.MaxBy(v => v.Number)!;
        var decision = LetterReview.Decide(letter.Status, command.Action, actor.Roles, latest.Passed);
        if (!decision.Allowed)
        {
            return Refused(decision, latest);
        }

        var now = clock.GetCurrentInstant();
        var from = letter.Status;
        Step(letter, command.Action, decision.To!.Value, latest.Number, command.Comment, now);
        if (command.Action == ReviewAction.Approve)
        {
            letter.ApprovedBy = actor.Id;
            letter.ApprovedByName = actor.Name;
            letter.ApprovedAt = now;
            letter.ApprovedVersion = latest.Number;
        }
        else if (command.Action == ReviewAction.Release)
        {
            letter.ReleasedBy = actor.Id;
            letter.ReleasedAt = now;
        }

        // An exercise letter is released only inside the exercise: it stays watermarked and goes to no one.
        audit.Record($"letter.{command.Action.ToString().ToCamelCase()}", Target, letter.IncidentId.ToString(),
            new { letter = letter.Id, status = from },
            new { letter = letter.Id, letter.Status, version = latest.Number, command.Comment, exercise = letter.IsExercise });
        await audit.CommitAsync(ct);
        if (letter.Kind == LetterKind.Individuals && letter.Status is LetterStatus.Approved or LetterStatus.Released)
        {
            // Playbook steps waiting for the letters to individuals to be approved or released go on now.
            await runs.IncidentChangedAsync(letter.IncidentId, ct);
        }

        return LetterView.From(letter);
    }

    public async ValueTask<Outcome<LetterTemplateView>> Handle(SaveLetterTemplate command, CancellationToken ct)
    {
        try
        {
            Notices.TryTemplate(command.Kind, command.Text, rules, ContactDirectory.Current);
        }
        catch (LetterException e)
        {
            return Failure.Invalid("text", $"The template does not work: {e.Problem}");
        }

        var stored = await db.LetterTemplates.SingleOrDefaultAsync(t => t.Kind == command.Kind, ct);
        if (command.ExpectedVersion is { } expected && expected != (stored?.Version ?? 0))
        {
            return Failure.Stale(stored?.Version ?? 0);
        }

        var before = stored is null ? null : new { stored.Kind, stored.Version, length = stored.Text.Length };
        if (stored is null)
        {
            stored = new LetterTemplate { Kind = command.Kind, Text = command.Text, UpdatedBy = actor.Name };
            db.LetterTemplates.Add(stored);
        }

        stored.Text = command.Text;
        stored.UpdatedBy = actor.Name;
        stored.UpdatedAt = clock.GetCurrentInstant();
        audit.Record("letter.template.saved", "organisation", command.Kind.ToString().ToCamelCase(), before, new { stored.Kind, text = stored.Text });
        await audit.CommitAsync(ct);
        return new LetterTemplateView(stored.Kind, "organisation", stored.Text, stored.UpdatedBy, stored.UpdatedAt, stored.Version);
    }

    public async ValueTask<Outcome<LetterTemplateView>> Handle(RemoveLetterTemplate command, CancellationToken ct)
    {
        var stored = await db.LetterTemplates.SingleOrDefaultAsync(t => t.Kind == command.Kind, ct);
        if (stored is null)
        {
            return Failure.NotFound($"An organisation template for '{command.Kind.ToString().ToCamelCase()}'");
        }

        if (command.ExpectedVersion is { } expected && expected != stored.Version)
        {
            return Failure.Stale(stored.Version);
        }

        db.LetterTemplates.Remove(stored);
        audit.Record("letter.template.removed", "organisation", command.Kind.ToString().ToCamelCase(), new { stored.Kind, text = stored.Text }, null);
        await audit.CommitAsync(ct);
        return new LetterTemplateView(command.Kind, "builtIn", Notices.DefaultTemplate(command.Kind), null, null, 0);
    }

    /// <summary>
    /// The letter input for an incident: its facts as the law engine reads them, the organisation's name, the incident's
    /// summary and dates, today's date as the notice date; the caller's fields (docs/letters.md) add to or replace these.
    /// </summary>
    private async Task<Outcome<(Incident Incident, LetterRequest Request, string Json)>> ComposeAsync(Guid incidentId, JsonObject input, CancellationToken ct)
    {
        var incident = await db.FindVisibleAsync(actor, incidentId, ct);
        if (incident is null)
        {
            return Failure.NotFound("The incident");
        }

        if (input.ContainsKey("facts"))
        {
            return Failure.Invalid("facts", "A letter uses the incident's recorded facts (PUT /incidents/{id}/facts); it does not take facts of its own.");
        }

        var organisation = await db.Organisations.AsNoTracking().FirstAsync(ct);
        var (facts, _, errors) = await IncidentFactsComposer.ComposeStoredAsync(db, incident, organisation, ct);
        if (errors.Count > 0)
        {
            return Failure.Invalid($"facts.{errors[0].Field}", $"The incident's facts are not complete enough for a letter: {errors[0].Message}");
        }

        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(organisation.TimeZone) ?? DateTimeZone.Utc;
        string? LocalDate(MilestoneKind kind) => incident.Milestones.FirstOrDefault(m => m.Kind == kind) is { } m
            ? LocalDatePattern.Iso.Format(m.At.InZone(zone).Date) : null;

        var json = new JsonObject
        {
            ["facts"] = facts,
            ["organisation"] = Merge(OrganisationDefaults(organisation), input["organisation"]),
            ["incident"] = Merge(new JsonObject
            {
                ["summary"] = incident.Summary ?? incident.Title,
                ["occurredFrom"] = LocalDate(MilestoneKind.Occurred) ?? LocalDate(MilestoneKind.Discovered),
            }, input["incident"]),
            ["noticeDate"] = LocalDatePattern.Iso.Format(clock.GetCurrentInstant().InZone(zone).Date),
            ["deliveryMethod"] = "mail",
        };
        foreach (var (key, value) in input.Where(p => p.Key is not ("organisation" or "incident")))
        {
            json[key] = value?.DeepClone();
        }

        var (request, problems) = LetterRequestReader.Read(JsonSerializer.SerializeToElement(json));
        return request is null
            ? Failure.Invalid(problems[0].Field, $"{problems[0].Field}: {problems[0].Message}")
            : (incident, request, json.ToJsonString());
    }

    /// <summary>The organisation as its profile describes it: the caller's fields are laid over these.</summary>
    private static JsonObject OrganisationDefaults(Organisations.Organisation organisation)
    {
        var defaults = new JsonObject { ["name"] = organisation.Name };
        foreach (var (field, value) in new[]
        {
            ("shortName", organisation.ContactShortName), ("address", organisation.ContactAddress), ("phone", organisation.ContactPhone),
            ("website", organisation.ContactWebsite), ("email", organisation.ContactEmail),
        })
        {
            if (value is not null)
            {
                defaults[field] = value;
            }
        }

        return defaults;
    }

    /// <summary>The defaults with the caller's object laid over them; anything but an object is left for the reader to refuse.</summary>
    private static JsonNode? Merge(JsonObject defaults, JsonNode? given)
    {
        if (given is not JsonObject fields)
        {
            return given is null ? defaults : given.DeepClone();
        }

        foreach (var (key, value) in fields)
        {
            defaults[key] = value?.DeepClone();
        }

        return defaults;
    }

    private LetterRequest ReadRequest(Letter letter) => LetterRequestReader.Read(letter.RequestJson).Request!;

    private LetterCheckReport Check(Letter letter, LetterRequest request, string text) =>
        Notices.Check(letter.Kind, text, request, letter.Codes, rules, ContactDirectory.Current);

    private async Task<Outcome<Letter>> FindAsync(Guid incidentId, Guid letterId, int expectedVersion, CancellationToken ct)
    {
        if (!await db.IsVisibleAsync(actor, incidentId, ct))
        {
            return Failure.NotFound("The incident");
        }

        var letter = await db.Letters.Include(l => l.Versions).Include(l => l.Steps).AsSplitQuery()
            .SingleOrDefaultAsync(l => l.IncidentId == incidentId && l.Id == letterId, ct);
        if (letter is null)
        {
            return Failure.NotFound("The letter");
        }

        return letter.Version == expectedVersion ? letter : Failure.Stale(letter.Version);
    }

    private static Failure Refused(ReviewDecision decision, LetterVersion? latest) => decision.Refusal switch
    {
        ReviewRefusal.NotPermitted => new Failure(FailureKind.Forbidden, decision.Reason!),
        ReviewRefusal.CheckFailed => new Failure(FailureKind.Invalid, decision.Reason!, null, new Dictionary<string, object?>
        {
            ["version"] = latest!.Number,
            ["findings"] = LetterVersionView.Report(latest).Checks.Where(c => c.Status is CheckStatus.Missing or CheckStatus.ForbiddenPresent).ToList(),
        }),
        _ => Failure.Conflict(decision.Reason!),
    };

    private void Step(Letter letter, ReviewAction action, LetterStatus to, int versionNumber, string? comment, Instant now)
    {
        var step = new LetterReviewStep
        {
            Id = Guid.CreateVersion7(), LetterId = letter.Id, Action = action, From = letter.Status, To = to, VersionNumber = versionNumber,
            Comment = comment, ById = actor.Id, ByName = actor.Name, At = now,
        };
        db.LetterReviewSteps.Add(step);
        letter.Status = to;
        letter.UpdatedAt = now;
    }

    private LetterVersion NewVersion(Letter letter, int number, string body, int fontPt, LetterCheckReport report, string? note, Instant now) => new()
    {
        LetterId = letter.Id, Number = number, Body = body, FontPt = fontPt, Passed = report.Passed,
        ReportJson = JsonSerializer.Serialize(report, WireJson.Options), Note = note, AuthorId = actor.Id, AuthorName = actor.Name, CreatedAt = now,
    };
}
