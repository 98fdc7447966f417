using System.Text.Json;
using IncidentResponse.Core.Laws;
using NodaTime;
using NodaTime.Text;

namespace IncidentResponse.Core.Letters;

/// <summary>Reads the letter input JSON strictly: unknown fields, wrong types and missing values are errors naming the JSON path.</summary>
public static class LetterRequestReader
{
    public static (LetterRequest? Request, IReadOnlyList<FactError> Errors) Read(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return Read(document.RootElement);
        }
        catch (JsonException e)
        {
            return (null, [new FactError("$", $"not valid JSON: {e.Message}")]);
        }
    }

    public static (LetterRequest? Request, IReadOnlyList<FactError> Errors) Read(JsonElement root)
    {
        var errors = new List<FactError>();
        if (root.ValueKind != JsonValueKind.Object)
        {
            return (null, [new FactError("$", "the letter input must be a JSON object")]);
        }

        var json = new Fields(errors);
        json.Unknown(root, "", "facts", "organisation", "incident", "offer", "noticeDate", "deliveryMethod");
        BreachFacts? facts = null;
        if (json.Object(root, "facts", "facts", required: true) is { } factsJson)
        {
            var (read, problems) = FactsReader.Read(factsJson, "facts");
            facts = read;
            errors.AddRange(problems);
        }

        var organisation = ReadOrganisation(json, root);
        var incident = ReadIncident(json, root);
        var offer = ReadOffer(json, root);
        var noticeDate = json.Date(root, "noticeDate", "noticeDate", required: true);
        var method = json.Text(root, "deliveryMethod", "deliveryMethod", required: true) switch
        {
            null => (DeliveryMethod?)null,
            "mail" => DeliveryMethod.Mail,
            "email" => DeliveryMethod.Email,
            var other => json.Fail<DeliveryMethod?>("deliveryMethod", $"'{other}' is not mail or email"),
        };
        if (incident is not null && noticeDate < incident.OccurredFrom)
        {
            errors.Add(new FactError("noticeDate", "the notice cannot be dated before the incident began"));
        }

        return errors.Count == 0
            ? (new LetterRequest(facts!, organisation!, incident!, offer, noticeDate!.Value, method!.Value), errors)
            : (null, errors);
    }

    private static Organisation? ReadOrganisation(Fields json, JsonElement root)
    {
        if (json.Object(root, "organisation", "organisation", required: true) is not { } o)
        {
            return null;
        }

        json.Unknown(o, "organisation.", "name", "shortName", "address", "phone", "website", "email", "isConsumerReportingAgency");
        var organisation = new Organisation(
            json.Text(o, "name", "organisation.name", required: true) ?? "",
            json.Text(o, "shortName", "organisation.shortName"),
            json.Text(o, "address", "organisation.address"),
            json.Text(o, "phone", "organisation.phone"),
            json.Text(o, "website", "organisation.website"),
            json.Text(o, "email", "organisation.email"),
            json.Flag(o, "isConsumerReportingAgency", "organisation.isConsumerReportingAgency"));
        return organisation.ContactPoints.Count > 0
            ? organisation
            : json.Fail<Organisation>("organisation", "give at least one way to reach the organisation (phone, email, website or address)");
    }

    private static IncidentNarrative? ReadIncident(Fields json, JsonElement root)
    {
        if (json.Object(root, "incident", "incident", required: true) is not { } i)
        {
            return null;
        }

        json.Unknown(i, "incident.", "summary", "occurredFrom", "occurredTo", "causedByEntity");
        var summary = json.Text(i, "summary", "incident.summary", required: true);
        var from = json.Date(i, "occurredFrom", "incident.occurredFrom", required: true);
        var to = json.Date(i, "occurredTo", "incident.occurredTo");
        var caused = json.Flag(i, "causedByEntity", "incident.causedByEntity");
        if (to < from)
        {
            return json.Fail<IncidentNarrative>("incident.occurredTo", "the incident cannot end before it began");
        }

        return summary is null || from is null ? null : new IncidentNarrative(summary, from.Value, to, caused);
    }

    private static CreditMonitoringOffer? ReadOffer(Fields json, JsonElement root)
    {
        if (json.Object(root, "offer", "offer") is not { } o)
        {
            return null;
        }

        json.Unknown(o, "offer.", "creditMonitoringMonths", "provider", "enrollBy", "freeCreditReport");
        int? months = null;
        if (!o.TryGetProperty("creditMonitoringMonths", out var m) || m.ValueKind == JsonValueKind.Null)
        {
            json.Fail<int?>("offer.creditMonitoringMonths", "is required (a whole number of months, 1 or more)");
        }
        else if (m.ValueKind != JsonValueKind.Number || !m.TryGetInt32(out var value) || value < 1)
        {
            json.Fail<int?>("offer.creditMonitoringMonths", "must be a whole number of months, 1 or more");
        }
        else
        {
            months = value;
        }

        var provider = json.Text(o, "provider", "offer.provider", required: true);
        var enrollBy = json.Date(o, "enrollBy", "offer.enrollBy");
        var freeReport = json.Flag(o, "freeCreditReport", "offer.freeCreditReport");
        return months is null || provider is null ? null : new CreditMonitoringOffer(months.Value, provider, enrollBy, freeReport);
    }

    /// <summary>Typed access to the fields of one object, recording each problem under its JSON path.</summary>
    private sealed class Fields(List<FactError> errors)
    {
        public T? Fail<T>(string path, string message)
        {
            errors.Add(new FactError(path, message));
            return default;
        }

        public void Unknown(JsonElement json, string prefix, params string[] known)
        {
            foreach (var property in json.EnumerateObject().Where(p => !known.Contains(p.Name)))
            {
                Fail<object>(prefix + property.Name, "is not a known field");
            }
        }

        public JsonElement? Object(JsonElement json, string property, string path, bool required = false) =>
            Value(json, property, path, required, "an object") is { } value
                ? value.ValueKind == JsonValueKind.Object ? value : Fail<JsonElement?>(path, "must be an object")
                : null;

        public string? Text(JsonElement json, string property, string path, bool required = false) =>
            Value(json, property, path, required, "a string") is { } value
                ? value.ValueKind == JsonValueKind.String && value.GetString()!.Trim() is { Length: > 0 } text
                    ? text
                    : Fail<string>(path, "must be a non-empty string")
                : null;

        public LocalDate? Date(JsonElement json, string property, string path, bool required = false)
        {
            var text = Text(json, property, path, required);
            if (text is null)
            {
                return null;
            }

            var parsed = LocalDatePattern.Iso.Parse(text);
            return parsed.Success ? parsed.Value : Fail<LocalDate?>(path, $"'{text}' is not an ISO date (YYYY-MM-DD)");
        }

        public bool Flag(JsonElement json, string property, string path) =>
            Value(json, property, path, required: false, "true or false") is { } value
            && (value.ValueKind is JsonValueKind.True or JsonValueKind.False
                ? value.GetBoolean()
                : Fail<bool>(path, "must be true or false"));

        private JsonElement? Value(JsonElement json, string property, string path, bool required, string what)
        {
            if (json.TryGetProperty(property, out var value) && value.ValueKind != JsonValueKind.Null)
            {
                return value.Clone();
            }

            return required ? Fail<JsonElement?>(path, $"is required ({what})") : null;
        }
    }
}
