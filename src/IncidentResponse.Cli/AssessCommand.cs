using System.CommandLine;
using System.Text.Json;
using IncidentResponse.Core;
using IncidentResponse.Core.Laws;

namespace IncidentResponse.Cli;

/// <summary>`ir assess --facts FILE`: the law engine on a facts file, no database or server needed.</summary>
public static class AssessCommand
{
    public static Command Create()
    {
        var factsOption = new Option<FileInfo>("--facts") { Description = "JSON facts: one object, or an array of them", Required = true };
        var command = new Command("assess", "List every notification obligation and exemption for the facts of a breach.") { factsOption };
        command.SetAction(parse =>
        {
            var file = parse.GetValue(factsOption)!;
            if (!file.Exists)
            {
                Console.Error.WriteLine($"ir assess: {file.FullName} does not exist");
                return 2;
            }

            JsonElement root;
            try
            {
                using var document = JsonDocument.Parse(File.ReadAllText(file.FullName));
                root = document.RootElement.Clone();
            }
            catch (JsonException e)
            {
                Console.Error.WriteLine($"ir assess: {file.Name} is not valid JSON: {e.Message}");
                return 2;
            }

            var items = root.ValueKind == JsonValueKind.Array ? root.EnumerateArray().ToList() : [root];
            var results = new List<AssessmentResult>();
            var errors = new List<FactError>();
            for (var i = 0; i < items.Count; i++)
            {
                var (facts, problems) = FactsReader.Read(items[i], root.ValueKind == JsonValueKind.Array ? $"[{i}]" : "");
                errors.AddRange(problems);
                if (facts is not null)
                {
                    results.Add(Assessment.Assess(facts, RuleBook.Current));
                }
            }

            if (errors.Count > 0)
            {
                foreach (var error in errors)
                {
                    Console.Error.WriteLine($"ir assess: {error.Field}: {error.Message}");
                }

                return 2;
            }

            var options = new JsonSerializerOptions(WireJson.Options) { WriteIndented = true };
            Console.WriteLine(root.ValueKind == JsonValueKind.Array
                ? JsonSerializer.Serialize(results, options)
                : JsonSerializer.Serialize(results[0], options));
            return 0;
        });
        return command;
    }
}
