using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;

namespace IncidentResponse.Core.AffectedPeople;

/// <summary>
/// The keys for individuals' personal data, derived from one 256-bit master key: an AES-256-GCM key that seals each
/// person's name, address and email as one blob, and a separate HMAC-SHA-256 key for the blind index that finds the
/// same person again without decrypting anyone. The key id (from the sealing key, not the master) is stored with
/// every row, so rows sealed under an earlier key can be told apart when keys rotate.
/// </summary>
public sealed class PersonalDataKey
{
    public const int Length = 32;

    public PersonalDataKey(ReadOnlySpan<byte> master)
    {
        if (master.Length != Length)
        {
            throw new ArgumentException($"The personal data key is {Length} bytes (256 bits); this one is {master.Length}.", nameof(master));
        }

        SealingKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, master.ToArray(), Length, info: "incident-response affected-people seal v1"u8.ToArray());
        IndexKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, master.ToArray(), Length, info: "incident-response affected-people blind index v1"u8.ToArray());
        Id = Convert.ToHexStringLower(SHA256.HashData(SealingKey))[..16];
    }

    public string Id { get; }
    internal byte[] SealingKey { get; }
    internal byte[] IndexKey { get; }
}

/// <summary>The personal part of a person once opened again.</summary>
public sealed record PersonalData(string Name, IReadOnlyList<string> AddressLines, string? City, string? State, string? PostalCode, string Country, string? Email);

/// <summary>
/// Seals and opens personal data with one key. Each blob is nonce (12 bytes), ciphertext, tag (16 bytes); the
/// incident id is the associated data, so a blob moved to another incident does not open. Not thread-safe: one
/// seal for one import, which seals and indexes every row of a file with it (hence the kept HMAC state and the
/// nonces drawn from the random generator a few hundred at a time).
/// </summary>
public sealed class PersonalDataSeal(PersonalDataKey key) : IDisposable
{
    private const int NonceLength = 12;
    private const int TagLength = 16;
    private const char Separator = '\u001F';
    private readonly AesGcm aes = new(key.SealingKey, TagLength);
    private readonly IncrementalHash index = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key.IndexKey);
    private readonly byte[] associated = new byte[16];
    private readonly byte[] nonces = new byte[NonceLength * 256];
    private int nonce = NonceLength * 256;

    public string KeyId => key.Id;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public byte[] Seal(AffectedPerson person, Guid incidentId)
    {
        var text = string.Join(Separator, [person.Name, string.Join('\n', person.AddressLines), person.City, person.State, person.PostalCode, person.Country, person.Email]);
        var length = Encoding.UTF8.GetByteCount(text);
        var blob = new byte[NonceLength + length + TagLength];
        if (nonce == nonces.Length)
        {
            RandomNumberGenerator.Fill(nonces);
            nonce = 0;
        }

        nonces.AsSpan(nonce, NonceLength).CopyTo(blob);
        nonce += NonceLength;
        var sealedText = blob.AsSpan(NonceLength, length);
        Encoding.UTF8.GetBytes(text, sealedText);
        incidentId.TryWriteBytes(associated);
        aes.Encrypt(blob.AsSpan(0, NonceLength), sealedText, sealedText, blob.AsSpan(NonceLength + length), associated);
        return blob;
    }

    public PersonalData Open(byte[] blob, Guid incidentId)
    {
        var plain = new byte[blob.Length - NonceLength - TagLength];
        incidentId.TryWriteBytes(associated);
        aes.Decrypt(blob.AsSpan(0, NonceLength), blob.AsSpan(NonceLength, plain.Length), blob.AsSpan(NonceLength + plain.Length), plain, associated);
        var parts = Encoding.UTF8.GetString(plain).Split(Separator);
        string? Optional(string s) => s.Length == 0 ? null : s;
        return new PersonalData(parts[0], parts[1].Length == 0 ? [] : parts[1].Split('\n'), Optional(parts[2]), Optional(parts[3]), Optional(parts[4]), parts[5], Optional(parts[6]));
    }

    /// <summary>The keyed blind index of a person's identity (<see cref="AffectedPerson.IdentityText"/>): equal for the same person, unreadable without the key.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public byte[] BlindIndex(AffectedPerson person)
    {
        index.AppendData(Encoding.UTF8.GetBytes(person.IdentityText()));
        return index.GetHashAndReset();
    }

    public void Dispose()
    {
        aes.Dispose();
        index.Dispose();
    }
}
