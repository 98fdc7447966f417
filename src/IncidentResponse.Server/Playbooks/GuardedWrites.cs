using System.Diagnostics;
using System.Diagnostics.Metrics;
using Npgsql;

namespace IncidentResponse.Server.Playbooks;

/// <summary>
/// The node's guarded writes, committed together: a write that arrives while others are on their way joins the next
/// batch, whose commands (<c>commands</c> makes them for the batch's writes, as few as it can) go in one round trip and
/// commit once (PostgreSQL runs a batch as one implicit transaction). A write with nothing ahead of it goes at once,
/// alone, so none waits for company. A batch that fails is rolled back whole, and each of its writes is then sent
/// alone: each gets its own answer, as if never batched. It owns the pool it is given.
/// </summary>
/// <remarks>
/// On a pipelined pool (Npgsql's multiplexing, one connection) two batches are on their way at a time: the second is
/// written while the first is in the database, which starts on it as soon as it has committed the first. Otherwise one
/// is: two batches on two connections measured worse (docs/performance.md), as the batches were smaller, and two
/// backends each waited for a core. The meter <c>IncidentResponse.GuardedWrites</c>
/// records each batch's size and time in the database, and how long each write waited for its batch to go.
/// </remarks>
public sealed class GuardedWrites<T>(NpgsqlDataSource postgres, Func<IReadOnlyList<T>, IEnumerable<NpgsqlBatchCommand>> commands) : IDisposable
{
    private readonly int maxOnTheirWay = new NpgsqlConnectionStringBuilder(postgres.ConnectionString).Multiplexing ? 2 : 1;

    /// <summary>The most writes one batch carries.</summary>
    public const int MaxBatch = 32;

    private static readonly Meter Meter = new("IncidentResponse.GuardedWrites");
    private static readonly Histogram<int> BatchSize = Meter.CreateHistogram<int>("ir.guarded_writes.batch.size", "{write}",
        "The writes a batch carries (sent alone again after a failed batch: one each).");
    private static readonly Histogram<double> BatchDuration = Meter.CreateHistogram<double>("ir.guarded_writes.batch.duration", "ms",
        "From a batch's connection opened to its commit (or its failure).");
    private static readonly Histogram<double> Queued = Meter.CreateHistogram<double>("ir.guarded_writes.queued", "ms",
        "From a write handed over to its batch taken to be sent.");

    private readonly object gate = new();
    private readonly List<Write> waiting = [];
    private int onTheirWay;

    private sealed record Write(T Value, TaskCompletionSource<bool> Done, long HandedOver);

    /// <summary>How many batches may be on their way at once: two on a pipelined pool, else one.</summary>
    internal int MaxOnTheirWay => maxOnTheirWay;

    /// <summary>How many batches are on their way (for tests that hold them back).</summary>
    internal int OnTheirWay
    {
        get
        {
            lock (gate)
            {
                return onTheirWay;
            }
        }
    }

    /// <summary>How many writes wait for a batch on its way to come back (for tests that hold them back).</summary>
    internal int Waiting
    {
        get
        {
            lock (gate)
            {
                return waiting.Count;
            }
        }
    }

    /// <summary>
    /// Writes the value; true once committed, false when it was refused as a snapshot no longer current (serialization
    /// failure, unique violation, deadlock), with nothing written.
    /// </summary>
    public Task<bool> WriteAsync(T value)
    {
        var write = new Write(value, new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously), Stopwatch.GetTimestamp());
        bool lead;
        lock (gate)
        {
            waiting.Add(write);
            lead = onTheirWay < maxOnTheirWay;
            if (lead)
            {
                onTheirWay++;
            }
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

    /// <summary>The next batch, or null (and one batch fewer on its way) when none waits.</summary>
    private List<Write>? Next()
    {
        lock (gate)
        {
            if (waiting.Count == 0)
            {
                onTheirWay--;
                return null;
            }

            var batch = waiting.Take(MaxBatch).ToList();
            waiting.RemoveRange(0, batch.Count);
            if (Queued.Enabled)
            {
                foreach (var write in batch)
                {
                    Queued.Record(Stopwatch.GetElapsedTime(write.HandedOver).TotalMilliseconds);
                }
            }

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
            await ExecuteAsync(batch.Select(w => w.Value).ToList());
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
            await ExecuteAsync([write.Value]);
            return true;
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.UniqueViolation
            or PostgresErrorCodes.DeadlockDetected)
        {
            return false;
        }
    }

    private async Task ExecuteAsync(List<T> values)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await using var connection = await postgres.OpenConnectionAsync();
            await using var batch = connection.CreateBatch();
            foreach (var command in commands(values))
            {
                batch.BatchCommands.Add(command);
            }

            await batch.ExecuteNonQueryAsync();
        }
        finally
        {
            BatchSize.Record(values.Count);
            BatchDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }
}
