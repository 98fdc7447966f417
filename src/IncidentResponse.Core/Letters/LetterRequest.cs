using IncidentResponse.Core.Laws;
using NodaTime;

namespace IncidentResponse.Core.Letters;

/// <summary>Everything a letter to individuals is drafted or checked from (the JSON contract in docs/letters.md).</summary>
public sealed record LetterRequest(
    BreachFacts Facts,
    Organisation Organisation,
    IncidentNarrative Incident,
    CreditMonitoringOffer? Offer,
    LocalDate NoticeDate,
    DeliveryMethod DeliveryMethod);

/// <summary>The organisation that sends the letter and how people reach it.</summary>
public sealed record Organisation(
    string Name, string? ShortName, string? Address, string? Phone, string? Website, string? Email, bool IsConsumerReportingAgency)
{
    /// <summary>The contact points given, in the order a letter lists them.</summary>
    public IReadOnlyList<string> ContactPoints => new[] { Phone, Email, Website, Address }.OfType<string>().ToList();
}

/// <summary>What happened, in the organisation's words, and when.</summary>
public sealed record IncidentNarrative(string Summary, LocalDate OccurredFrom, LocalDate? OccurredTo, bool CausedByEntity);

/// <summary>The credit-monitoring or identity-protection service the organisation offers, if any.</summary>
public sealed record CreditMonitoringOffer(int Months, string Provider, LocalDate? EnrollBy, bool FreeCreditReport);

public enum DeliveryMethod
{
    Mail,
    Email,
}
