using IncidentResponse.Core.Laws;
using NodaTime;

namespace IncidentResponse.Core.LawEnforcement;

/// <summary>How a law-enforcement contact was made.</summary>
public enum ContactChannel
{
    Phone,
    Email,
    InPerson,
    OnlinePortal,
    Letter,
    Other,
}

/// <summary>Where a law-enforcement delay stands at an instant.</summary>
public enum DelayStatus
{
    InForce,
    Expired,
    Lifted,
}

/// <summary>Why a change to a delay is refused: the field at fault, or (no field) the state the delay is in.</summary>
public sealed record DelayProblem(string? Field, string Message);

/// <summary>One request to delay notification: the first one or a renewal. No expiry: until further notice.</summary>
public sealed record DelayTerm(Instant RequestedAt, Instant? ExpiresAt, DelayForm Form);

/// <summary>
/// A law-enforcement request to delay notification as it was made, renewed and lifted. Each request is a delay of its
/// own for the law engine, so a rule that wants the request in writing ignores an oral renewal, and an oral request's
/// limit (HIPAA's 30 days) counts from that request; a lift cuts every request short.
/// </summary>
public sealed record DelayRequest(IReadOnlyList<DelayTerm> Terms, Instant? LiftedAt)
{
    public DelayTerm Current => Terms[^1];

    /// <summary>When the delay stops: its lift, or the current request's expiry; null while it runs until further notice.</summary>
    public Instant? EndsAt => Cut(Current.ExpiresAt, LiftedAt);

    public DelayStatus StatusAt(Instant now) =>
        LiftedAt is { } lifted && lifted <= now ? DelayStatus.Lifted
        : EndsAt is { } ends && ends <= now ? DelayStatus.Expired
        : DelayStatus.InForce;

    /// <summary>The law engine's delays for these requests, in request order (the order the engine merges them in).</summary>
    public static IReadOnlyList<LawEnforcementDelay> Facts(IEnumerable<DelayRequest> requests) =>
        requests.SelectMany(r => r.Terms.Select(t => new LawEnforcementDelay(t.RequestedAt, Cut(t.ExpiresAt, r.LiftedAt), t.Form)))
            .OrderBy(d => d.RequestedAt).ToList();

    /// <summary>Why a first request cannot be recorded as given, or null.</summary>
    public static DelayProblem? CheckFirst(DelayTerm term) =>
        term.ExpiresAt <= term.RequestedAt ? new("expiresAt", "A delay expires after it was requested.") : null;

    /// <summary>Why a renewal cannot be added, or null: it renews a delay still in force, after its last request.</summary>
    public DelayProblem? CheckRenewal(DelayTerm renewal)
    {
        if (LiftedAt is not null)
        {
            return new(null, "The delay was lifted: record a new delay instead.");
        }

        if (renewal.RequestedAt < Current.RequestedAt)
        {
            return new("requestedAt", "A renewal comes after the request it renews.");
        }

        if (Current.ExpiresAt is { } expires && renewal.RequestedAt > expires)
        {
            return new(null, $"The delay expired at {expires}: a renewal after it is a new delay.");
        }

        return renewal.ExpiresAt <= renewal.RequestedAt ? new("expiresAt", "A renewal expires after it was requested.") : null;
    }

    /// <summary>Why the delay cannot be lifted at this instant, or null.</summary>
    public DelayProblem? CheckLift(Instant at)
    {
        if (LiftedAt is not null)
        {
            return new(null, "The delay was already lifted.");
        }

        if (at < Terms[0].RequestedAt)
        {
            return new("at", "A delay is lifted after it was requested.");
        }

        return Current.ExpiresAt is { } expires && at >= expires ? new(null, $"The delay had already expired at {expires}.") : null;
    }

    private static Instant? Cut(Instant? expires, Instant? lifted) =>
        lifted is { } l && (expires is null || l < expires) ? l : expires;
}
