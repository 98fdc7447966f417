using System.Collections.Concurrent;
using System.Net;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using IncidentResponse.Core.Playbooks;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.Playbooks;
using IncidentResponse.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace IncidentResponse.Server.Tests.Playbooks;

public sealed class AutomatedStepQueueTests
{
    /// <summary>Records the jobs it is asked to create, as Hangfire's client would store them.</summary>
    private sealed class RecordingJobs : IBackgroundJobClient
    {
        public ConcurrentQueue<Job> Created { get; } = new();

        public string Create(Job job, IState state)
        {
            Assert.IsType<EnqueuedState>(state);
            Created.Enqueue(job);
            return Created.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        public bool ChangeState(string jobId, IState state, string expectedState) => throw new NotSupportedException();
    }

    /// <summary>The steps a job runs, whichever of the two jobs it is.</summary>
    internal static IEnumerable<AutomatedWork> Steps(Job job) => job.Type == typeof(AutomatedSteps)
        ? [new AutomatedWork((Guid)job.Args[0], (string)job.Args[1])]
        : Assert.IsType<AutomatedWork[]>(job.Args[0]);

    [Fact]
    public async Task A_burst_of_steps_shares_jobs_of_at_most_eight_and_a_lone_step_gets_its_own()
    {
        var jobs = new RecordingJobs();
        using var queue = new AutomatedStepQueue(jobs, NullLogger<AutomatedStepQueue>.Instance);
        var burst = await HandOverAsync(queue, 20, "step");
        await Until(() => jobs.Created.Sum(j => Steps(j).Count()) == burst.Count);
        Assert.Equal(burst, jobs.Created.SelectMany(Steps));
        Assert.All(jobs.Created, j => Assert.InRange(Steps(j).Count(), 1, AutomatedStepQueue.MaxBatch));
        Assert.True(jobs.Created.Count < burst.Count / 2, $"{jobs.Created.Count} jobs for {burst.Count} steps");

        var alone = new AutomatedWork(Guid.NewGuid(), "alone");
        var before = jobs.Created.Count;
        queue.Request(alone.RunId, alone.StepId);
        await Until(() => jobs.Created.Count > before);
        var job = jobs.Created.Last();
        Assert.Equal(typeof(AutomatedSteps), job.Type);
        Assert.Equal(nameof(AutomatedSteps.RunAsync), job.Method.Name);
        Assert.Equal(alone, Assert.Single(Steps(job)));
        await queue.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Steps_handed_over_as_the_node_stops_are_still_queued()
    {
        var jobs = new RecordingJobs();
        using var queue = new AutomatedStepQueue(jobs, NullLogger<AutomatedStepQueue>.Instance);
        var steps = await HandOverAsync(queue, 3, "late");

        // Well inside the gathering wait: nothing is queued yet, and stopping queues it.
        await queue.StopAsync(CancellationToken.None);
        Assert.Equal(steps, jobs.Created.SelectMany(Steps));
    }

    /// <summary>Starts the queue and hands it <paramref name="count"/> steps at once.</summary>
    private static async Task<List<AutomatedWork>> HandOverAsync(AutomatedStepQueue queue, int count, string prefix)
    {
        await queue.StartAsync(CancellationToken.None);
        var steps = Enumerable.Range(0, count).Select(i => new AutomatedWork(Guid.NewGuid(), $"{prefix}-{i}")).ToList();
        foreach (var step in steps)
        {
            queue.Request(step.RunId, step.StepId);
        }

        return steps;
    }

    private static async Task Until(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(condition(), "the queue did not get there within 5 s");
    }
}

/// <summary>
/// Against PostgreSQL: jobs still queued after another node in the process stopped, and, on a node that runs no jobs,
/// what the queue stored and the batch job run by hand.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class AutomatedStepBatchTests(PostgresServerFixture fixture)
{
    [Fact]
    public async Task A_node_stopped_in_the_same_process_leaves_the_others_able_to_queue_jobs()
    {
        // The second node is the last to configure Hangfire's process-wide logging; disposing it must not break the first.
        await (await RunningServer.StartAsync($"--ConnectionStrings:Postgres={fixture.ConnectionString}", $"--IR_DATA_KEY={PostgresServerFixture.DataKey}"))
            .DisposeAsync();
        var jobs = fixture.Server.App.Services.GetRequiredService<IBackgroundJobClient>();
        Assert.NotNull(jobs.Enqueue<AutomatedSteps>(j => j.RunAsync(Guid.NewGuid(), "no-such-step", CancellationToken.None)));
    }

    [Fact]
    public async Task Steps_opened_by_requests_are_queued_after_the_answer_and_a_batch_job_runs_each_once()
    {
        await using var database = await PostgresServer.CreateDatabaseAsync();
        await using var server = await RunningServer.StartAsync(
            $"--ConnectionStrings:Postgres={database.ConnectionString}", $"--IR_PLAYBOOKS_DIR={PostgresServerFixture.PlaybooksFolder}",
            $"--IR_DATA_KEY={PostgresServerFixture.DataKey}");
        using var admin = server.Admin();
        var opened = new List<(Guid Incident, RunView Run)>();
        for (var i = 0; i < 2; i++)
        {
            var incident = await (await admin.PostJson("/api/v1/incidents", new { title = $"Laptop {i}", kind = "lostOrStolenDevice", severity = "low" })).Read<IncidentView>();
            var run = (await (await admin.GetAsync($"/api/v1/incidents/{incident.Id}/runs")).Read<RunView[]>())[0];
            var done = await admin.PostJson($"/api/v1/runs/{run.Id}/steps/triage-and-activate/complete", new { note = "reported by the employee" });
            Assert.Equal(HttpStatusCode.OK, done.StatusCode);
            Assert.Equal(StepStatus.Ready, (await done.Read<RunView>()).Steps.Single(s => s.StepId == "notify-response-team").Status);
            opened.Add((incident.Id, run));
        }

        // The node runs no jobs: the steps wait in Hangfire's queue, one job or two.
        var expected = opened.Select(o => new AutomatedWork(o.Run.Id, "notify-response-team")).ToHashSet();
        var monitoring = server.App.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        IEnumerable<AutomatedWork> Queued() => monitoring.EnqueuedJobs("default", 0, 100).SelectMany(j => AutomatedStepQueueTests.Steps(j.Value.Job));
        for (var i = 0; i < 100 && !expected.IsSubsetOf(Queued()); i++)
        {
            await Task.Delay(50);
        }

        Assert.Subset(Queued().ToHashSet(), expected);

        // One batch, with a step that no longer exists among them, run twice: each step runs once, the missing one is skipped.
        AutomatedWork[] batch = [.. expected, new AutomatedWork(Guid.NewGuid(), "gone")];
        for (var time = 0; time < 2; time++)
        {
            await using var scope = server.App.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<AutomatedStepBatch>().RunAsync(batch, CancellationToken.None);
        }

        foreach (var (incident, run) in opened)
        {
            var read = (await (await admin.GetAsync($"/api/v1/incidents/{incident}/runs")).Read<RunView[]>())[0];
            Assert.Equal(StepStatus.Done, read.Steps.Single(s => s.StepId == "notify-response-team").Status);
            var timeline = await (await admin.GetAsync($"/api/v1/incidents/{incident}/timeline")).Read<TimelineEntryView[]>();
            Assert.Single(timeline, t => t.Category == "notification");
        }
    }
}
