using IncidentResponse.Core.Incidents;
using IncidentResponse.Core.Playbooks;
using IncidentResponse.Core.Playbooks.Conditions;
using NodaTime;

namespace IncidentResponse.Core.Tests.Playbooks;

/// <summary>The repository's playbook folder and a small valid playbook to break in tests.</summary>
public static class PlaybookFixture
{
    public static string Folder
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (!File.Exists(Path.Combine(directory!.FullName, "IncidentResponse.sln")))
            {
                directory = directory.Parent;
            }

            return Path.Combine(directory.FullName, "workflows", "playbooks");
        }
    }

    public static string Schema => File.ReadAllText(Path.Combine(Folder, "playbook.schema.json"));

    /// <summary>Six steps: a task, a decision with a branch each way, an approval, a wait and a closing task.</summary>
    public const string Valid = """
        id: small
        title: "Small test playbook"
        version: 1
        appliesTo: [ransomware]
        summary: "A small playbook used by the engine's tests to exercise every step kind it needs."
        references:
          - { id: nist-800-61r3, title: "NIST SP 800-61 Rev. 3" }
        steps:
          - id: triage
            title: "Triage the alert"
            description: "Confirm the alert from two signals and record who reported it and when on the timeline."
            team: it
            phase: detection
            kind: task
            due: { from: milestone, milestone: discovered, hours: 2 }
          - id: le-decision
            title: "Decide on law enforcement"
            description: "Counsel decides whether to contact law enforcement now or defer, and records the reasons."
            team: legal
            phase: containment
            kind: decision
            after: [triage]
            options:
              - { id: contact, title: "Contact now" }
              - { id: defer, title: "Defer" }
          - id: le-contact
            title: "Contact the FBI field office"
            description: "Call the field office cyber squad, record the agent, the case number and what was shared."
            team: legal
            phase: containment
            kind: lawEnforcement
            after: [le-decision]
            when: "decisions['le-decision'] == 'contact'"
            agencies: [fbi-field-office]
          - id: approve-letters
            title: "Approve the letters"
            description: "Legal and the incident commander approve the letter text after checking every finding."
            team: legal
            phase: notification
            kind: approval
            after: [le-contact]
            approvers: [legal, incidentCommander]
          - id: wait-contained
            title: "Wait for containment"
            description: "The run waits here until the incident's contained milestone is recorded by IT."
            team: it
            phase: containment
            kind: wait
            after: [triage]
            wait: { milestone: contained }
            automated: true
          - id: review
            title: "Hold the post-incident review"
            description: "Run the lessons-learned session and record the actions, owners and dates in the risk register."
            team: risk
            phase: postIncident
            kind: task
            after: [approve-letters, wait-contained]
            references: [nist-800-61r3]
        """;
}

/// <summary>An incident that does not change while a test looks at it: these milestones, no facts, no events.</summary>
public sealed class StillIncident(params MilestoneKind[] milestones) : IRunContext, IConditionScope
{
    public Instant Now => Instant.FromUtc(2026, 3, 2, 15, 0);
    public IConditionScope Scope => this;

    public bool HasMilestone(MilestoneKind milestone) => milestones.Contains(milestone);

    public bool EventHolds(string waitEvent) => false;

    public ConditionValue Resolve(ConditionPath path) => ConditionValue.Null;
}
