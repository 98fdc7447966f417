using NodaTime;

namespace IncidentResponse.Core.Incidents;

/// <summary>Whose time an incident keeps: the real time, or an exercise's simulated time.</summary>
public enum ClockKind
{
    Real,
    Simulated,
}

/// <summary>
/// The clock an incident's deadlines, reminders and waits run on. A real incident keeps real time; a tabletop
/// exercise may keep simulated time: at the real instant <see cref="RealAnchor"/> it was
/// <see cref="SimulatedAnchor"/>, and it runs <see cref="Speed"/> times as fast as real time unless paused.
/// Every change re-anchors at the real instant it is made, so simulated time never jumps except when a
/// facilitator advances it.
/// </summary>
public sealed record IncidentClock(ClockKind Kind, Instant RealAnchor, Instant SimulatedAnchor, int Speed, bool Paused)
{
    public const int MinSpeed = 1;
    public const int MaxSpeed = 10_000;

    /// <summary>Real time: simulated and real instants are the same.</summary>
    public static readonly IncidentClock Real = new(ClockKind.Real, Instant.MinValue, Instant.MinValue, 1, false);

    public bool IsSimulated => Kind == ClockKind.Simulated;

    /// <summary>A simulated clock showing <paramref name="start"/> at the real instant <paramref name="real"/>.</summary>
    public static IncidentClock Start(Instant real, Instant start, int speed, bool paused = false)
    {
        CheckSpeed(speed);
        return new IncidentClock(ClockKind.Simulated, real, start, speed, paused);
    }

    /// <summary>Why a speed is refused, or none: whole multiples of real time from 1 to 10,000.</summary>
    public static string? SpeedProblem(int speed) => speed is < MinSpeed or > MaxSpeed
        ? $"The speed is a whole factor from {MinSpeed} (real time) to {MaxSpeed}."
        : null;

    /// <summary>The incident's time at the real instant <paramref name="real"/>.</summary>
    public Instant Now(Instant real) => Kind switch
    {
        ClockKind.Real => real,
        _ when Paused || real <= RealAnchor => SimulatedAnchor,
        // A fast clock left running for years would run off the calendar: it stops at its end.
        _ when (real - RealAnchor).TotalDays * Speed >= (Instant.MaxValue - SimulatedAnchor).TotalDays => Instant.MaxValue,
        _ => SimulatedAnchor + ((real - RealAnchor) * Speed),
    };

    /// <summary>
    /// The first real instant at which the clock shows <paramref name="simulated"/> or later, or none while it is
    /// paused and short of it. An instant the clock has already passed is reached at the anchor (it is due now).
    /// </summary>
    public Instant? RealAt(Instant simulated)
    {
        if (Kind == ClockKind.Real)
        {
            return simulated;
        }

        if (simulated <= SimulatedAnchor)
        {
            return RealAnchor;
        }

        if (Paused)
        {
            return null;
        }

        // Division truncates: step forward so the clock has reached the instant, not just come within a tick of it.
        var real = RealAnchor + ((simulated - SimulatedAnchor) / Speed);
        while (Now(real) < simulated)
        {
            real += Duration.Epsilon;
        }

        return real;
    }

    /// <summary>Stops simulated time at what it shows at <paramref name="real"/>.</summary>
    public IncidentClock Pause(Instant real) => RequireSimulated() with { RealAnchor = real, SimulatedAnchor = Now(real), Paused = true };

    /// <summary>Simulated time runs on from where it stood.</summary>
    public IncidentClock Resume(Instant real) => RequireSimulated() with { RealAnchor = real, SimulatedAnchor = Now(real), Paused = false };

    /// <summary>From <paramref name="real"/> on, simulated time runs at the new speed.</summary>
    public IncidentClock WithSpeed(Instant real, int speed)
    {
        CheckSpeed(speed);
        return RequireSimulated() with { RealAnchor = real, SimulatedAnchor = Now(real), Speed = speed };
    }

    /// <summary>Skips simulated time ahead by <paramref name="by"/> (never back); a paused clock stays paused.</summary>
    public IncidentClock Advance(Instant real, Duration by)
    {
        if (by < Duration.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(by), "A clock advances; it never goes back.");
        }

        return RequireSimulated() with { RealAnchor = real, SimulatedAnchor = Now(real) + by };
    }

    /// <summary>Skips simulated time ahead to <paramref name="to"/>, which must not lie before what it shows now.</summary>
    public IncidentClock AdvanceTo(Instant real, Instant to) => Advance(real, to - Now(real));

    private IncidentClock RequireSimulated() => IsSimulated ? this : throw new InvalidOperationException("Real time cannot be paused, sped up or advanced.");

    private static void CheckSpeed(int speed)
    {
        if (SpeedProblem(speed) is { } problem)
        {
            throw new ArgumentOutOfRangeException(nameof(speed), problem);
        }
    }
}
