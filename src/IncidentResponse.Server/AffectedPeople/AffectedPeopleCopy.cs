using System.Buffers.Binary;
using System.Text;
using IncidentResponse.Core.AffectedPeople;
using NodaTime;
using Npgsql;

namespace IncidentResponse.Server.AffectedPeople;

/// <summary>
/// A batch of people as PostgreSQL's binary COPY format (header, one tuple per person, trailer) for the columns
/// <see cref="Columns"/>, written to a raw COPY stream in 64 KiB chunks. Encoding the eight fields here is a few
/// copies a row; Npgsql's typed importer spends a parameter and an await on every field.
/// </summary>
internal static class AffectedPeopleCopy
{
    public const string Columns = "incident_id, import_id, blind_index, key_id, sealed, residence, data_elements, created_at";

    private const int FieldCount = 8;
    /// <summary>The signature "PGCOPY\n\xff\r\n\0", then no flags and no header extension.</summary>
    private static readonly byte[] Header = [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0, 0, 0, 0, 0, 0, 0, 0, 0];
    private static readonly long PostgresEpochTicks = Instant.FromUtc(2000, 1, 1, 0, 0).ToUnixTimeTicks();

    /// <summary>Writes the batch into the table and completes the COPY; the database's refusal surfaces as a <see cref="PostgresException"/>.</summary>
    public static async Task WriteAsync(NpgsqlConnection connection, string table, Guid incidentId, Guid importId, string keyId,
        IReadOnlyList<SealedPerson> people, Instant now, CancellationToken ct)
    {
        await using var copy = await connection.BeginRawBinaryCopyAsync($"COPY {table} ({Columns}) FROM STDIN (FORMAT BINARY)", ct);
        var key = Encoding.UTF8.GetByteCount(keyId);
        var createdAt = (now.ToUnixTimeTicks() - PostgresEpochTicks) / 10;
        var chunk = new byte[64 * 1024];
        Header.CopyTo(chunk, 0);
        var used = Header.Length;
        foreach (var person in people)
        {
            var residence = Encoding.UTF8.GetByteCount(person.Residence);
            var size = 2 + (FieldCount * 4) + 16 + 16 + person.BlindIndex.Length + key + person.Sealed.Length + residence + 4 + 8;
            if (used + size > chunk.Length)
            {
                await copy.WriteAsync(chunk.AsMemory(0, used), ct);
                used = 0;
                if (size > chunk.Length)
                {
                    chunk = new byte[size];
                }
            }

            var row = chunk.AsSpan(used, size);
            BinaryPrimitives.WriteInt16BigEndian(row, FieldCount);
            var at = Uuid(row, 2, incidentId);
            at = Uuid(row, at, importId);
            at = Bytes(row, at, person.BlindIndex);
            at = Text(row, at, keyId);
            at = Bytes(row, at, person.Sealed);
            at = Text(row, at, person.Residence);
            BinaryPrimitives.WriteInt32BigEndian(row[at..], 4);
            BinaryPrimitives.WriteInt32BigEndian(row[(at + 4)..], person.DataElements);
            BinaryPrimitives.WriteInt32BigEndian(row[(at + 8)..], 8);
            BinaryPrimitives.WriteInt64BigEndian(row[(at + 12)..], createdAt);
            used += size;
        }

        if (used + 2 > chunk.Length)
        {
            await copy.WriteAsync(chunk.AsMemory(0, used), ct);
            used = 0;
        }

        BinaryPrimitives.WriteInt16BigEndian(chunk.AsSpan(used), -1);
        await copy.WriteAsync(chunk.AsMemory(0, used + 2), ct);
    }

    private static int Uuid(Span<byte> row, int at, Guid value)
    {
        BinaryPrimitives.WriteInt32BigEndian(row[at..], 16);
        value.TryWriteBytes(row.Slice(at + 4, 16), bigEndian: true, out _);
        return at + 20;
    }

    private static int Bytes(Span<byte> row, int at, ReadOnlySpan<byte> value)
    {
        BinaryPrimitives.WriteInt32BigEndian(row[at..], value.Length);
        value.CopyTo(row[(at + 4)..]);
        return at + 4 + value.Length;
    }

    private static int Text(Span<byte> row, int at, string value)
    {
        var length = Encoding.UTF8.GetBytes(value, row[(at + 4)..]);
        BinaryPrimitives.WriteInt32BigEndian(row[at..], length);
        return at + 4 + length;
    }
}
