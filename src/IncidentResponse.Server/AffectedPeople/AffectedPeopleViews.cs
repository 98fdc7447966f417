using IncidentResponse.Core;
using IncidentResponse.Core.AffectedPeople;
using IncidentResponse.Server.Persistence;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace IncidentResponse.Server.AffectedPeople;

public sealed record RowErrorView(long Row, string Column, string Reason);

/// <summary>An import: its counts, its first errors (all of them at <c>ErrorReport</c>, as CSV).</summary>
public sealed record ImportView(
    Guid Id, Guid IncidentId, string? FileName, ImportStatus Status, long Rows, long Imported, long Duplicates, long Rejected,
    long FailedRows, int FailedBatches, string? Failure, Instant StartedAt, Instant? FinishedAt, long ErrorCount,
    IReadOnlyList<RowErrorView> Errors, string ErrorReport, string? FactsProblem);

/// <summary>Who is affected, counted: never a name.</summary>
public sealed record AffectedPeopleSummary(
    long People, IReadOnlyDictionary<string, long> ByJurisdiction, IReadOnlyDictionary<string, long> ByDataElement, int Imports);

public sealed record PurgeView(Guid IncidentId, long People, long Errors, Instant NotificationCompletedAt, Instant PurgeableFrom);

/// <summary>One incident's re-key: people re-sealed under the current key, people found already stored under it (merged), the keys they left; or why it stopped.</summary>
public sealed record IncidentRekeyView(Guid IncidentId, long Rekeyed, long Duplicates, IReadOnlyList<string> FromKeys, string? Failure);

/// <summary>A re-key of every incident: the totals, the people still under another key afterwards, and each incident's part.</summary>
public sealed record RekeyView(string CurrentKey, int Incidents, long Rekeyed, long Duplicates, long UnderOtherKeys, IReadOnlyList<IncidentRekeyView> ByIncident);

public static class AffectedPeopleViews
{
    public const int InlineErrors = 100;

    public static async Task<ImportView> ImportAsync(IncidentDbContext db, AffectedPeopleImport i, string? factsProblem, CancellationToken ct)
    {
        var errors = db.ImportRowErrors.AsNoTracking().Where(e => e.ImportId == i.Id);
        var first = await errors.OrderBy(e => e.Row).ThenBy(e => e.Id).Take(InlineErrors).Select(e => new RowErrorView(e.Row, e.Column, e.Reason)).ToListAsync(ct);
        return new ImportView(
            i.Id, i.IncidentId, i.FileName, i.Status, i.Rows, i.Imported, i.Duplicates, i.Rejected, i.FailedRows, i.FailedBatches, i.Failure,
            i.StartedAt, i.FinishedAt, await errors.LongCountAsync(ct), first,
            $"/api/v1/incidents/{i.IncidentId}/affected-people/imports/{i.Id}/errors.csv", factsProblem);
    }

    public static async Task<AffectedPeopleSummary> CountsAsync(IncidentDbContext db, Guid incidentId, CancellationToken ct)
    {
        var groups = await db.AffectedPeople.AsNoTracking().Where(p => p.IncidentId == incidentId)
            .GroupBy(p => new { p.Residence, p.DataElements })
            .Select(g => new { g.Key.Residence, g.Key.DataElements, Count = g.LongCount() })
            .ToListAsync(ct);
        var byJurisdiction = groups.GroupBy(g => g.Residence).OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(x => x.Count));
        var byElement = groups.SelectMany(g => AffectedPerson.ElementsOf(g.DataElements).Select(e => (Element: e, g.Count)))
            .GroupBy(x => x.Element).OrderBy(g => g.Key)
            .ToDictionary(g => g.Key.ToString().ToCamelCase(), g => g.Sum(x => x.Count));
        var imports = await db.AffectedPeopleImports.CountAsync(i => i.IncidentId == incidentId, ct);
        return new AffectedPeopleSummary(groups.Sum(g => g.Count), byJurisdiction, byElement, imports);
    }
}
