using BenchmarkDotNet.Attributes;
using IncidentResponse.Core.AffectedPeople;
using IncidentResponse.Core.Laws;
using IncidentResponse.Core.Letters;

namespace IncidentResponse.Benchmarks;

/// <summary>
/// One personalised letter as a mailing writes it: the approved California, Illinois and Washington letter made
/// personal (address block, salutation, the person's own data elements) and rendered to PDF; the baseline renders the
/// same personalised letter to HTML only, to show what the PDF costs on top of the merge.
/// </summary>
[MemoryDiagnoser]
public class MailMergeBenchmarks
{
    private const string Request = """
        {
          "facts": {
            "discoveredAt": "2026-06-03T17:30:00Z",
            "entity": { "timeZone": "America/Los_Angeles", "headquarters": "US-CA", "dataOwner": true },
            "dataElements": ["name", "ssn", "paymentCard", "driversLicenseOrStateId"],
            "affectedResidents": { "US-CA": 1200, "US-WA": 310, "US-IL": 95 }
          },
          "organisation": { "name": "Northwind Outfitters, Inc.", "shortName": "Northwind",
                            "address": "410 Harbor Way, Suite 200, Oakland, CA 94607",
                            "phone": "1-888-555-0147", "website": "www.northwind.example/notice" },
          "incident": { "summary": "An unauthorized party used a compromised vendor credential to reach our loyalty database and copied customer records.",
                        "occurredFrom": "2026-05-28", "occurredTo": "2026-06-02", "causedByEntity": true },
          "offer": { "creditMonitoringMonths": 24, "provider": "ClearWatch Identity" },
          "noticeDate": "2026-06-24",
          "deliveryMethod": "mail"
        }
        """;

    private static readonly DataElement[][] Elements =
    [
        [DataElement.Name, DataElement.Ssn], [DataElement.Name, DataElement.PaymentCard], [DataElement.Name, DataElement.DriversLicenseOrStateId],
        [DataElement.Name, DataElement.Ssn, DataElement.PaymentCard, DataElement.DriversLicenseOrStateId],
    ];

    private LetterDocument approved = null!;
    private LetterRecipient[] recipients = null!;
    private int next;

    [GlobalSetup]
    public void Setup()
    {
        var (request, errors) = LetterRequestReader.Read(Request);
        if (request is null)
        {
            throw new InvalidOperationException(string.Join("; ", errors));
        }

        approved = Notices.Draft(LetterKind.Individuals, request, ["US-CA", "US-IL", "US-WA"], RuleBook.Current, ContactDirectory.Current).Document!;
        recipients = Enumerable.Range(1, 1000).Select(i => new LetterRecipient(
            new PersonalData($"Person {i} Example", i % 3 == 0 ? [$"{i} Harbor Way", $"Apt {i % 40}"] : [$"{i} Harbor Way"], "Oakland", "CA", "94607", "US", null),
            Elements[i % Elements.Length].ToHashSet(), $"7F3A9C21-{i:D7}")).ToArray();
    }

    private LetterDocument NextLetter() => PersonalLetter.For(approved, recipients[next++ % recipients.Length]);

    [Benchmark(Description = "personalised letter to PDF")]
    public int Pdf() => PdfLetterWriter.Write(NextLetter(), Stream.Null);

    [Benchmark(Baseline = true, Description = "personalised letter to HTML only")]
    public int Html() => NextLetter().ToHtml().Length;

    /// <summary>Letters per second of each rendering over <paramref name="count"/> letters, one thread, in one run.</summary>
    public (double Pdf, double Html) LettersPerSecond(int count)
    {
        Pdf();
        Html();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            Pdf();
        }

        var pdf = count / watch.Elapsed.TotalSeconds;
        watch.Restart();
        for (var i = 0; i < count; i++)
        {
            Html();
        }

        return (pdf, count / watch.Elapsed.TotalSeconds);
    }
}
