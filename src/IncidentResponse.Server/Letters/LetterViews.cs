using System.Text.Json;
using IncidentResponse.Core;
using IncidentResponse.Core.Letters;
using NodaTime;

namespace IncidentResponse.Server.Letters;

public sealed record LetterVersionSummary(int Number, bool Passed, string AuthorName, Instant CreatedAt, string? Note);

public sealed record ReviewStepView(ReviewAction Action, LetterStatus From, LetterStatus To, int VersionNumber, string? Comment, string By, Instant At);

public sealed record ApprovalView(string By, Instant At, int VersionNumber);

public sealed record LetterListItem(Guid Id, LetterKind Kind, IReadOnlyList<string> Group, LetterStatus Status, bool IsExercise, int Versions, Instant UpdatedAt, int Version);

/// <summary>A letter with its review history and the check of its latest version.</summary>
public sealed record LetterView(
    Guid Id, Guid IncidentId, LetterKind Kind, IReadOnlyList<string> Group, LetterStatus Status, bool IsExercise, bool OrganisationTemplate,
    Instant CreatedAt, Instant UpdatedAt, ApprovalView? Approval, Instant? ReleasedAt, int Version,
    IReadOnlyList<LetterVersionSummary> Versions, LetterCheckReport LatestCheck, IReadOnlyList<ReviewStepView> Steps)
{
    public static LetterView From(Letter letter)
    {
        var latest = letter.Versions.MaxBy(v => v.Number)!;
        return new LetterView(
            letter.Id, letter.IncidentId, letter.Kind, letter.Codes, letter.Status, letter.IsExercise, letter.OrganisationTemplate,
            letter.CreatedAt, letter.UpdatedAt,
            letter.ApprovedAt is { } at ? new ApprovalView(letter.ApprovedByName!, at, letter.ApprovedVersion!.Value) : null,
            letter.ReleasedAt, letter.Version,
            letter.Versions.OrderBy(v => v.Number).Select(v => new LetterVersionSummary(v.Number, v.Passed, v.AuthorName, v.CreatedAt, v.Note)).ToList(),
            LetterVersionView.Report(latest),
            letter.Steps.OrderBy(s => s.At).ThenBy(s => s.VersionNumber)
                .Select(s => new ReviewStepView(s.Action, s.From, s.To, s.VersionNumber, s.Comment, s.ByName, s.At)).ToList());
    }
}

/// <summary>One version: its markup, its plain text and the check made on it.</summary>
public sealed record LetterVersionView(int Number, string Body, string Text, int FontPt, bool Passed, LetterCheckReport Check, string AuthorName, Instant CreatedAt, string? Note)
{
    public static LetterVersionView From(LetterVersion v) =>
        new(v.Number, v.Body, LetterDocument.Parse(v.Body, v.FontPt).ToText(), v.FontPt, v.Passed, Report(v), v.AuthorName, v.CreatedAt, v.Note);

    public static LetterCheckReport Report(LetterVersion v) => JsonSerializer.Deserialize<LetterCheckReport>(v.ReportJson, WireJson.Options)!;
}

/// <summary>What changed from one version to another, word by word.</summary>
public sealed record RedlineView(int Version, int Against, IReadOnlyList<RedlineSegment> Segments, string Html);

public sealed record LetterTemplateView(LetterKind Kind, string Source, string Text, string? UpdatedBy, Instant? UpdatedAt, int Version);
