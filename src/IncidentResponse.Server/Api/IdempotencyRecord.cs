using NodaTime;

namespace IncidentResponse.Server.Api;

/// <summary>A remembered POST: a retry with the same Idempotency-Key replays this response.</summary>
public sealed class IdempotencyRecord
{
    public const int MaxKeyLength = 128;

    public required string Key { get; set; }
    public required string Principal { get; set; }
    public required string RequestHash { get; set; }
    public int? StatusCode { get; set; }
    public string? ContentType { get; set; }
    public string? Location { get; set; }
    public byte[]? Body { get; set; }
    public Instant CreatedAt { get; set; }
}
