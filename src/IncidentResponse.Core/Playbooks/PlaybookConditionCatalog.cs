using IncidentResponse.Core.Incidents;
using IncidentResponse.Core.Laws;
using IncidentResponse.Core.Playbooks.Conditions;

namespace IncidentResponse.Core.Playbooks;

/// <summary>
/// What each condition path of a playbook is: the vocabulary of docs/playbooks.md "Paths". Decisions
/// come from the playbook's decision steps and their options; without a map any decision id is allowed.
/// </summary>
public sealed class PlaybookConditionCatalog(IReadOnlyDictionary<string, IReadOnlyList<string>>? decisionOptions) : IConditionCatalog
{
    private static readonly string[] Kinds = Words<IncidentKind>();
    private static readonly string[] Severities = Words<Severity>();
    private static readonly string[] Elements = Words<DataElement>();
    private static readonly string[] Flags = Words<EntityFlag>();
    private static readonly string[] Milestones = Words<MilestoneKind>();
    private static readonly string[] Recipients = Words<Recipient>();

    public static PlaybookConditionCatalog For(PlaybookDefinition playbook) => new(playbook.Steps
        .Where(s => s.Kind == StepKind.Decision)
        .GroupBy(s => s.Id)
        .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.First().Options.Select(o => o.Id).ToArray()));

    public PathInfo? Describe(ConditionPath path) => (path.Root, path.Name) switch
    {
        ("incident", "kind") => new PathInfo(ConditionType.String, Kinds),
        ("incident", "severity") => new PathInfo(ConditionType.String, Severities),
        ("incident", "isExercise") => new PathInfo(ConditionType.Boolean),
        ("facts", "dataElements") => new PathInfo(ConditionType.StringList, Elements),
        ("facts", "residentsTotal") => new PathInfo(ConditionType.Number),
        ("facts", "encrypted") => new PathInfo(ConditionType.Boolean, Nullable: true),
        ("facts", "jurisdictions") => new PathInfo(ConditionType.StringList),
        ("entity", var flag) when Flags.Contains(flag) => new PathInfo(ConditionType.Boolean),
        ("milestones", var name) when Milestones.Contains(name) => new PathInfo(ConditionType.Boolean),
        ("decisions", _) when decisionOptions is null => new PathInfo(ConditionType.String, Nullable: true),
        ("decisions", var id) when decisionOptions.TryGetValue(id, out var options) => new PathInfo(ConditionType.String, options, Nullable: true),
        ("obligations", "count") => new PathInfo(ConditionType.Number),
        ("obligations", var recipient) when Recipients.Contains(recipient) => new PathInfo(ConditionType.Boolean),
        ("clocks", var clock) when LegalClocks.Names.Contains(clock) => new PathInfo(ConditionType.Boolean),
        _ => null,
    };

    private static string[] Words<T>() where T : struct, Enum => Enum.GetNames<T>().Select(Naming.ToCamelCase).ToArray();
}
