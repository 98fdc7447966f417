using CsCheck;
using IncidentResponse.Core.Incidents;
using NodaTime;

namespace IncidentResponse.Core.Tests.Incidents;

public sealed class IncidentClockTests
{
    private static readonly Instant Real0 = Instant.FromUtc(2026, 11, 29, 9, 0);
    private static readonly Instant Sim0 = Instant.FromUtc(2026, 3, 2, 8, 0);

    private static readonly Gen<IncidentClock> Clocks =
        from speed in Gen.Int[IncidentClock.MinSpeed, IncidentClock.MaxSpeed]
        from offsetSeconds in Gen.Long[-86_400 * 400L, 86_400 * 400L]
        from paused in Gen.Bool
        select IncidentClock.Start(Real0, Real0 + Duration.FromSeconds(offsetSeconds), speed, paused);

    private static readonly Gen<Duration> RealSpans = Gen.Long[0, 86_400_000_000_000L * 30].Select(Duration.FromNanoseconds);

    [Fact]
    public void A_real_clock_shows_real_time_and_reaches_every_instant_when_it_comes()
    {
        var clock = IncidentClock.Real;
        Assert.Equal(Real0, clock.Now(Real0));
        Assert.Equal(Sim0, clock.RealAt(Sim0));
    }

    [Fact]
    public void A_simulated_clock_at_speed_60_shows_an_hour_for_each_real_minute()
    {
        var clock = IncidentClock.Start(Real0, Sim0, 60);
        Assert.Equal(Sim0, clock.Now(Real0));
        Assert.Equal(Sim0 + Duration.FromHours(2), clock.Now(Real0 + Duration.FromMinutes(2)));
        Assert.Equal(Real0 + Duration.FromMinutes(3), clock.RealAt(Sim0 + Duration.FromHours(3)));
    }

    [Fact]
    public void A_paused_clock_stands_still_and_reaches_nothing_ahead_until_resumed()
    {
        var running = IncidentClock.Start(Real0, Sim0, 60);
        var paused = running.Pause(Real0 + Duration.FromMinutes(1));
        Assert.Equal(Sim0 + Duration.FromHours(1), paused.Now(Real0 + Duration.FromDays(3)));
        Assert.Null(paused.RealAt(Sim0 + Duration.FromHours(2)));
        Assert.Equal(Real0 + Duration.FromMinutes(1), paused.RealAt(Sim0 + Duration.FromMinutes(30)));

        var resumed = paused.Resume(Real0 + Duration.FromMinutes(10));
        Assert.Equal(Sim0 + Duration.FromHours(1), resumed.Now(Real0 + Duration.FromMinutes(10)));
        Assert.Equal(Real0 + Duration.FromMinutes(11), resumed.RealAt(Sim0 + Duration.FromHours(2)));
    }

    [Fact]
    public void Advancing_skips_simulated_time_ahead_and_keeps_the_speed_and_the_pause()
    {
        var clock = IncidentClock.Start(Real0, Sim0, 60).Pause(Real0);
        var advanced = clock.Advance(Real0 + Duration.FromMinutes(5), Duration.FromDays(2));
        Assert.Equal(Sim0 + Duration.FromDays(2), advanced.Now(Real0 + Duration.FromHours(1)));
        Assert.True(advanced.Paused);

        var to = advanced.Resume(Real0 + Duration.FromHours(1)).AdvanceTo(Real0 + Duration.FromHours(1), Sim0 + Duration.FromDays(5));
        Assert.Equal(Sim0 + Duration.FromDays(5) + Duration.FromHours(1), to.Now(Real0 + Duration.FromHours(1) + Duration.FromMinutes(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => to.AdvanceTo(Real0 + Duration.FromHours(1), Sim0));
    }

    [Fact]
    public void Changing_the_speed_keeps_the_time_shown_at_the_change()
    {
        var clock = IncidentClock.Start(Real0, Sim0, 60);
        var change = Real0 + Duration.FromMinutes(10);
        var faster = clock.WithSpeed(change, 600);
        Assert.Equal(clock.Now(change), faster.Now(change));
        Assert.Equal(clock.Now(change) + Duration.FromHours(10), faster.Now(change + Duration.FromMinutes(1)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(10_001)]
    public void Speeds_outside_one_to_ten_thousand_are_refused(int speed)
    {
        Assert.NotNull(IncidentClock.SpeedProblem(speed));
        Assert.Throws<ArgumentOutOfRangeException>(() => IncidentClock.Start(Real0, Sim0, speed));
    }

    [Fact]
    public void Real_time_cannot_be_paused_or_advanced()
    {
        Assert.Throws<InvalidOperationException>(() => IncidentClock.Real.Pause(Real0));
        Assert.Throws<InvalidOperationException>(() => IncidentClock.Real.Advance(Real0, Duration.FromHours(1)));
    }

    [Fact]
    public void Simulated_time_never_runs_backwards()
    {
        Gen.Select(Clocks, RealSpans, RealSpans).Sample((clock, a, b) =>
        {
            var (early, late) = a <= b ? (a, b) : (b, a);
            return clock.Now(Real0 + early) <= clock.Now(Real0 + late);
        });
    }

    [Fact]
    public void The_real_instant_of_a_simulated_one_is_the_first_at_which_the_clock_shows_it()
    {
        Gen.Select(Clocks.Where(c => !c.Paused), RealSpans).Sample((clock, span) =>
        {
            var target = clock.Now(Real0) + (span * 3) + Duration.Epsilon;
            var real = clock.RealAt(target)!.Value;
            return clock.Now(real) >= target && clock.Now(real - Duration.Epsilon) < target;
        });
    }

    [Fact]
    public void A_paused_clock_shows_the_same_instant_at_every_real_instant()
    {
        Gen.Select(Clocks, RealSpans, RealSpans).Sample((clock, pausedAt, later) =>
        {
            var paused = clock.Pause(Real0 + pausedAt);
            return paused.Now(Real0 + pausedAt) == clock.Now(Real0 + pausedAt) && paused.Now(Real0 + pausedAt + later) == paused.Now(Real0 + pausedAt);
        });
    }

    [Fact]
    public void Pausing_then_resuming_loses_no_simulated_time_and_adds_none()
    {
        Gen.Select(Clocks.Where(c => !c.Paused), RealSpans, RealSpans).Sample((clock, pauseAt, pauseFor) =>
        {
            var resumedAt = Real0 + pauseAt + pauseFor;
            var resumed = clock.Pause(Real0 + pauseAt).Resume(resumedAt);
            return resumed.Now(resumedAt + Duration.FromMinutes(1)) == clock.Now(Real0 + pauseAt + Duration.FromMinutes(1));
        });
    }
}
