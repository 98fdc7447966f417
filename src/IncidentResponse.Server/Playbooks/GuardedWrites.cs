using Npgsql;

namespace IncidentResponse.Server.Playbooks;

/// <summary>
/// The node's guarded writes, committed together: a write that arrives while others are on their way joins the next
/// batch, which goes in one round trip and commits once (PostgreSQL runs a batch as one implicit transaction). A write
/// with nothing ahead of it goes at once, alone, so none waits for company. A batch one of whose statements fails is
/// rolled back whole, and each of its writes is then sent alone: each gets its own answer, as if never batched. It owns
/// the pool it is given.
/// </summary>
/// <remarks>
/// One batch is on its way at a time. Two at a time measured worse (docs/performance.md): the batches were smaller, and
/// each round trip costs the process more than the wait it saves.
/// </remarks>
public sealed class GuardedWrites(NpgsqlDataSource postgres) : IDisposable
{
    /// <summary>The most writes one batch carries.</summary>
    public const int MaxBatch = 32;

    private readonly object gate = new();
    private readonly List<Write> waiting = [];
    private bool draining;

    private sealed record Write(string Sql, NpgsqlParameter[] Values, TaskCompletionSource<bool> Done)
    {
        /// <summary>Copies of the values for one sending: a parameter belongs to one command, and a write may be sent twice.</summary>
        public NpgsqlParameter[] Copies() => Values.Select(v => v.Clone()).ToArray();
    }

    /// <summary>
    /// Sends the statement (with its parameters, which it takes over); true once committed, false when it was refused
    /// as a snapshot no longer current (serialization failure, unique violation, deadlock), with nothing written.
    /// </summary>
    public Task<bool> WriteAsync(string sql, NpgsqlParameter[] values)
    {
        var write = new Write(sql, values, new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
        bool lead;
        lock (gate)
        {
            waiting.Add(write);
            lead = !draining;
            draining = true;
        }

        if (lead)
        {
            _ = Task.Run(DrainAsync);
        }

        return write.Done.Task;
    }

    public void Dispose() => postgres.Dispose();

    private async Task DrainAsync()
    {
        while (Next() is { } batch)
        {
            try
            {
                await SendAsync(batch);
            }
            catch (Exception e)
            {
                // The connection failed: as each write alone would have.
                foreach (var write in batch)
                {
                    write.Done.TrySetException(e);
                }
            }
        }
    }

    /// <summary>The next batch, or null (and no longer draining) when none waits.</summary>
    private List<Write>? Next()
    {
        lock (gate)
        {
            if (waiting.Count == 0)
            {
                draining = false;
                return null;
            }

            var batch = waiting.Take(MaxBatch).ToList();
            waiting.RemoveRange(0, batch.Count);
            return batch;
        }
    }

    private async Task SendAsync(List<Write> batch)
    {
        if (batch is [var only])
        {
            only.Done.TrySetResult(await AloneAsync(only));
            return;
        }

        try
        {
            await using var connection = await postgres.OpenConnectionAsync();
            await using var combined = connection.CreateBatch();
            foreach (var write in batch)
            {
                var command = new NpgsqlBatchCommand(write.Sql);
                command.Parameters.AddRange(write.Copies());
                combined.BatchCommands.Add(command);
            }

            await combined.ExecuteNonQueryAsync();
        }
        catch (PostgresException)
        {
            // Rolled back whole: each write alone, for its own answer.
            foreach (var write in batch)
            {
                try
                {
                    write.Done.TrySetResult(await AloneAsync(write));
                }
                catch (Exception e)
                {
                    write.Done.TrySetException(e);
                }
            }

            return;
        }

        foreach (var write in batch)
        {
            write.Done.TrySetResult(true);
        }
    }

    private async Task<bool> AloneAsync(Write write)
    {
        try
        {
            await using var connection = await postgres.OpenConnectionAsync();
            await using var command = new NpgsqlCommand(write.Sql, connection);
            command.Parameters.AddRange(write.Copies());
            await command.ExecuteNonQueryAsync();
            return true;
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.UniqueViolation
            or PostgresErrorCodes.DeadlockDetected)
        {
            return false;
        }
    }
}
