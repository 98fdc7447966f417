using System.Text;

namespace IncidentResponse.Core.Playbooks;

/// <summary>A playbook as a Mermaid flowchart: steps by phase, dependencies as arrows, conditions on the arrows.</summary>
public static class PlaybookGraph
{
    public static string Mermaid(PlaybookDefinition playbook)
    {
        var text = new StringBuilder();
        text.AppendLine("flowchart TD");
        foreach (var phase in Enum.GetValues<Phase>())
        {
            var steps = playbook.Steps.Where(s => s.Phase == phase).ToList();
            if (steps.Count == 0)
            {
                continue;
            }

            text.AppendLine($"  subgraph {phase.ToString().ToCamelCase()}[\"{Label(phase.ToString())}\"]");
            foreach (var step in steps)
            {
                var label = $"{Escape(step.Title)}<br/><i>{step.Team.ToString().ToCamelCase()} · {step.Kind.ToString().ToCamelCase()}</i>";
                var (open, close) = step.Kind switch
                {
                    StepKind.Decision => ("{", "}"),
                    StepKind.Approval => ("[[", "]]"),
                    StepKind.Wait => ("([", "])"),
                    StepKind.Milestone => ("[/", "/]"),
                    _ when step.Automated => ("[(", ")]"),
                    _ => ("[", "]"),
                };
                text.AppendLine($"    {Node(step.Id)}{open}\"{label}\"{close}");
            }

            text.AppendLine("  end");
        }

        foreach (var step in playbook.Steps)
        {
            var condition = step.When is null ? "" : $"|\"{Escape(step.When.Text)}\"|";
            foreach (var dependency in step.After)
            {
                text.AppendLine($"  {Node(dependency)} -->{condition} {Node(step.Id)}");
            }
        }

        return text.ToString();
    }

    private static string Node(string id) => id.Replace('-', '_');

    private static string Label(string pascal) =>
        string.Concat(pascal.Select((c, i) => i > 0 && char.IsUpper(c) ? " " + char.ToLowerInvariant(c) : c.ToString()));

    private static string Escape(string text) => text.Replace("\"", "#quot;", StringComparison.Ordinal);
}
