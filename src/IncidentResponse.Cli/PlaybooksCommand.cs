using System.CommandLine;
using IncidentResponse.Core.Playbooks;

namespace IncidentResponse.Cli;

/// <summary>`ir playbooks validate [DIR]` and `ir playbooks graph ID`.</summary>
public static class PlaybooksCommand
{
    public static Command Create()
    {
        var directory = new Argument<DirectoryInfo?>("dir") { Description = "Folder of playbook files (default: workflows/playbooks)", Arity = ArgumentArity.ZeroOrOne };
        var validate = new Command("validate", "Check every playbook file: schema, ids, dependencies, cycles, conditions. Exit 0 only when all are valid.") { directory };
        validate.SetAction(parse =>
        {
            var folder = parse.GetValue(directory) ?? new DirectoryInfo(Path.Combine("workflows", "playbooks"));
            var (playbooks, problems) = LoadAll(folder);
            foreach (var problem in problems)
            {
                Console.WriteLine(problem);
            }

            Console.WriteLine(problems.Count == 0
                ? $"{playbooks.Count} playbook(s) valid in {folder.FullName}"
                : $"{problems.Count} problem(s) in {folder.FullName}");
            return problems.Count == 0 ? 0 : 1;
        });

        var id = new Argument<string>("id") { Description = "Playbook id, e.g. ransomware-exfiltration" };
        var graphDirectory = new Option<DirectoryInfo?>("--dir") { Description = "Folder of playbook files (default: workflows/playbooks)" };
        var graph = new Command("graph", "Print a playbook as a Mermaid flowchart.") { id, graphDirectory };
        graph.SetAction(parse =>
        {
            var folder = parse.GetValue(graphDirectory) ?? new DirectoryInfo(Path.Combine("workflows", "playbooks"));
            var (playbooks, problems) = LoadAll(folder);
            var wanted = parse.GetValue(id)!;
            var playbook = playbooks.FirstOrDefault(p => p.Id == wanted);
            if (playbook is null)
            {
                Console.Error.WriteLine(problems.Any(p => p.File.StartsWith(wanted, StringComparison.Ordinal))
                    ? $"ir playbooks graph: '{wanted}' is not valid; run `ir playbooks validate`."
                    : $"ir playbooks graph: no playbook '{wanted}' in {folder.FullName}");
                return 2;
            }

            Console.Write(PlaybookGraph.Mermaid(playbook));
            return 0;
        });

        return new Command("playbooks", "Playbook definitions.") { validate, graph };
    }

    private static (List<PlaybookDefinition> Playbooks, List<PlaybookProblem> Problems) LoadAll(DirectoryInfo folder)
    {
        var schemaFile = Path.Combine(folder.FullName, "playbook.schema.json");
        if (!folder.Exists || !File.Exists(schemaFile))
        {
            return ([], [new PlaybookProblem(folder.Name, 0, null, $"no playbook.schema.json in {folder.FullName}")]);
        }

        var loader = new PlaybookLoader(File.ReadAllText(schemaFile));
        var playbooks = new List<PlaybookDefinition>();
        var problems = new List<PlaybookProblem>();
        foreach (var file in folder.GetFiles("*.yaml").Concat(folder.GetFiles("*.yml")).OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            var (playbook, found) = loader.Load(file.Name, File.ReadAllText(file.FullName));
            problems.AddRange(found);
            if (playbook is not null)
            {
                playbooks.Add(playbook);
            }
        }

        foreach (var duplicate in playbooks.GroupBy(p => p.Id).Where(g => g.Count() > 1))
        {
            problems.Add(new PlaybookProblem(duplicate.Key, 1, null, "two files declare this playbook id"));
        }

        return (playbooks, problems);
    }
}
