using System.Threading.Channels;
using Hangfire;

namespace IncidentResponse.Server.Playbooks;

/// <summary>An automated step a committed transition opened: the work one Hangfire job does.</summary>
public sealed record AutomatedWork(Guid RunId, string StepId);

/// <summary>
/// Queues the automated steps committed transitions open as Hangfire jobs, off the request: a request only hands its
/// steps over, and a loop on each node gathers what arrives within <see cref="Gather"/> and queues it as one job
/// (<see cref="AutomatedStepBatch"/>), or as the step's own job when it is alone. Queuing a job costs Hangfire two
/// transactions, which the request no longer waits for and a burst of steps shares (docs/playbooks.md "Automated
/// steps"). A step handed over but not queued (the node stopped hard, or the database refused) stays ready in the
/// database, and the playbook sweep queues it again, as it did before for a node that died between commit and enqueue.
/// </summary>
public sealed class AutomatedStepQueue(IBackgroundJobClient jobs, ILogger<AutomatedStepQueue> logger) : BackgroundService
{
    /// <summary>How long the loop waits after the first step for others to join it. Hangfire's workers poll every second on PostgreSQL.</summary>
    public static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(50);

    /// <summary>The most steps one job runs, one after the other; a larger burst is spread over several jobs and workers.</summary>
    public const int MaxBatch = 8;

    private readonly Channel<AutomatedWork> waiting = Channel.CreateUnbounded<AutomatedWork>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Hands a step over to be queued; called once its transition has committed.</summary>
    public void Request(Guid runId, string stepId) => waiting.Writer.TryWrite(new AutomatedWork(runId, stepId));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await waiting.Reader.WaitToReadAsync(stoppingToken))
            {
                await Task.Delay(Gather, stoppingToken);
                QueueWaiting();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The node stops: StopAsync queues what was handed over, without waiting for more.
        }
    }

    /// <summary>Stops the loop (which may not have started), then queues what was handed over.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        QueueWaiting();
    }

    private void QueueWaiting()
    {
        // The loop and StopAsync may both get here when stopping outlasts the host's timeout.
        lock (waiting)
        {
            var batch = new List<AutomatedWork>(MaxBatch);
            while (waiting.Reader.TryRead(out var work))
            {
                batch.Add(work);
                if (batch.Count == MaxBatch)
                {
                    Queue(batch);
                    batch = new List<AutomatedWork>(MaxBatch);
                }
            }

            if (batch.Count > 0)
            {
                Queue(batch);
            }
        }
    }

    private void Queue(List<AutomatedWork> batch)
    {
        try
        {
            if (batch is [var one])
            {
                jobs.Enqueue<AutomatedSteps>(j => j.RunAsync(one.RunId, one.StepId, CancellationToken.None));
            }
            else
            {
                var steps = batch.ToArray();
                jobs.Enqueue<AutomatedStepBatch>(j => j.RunAsync(steps, CancellationToken.None));
            }
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "{Count} automated step(s) not queued now; the playbook sweep queues them again", batch.Count);
        }
    }
}

/// <summary>
/// The job for several automated steps queued together: each runs as its own job would, in its own scope, one after the
/// other. A step whose run fails beyond what <see cref="AutomatedSteps"/> records is logged and left ready for the
/// sweep; the others still run.
/// </summary>
public sealed class AutomatedStepBatch(IServiceScopeFactory scopes, ILogger<AutomatedStepBatch> logger)
{
    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(AutomatedWork[] steps, CancellationToken ct)
    {
        foreach (var step in steps)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<AutomatedSteps>().RunAsync(step.RunId, step.StepId, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Automated step {Step} of run {Run} did not run; the playbook sweep queues it again", step.StepId, step.RunId);
            }
        }
    }
}
