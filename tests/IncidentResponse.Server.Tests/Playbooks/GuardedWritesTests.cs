using IncidentResponse.Server.Playbooks;
using IncidentResponse.Server.Tests.Infrastructure;
using Npgsql;

namespace IncidentResponse.Server.Tests.Playbooks;

/// <summary>Guarded writes that arrive together commit together; one refused write costs the others nothing.</summary>
public sealed class GuardedWritesTests
{
    private static NpgsqlParameter[] Id(int id) => [new() { Value = id }];

    [Fact]
    public async Task Writes_that_arrive_while_one_is_on_its_way_commit_in_one_transaction_and_a_refused_one_is_answered_alone()
    {
        await using var source = NpgsqlDataSource.Create(await PostgresServer.ConnectionStringAsync());
        var table = "guarded_writes_" + Guid.NewGuid().ToString("N")[..12];
        await using (var create = source.CreateCommand($"CREATE TABLE {table} (id int PRIMARY KEY)"))
        {
            await create.ExecuteNonQueryAsync();
        }

        try
        {
            var writes = new GuardedWrites(source);
            var insert = $"INSERT INTO {table} (id) VALUES ($1)";

            // The first write goes alone at once; the three that arrive while it sleeps go together, in one transaction.
            var first = writes.WriteAsync("SELECT pg_sleep(0.5)", []);
            var together = new[] { writes.WriteAsync(insert, Id(1)), writes.WriteAsync(insert, Id(2)), writes.WriteAsync(insert, Id(3)) };
            Assert.True(await first);
            Assert.Equal(new[] { true, true, true }, await Task.WhenAll(together));
            Assert.Single(await ScalarsAsync(source, $"SELECT DISTINCT xmin::text FROM {table} WHERE id IN (1, 2, 3)"));

            // A batch with a write refused (the row exists: a unique violation) is rolled back whole, and each write is
            // then sent alone: the others commit, the refused one answers false.
            first = writes.WriteAsync("SELECT pg_sleep(0.5)", []);
            var mixed = new[] { writes.WriteAsync(insert, Id(4)), writes.WriteAsync(insert, Id(1)), writes.WriteAsync(insert, Id(5)) };
            Assert.True(await first);
            Assert.Equal(new[] { true, false, true }, await Task.WhenAll(mixed));
            Assert.Equal(["1", "2", "3", "4", "5"], await ScalarsAsync(source, $"SELECT id::text FROM {table} ORDER BY id"));

            // An error that is not a refusal reaches its own writer only.
            first = writes.WriteAsync("SELECT pg_sleep(0.5)", []);
            var failing = writes.WriteAsync($"INSERT INTO {table} (id) VALUES (1 / $1)", Id(0));
            var fine = writes.WriteAsync(insert, Id(6));
            Assert.True(await first);
            await Assert.ThrowsAsync<PostgresException>(() => failing);
            Assert.True(await fine);
        }
        finally
        {
            await using var drop = source.CreateCommand($"DROP TABLE {table}");
            await drop.ExecuteNonQueryAsync();
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
