using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IncidentResponse.Core.Incidents;
using IncidentResponse.Core.Laws;
using IncidentResponse.Core.Playbooks.Conditions;
using Json.Schema;
using NodaTime.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace IncidentResponse.Core.Playbooks;

/// <summary>One problem in a playbook file: where it is and what is wrong.</summary>
public sealed record PlaybookProblem(string File, int Line, string? Step, string Message)
{
    public override string ToString() => $"{File}:{Line}: {(Step is null ? "" : $"step {Step}: ")}{Message}";
}

/// <summary>
/// Loads playbook files: YAML 1.2 core typing, the JSON Schema kept beside them, then the rules a schema
/// cannot express (unique ids, existing dependencies, no cycles, conditions that parse and type-check).
/// Pure: it is handed file names, texts and the schema text.
/// </summary>
public sealed partial class PlaybookLoader(string schemaText)
{
    // The schema library keeps a process-wide registry by $id: build each schema text once.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<JsonSchema>> Schemas = new();
    private readonly JsonSchema schema = Schemas.GetOrAdd(schemaText, text => new Lazy<JsonSchema>(() => JsonSchema.FromText(text))).Value;

    public static readonly IReadOnlyList<string> WaitEvents =
        ["letters.approved", "letters.released", "individuals.imported", "lawEnforcementDelay.ended"];

    /// <summary>Loads one file; the definition when it is valid, otherwise every problem found.</summary>
    public (PlaybookDefinition? Playbook, IReadOnlyList<PlaybookProblem> Problems) Load(string file, string text)
    {
        var name = Path.GetFileName(file);
        var problems = new List<PlaybookProblem>();
        YamlNode root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            if (stream.Documents.Count != 1)
            {
                return (null, [new PlaybookProblem(name, 1, null, "a playbook file holds exactly one YAML document")]);
            }

            root = stream.Documents[0].RootNode;
        }
        catch (YamlException e)
        {
            var message = (e.InnerException?.Message ?? e.Message).Replace("\n", " ", StringComparison.Ordinal);
            return (null, [new PlaybookProblem(name, (int)e.Start.Line, null, $"not valid YAML: {message}")]);
        }

        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        var json = ToJson(root, "", lines);
        var stepIds = StepIdsByIndex(json);
        int LineOf(string pointer)
        {
            for (var p = pointer; ; p = p[..Math.Max(0, p.LastIndexOf('/'))])
            {
                if (lines.TryGetValue(p, out var line))
                {
                    return line;
                }

                if (p.Length == 0)
                {
                    return 1;
                }
            }
        }

        string? StepOf(string pointer)
        {
            var match = StepPointer().Match(pointer);
            return match.Success && stepIds.TryGetValue(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), out var id) ? id : null;
        }

        var evaluation = schema.Evaluate(System.Text.Json.JsonSerializer.SerializeToElement(json), new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (!evaluation.IsValid)
        {
            foreach (var detail in (evaluation.Details ?? []).Where(d => d.Errors is { Count: > 0 }))
            {
                var pointer = detail.InstanceLocation.ToString();
                foreach (var (keyword, error) in detail.Errors!)
                {
                    // oneOf/anyOf say only that no branch matched; the branch errors say why.
                    if (keyword is "oneOf" or "anyOf" or "$ref" or "allOf")
                    {
                        continue;
                    }

                    problems.Add(new PlaybookProblem(name, LineOf(pointer), StepOf(pointer), $"{Field(pointer)}: {error}"));
                }
            }

            if (problems.Count == 0)
            {
                problems.Add(new PlaybookProblem(name, 1, null, "does not match playbook.schema.json"));
            }

            return (null, Distinct(problems));
        }

        var syntax = new List<(int Step, string Message)>();
        var playbook = Build(json!, text, LineOf, syntax);
        foreach (var (index, message) in syntax)
        {
            problems.Add(new PlaybookProblem(name, LineOf($"/steps/{index}/when"), playbook.Steps[index].Id, $"when: {message}"));
        }

        var id = playbook.Id;
        if (!string.Equals(id + ".yaml", name, StringComparison.Ordinal) && !string.Equals(id + ".yml", name, StringComparison.Ordinal))
        {
            problems.Add(new PlaybookProblem(name, LineOf("/id"), null, $"id: '{id}' does not match the file name"));
        }

        new SemanticCheck(playbook, name, LineOf, problems).Run();
        return problems.Count == 0 ? (playbook, problems) : (null, Distinct(problems));
    }

    private static List<PlaybookProblem> Distinct(List<PlaybookProblem> problems) =>
        problems.Distinct().OrderBy(p => p.Line).ThenBy(p => p.Message, StringComparer.Ordinal).ToList();

    private static string Field(string pointer) =>
        pointer.Length == 0 ? "(file)" : string.Join('.', pointer.Trim('/').Split('/').Select(p => int.TryParse(p, out _) ? $"[{p}]" : p)).Replace(".[", "[", StringComparison.Ordinal);

    private static Dictionary<int, string> StepIdsByIndex(JsonNode? json)
    {
        var ids = new Dictionary<int, string>();
        if (json?["steps"] is JsonArray steps)
        {
            for (var i = 0; i < steps.Count; i++)
            {
                if (steps[i]?["id"] is JsonValue v && v.TryGetValue<string>(out var id))
                {
                    ids[i] = id;
                }
            }
        }

        return ids;
    }

    /// <summary>YAML to JSON with YAML 1.2 core typing of plain scalars, remembering each node's line.</summary>
    private static JsonNode? ToJson(YamlNode node, string pointer, Dictionary<string, int> lines)
    {
        lines[pointer] = (int)node.Start.Line;
        switch (node)
        {
            case YamlMappingNode map:
                var obj = new JsonObject();
                foreach (var (key, value) in map.Children)
                {
                    var name = ((YamlScalarNode)key).Value!;
                    obj[name] = ToJson(value, $"{pointer}/{name}", lines);
                    lines.TryAdd($"{pointer}/{name}", (int)key.Start.Line);
                }

                return obj;
            case YamlSequenceNode list:
                var array = new JsonArray();
                for (var i = 0; i < list.Children.Count; i++)
                {
                    array.Add(ToJson(list.Children[i], $"{pointer}/{i}", lines));
                }

                return array;
            case YamlScalarNode { Style: ScalarStyle.Plain } s:
                return s.Value switch
                {
                    null or "" or "null" or "~" => null,
                    "true" => JsonValue.Create(true),
                    "false" => JsonValue.Create(false),
                    var v when Integer().IsMatch(v) => JsonValue.Create(long.Parse(v, CultureInfo.InvariantCulture)),
                    var v when Decimal().IsMatch(v) => JsonValue.Create(decimal.Parse(v, CultureInfo.InvariantCulture)),
                    var v => JsonValue.Create(v),
                };
            case YamlScalarNode s:
                return JsonValue.Create(s.Value);
            default:
                return null;
        }
    }

    /// <summary>The typed model of a schema-valid document.</summary>
    private static PlaybookDefinition Build(JsonNode json, string text, Func<string, int> lineOf, List<(int Step, string Message)> syntax)
    {
        var steps = new List<StepDefinition>();
        var nodes = json["steps"]!.AsArray();
        for (var i = 0; i < nodes.Count; i++)
        {
            var s = nodes[i]!.AsObject();
            Condition? when = null;
            if (Str(s, "when") is { } expression)
            {
                try
                {
                    when = Condition.Parse(expression);
                }
                catch (ConditionSyntaxException e)
                {
                    syntax.Add((i, e.Message));
                }
            }

            steps.Add(new StepDefinition(
                Str(s, "id")!, Str(s, "title")!, Str(s, "description")!, Word<Team>(Str(s, "team")!), Str(s, "role"),
                Word<Phase>(Str(s, "phase")!), Word<StepKind>(Str(s, "kind")!), Strings(s["after"]),
                when, Due(s["due"]), Escalation(s["escalation"]), Strings(s["references"]), s["automated"]?.GetValue<bool>() ?? false,
                s["options"]?.AsArray().Select(o => new DecisionOption(Str(o!.AsObject(), "id")!, Str(o!.AsObject(), "title")!)).ToList() ?? [],
                Strings(s["approvers"]),
                Str(s, "milestone") is { } m ? Word<MilestoneKind>(m) : null,
                s["wait"] is JsonObject w ? new WaitFor(
                    Str(w, "milestone") is { } wm ? Word<MilestoneKind>(wm) : null, Str(w, "event"),
                    Str(w, "duration") is { } d ? PeriodPattern.NormalizingIso.Parse(d).Value.ToDuration() : null) : null,
                s["notify"] is JsonObject n ? new NotifySpec(Strings(n["to"]), Str(n, "message")!) : null,
                Strings(s["agencies"]),
                s["letters"] is JsonObject l ? Strings(l["recipients"]) : [],
                lineOf($"/steps/{i}")));
        }

        return new PlaybookDefinition(
            Str(json.AsObject(), "id")!, Str(json.AsObject(), "title")!, (int)json["version"]!.GetValue<long>(),
            Strings(json["appliesTo"]).Select(Word<IncidentKind>).ToList(), Str(json.AsObject(), "summary")!,
            json["references"]!.AsArray().Select(r => new PlaybookReference(Str(r!.AsObject(), "id")!, Str(r!.AsObject(), "title")!, Str(r!.AsObject(), "url"))).ToList(),
            steps, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))));
    }

    private static DueRule? Due(JsonNode? node)
    {
        if (node is not JsonObject due)
        {
            return null;
        }

        var from = Word<DueAnchor>(Str(due, "from")!);
        var anchor = from switch
        {
            DueAnchor.Milestone => Str(due, "milestone")!,
            DueAnchor.Step => Str(due, "step")!,
            _ => Str(due, "clock")!,
        };
        return new DueRule(from, anchor, (int?)due["hours"]?.GetValue<long>(), (int?)due["days"]?.GetValue<long>(), Due(due["otherwise"]));
    }

    private static List<EscalationRung> Escalation(JsonNode? node) =>
        node?.AsArray().Select(r =>
        {
            var rung = r!.AsObject();
            var before = Str(rung, "before");
            var offset = PeriodPattern.NormalizingIso.Parse(before ?? Str(rung, "after")!).Value.ToDuration();
            return new EscalationRung(offset, before is not null, Str(rung, "to")!);
        }).ToList() ?? [];

    private static string? Str(JsonObject o, string name) => o[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static List<string> Strings(JsonNode? node) => node?.AsArray().Select(n => n!.GetValue<string>()).ToList() ?? [];

    private static T Word<T>(string word) where T : struct, Enum =>
        Enum.GetValues<T>().First(v => string.Equals(v.ToString().ToCamelCase(), word, StringComparison.Ordinal));

    [GeneratedRegex(@"^/steps/(\d+)")]
    private static partial Regex StepPointer();

    [GeneratedRegex("^-?[0-9]+$")]
    private static partial Regex Integer();

    [GeneratedRegex(@"^-?[0-9]+\.[0-9]+$")]
    private static partial Regex Decimal();
}
