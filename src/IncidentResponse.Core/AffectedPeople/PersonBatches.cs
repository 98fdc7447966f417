using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace IncidentResponse.Core.AffectedPeople;

/// <summary>A person ready to store: the sealed personal data, the blind index, and what is counted in the clear.</summary>
public sealed record SealedPerson(byte[] BlindIndex, byte[] Sealed, string Residence, int DataElements);

/// <summary>
/// A run of consecutive rows of an import file: the people in it ready to store, ordered by blind index with repeats
/// of the same person inside the run left out (counted in <see cref="Repeated"/>), and the rows that cannot be stored.
/// </summary>
public sealed class PersonBatch
{
    public List<SealedPerson> People { get; } = [];
    public List<RowError> Errors { get; } = [];
    public long FirstRow { get; internal set; }
    public long LastRow { get; internal set; }
    public long Rows { get; internal set; }
    public long Rejected { get; internal set; }
    /// <summary>Valid rows naming a person already in this batch.</summary>
    public int Repeated { get; internal set; }
    public int ValidRows => People.Count + Repeated;
}

/// <summary>
/// Cuts an import file into batches of at most <c>size</c> valid rows: every record read, validated, normalised,
/// sealed and indexed. Ordering a batch by blind index lets the database insert it in index order, and dropping
/// repeats inside it means the database only has to look for people stored before.
/// </summary>
public sealed class PersonBatches(CsvRecordReader reader, ResolvedMapping map, PersonalDataSeal seal, Guid incidentId, int size)
{
    private static readonly Comparison<SealedPerson> ByBlindIndex = (a, b) => a.BlindIndex.AsSpan().SequenceCompareTo(b.BlindIndex);

    /// <summary>The next batch, or null when the file is done.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public PersonBatch? Next()
    {
        var batch = new PersonBatch();
        while (batch.People.Count < size && reader.Read() is { } record)
        {
            if (batch.Rows == 0)
            {
                batch.FirstRow = record.Row;
            }

            batch.Rows++;
            batch.LastRow = record.Row;
            var (person, errors) = PersonRows.Read(map, record);
            if (person is null)
            {
                batch.Rejected++;
                batch.Errors.AddRange(errors);
            }
            else
            {
                batch.People.Add(new SealedPerson(seal.BlindIndex(person), seal.Seal(person, incidentId), person.Residence, person.DataElements));
            }
        }

        if (batch.Rows == 0)
        {
            return null;
        }

        InBlindIndexOrder(CollectionsMarshal.AsSpan(batch.People));
        var kept = 0;
        for (var i = 0; i < batch.People.Count; i++)
        {
            if (kept == 0 || !batch.People[i].BlindIndex.AsSpan().SequenceEqual(batch.People[kept - 1].BlindIndex))
            {
                batch.People[kept++] = batch.People[i];
            }
        }

        batch.Repeated = batch.People.Count - kept;
        batch.People.RemoveRange(kept, batch.Repeated);
        return batch;
    }

    /// <summary>Sorts by the index's first eight bytes as a number (cheap), then by the whole index where those tie.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InBlindIndexOrder(Span<SealedPerson> people)
    {
        var keys = new ulong[people.Length];
        for (var i = 0; i < people.Length; i++)
        {
            keys[i] = BinaryPrimitives.ReadUInt64BigEndian(people[i].BlindIndex);
        }

        keys.AsSpan().Sort(people);
        for (var start = 0; start < people.Length;)
        {
            var end = start + 1;
            while (end < people.Length && keys[end] == keys[start])
            {
                end++;
            }

            if (end - start > 1)
            {
                people[start..end].Sort(ByBlindIndex);
            }

            start = end;
        }
    }
}
