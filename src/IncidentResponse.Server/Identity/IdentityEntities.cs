using IncidentResponse.Core.Identity;
using IncidentResponse.Server.Persistence;
using NodaTime;

namespace IncidentResponse.Server.Identity;

public sealed class User : IVersioned
{
    public Guid Id { get; set; }
    public required string Email { get; set; }
    public required string DisplayName { get; set; }
    public List<Role> Roles { get; set; } = [];
    public string? PasswordHash { get; set; }
    public bool Disabled { get; set; }
    public Instant CreatedAt { get; set; }
    public int Version { get; set; }
}

public sealed class ApiKey
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public required string Name { get; set; }
    /// <summary>The first characters of the key, shown to people to tell keys apart.</summary>
    public required string Prefix { get; set; }
    /// <summary>SHA-256 of the whole key: keys are random and long, so a fast hash is enough.</summary>
    public required string Hash { get; set; }
    public Instant CreatedAt { get; set; }
    public Instant? RevokedAt { get; set; }
}
