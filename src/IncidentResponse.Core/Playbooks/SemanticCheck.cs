using IncidentResponse.Core.Playbooks.Conditions;

namespace IncidentResponse.Core.Playbooks;

/// <summary>The rules of docs/playbooks.md "Validation" that a JSON Schema cannot express.</summary>
internal sealed class SemanticCheck(PlaybookDefinition playbook, string file, Func<string, int> lineOf, List<PlaybookProblem> problems)
{
    private readonly Dictionary<string, int> index = playbook.Steps.Select((s, i) => (s.Id, i)).GroupBy(x => x.Id).ToDictionary(g => g.Key, g => g.First().i);

    public void Run()
    {
        foreach (var duplicate in playbook.References.GroupBy(r => r.Id).Where(g => g.Count() > 1))
        {
            problems.Add(new PlaybookProblem(file, lineOf("/references"), null, $"references: the id '{duplicate.Key}' is used twice"));
        }

        foreach (var duplicate in playbook.Steps.Select((s, i) => (s, i)).GroupBy(x => x.s.Id).Where(g => g.Count() > 1))
        {
            foreach (var (step, i) in duplicate.Skip(1))
            {
                problems.Add(new PlaybookProblem(file, step.Line, step.Id, $"id: '{step.Id}' is used by another step"));
            }
        }

        var references = playbook.References.Select(r => r.Id).ToHashSet();
        for (var i = 0; i < playbook.Steps.Count; i++)
        {
            var step = playbook.Steps[i];
            foreach (var option in step.Options.GroupBy(o => o.Id).Where(g => g.Count() > 1))
            {
                Problem(i, "options", $"the option id '{option.Key}' is used twice");
            }

            foreach (var (dependency, j) in step.After.Select((d, j) => (d, j)))
            {
                if (dependency == step.Id)
                {
                    Problem(i, $"after/{j}", "a step cannot depend on itself");
                }
                else if (!index.ContainsKey(dependency))
                {
                    Problem(i, $"after/{j}", $"'{dependency}' is not a step of this playbook");
                }
            }

            for (var (due, path) = (step.Due, "due"); due is not null; (due, path) = (due.Otherwise, path + "/otherwise"))
            {
                if (due.From == DueAnchor.Step && !index.ContainsKey(due.Anchor))
                {
                    Problem(i, path + "/step", $"'{due.Anchor}' is not a step of this playbook");
                }
            }

            foreach (var (reference, j) in step.References.Select((r, j) => (r, j)))
            {
                if (!references.Contains(reference))
                {
                    Problem(i, $"references/{j}", $"'{reference}' is not among the playbook's references");
                }
            }
        }

        var cyclic = Cycles();
        for (var i = 0; i < playbook.Steps.Count; i++)
        {
            if (playbook.Steps[i].When is { } when && !cyclic)
            {
                CheckCondition(i, when);
            }
        }
    }

    /// <summary>Reports each dependency cycle once, naming its steps in order; true when there is one.</summary>
    private bool Cycles()
    {
        var state = new Dictionary<string, int>(); // 0 new, 1 on the path, 2 finished
        var path = new List<string>();
        var found = false;

        void Visit(string id)
        {
            state[id] = 1;
            path.Add(id);
            foreach (var next in playbook.Steps[index[id]].After.Where(index.ContainsKey).Where(d => d != id))
            {
                if (state.GetValueOrDefault(next) == 1)
                {
                    var cycle = path.Skip(path.IndexOf(next)).Append(next);
                    problems.Add(new PlaybookProblem(file, playbook.Steps[index[next]].Line, next,
                        $"after: dependency cycle {string.Join(" -> ", cycle)}"));
                    found = true;
                }
                else if (state.GetValueOrDefault(next) == 0)
                {
                    Visit(next);
                }
            }

            path.RemoveAt(path.Count - 1);
            state[id] = 2;
        }

        foreach (var step in playbook.Steps)
        {
            if (state.GetValueOrDefault(step.Id) == 0)
            {
                Visit(step.Id);
            }
        }

        return found;
    }

    private void CheckCondition(int i, Condition when)
    {
        var step = playbook.Steps[i];
        foreach (var message in when.Check(PlaybookConditionCatalog.For(playbook)))
        {
            Problem(i, "when", message);
        }

        var ancestors = Ancestors(step.Id);
        foreach (var path in when.Paths)
        {
            if (path.Root == "decisions" && index.ContainsKey(path.Name) && !ancestors.Contains(path.Name))
            {
                Problem(i, "when", $"reads {path} but '{path.Name}' is not among the steps this one comes after");
            }

            if (path.Root is "obligations" or "clocks" && !ancestors.Any(a => playbook.Steps[index[a]].Kind == StepKind.Assessment))
            {
                Problem(i, "when", $"reads {path} but no assessment step comes before this one");
            }
        }
    }

    private HashSet<string> Ancestors(string id)
    {
        var seen = new HashSet<string>();
        var stack = new Stack<string>(playbook.Steps[index[id]].After.Where(index.ContainsKey));
        while (stack.TryPop(out var next))
        {
            if (seen.Add(next))
            {
                foreach (var dependency in playbook.Steps[index[next]].After.Where(index.ContainsKey))
                {
                    stack.Push(dependency);
                }
            }
        }

        return seen;
    }

    private void Problem(int step, string path, string message) =>
        problems.Add(new PlaybookProblem(file, lineOf($"/steps/{step}/{path}"), playbook.Steps[step].Id,
            $"{System.Text.RegularExpressions.Regex.Replace(path, @"/(\d+)", "[$1]").Replace('/', '.')}: {message}"));
}
