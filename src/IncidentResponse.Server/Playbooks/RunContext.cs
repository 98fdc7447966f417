using System.Text.Json.Nodes;
using IncidentResponse.Core;
using IncidentResponse.Core.Incidents;
using IncidentResponse.Core.LawEnforcement;
using IncidentResponse.Core.Laws;
using IncidentResponse.Core.Playbooks;
using IncidentResponse.Core.Playbooks.Conditions;
using IncidentResponse.Server.AffectedPeople;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.LawEnforcement;
using IncidentResponse.Server.Letters;
using IncidentResponse.Server.Notifications;
using IncidentResponse.Server.Organisations;
using IncidentResponse.Server.Persistence;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using LetterKind = IncidentResponse.Core.Letters.LetterKind;
using LetterStatus = IncidentResponse.Core.Letters.LetterStatus;

namespace IncidentResponse.Server.Playbooks;

/// <summary>The incident as a run sees it when an event is applied: the paths conditions read, milestones, wait events.</summary>
public sealed class RunContext : IRunContext, IConditionScope
{
    private readonly Incident incident;
    private readonly Organisation organisation;
    private readonly JsonObject facts;
    private readonly IReadOnlyList<IncidentObligation> obligations;
    private readonly IReadOnlyList<DelayRequest> delays;
    private readonly IReadOnlySet<string> heldEvents;

    private RunContext(
        IncidentClock clock, Instant now, Incident incident, Organisation organisation, JsonObject facts, IReadOnlyList<IncidentObligation> obligations,
        IReadOnlyList<DelayRequest> delays, IReadOnlySet<string> heldEvents)
    {
        this.heldEvents = heldEvents;
        Clock = clock;
        Now = now;
        this.incident = incident;
        this.organisation = organisation;
        this.facts = facts;
        this.obligations = obligations;
        this.delays = delays;
    }

    /// <summary>The incident's time: real time, or an exercise's simulated time.</summary>
    public Instant Now { get; }

    /// <summary>The clock <see cref="Now"/> was read from; it says when a simulated instant is reached in real time.</summary>
    public IncidentClock Clock { get; }

    public IConditionScope Scope => this;

    /// <summary>The incident's reference, as task views show it.</summary>
    public string Reference => incident.Reference;

    /// <summary>The events that open steps of the run wait on: only those are looked up when the context loads.</summary>
    public static IReadOnlySet<string> AwaitedEvents(PlaybookDefinition playbook, IReadOnlyDictionary<string, StepState> states) =>
        playbook.Steps
            .Where(s => s.Wait?.Event is not null && (!states.TryGetValue(s.Id, out var state) || state.Status is StepStatus.Blocked or StepStatus.Ready or StepStatus.InProgress))
            .Select(s => s.Wait!.Event!)
            .ToHashSet();

    /// <summary>
    /// The context at the real instant <paramref name="real"/>, on the incident's clock; of the
    /// <paramref name="awaited"/> wait events, it finds out which hold.
    /// </summary>
    public static async Task<RunContext> LoadAsync(IncidentDbContext db, Guid incidentId, Instant real, IReadOnlySet<string> awaited, CancellationToken ct)
    {
        var incident = await db.Incidents.Include(i => i.Milestones).AsNoTracking().SingleAsync(i => i.Id == incidentId, ct);
        var clock = incident.IsExercise ? await IncidentClocks.ForAsync(db, incidentId, ct) : IncidentClock.Real;
        var organisation = await db.Organisations.AsNoTracking().FirstAsync(ct);
        var obligations = await db.IncidentObligations.AsNoTracking()
            .Where(o => o.IncidentId == incidentId && o.Status != ObligationStatus.NotRequired).ToListAsync(ct);
        var facts = await IncidentFactsComposer.RecordedAsync(db, incidentId, ct);
        var delays = (await db.DelaysAsync(incidentId, ct)).Select(d => d.ToRequest()).ToList();
        return new RunContext(clock, clock.Now(real), incident, organisation, facts, obligations, delays, await HeldEventsAsync(db, incidentId, awaited, ct));
    }

    /// <summary>
    /// Which of the awaited letters and import events hold (docs/playbooks.md): a letter to individuals approved (or
    /// already released); a letter to individuals released; an import of affected people completed.
    /// </summary>
    private static async Task<IReadOnlySet<string>> HeldEventsAsync(IncidentDbContext db, Guid incidentId, IReadOnlySet<string> awaited, CancellationToken ct)
    {
        var held = new HashSet<string>();
        if (awaited.Contains(LettersApproved) || awaited.Contains(LettersReleased))
        {
            var statuses = await db.Letters.AsNoTracking()
                .Where(l => l.IncidentId == incidentId && l.Kind == LetterKind.Individuals && (l.Status == LetterStatus.Approved || l.Status == LetterStatus.Released))
                .Select(l => l.Status).Distinct().ToListAsync(ct);
            if (statuses.Count > 0)
            {
                held.Add(LettersApproved);
            }

            if (statuses.Contains(LetterStatus.Released))
            {
                held.Add(LettersReleased);
            }
        }

        if (awaited.Contains(IndividualsImported)
            && await db.AffectedPeopleImports.AsNoTracking().AnyAsync(i => i.IncidentId == incidentId && i.Status == ImportStatus.Completed, ct))
        {
            held.Add(IndividualsImported);
        }

        return held;
    }

    private const string LettersApproved = "letters.approved";
    private const string LettersReleased = "letters.released";
    private const string IndividualsImported = "individuals.imported";

    /// <summary>What the run's due rules anchor to, from what this context loaded and the run's steps as they stand.</summary>
    public DueAnchors Anchors(PlaybookRunRecord run) =>
        RunDueAnchors.From(incident.Milestones.ToDictionary(m => m.Kind, m => m.At), run.Steps, obligations, organisation.TimeZone);

    /// <summary>A milestone the transition recorded: anchors computed afterwards count it.</summary>
    public void Recorded(Milestone milestone)
    {
        if (!HasMilestone(milestone.Kind))
        {
            incident.Milestones.Add(milestone);
        }
    }

    public bool HasMilestone(MilestoneKind milestone) => incident.Milestones.Any(m => m.Kind == milestone);

    public bool EventHolds(string waitEvent) => waitEvent switch
    {
        "lawEnforcementDelay.ended" => delays.All(d => d.StatusAt(Now) != DelayStatus.InForce),
        _ => heldEvents.Contains(waitEvent),
    };

    public ConditionValue Resolve(ConditionPath path) => (path.Root, path.Name) switch
    {
        ("incident", "kind") => ConditionValue.Of(incident.Kind.ToString().ToCamelCase()),
        ("incident", "severity") => ConditionValue.Of(incident.Severity.ToString().ToCamelCase()),
        ("incident", "isExercise") => ConditionValue.Of(incident.IsExercise),
        ("facts", "dataElements") => ConditionValue.Of((facts["dataElements"] as JsonArray ?? []).Select(e => e!.GetValue<string>()).ToList()),
        ("facts", "residentsTotal") => ConditionValue.Of((facts["affectedResidents"] as JsonObject ?? []).Sum(r => r.Value!.GetValue<decimal>())),
        ("facts", "encrypted") => facts["encryption"]?["encrypted"] is JsonValue v ? ConditionValue.Of(v.GetValue<bool>()) : ConditionValue.Null,
        ("facts", "jurisdictions") => ConditionValue.Of((facts["affectedResidents"] as JsonObject ?? []).Select(r => r.Key).ToList()),
        ("entity", var flag) => ConditionValue.Of(EntityFlag(flag)),
        ("milestones", var name) => ConditionValue.Of(Enum.GetValues<MilestoneKind>().Any(k => k.ToString().ToCamelCase() == name && HasMilestone(k))),
        ("obligations", "count") => ConditionValue.Of(obligations.Count),
        ("obligations", var recipient) => ConditionValue.Of(obligations.Any(o => o.Recipient.ToString().ToCamelCase() == recipient)),
        ("clocks", var clock) => ConditionValue.Of(obligations.Any(o => LegalClocks.Covers(clock, o.Regime, o.Recipient))),
        _ => ConditionValue.Null,
    };

    private bool EntityFlag(string flag) => flag switch
    {
        "dataOwner" => facts["dataOwner"] is not JsonValue owner || owner.GetValue<bool>(),
        "hipaaCoveredEntity" => organisation.HipaaCoveredEntity,
        "hipaaBusinessAssociate" => organisation.HipaaBusinessAssociate,
        "secRegistrant" => organisation.SecRegistrant,
        "nydfsCoveredEntity" => organisation.NydfsCoveredEntity,
        "glbaFinancialInstitution" => organisation.GlbaFinancialInstitution,
        "phrVendor" => organisation.PhrVendor,
        "establishedInEu" => organisation.EstablishedInEu,
        _ => false,
    };
}
