using System.Security.Cryptography;
using IncidentResponse.Core.AffectedPeople;

namespace IncidentResponse.Core.Tests.AffectedPeople;

public sealed class PersonBatchesTests
{
    private static readonly ColumnMapping Mapping = new() { FullName = "Name", AddressLines = ["Street"], State = "State" };

    private static List<PersonBatch> Batches(string csv, int size)
    {
        var reader = new CsvRecordReader(new StringReader("Name,Street,State\n" + csv));
        var (map, _) = ResolvedMapping.Resolve(Mapping, reader.Read()!.Fields);
        using var seal = new PersonalDataSeal(new PersonalDataKey(RandomNumberGenerator.GetBytes(32)));
        var people = new PersonBatches(reader, map!, seal, Guid.NewGuid(), size);
        var batches = new List<PersonBatch>();
        while (people.Next() is { } batch)
        {
            batches.Add(batch);
        }

        return batches;
    }

    [Fact]
    public void A_batch_holds_at_most_its_size_in_valid_rows_and_the_bad_rows_read_on_the_way()
    {
        var batches = Batches("Ann,1 A St,IL\n,2 B St,IL\nBen,2 B St,IL\nCat,3 C St,WY\nDan,4 D St,ZZ\n", 2);
        Assert.Equal([(2L, 4L, 3L, 1L, 2), (5L, 6L, 2L, 1L, 1)], batches.Select(b => (b.FirstRow, b.LastRow, b.Rows, b.Rejected, b.People.Count)));
        Assert.Equal([(3L, "Name"), (6L, "State")], batches.SelectMany(b => b.Errors).Select(e => (e.Row, e.Column)));
    }

    [Fact]
    public void A_person_repeated_inside_a_batch_is_kept_once_and_the_batch_is_in_blind_index_order()
    {
        var batch = Assert.Single(Batches("Ann,1 A St,IL\nBen,2 B St,IL\nANN,1 A St.,il\nCat,3 C St,WY\nBen,2 B St,IL\n", 10));
        Assert.Equal((5L, 3, 2, 5), (batch.Rows, batch.People.Count, batch.Repeated, batch.ValidRows));
        Assert.Equal(batch.People.OrderBy(p => Convert.ToHexString(p.BlindIndex), StringComparer.Ordinal), batch.People);
    }

    [Fact]
    public void A_file_with_only_a_header_has_no_batch()
    {
        Assert.Empty(Batches("", 10));
    }
}
