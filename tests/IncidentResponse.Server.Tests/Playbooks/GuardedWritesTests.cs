using System.Diagnostics.Metrics;
using IncidentResponse.Server.Playbooks;
using IncidentResponse.Server.Tests.Infrastructure;
using Npgsql;

namespace IncidentResponse.Server.Tests.Playbooks;

/// <summary>Guarded writes that arrive together commit together; one refused write costs the others nothing.</summary>
public sealed class GuardedWritesTests
{
    /// <summary>Each write its own command: a statement and its one value, if any.</summary>
    private static IEnumerable<NpgsqlBatchCommand> EachAlone(IReadOnlyList<(string Sql, int? Id)> writes)
    {
        foreach (var (sql, id) in writes)
        {
            var command = new NpgsqlBatchCommand(sql);
            if (id is { } value)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = value });
            }

            yield return command;
        }
    }

    [Fact]
    public async Task Writes_that_arrive_while_one_is_on_its_way_commit_in_one_transaction_and_a_refused_one_is_answered_alone()
    {
        await WithTableAsync(async (connectionString, source, table) =>
        {
            using var writes = new GuardedWrites<(string Sql, int? Id)>(NpgsqlDataSource.Create(connectionString), EachAlone);
            var insert = $"INSERT INTO {table} (id) VALUES ($1)";

            // The first write goes alone at once; the three that arrive while it sleeps go together, in one transaction.
            var first = writes.WriteAsync(("SELECT pg_sleep(0.5)", null));
            await Taken(writes);
            var together = new[] { writes.WriteAsync((insert, 1)), writes.WriteAsync((insert, 2)), writes.WriteAsync((insert, 3)) };
            Assert.True(await first);
            Assert.Equal(new[] { true, true, true }, await Task.WhenAll(together));
            Assert.Single(await ScalarsAsync(source, $"SELECT DISTINCT xmin::text FROM {table} WHERE id IN (1, 2, 3)"));

            // A batch with a write refused (the row exists: a unique violation) is rolled back whole, and each write is
            // then sent alone: the others commit, the refused one answers false.
            first = writes.WriteAsync(("SELECT pg_sleep(0.5)", null));
            await Taken(writes);
            var mixed = new[] { writes.WriteAsync((insert, 4)), writes.WriteAsync((insert, 1)), writes.WriteAsync((insert, 5)) };
            Assert.True(await first);
            Assert.Equal(new[] { true, false, true }, await Task.WhenAll(mixed));
            Assert.Equal(["1", "2", "3", "4", "5"], await ScalarsAsync(source, $"SELECT id::text FROM {table} ORDER BY id"));

            // An error that is not a refusal reaches its own writer only.
            first = writes.WriteAsync(("SELECT pg_sleep(0.5)", null));
            await Taken(writes);
            var failing = writes.WriteAsync(($"INSERT INTO {table} (id) VALUES (1 / $1)", 0));
            var fine = writes.WriteAsync((insert, 6));
            Assert.True(await first);
            await Assert.ThrowsAsync<PostgresException>(() => failing);
            Assert.True(await fine);
        });
    }

    [Fact]
    public async Task A_batch_is_written_by_the_commands_made_for_all_its_writes_and_each_write_alone_when_they_fail()
    {
        await WithTableAsync(async (connectionString, source, table) =>
        {
            // One statement for all the writes it is given (a negative one sleeps first, to hold the next ones back).
            var made = new List<int[]>();
            IEnumerable<NpgsqlBatchCommand> OneStatement(IReadOnlyList<int> ids)
            {
                lock (made)
                {
                    made.Add([.. ids]);
                }

                yield return new NpgsqlBatchCommand(
                    $"INSERT INTO {table} (id) SELECT abs(id) FROM unnest($1) AS u(id) WHERE id >= 0 OR (SELECT true FROM pg_sleep(0.5))")
                {
                    Parameters = { new NpgsqlParameter { Value = ids.ToArray() } },
                };
            }

            // The meter records each batch's size and time, and each write's wait (other tests' writes may add theirs).
            var measured = new List<(string Instrument, double Value)>();
            using var listener = new MeterListener
            {
                InstrumentPublished = (instrument, l) =>
                {
                    if (instrument.Meter.Name == "IncidentResponse.GuardedWrites")
                    {
                        l.EnableMeasurementEvents(instrument);
                    }
                },
            };
            void Measured(Instrument instrument, double value)
            {
                lock (measured)
                {
                    measured.Add((instrument.Name, value));
                }
            }

            listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => Measured(instrument, value));
            listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => Measured(instrument, value));
            listener.Start();

            using var writes = new GuardedWrites<int>(NpgsqlDataSource.Create(connectionString), OneStatement);
            var first = writes.WriteAsync(-1);
            await Taken(writes);
            var together = new[] { writes.WriteAsync(2), writes.WriteAsync(3), writes.WriteAsync(4) };
            Assert.True(await first);
            Assert.Equal(new[] { true, true, true }, await Task.WhenAll(together));
            Assert.Equal(new[] { new[] { -1 }, [2, 3, 4] }, made);
            lock (measured)
            {
                Assert.Contains(("ir.guarded_writes.batch.size", 3.0), measured);
                // The first batch took half a second in the database; the three waited for it.
                Assert.Contains(measured, m => m is { Instrument: "ir.guarded_writes.batch.duration", Value: >= 500 });
                Assert.True(measured.Count(m => m is { Instrument: "ir.guarded_writes.queued", Value: >= 300 }) >= 3);
            }
            Assert.Single(await ScalarsAsync(source, $"SELECT DISTINCT xmin::text FROM {table} WHERE id IN (2, 3, 4)"));

            // The statement fails on the row that exists: nothing of it is written, and each write then goes alone.
            made.Clear();
            first = writes.WriteAsync(-5);
            await Taken(writes);
            var mixed = new[] { writes.WriteAsync(6), writes.WriteAsync(2), writes.WriteAsync(7) };
            Assert.True(await first);
            Assert.Equal(new[] { true, false, true }, await Task.WhenAll(mixed));
            Assert.Equal(new[] { new[] { -5 }, [6, 2, 7], [6], [2], [7] }, made);
            Assert.Equal(["1", "2", "3", "4", "5", "6", "7"], await ScalarsAsync(source, $"SELECT id::text FROM {table} ORDER BY id"));
        });
    }

    /// <summary>Runs the test with a table of its own (<c>id int PRIMARY KEY</c>), dropped afterwards.</summary>
    private static async Task WithTableAsync(Func<string, NpgsqlDataSource, string, Task> test)
    {
        var connectionString = await PostgresServer.ConnectionStringAsync();
        await using var source = NpgsqlDataSource.Create(connectionString);
        var table = "guarded_writes_" + Guid.NewGuid().ToString("N")[..12];
        await using (var create = source.CreateCommand($"CREATE TABLE {table} (id int PRIMARY KEY)"))
        {
            await create.ExecuteNonQueryAsync();
        }

        try
        {
            await test(connectionString, source, table);
        }
        finally
        {
            await using var drop = source.CreateCommand($"DROP TABLE {table}");
            await drop.ExecuteNonQueryAsync();
        }
    }

    /// <summary>Until the writes given so far are on their way, so that the next ones wait for the next batch.</summary>
    private static async Task Taken<T>(GuardedWrites<T> writes)
    {
        while (writes.Waiting > 0)
        {
            await Task.Delay(5);
        }
    }

    private static async Task<List<string>> ScalarsAsync(NpgsqlDataSource source, string sql)
    {
        await using var command = source.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }
}
