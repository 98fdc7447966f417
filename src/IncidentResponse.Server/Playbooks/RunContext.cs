using System.Text.Json.Nodes;
using IncidentResponse.Core;
using IncidentResponse.Core.Identity;
using IncidentResponse.Core.Incidents;
using IncidentResponse.Core.LawEnforcement;
using IncidentResponse.Core.Laws;
using IncidentResponse.Core.Playbooks;
using IncidentResponse.Core.Playbooks.Conditions;
using IncidentResponse.Server.AffectedPeople;
using IncidentResponse.Server.Identity;
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
    // The incident's milestones as this context knows them: those loaded, and those its transition recorded.
    private readonly Dictionary<MilestoneKind, Instant> milestones;

    private RunContext(
        IncidentClock clock, Instant now, Incident incident, Organisation organisation, JsonObject facts, IReadOnlyList<IncidentObligation> obligations,
        IReadOnlyList<DelayRequest> delays, IReadOnlySet<string> heldEvents, Dictionary<MilestoneKind, Instant> milestones)
    {
        this.heldEvents = heldEvents;
        Clock = clock;
        Now = now;
        this.incident = incident;
        this.organisation = organisation;
        this.facts = facts;
        this.obligations = obligations;
        this.delays = delays;
        this.milestones = milestones;
    }

    /// <summary>The incident's time: real time, or an exercise's simulated time.</summary>
    public Instant Now { get; }

    /// <summary>The clock <see cref="Now"/> was read from; it says when a simulated instant is reached in real time.</summary>
    public IncidentClock Clock { get; }

    public IConditionScope Scope => this;

    /// <summary>The incident's reference, as task views show it.</summary>
    public string Reference => incident.Reference;

    /// <summary>The context at the real instant <paramref name="real"/>, on the incident's clock.</summary>
    public static async Task<RunContext> LoadAsync(IncidentDbContext db, Guid incidentId, Instant real, CancellationToken ct)
    {
        var incident = await db.Incidents.Include(i => i.Milestones).Include(i => i.Members).AsNoTracking().SingleAsync(i => i.Id == incidentId, ct);
        var clock = incident.IsExercise ? await IncidentClocks.ForAsync(db, incidentId, ct) : IncidentClock.Real;
        var organisation = await db.Organisations.AsNoTracking().FirstAsync(ct);
        var obligations = await db.IncidentObligations.AsNoTracking()
            .Where(o => o.IncidentId == incidentId && o.Status != ObligationStatus.NotRequired).ToListAsync(ct);
        var facts = await IncidentFactsComposer.RecordedAsync(db, incidentId, ct);
        // A parsed node builds its children on first access; built here, a remembered context is read by many requests at once safely.
        Build(facts);
        var delays = (await db.DelaysAsync(incidentId, ct)).Select(d => d.ToRequest()).ToList();
        return new RunContext(clock, clock.Now(real), incident, organisation, facts, obligations, delays, await HeldEventsAsync(db, incidentId, ct),
            incident.Milestones.ToDictionary(m => m.Kind, m => m.At));
    }

    private static void Build(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, child) in obj)
                {
                    Build(child);
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    Build(child);
                }

                break;
        }
    }

    /// <summary>
    /// The same context at another real instant (a remembered context serves many transitions): what it loaded is
    /// shared and read only; the milestones a transition records are its own.
    /// </summary>
    public RunContext At(Instant real) =>
        new(Clock, Clock.Now(real), incident, organisation, facts, obligations, delays, heldEvents, new Dictionary<MilestoneKind, Instant>(milestones));

    /// <summary>Whether the actor may see the incident (need-to-know), by the members this context loaded.</summary>
    public bool VisibleTo(CurrentActor actor) =>
        actor.IsSystem || Permissions.CanSeeIncident(incident.Restricted, incident.Members.Any(m => m.UserId == actor.Id), actor.Roles);

    /// <summary>
    /// Which of the letter and import events hold (docs/playbooks.md): a letter to individuals approved (or already
    /// released); a letter to individuals released; an import of affected people completed. All are looked up, so a
    /// remembered context answers for a wait that opens after it was loaded.
    /// </summary>
    private static async Task<IReadOnlySet<string>> HeldEventsAsync(IncidentDbContext db, Guid incidentId, CancellationToken ct)
    {
        // One query for the three: a run read again pays one round trip for them, not two.
        var events = await db.Incidents.AsNoTracking().Where(i => i.Id == incidentId).Select(i => new
        {
            Approved = db.Letters.Any(l => l.IncidentId == incidentId && l.Kind == LetterKind.Individuals
                && (l.Status == LetterStatus.Approved || l.Status == LetterStatus.Released)),
            Released = db.Letters.Any(l => l.IncidentId == incidentId && l.Kind == LetterKind.Individuals && l.Status == LetterStatus.Released),
            Imported = db.AffectedPeopleImports.Any(a => a.IncidentId == incidentId && a.Status == ImportStatus.Completed),
        }).SingleAsync(ct);
        var held = new HashSet<string>();
        if (events.Approved)
        {
            held.Add(LettersApproved);
        }

        if (events.Released)
        {
            held.Add(LettersReleased);
        }

        if (events.Imported)
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
        RunDueAnchors.From(milestones, run.Steps, obligations, organisation.TimeZone);

    /// <summary>A milestone the transition recorded: anchors computed afterwards count it.</summary>
    public void Recorded(Milestone milestone) => milestones.TryAdd(milestone.Kind, milestone.At);

    public bool HasMilestone(MilestoneKind milestone) => milestones.ContainsKey(milestone);

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
