using System.Net;
using IncidentResponse.Core.Deadlines;
using IncidentResponse.Core.Identity;
using IncidentResponse.Core.Incidents;
using IncidentResponse.Core.Playbooks;
using IncidentResponse.Server.Deadlines;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.Playbooks;
using IncidentResponse.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace IncidentResponse.Server.Tests.Deadlines;

/// <summary>
/// Exercises on simulated clocks. The server's real clock is the machine's; the sweeps run at real instants the
/// tests name, and the simulated instants follow from the clock each change answers with.
/// </summary>
[Collection(SchedulerCollection.Name)]
public sealed class ExerciseClockTests(SchedulerFixture fixture)
{
    private static readonly Instant Start = Instant.FromUtc(2026, 3, 2, 8, 0);
    private static readonly Duration Second = Duration.FromSeconds(1);

    [Fact]
    public async Task An_exercise_at_speed_60_reminds_when_its_simulated_time_passes_a_rung_and_not_while_paused_while_a_real_incident_keeps_real_time()
    {
        var exercise = await fixture.IncidentAsync("Clock drill", Now(), exercise: true);
        var real = await fixture.IncidentAsync("Real incident alongside", Now());
        var paused = await SetClockAsync(exercise.Id, new { kind = "simulated", start = Start, speed = 60, paused = true });
        Assert.Equal(new { Kind = ClockKind.Simulated, Now = Start, Speed = 60, Paused = true }, new { paused.Kind, paused.Now, paused.Speed, paused.Paused });

        // A week and two hours ahead in simulated time: its first rung falls two simulated hours after the start.
        var drill = await FollowUpAsync(exercise.Id, "Brief the board", Start + Duration.FromDays(7) + Duration.FromHours(2));
        Assert.Equal(Start + Duration.FromHours(2), drill.NextReminderAt);
        Assert.Equal(BoardColumn.Upcoming, drill.Column);
        Assert.Equal(ClockKind.Simulated, drill.Clock.Kind);
        var t0 = Now();
        var live = await FollowUpAsync(real.Id, "Call the card brands", t0 + Duration.FromDays(7) + Duration.FromMinutes(20));
        Assert.Equal(ClockKind.Real, live.Clock.Kind);

        // Paused: three real hours pass, the real incident's first rung goes out, the exercise's does not.
        await fixture.SweepAt(t0 + Duration.FromHours(3));
        Assert.Equal(["before-10080m"], await KeysAsync(live.Id));
        Assert.Empty(await KeysAsync(drill.Id));

        // Resumed at speed 60: two simulated hours are two real minutes from the resumption.
        var resumed = await (await fixture.As(Role.IncidentCommander).PostAsync($"/api/v1/incidents/{exercise.Id}/clock/resume", null)).Read<ClockView>();
        Assert.False(resumed.Paused);
        Assert.Equal(Start, resumed.SimulatedAnchor);
        var fires = resumed.RealAnchor!.Value + ((Start + Duration.FromHours(2) - resumed.SimulatedAnchor!.Value) / 60);
        await fixture.SweepAt(fires - Second);
        Assert.Empty(await KeysAsync(drill.Id));
        await fixture.SweepAt(fires + Second);
        var message = Assert.Single(await fixture.InboxAsync(Role.Legal), d => d.DeadlineId == drill.Id);
        Assert.Equal("before-10080m", message.RungKey);
        Assert.StartsWith("[EXERCISE]", message.Subject, StringComparison.Ordinal);
        Assert.Equal(["before-10080m"], await KeysAsync(live.Id));
    }

    [Fact]
    public async Task Advancing_an_exercise_two_days_past_several_rungs_sends_only_the_latest_as_after_an_outage()
    {
        var exercise = await fixture.IncidentAsync("Skip ahead", Now(), exercise: true);
        await SetClockAsync(exercise.Id, new { kind = "simulated", start = Start, speed = 60, paused = true });
        var due = Start + Duration.FromDays(7) + Duration.FromHours(2);
        var drill = await FollowUpAsync(exercise.Id, "Regulator follow-up", due);

        // Ten simulated days: every fixed rung and the first overdue one have fallen.
        using var commander = fixture.As(Role.IncidentCommander);
        var advanced = await (await commander.PostJson($"/api/v1/incidents/{exercise.Id}/clock/advance", new { by = "P10D" })).Read<ClockView>();
        Assert.Equal(Start + Duration.FromDays(10), advanced.Now);
        await fixture.SweepAt(Now() + Second);

        Assert.Equal(["overdue-1"], await KeysAsync(drill.Id));
        var after = (await fixture.DeadlinesAsync(exercise.Id)).Single(d => d.Id == drill.Id);
        Assert.Equal(BoardColumn.Overdue, after.Column);
        Assert.Equal(due + Duration.FromDays(3), after.NextReminderAt);
        Assert.Equal(Start + Duration.FromDays(10), after.Clock.Now);
    }

    [Fact]
    public async Task An_exercise_reminder_never_reaches_someone_outside_the_exercise_or_an_outside_webhook()
    {
        var exercise = await fixture.IncidentAsync("Participants only", Now(), exercise: true);
        var t0 = Now();
        using var legal = fixture.As(Role.Legal);
        var outsider = fixture.Users[Role.Observer].Id;
        var drill = await (await legal.PostJson($"/api/v1/incidents/{exercise.Id}/deadlines",
            new { title = "Owned by someone outside the exercise", dueAt = t0 + Duration.FromDays(7) + Duration.FromMinutes(20), ownerId = outsider })).Read<DeadlineView>();

        await fixture.SweepAt(t0 + Duration.FromMinutes(21));
        Assert.DoesNotContain(await fixture.InboxAsync(Role.Observer), d => d.DeadlineId == drill.Id);
        Assert.Contains(await fixture.InboxAsync(Role.Legal), d => d.DeadlineId == drill.Id && d.RungKey == "before-10080m");
        Assert.DoesNotContain(fixture.Webhook.Received, h => h.Body.Contains(drill.Id.ToString(), StringComparison.Ordinal));
        Assert.DoesNotContain(fixture.Smtp.Messages, m => m.To.ToString().Contains("observer@ir.test", StringComparison.Ordinal) && (m.Subject ?? "").Contains(exercise.Reference, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_duration_wait_of_an_exercise_wakes_on_its_simulated_clock_and_entries_default_to_its_time()
    {
        using var commander = fixture.As(Role.IncidentCommander);
        var exercise = await (await commander.PostJson("/api/v1/incidents", new { title = "Waiting drill", kind = "other", severity = "low", isExercise = true })).Read<IncidentView>();
        await SetClockAsync(exercise.Id, new { kind = "simulated", start = Start, speed = 1, paused = true });
        var run = await (await commander.PostJson($"/api/v1/incidents/{exercise.Id}/runs", new { playbookId = "exercise-clock-test" })).Read<RunView>();
        Assert.Equal(StepStatus.Ready, run.Steps.Single(s => s.StepId == "cool-off").Status);
        Assert.Equal(Start, run.Steps.Single(s => s.StepId == "cool-off").ReadyAt);

        // Real time passes, the simulated clock stands: the six-hour wait does not wake.
        await PlaybookSweepAsync();
        Assert.Equal(StepStatus.Ready, (await RunAsync(exercise.Id)).Steps.Single(s => s.StepId == "cool-off").Status);

        await commander.PostJson($"/api/v1/incidents/{exercise.Id}/clock/advance", new { to = Start + Duration.FromHours(6) });
        await PlaybookSweepAsync();
        var woken = await RunAsync(exercise.Id);
        Assert.Equal(StepStatus.Done, woken.Steps.Single(s => s.StepId == "cool-off").Status);
        Assert.Equal(Start + Duration.FromHours(6), woken.Steps.Single(s => s.StepId == "cool-off").CompletedAt);
        Assert.Equal(StepStatus.Ready, woken.Steps.Single(s => s.StepId == "review-window").Status);

        var entry = await (await commander.PostJson($"/api/v1/incidents/{exercise.Id}/timeline", new { text = "Monitoring window reviewed" })).Read<TimelineEntryView>();
        Assert.Equal(Start + Duration.FromHours(6), entry.At);
    }

    [Fact]
    public async Task Clock_changes_are_refused_for_real_incidents_bad_speeds_backward_jumps_and_stale_versions()
    {
        using var commander = fixture.As(Role.IncidentCommander);
        var real = await fixture.IncidentAsync("Not an exercise", Now());
        var url = $"/api/v1/incidents/{real.Id}/clock";
        Assert.Equal(ClockKind.Real, (await (await commander.GetAsync(url)).Read<ClockView>()).Kind);
        Assert.Equal(HttpStatusCode.Conflict, (await commander.SendJson(HttpMethod.Put, url, new { kind = "simulated", speed = 60 })).StatusCode);

        var exercise = await fixture.IncidentAsync("Refusals", Now(), exercise: true);
        url = $"/api/v1/incidents/{exercise.Id}/clock";
        Assert.Equal(HttpStatusCode.Conflict, (await commander.PostAsync(url + "/pause", null)).StatusCode);
        var tooFast = await commander.SendJson(HttpMethod.Put, url, new { kind = "simulated", speed = 20_000 });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, tooFast.StatusCode);
        Assert.True((await tooFast.Problem()).GetProperty("errors").TryGetProperty("speed", out _));

        var started = await SetClockAsync(exercise.Id, new { kind = "simulated", start = Start, speed = 10 });
        Assert.Equal(1, started.Version);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await commander.PostJson(url + "/advance", new { by = "P1M" })).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await commander.PostJson(url + "/advance", new { to = Start - Duration.FromDays(1) })).StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await commander.SendJson(HttpMethod.Put, url, new { kind = "simulated", speed = 5 }, ifMatch: "7")).StatusCode);
        var slower = await (await commander.SendJson(HttpMethod.Put, url, new { kind = "simulated", speed = 5 }, ifMatch: "1")).Read<ClockView>();
        Assert.Equal((5, 2), (slower.Speed, slower.Version));

        using var legal = fixture.As(Role.Legal);
        var audit = await legal.GetStringAsync($"/api/v1/incidents/{exercise.Id}/audit");
        Assert.Contains("incident.clock.set", audit, StringComparison.Ordinal);
    }

    /// <summary>Now, to the second: what PostgreSQL keeps of an instant is then exactly what the test wrote.</summary>
    private static Instant Now() => Instant.FromUnixTimeSeconds(SystemClock.Instance.GetCurrentInstant().ToUnixTimeSeconds());

    private async Task<ClockView> SetClockAsync(Guid incident, object clock)
    {
        using var commander = fixture.As(Role.IncidentCommander);
        return await (await commander.SendJson(HttpMethod.Put, $"/api/v1/incidents/{incident}/clock", clock)).Read<ClockView>();
    }

    private async Task<DeadlineView> FollowUpAsync(Guid incident, string title, Instant due)
    {
        using var legal = fixture.As(Role.Legal);
        return await (await legal.PostJson($"/api/v1/incidents/{incident}/deadlines", new { title, dueAt = due })).Read<DeadlineView>();
    }

    /// <summary>The rungs of a deadline delivered in-app, to anyone on the incident.</summary>
    private async Task<List<string>> KeysAsync(Guid deadline) =>
        [.. (await fixture.InboxAsync(Role.Legal, Role.IncidentCommander)).Where(d => d.DeadlineId == deadline).Select(d => d.RungKey).Distinct().Order()];

    private async Task PlaybookSweepAsync()
    {
        using var scope = fixture.Server.App.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<PlaybookSweep>().RunAsync(CancellationToken.None);
    }

    private async Task<RunView> RunAsync(Guid incident)
    {
        using var observer = fixture.As(Role.Observer);
        var runs = await (await observer.GetAsync($"/api/v1/incidents/{incident}/runs")).Read<RunView[]>();
        return runs.Single(r => r.PlaybookId == "exercise-clock-test");
    }
}
