using System.Text.Json;
using NodaTime;
using NodaTime.Text;

namespace IncidentResponse.Core.Laws;

/// <summary>A fact that cannot be used, with the JSON field at fault.</summary>
public sealed record FactError(string Field, string Message);

/// <summary>Reads the facts JSON contract strictly: unknown fields, wrong types and bad words are errors naming the field.</summary>
public static class FactsReader
{
    private static readonly string[] Known =
    [
        "discoveredAt", "breachDeterminedAt", "materialityDeterminedAt", "individualsNotifiedAt", "entity", "dataElements",
        "encryption", "affectedResidents", "lawEnforcementDelays", "harmAssessment",
    ];

    private static readonly string[] EntityKnown =
    [
        "timeZone", "headquarters", "dataOwner", "hipaaCoveredEntity", "hipaaBusinessAssociate", "secRegistrant",
        "nydfsCoveredEntity", "glbaFinancialInstitution", "phrVendor", "establishedInEu",
    ];

    /// <summary>Parses one facts object (or, with <paramref name="path"/>, one element of an array).</summary>
    public static (BreachFacts? Facts, IReadOnlyList<FactError> Errors) Read(JsonElement json, string path = "")
    {
        var errors = new List<FactError>();
        var facts = new Reader(errors, path).Facts(json);
        return errors.Count == 0 ? (facts, errors) : (null, errors);
    }

    public static (BreachFacts? Facts, IReadOnlyList<FactError> Errors) Read(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return Read(document.RootElement.Clone());
        }
        catch (JsonException e)
        {
            return (null, [new FactError("$", $"not valid JSON: {e.Message}")]);
        }
    }

    private sealed class Reader(List<FactError> errors, string root)
    {
        private string Field(string name) => string.IsNullOrEmpty(root) ? name : $"{root}.{name}";

        public BreachFacts? Facts(JsonElement json)
        {
            if (json.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new FactError(string.IsNullOrEmpty(root) ? "$" : root, "facts must be a JSON object"));
                return null;
            }

            Unknown(json, Known, "");
            var discovered = InstantOf(json, "discoveredAt", required: true);
            var determined = InstantOf(json, "breachDeterminedAt");
            var materiality = InstantOf(json, "materialityDeterminedAt");
            var notified = InstantOf(json, "individualsNotifiedAt");
            var entity = Entity(json);
            var elements = Elements(json);
            var encryption = Encryption(json);
            var residents = Residents(json);
            var delays = Delays(json);
            var harm = Harm(json);
            if (discovered is { } d)
            {
                if (determined < d)
                {
                    errors.Add(new FactError(Field("breachDeterminedAt"), "a breach cannot be determined before it was discovered"));
                }

                if (notified < d)
                {
                    errors.Add(new FactError(Field("individualsNotifiedAt"), "individuals cannot be notified before discovery"));
                }
            }

            if (errors.Count > 0 || entity is null)
            {
                return null;
            }

            return new BreachFacts(discovered!.Value, determined ?? discovered.Value, materiality, notified, entity, elements,
                encryption, residents, delays, harm);
        }

        private EntityProfile? Entity(JsonElement json)
        {
            if (!json.TryGetProperty("entity", out var e) || e.ValueKind == JsonValueKind.Null)
            {
                errors.Add(new FactError(Field("entity"), "is required (at least its timeZone)"));
                return null;
            }

            if (e.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new FactError(Field("entity"), "must be an object"));
                return null;
            }

            Unknown(e, EntityKnown, "entity.");
            var zoneName = StringOf(e, "timeZone", "entity.timeZone");
            DateTimeZone? zone = null;
            if (zoneName is null)
            {
                errors.Add(new FactError(Field("entity.timeZone"), "is required (an IANA zone such as America/New_York)"));
            }
            else if ((zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(zoneName)) is null)
            {
                errors.Add(new FactError(Field("entity.timeZone"), $"'{zoneName}' is not an IANA time zone"));
            }

            var headquarters = StringOf(e, "headquarters", "entity.headquarters");
            if (headquarters is not null && !ResidenceKeys.IsValid(headquarters))
            {
                errors.Add(new FactError(Field("entity.headquarters"), $"'{headquarters}' is not a residence key (US-XX or an ISO country code)"));
            }

            var flags = new HashSet<EntityFlag>();
            foreach (var flag in Enum.GetValues<EntityFlag>())
            {
                var name = flag.ToString().ToCamelCase();
                if (e.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null)
                {
                    if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                    {
                        errors.Add(new FactError(Field($"entity.{name}"), "must be true or false"));
                    }
                    else if (value.GetBoolean())
                    {
                        flags.Add(flag);
                    }
                }
            }

            return zone is null ? null : new EntityProfile(zone, headquarters, flags);
        }

        private List<DataElement> Elements(JsonElement json)
        {
            var result = new List<DataElement>();
            if (!json.TryGetProperty("dataElements", out var list) || list.ValueKind == JsonValueKind.Null)
            {
                return result;
            }

            if (list.ValueKind != JsonValueKind.Array)
            {
                errors.Add(new FactError(Field("dataElements"), "must be an array of data element names"));
                return result;
            }

            var i = 0;
            foreach (var item in list.EnumerateArray())
            {
                var word = item.ValueKind == JsonValueKind.String ? item.GetString() : null;
                var match = Enum.GetValues<DataElement>().Where(v => v.ToString().ToCamelCase() == word).ToArray();
                if (match.Length == 0)
                {
                    errors.Add(new FactError(Field($"dataElements[{i}]"),
                        $"'{item}' is not a data element ({string.Join(", ", Enum.GetNames<DataElement>().Select(n => n.ToCamelCase()))})"));
                }
                else if (!result.Contains(match[0]))
                {
                    result.Add(match[0]);
                }

                i++;
            }

            return result;
        }

        private EncryptionFacts Encryption(JsonElement json)
        {
            if (!json.TryGetProperty("encryption", out var e) || e.ValueKind == JsonValueKind.Null)
            {
                return new EncryptionFacts(false, false);
            }

            if (e.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new FactError(Field("encryption"), "must be an object"));
                return new EncryptionFacts(false, false);
            }

            Unknown(e, ["encrypted", "keyCompromised"], "encryption.");
            return new EncryptionFacts(BoolOf(e, "encrypted", "encryption.encrypted"), BoolOf(e, "keyCompromised", "encryption.keyCompromised"));
        }

        private Dictionary<string, long> Residents(JsonElement json)
        {
            var result = new Dictionary<string, long>(StringComparer.Ordinal);
            if (!json.TryGetProperty("affectedResidents", out var map) || map.ValueKind == JsonValueKind.Null)
            {
                return result;
            }

            if (map.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new FactError(Field("affectedResidents"), "must be an object of residence key to count"));
                return result;
            }

            foreach (var entry in map.EnumerateObject())
            {
                var field = $"affectedResidents.{entry.Name}";
                if (!ResidenceKeys.IsValid(entry.Name))
                {
                    errors.Add(new FactError(Field(field), $"'{entry.Name}' is not a residence key (US-XX for US states and territories, ISO 3166-1 alpha-2 otherwise)"));
                }
                else if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt64(out var count) || count < 0)
                {
                    errors.Add(new FactError(Field(field), "must be a whole number of people, zero or more"));
                }
                else
                {
                    result[entry.Name] = count;
                }
            }

            return result;
        }

        private List<LawEnforcementDelay> Delays(JsonElement json)
        {
            var result = new List<LawEnforcementDelay>();
            if (!json.TryGetProperty("lawEnforcementDelays", out var list) || list.ValueKind == JsonValueKind.Null)
            {
                return result;
            }

            if (list.ValueKind != JsonValueKind.Array)
            {
                errors.Add(new FactError(Field("lawEnforcementDelays"), "must be an array"));
                return result;
            }

            var i = 0;
            foreach (var item in list.EnumerateArray())
            {
                var at = $"lawEnforcementDelays[{i++}]";
                if (item.ValueKind != JsonValueKind.Object)
                {
                    errors.Add(new FactError(Field(at), "must be an object"));
                    continue;
                }

                Unknown(item, ["requestedAt", "endsAt", "form"], at + ".");
                var requested = InstantOf(item, "requestedAt", required: true, at + ".requestedAt");
                var ends = InstantOf(item, "endsAt", name: at + ".endsAt");
                var formText = StringOf(item, "form", at + ".form") ?? "written";
                DelayForm? form = formText switch { "written" => DelayForm.Written, "oral" => DelayForm.Oral, _ => null };
                if (form is null)
                {
                    errors.Add(new FactError(Field(at + ".form"), $"'{formText}' is not written or oral"));
                }

                if (requested is { } r && ends < r)
                {
                    errors.Add(new FactError(Field(at + ".endsAt"), "a delay cannot end before it was requested"));
                }

                if (requested is { } start && form is { } f)
                {
                    result.Add(new LawEnforcementDelay(start, ends, f));
                }
            }

            // The engine merges delays in request order.
            return result.OrderBy(d => d.RequestedAt).ToList();
        }

        private HarmAssessment Harm(JsonElement json)
        {
            if (!json.TryGetProperty("harmAssessment", out var h) || h.ValueKind == JsonValueKind.Null)
            {
                return new HarmAssessment(HarmConclusion.NotAssessed, null, false);
            }

            if (h.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new FactError(Field("harmAssessment"), "must be an object"));
                return new HarmAssessment(HarmConclusion.NotAssessed, null, false);
            }

            Unknown(h, ["conclusion", "at", "lawEnforcementConsulted", "rationale"], "harmAssessment.");
            var text = StringOf(h, "conclusion", "harmAssessment.conclusion") ?? "notAssessed";
            var conclusion = Enum.GetValues<HarmConclusion>().Where(c => c.ToString().ToCamelCase() == text).Select(c => (HarmConclusion?)c).FirstOrDefault();
            if (conclusion is null)
            {
                errors.Add(new FactError(Field("harmAssessment.conclusion"), $"'{text}' is not notAssessed, harmLikely or harmNotLikely"));
            }

            return new HarmAssessment(conclusion ?? HarmConclusion.NotAssessed, InstantOf(h, "at", name: "harmAssessment.at"),
                BoolOf(h, "lawEnforcementConsulted", "harmAssessment.lawEnforcementConsulted"));
        }

        private Instant? InstantOf(JsonElement json, string property, bool required = false, string? name = null)
        {
            name ??= property;
            if (!json.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                if (required)
                {
                    errors.Add(new FactError(Field(name), "is required (an ISO 8601 instant such as 2026-03-02T15:00:00Z)"));
                }

                return null;
            }

            var parsed = value.ValueKind == JsonValueKind.String ? InstantPattern.ExtendedIso.Parse(value.GetString()!) : null;
            if (parsed is { Success: true })
            {
                return parsed.Value;
            }

            var offset = value.ValueKind == JsonValueKind.String ? OffsetDateTimePattern.ExtendedIso.Parse(value.GetString()!) : null;
            if (offset is { Success: true })
            {
                return offset.Value.ToInstant();
            }

            errors.Add(new FactError(Field(name), $"{value} is not an ISO 8601 instant such as 2026-03-02T15:00:00Z"));
            return null;
        }

        private string? StringOf(JsonElement json, string property, string name)
        {
            if (!json.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (value.ValueKind == JsonValueKind.String)
            {
                return value.GetString();
            }

            errors.Add(new FactError(Field(name), "must be a string"));
            return null;
        }

        private bool BoolOf(JsonElement json, string property, string name)
        {
            if (!json.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return false;
            }

            if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                return value.GetBoolean();
            }

            errors.Add(new FactError(Field(name), "must be true or false"));
            return false;
        }

        private void Unknown(JsonElement json, string[] known, string prefix)
        {
            foreach (var property in json.EnumerateObject())
            {
                if (!known.Contains(property.Name))
                {
                    errors.Add(new FactError(Field(prefix + property.Name), "is not a known field"));
                }
            }
        }
    }
}
