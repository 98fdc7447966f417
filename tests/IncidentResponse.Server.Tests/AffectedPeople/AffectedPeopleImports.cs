using System.Text;
using System.Text.Json;

namespace IncidentResponse.Server.Tests.AffectedPeople;

/// <summary>How the tests send an import: the CSV as the body, the mapping as JSON in the query.</summary>
public static class AffectedPeopleImports
{
    public const string Header = "First Name,Last Name,Street,City,State,ZIP,Email,Elements";

    public static readonly object Mapping = new
    {
        givenName = "First Name", familyName = "Last Name", addressLines = new[] { "Street" }, city = "City", state = "State",
        postalCode = "ZIP", email = "Email", dataElements = "Elements",
    };

    public static string Url(Guid incident, object? mapping = null, string fileName = "people.csv") =>
        $"/api/v1/incidents/{incident}/affected-people/imports?fileName={Uri.EscapeDataString(fileName)}&mapping={Uri.EscapeDataString(JsonSerializer.Serialize(mapping ?? Mapping))}";

    public static Task<HttpResponseMessage> PostCsv(this HttpClient client, Guid incident, string csv, object? mapping = null) =>
        client.PostAsync(Url(incident, mapping), new StringContent(csv, Encoding.UTF8, "text/csv"));
}
