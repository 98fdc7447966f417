using System.Diagnostics;
using System.Net;
using System.Text;
using IncidentResponse.Core.Identity;
using IncidentResponse.Server.AffectedPeople;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace IncidentResponse.Server.Tests.AffectedPeople;

/// <summary>
/// A million generated people streamed over HTTP, with bad rows and duplicates injected at known places. Tagged
/// Category=Load so a quick run can leave it out (--filter "Category!=Load"); the full suite runs it.
/// </summary>
[Collection(PostgresCollection.Name)]
[Trait("Category", "Load")]
public sealed class MillionRowImportTests(PostgresServerFixture fixture, ITestOutputHelper output)
{
    private const int Rows = 1_000_000;

    private static readonly string[] States =
    [
        "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN",
        "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA",
        "WV", "WI", "WY", "PR",
    ];

    private static bool BlankName(int i) => i % 1000 == 999;
    private static bool ShortZip(int i) => i % 5000 == 2500;
    /// <summary>Row i repeats the person of row i - 1 (written in other case).</summary>
    private static bool Repeat(int i) => i % 10_000 == 5001;

    [Fact]
    public async Task A_million_rows_import_with_exact_counts_by_jurisdiction_and_error_report()
    {
        using var legal = fixture.As(Role.Legal);
        legal.Timeout = TimeSpan.FromMinutes(10);
        using var commander = fixture.As(Role.IncidentCommander);
        var incident = await (await commander.PostJson("/api/v1/incidents", new { title = "A million people", kind = "dataExfiltration", severity = "critical" })).Read<IncidentView>();

        var expected = new Dictionary<string, long>();
        for (var i = 0; i < Rows; i++)
        {
            if (!BlankName(i) && !ShortZip(i) && !Repeat(i))
            {
                var key = "US-" + States[i % States.Length];
                expected[key] = expected.GetValueOrDefault(key) + 1;
            }
        }

        var watch = Stopwatch.StartNew();
        var response = await legal.PostAsync(AffectedPeopleImports.Url(incident.Id, fileName: "million.csv"), new GeneratedPeople());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var import = await response.Read<ImportView>();
        output.WriteLine($"{Rows:N0} rows imported in {watch.Elapsed.TotalSeconds:F1} s ({Rows / watch.Elapsed.TotalSeconds:N0} rows/s)");

        Assert.Equal((ImportStatus.Completed, (long)Rows, 1200L, 100L, 0L), (import.Status, import.Rows, import.Rejected, import.Duplicates, import.FailedRows));
        Assert.Equal(Rows - 1300L, import.Imported);
        var summary = await (await legal.GetAsync($"/api/v1/incidents/{incident.Id}/affected-people/summary")).Read<AffectedPeopleSummary>();
        Assert.Equal(expected.OrderBy(e => e.Key, StringComparer.Ordinal), summary.ByJurisdiction.OrderBy(e => e.Key, StringComparer.Ordinal));
        Assert.Equal(Rows - 1300L, summary.ByDataElement["ssn"]);

        var report = (await legal.GetStringAsync(import.ErrorReport)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var expectedReport = Enumerable.Range(0, Rows).Where(i => BlankName(i) || ShortZip(i)).Select(i => BlankName(i)
            ? $"{i + 2},First Name,names nobody: the name is blank"
            : $"{i + 2},ZIP,is not a US ZIP Code: four digits (a spreadsheet may have dropped its leading zero)");
        Assert.Equal(["row,column,reason", .. expectedReport], report);
    }

    private sealed class GeneratedPeople : HttpContent
    {
        public GeneratedPeople() => Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv");

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            await writer.WriteAsync(AffectedPeopleImports.Header + "\n");
            for (var i = 0; i < Rows; i++)
            {
                var p = Repeat(i) ? i - 1 : i;
                var given = BlankName(i) ? "" : Repeat(i) ? $"GIVEN{p}" : $"Given{p}";
                var zip = ShortZip(i) ? "1234" : $"{10000 + (p % 89999):00000}";
                var family = BlankName(i) ? "" : $"Family{p}";
                await writer.WriteAsync($"{given},{family},\"{p} Main St, Unit {p % 7}\",City {p % 100},{States[p % States.Length]},{zip},person{p}@example.com,name;ssn\n");
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
