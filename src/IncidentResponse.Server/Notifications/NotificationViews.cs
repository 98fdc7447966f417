using System.Text.Json.Nodes;
using IncidentResponse.Core.Laws;
using NodaTime;

namespace IncidentResponse.Server.Notifications;

public sealed record IncidentFactsView(JsonObject Facts, int Version, Instant? UpdatedAt);

public sealed record ObligationView(
    Guid Id, string Regime, string ObligationId, Recipient Recipient, string? Scope, string? Authority, Instant? DueBy,
    LocalDate? DueDate, Standard Standard, ClockStart? ClockStart, Instant? ClockStartAt, int TolledDays, long Residents,
    string Citation, LocalDate RuleVersion, string Confidence, IReadOnlyList<string> Notes, ObligationStatus Status,
    string? StatusReason, string? Proof, int Version)
{
    public static ObligationView From(IncidentObligation o) => new(
        o.Id, o.Regime, o.ObligationId, o.Recipient, o.Scope, o.Authority, o.DueBy, o.DueDate, o.Standard, o.ClockStart,
        o.ClockStartAt, o.TolledDays, o.Residents, o.Citation, o.RuleVersion, o.Confidence,
        o.Notes.Split('\n', StringSplitOptions.RemoveEmptyEntries), o.Status, o.StatusReason, o.Proof, o.Version);
}

public sealed record ObligationChangeView(ObligationView Before, ObligationView After);

/// <summary>What an assessment of an incident did to its obligation ledger.</summary>
public sealed record LedgerView(
    string RulesVersion,
    IReadOnlyList<ObligationView> Added,
    IReadOnlyList<ObligationChangeView> Changed,
    IReadOnlyList<ObligationView> Withdrawn,
    IReadOnlyList<ObligationView> Obligations,
    IReadOnlyList<Exemption> Exemptions,
    IReadOnlyList<ControllingDeadline> ControllingDeadlines);
