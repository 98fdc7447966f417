using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace IncidentResponse.Core.Tests.Laws;

/// <summary>One row of a jurisdiction's case table (Laws/Cases/CODE.yaml), with the facts already merged over the defaults.</summary>
public sealed record RuleCase(string Rule, string Name, string Citation, JsonObject Facts, JsonArray? Obligations, JsonArray? Exemptions)
{
    public override string ToString() => $"{Rule}: {Name}";
}

public static partial class RuleCases
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Laws", "Cases");

    public static IEnumerable<RuleCase> All() =>
        System.IO.Directory.GetFiles(Directory, "*.yaml").Order(StringComparer.Ordinal).SelectMany(Load);

    public static IEnumerable<RuleCase> Load(string file)
    {
        var stream = new YamlStream();
        using (var reader = new StringReader(File.ReadAllText(file)))
        {
            stream.Load(reader);
        }

        var root = (JsonObject)ToJson(stream.Documents[0].RootNode)!;
        var rule = root["rule"]!.GetValue<string>();
        foreach (var node in root["cases"]!.AsArray())
        {
            var c = node!.AsObject();
            var expect = c["expect"]?.AsObject();
            yield return new RuleCase(rule, c["name"]!.GetValue<string>(), c["citation"]?.GetValue<string>() ?? "",
                Merge(Defaults(rule), c["facts"]?.AsObject()), expect?["obligations"]?.AsArray(), expect?["exemptions"]?.AsArray());
        }
    }

    private static JsonObject Defaults(string rule)
    {
        var key = Laws.RuleKey(rule);
        var defaults = new JsonObject
        {
            ["discoveredAt"] = "2026-03-02T15:00:00Z",
            ["entity"] = new JsonObject { ["timeZone"] = "America/New_York", ["headquarters"] = "US-OH", ["dataOwner"] = true },
            ["dataElements"] = new JsonArray("name", "ssn"),
            ["encryption"] = new JsonObject { ["encrypted"] = false, ["keyCompromised"] = false },
            ["affectedResidents"] = new JsonObject { [key] = 10 },
            ["lawEnforcementDelays"] = new JsonArray(),
            ["harmAssessment"] = new JsonObject { ["conclusion"] = "notAssessed" },
        };
        return defaults;
    }

    private static JsonObject Merge(JsonObject defaults, JsonObject? overrides)
    {
        if (overrides is null)
        {
            return defaults;
        }

        foreach (var (name, value) in overrides)
        {
            if (name == "entity" && value is JsonObject entity)
            {
                var merged = defaults["entity"]!.AsObject();
                foreach (var (field, flag) in entity)
                {
                    merged[field] = flag?.DeepClone();
                }
            }
            else
            {
                defaults[name] = value?.DeepClone();
            }
        }

        return defaults;
    }

    /// <summary>YAML to JSON with YAML 1.2 core typing for plain scalars: null, booleans and integers.</summary>
    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv => KeyValuePair.Create(((YamlScalarNode)kv.Key).Value!, ToJson(kv.Value)))),
        YamlSequenceNode list => new JsonArray(list.Children.Select(ToJson).ToArray()),
        YamlScalarNode { Style: ScalarStyle.Plain } s when s.Value is null or "null" or "~" or "" => null,
        YamlScalarNode { Style: ScalarStyle.Plain, Value: "true" } => JsonValue.Create(true),
        YamlScalarNode { Style: ScalarStyle.Plain, Value: "false" } => JsonValue.Create(false),
        YamlScalarNode { Style: ScalarStyle.Plain } s when Integer().IsMatch(s.Value!) => JsonValue.Create(long.Parse(s.Value!, CultureInfo.InvariantCulture)),
        YamlScalarNode s => JsonValue.Create(s.Value),
        _ => throw new InvalidOperationException("unexpected YAML node"),
    };

    /// <summary>Does every field the expectation names have the same value in the actual result?</summary>
    public static bool Matches(JsonObject expected, JsonElement actual) =>
        expected.All(kv => actual.TryGetProperty(kv.Key, out var value) && Same(kv.Value, value));

    private static bool Same(JsonNode? expected, JsonElement actual) => expected switch
    {
        null => actual.ValueKind == JsonValueKind.Null,
        JsonValue v when v.TryGetValue<long>(out var n) => actual.ValueKind == JsonValueKind.Number && actual.GetInt64() == n,
        JsonValue v when v.TryGetValue<bool>(out var b) => actual.ValueKind is JsonValueKind.True or JsonValueKind.False && actual.GetBoolean() == b,
        JsonValue v => actual.ValueKind == JsonValueKind.String && actual.GetString() == v.GetValue<string>(),
        _ => false,
    };

    [GeneratedRegex("^-?[0-9]+$")]
    private static partial Regex Integer();
}

internal static class Laws
{
    /// <summary>The residence key a rule protects by default in its cases: its own code for a state, else a sensible one.</summary>
    public static string RuleKey(string rule) => rule switch
    {
        _ when rule.StartsWith("US-", StringComparison.Ordinal) => rule,
        "GDPR" => "DE",
        "UK-GDPR" => "GB",
        "PIPEDA" => "CA",
        _ => "US-NY",
    };
}
