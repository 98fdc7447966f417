namespace IncidentResponse.Core.Laws;

public enum ObligationStatus
{
    Pending,
    InProgress,
    Sent,
    NotRequired,
}

/// <summary>An incident's standing obligation, as the ledger holds it between assessments.</summary>
public sealed record LedgerEntry(
    string Key,
    Obligation Obligation,
    ObligationStatus Status,
    string? StatusReason);

/// <summary>What a re-assessment did to the ledger.</summary>
public sealed record LedgerChange(
    IReadOnlyList<Obligation> Added,
    IReadOnlyList<(LedgerEntry Before, Obligation After)> Changed,
    IReadOnlyList<(LedgerEntry Entry, string Reason)> Withdrawn,
    IReadOnlyList<LedgerEntry> Unchanged);

/// <summary>
/// The obligation ledger: compares the standing obligations with a new assessment. An obligation is the
/// same obligation when its regime, rule obligation and scope are; it changed when anything a person acts
/// on (deadline, standard, authority, residents, citation) differs.
/// </summary>
public static class ObligationLedger
{
    public static string KeyOf(Obligation o) => $"{o.Regime}/{o.ObligationId}/{o.Scope ?? "*"}";

    public static LedgerChange Diff(IReadOnlyList<LedgerEntry> standing, AssessmentResult assessment)
    {
        var fresh = assessment.Obligations.ToDictionary(KeyOf);
        var added = new List<Obligation>();
        var changed = new List<(LedgerEntry, Obligation)>();
        var withdrawn = new List<(LedgerEntry, string)>();
        var unchanged = new List<LedgerEntry>();
        var known = new HashSet<string>();
        foreach (var entry in standing)
        {
            known.Add(entry.Key);
            if (entry.Status == ObligationStatus.NotRequired && entry.StatusReason?.StartsWith(WithdrawnPrefix, StringComparison.Ordinal) == true)
            {
                // Withdrawn earlier: if it is due again it comes back as a change.
                if (fresh.TryGetValue(entry.Key, out var back))
                {
                    changed.Add((entry, back));
                }
                else
                {
                    unchanged.Add(entry);
                }

                continue;
            }

            if (!fresh.TryGetValue(entry.Key, out var now))
            {
                withdrawn.Add((entry, WithdrawnReason(entry.Obligation, assessment)));
            }
            else if (Differs(entry.Obligation, now))
            {
                changed.Add((entry, now));
            }
            else
            {
                unchanged.Add(entry);
            }
        }

        added.AddRange(assessment.Obligations.Where(o => !known.Contains(KeyOf(o))));
        return new LedgerChange(added, changed, withdrawn, unchanged);
    }

    public const string WithdrawnPrefix = "Withdrawn by re-assessment";

    private static bool Differs(Obligation a, Obligation b) =>
        a.DueBy != b.DueBy || a.DueDate != b.DueDate || a.Standard != b.Standard || a.Authority != b.Authority
        || a.Residents != b.Residents || a.Citation != b.Citation || a.TolledDays != b.TolledDays || a.ClockStartAt != b.ClockStartAt;

    private static string WithdrawnReason(Obligation o, AssessmentResult assessment)
    {
        var exemption = assessment.Exemptions.FirstOrDefault(e => e.Regime == o.Regime && (e.Recipient is null || e.Recipient == o.Recipient));
        return exemption is null
            ? $"{WithdrawnPrefix}: the facts no longer bring this obligation under {o.Regime}."
            : $"{WithdrawnPrefix}: {exemption.Reason.ToString().ToCamelCase()} ({exemption.Citation}).";
    }
}
