using System.Text.Json;
using System.Text.Json.Nodes;
using IncidentResponse.Core;
using IncidentResponse.Core.Incidents;
using IncidentResponse.Core.LawEnforcement;
using IncidentResponse.Core.Laws;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.LawEnforcement;
using IncidentResponse.Server.Organisations;
using IncidentResponse.Server.Persistence;
using Microsoft.EntityFrameworkCore;
using NodaTime.Text;

namespace IncidentResponse.Server.Notifications;

/// <summary>
/// Builds the law engine's facts for an incident: its milestones give the clock events, the organisation
/// profile gives the entity, its law-enforcement delay requests give the delays, and the incident's recorded
/// facts give the rest.
/// </summary>
public static class IncidentFactsComposer
{
    public static readonly string[] RecordedFields =
        ["dataOwner", "dataElements", "encryption", "affectedResidents", "harmAssessment", "individualsNotifiedAt"];

    public static JsonObject Empty() => new() { ["dataOwner"] = true, ["dataElements"] = new JsonArray(), ["affectedResidents"] = new JsonObject() };

    /// <summary>The facts recorded for an incident, or the empty facts while none are.</summary>
    public static async Task<JsonObject> RecordedAsync(IncidentDbContext db, Guid incidentId, CancellationToken ct) =>
        await db.IncidentFacts.AsNoTracking().Where(f => f.IncidentId == incidentId).Select(f => f.Json).SingleOrDefaultAsync(ct) is { } json
            ? JsonNode.Parse(json)!.AsObject()
            : Empty();

    /// <summary>The incident's facts as stored now: its recorded facts and its law-enforcement delay requests.</summary>
    public static async Task<(JsonObject Json, BreachFacts? Facts, IReadOnlyList<FactError> Errors)> ComposeStoredAsync(
        IncidentDbContext db, Incident incident, Organisation organisation, CancellationToken ct) =>
        Compose(incident, organisation, await RecordedAsync(db, incident.Id, ct), [.. (await db.DelaysAsync(incident.Id, ct)).Select(d => d.ToRequest())]);

    /// <summary>The full facts JSON and, when it is valid, the facts themselves.</summary>
    public static (JsonObject Json, BreachFacts? Facts, IReadOnlyList<FactError> Errors) Compose(
        Incident incident, Organisation organisation, JsonObject recorded, IReadOnlyList<DelayRequest> delays)
    {
        var unknown = recorded.Select(kv => kv.Key).Where(k => !RecordedFields.Contains(k))
            .Select(k => new FactError(k, k == "lawEnforcementDelays"
                ? $"is no longer part of the facts: record each delay with POST /api/v1/incidents/{incident.Id}/law-enforcement/delays and remove this field"
                : "is not a known field")).ToList();

        string? Milestone(MilestoneKind kind) =>
            incident.Milestones.FirstOrDefault(m => m.Kind == kind) is { } m ? InstantPattern.ExtendedIso.Format(m.At) : null;

        var json = new JsonObject
        {
            ["discoveredAt"] = Milestone(MilestoneKind.Discovered),
            ["breachDeterminedAt"] = Milestone(MilestoneKind.BreachDetermined),
            ["materialityDeterminedAt"] = Milestone(MilestoneKind.MaterialityDetermined),
            ["individualsNotifiedAt"] = recorded["individualsNotifiedAt"]?.DeepClone(),
            ["entity"] = new JsonObject
            {
                ["timeZone"] = organisation.TimeZone,
                ["headquarters"] = organisation.Headquarters,
                ["dataOwner"] = recorded["dataOwner"]?.DeepClone() ?? true,
                ["hipaaCoveredEntity"] = organisation.HipaaCoveredEntity,
                ["hipaaBusinessAssociate"] = organisation.HipaaBusinessAssociate,
                ["secRegistrant"] = organisation.SecRegistrant,
                ["nydfsCoveredEntity"] = organisation.NydfsCoveredEntity,
                ["glbaFinancialInstitution"] = organisation.GlbaFinancialInstitution,
                ["phrVendor"] = organisation.PhrVendor,
                ["establishedInEu"] = organisation.EstablishedInEu,
            },
            ["dataElements"] = recorded["dataElements"]?.DeepClone(),
            ["encryption"] = recorded["encryption"]?.DeepClone(),
            ["affectedResidents"] = recorded["affectedResidents"]?.DeepClone(),
            ["lawEnforcementDelays"] = new JsonArray([.. DelayRequest.Facts(delays).Select(d => new JsonObject
            {
                ["requestedAt"] = InstantPattern.ExtendedIso.Format(d.RequestedAt),
                ["endsAt"] = d.EndsAt is { } ends ? InstantPattern.ExtendedIso.Format(ends) : null,
                ["form"] = d.Form.ToString().ToCamelCase(),
            })]),
            ["harmAssessment"] = recorded["harmAssessment"]?.DeepClone(),
        };
        var (facts, errors) = FactsReader.Read(JsonSerializer.SerializeToElement(json));
        var all = unknown.Concat(errors.Select(e => e.Field.StartsWith("entity.dataOwner", StringComparison.Ordinal) ? e with { Field = "dataOwner" } : e)).ToList();
        return (json, all.Count == 0 ? facts : null, all);
    }
}
