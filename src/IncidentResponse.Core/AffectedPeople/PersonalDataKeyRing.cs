namespace IncidentResponse.Core.AffectedPeople;

/// <summary>
/// The current personal data key, which seals and indexes everything new, and the former keys a rotation left behind,
/// which only open rows not yet re-keyed. Each row names its key by id, so the ring finds the one that opens it.
/// </summary>
public sealed class PersonalDataKeyRing
{
    public PersonalDataKeyRing(PersonalDataKey current, IEnumerable<PersonalDataKey> former)
    {
        Current = current;
        Former = [.. former.Where(k => k.Id != current.Id).DistinctBy(k => k.Id)];
    }

    public PersonalDataKey Current { get; }
    public IReadOnlyList<PersonalDataKey> Former { get; }

    /// <summary>The key with this id; a row under a key the ring does not hold cannot be opened, and says which key it needs.</summary>
    public PersonalDataKey Find(string keyId) =>
        keyId == Current.Id ? Current : Former.FirstOrDefault(k => k.Id == keyId) ?? throw new UnknownPersonalDataKeyException(keyId);
}

/// <summary>A row sealed under a key that is neither the current one nor a configured former one.</summary>
public sealed class UnknownPersonalDataKeyException(string keyId)
    : Exception($"Personal data sealed under key {keyId} cannot be opened: no configured personal data key has that id. Configure the key it was sealed with as a former key (IR_DATA_KEY_PREVIOUS).")
{
    public string KeyId { get; } = keyId;
}

/// <summary>
/// A seal per key of a ring, made when first needed: opens each row with the key it names, and re-seals a row under
/// the current key with its blind index recomputed (the residence, kept in the clear, is part of a person's identity).
/// Not thread-safe, like <see cref="PersonalDataSeal"/>.
/// </summary>
public sealed class PersonalDataSeals(PersonalDataKeyRing ring) : IDisposable
{
    private readonly Dictionary<string, PersonalDataSeal> seals = [];

    public PersonalDataSeal Current => For(ring.Current.Id);

    public PersonalData Open(string keyId, byte[] blob, Guid incidentId) => For(keyId).Open(blob, incidentId);

    public SealedPerson Reseal(string keyId, byte[] blob, Guid incidentId, string residence, int dataElements)
    {
        var data = Open(keyId, blob, incidentId);
        var person = new AffectedPerson(data.Name, data.AddressLines, data.City, data.State, data.PostalCode, data.Country, data.Email, residence, dataElements);
        return new SealedPerson(Current.BlindIndex(person), Current.Seal(person, incidentId), residence, dataElements);
    }

    private PersonalDataSeal For(string keyId)
    {
        if (!seals.TryGetValue(keyId, out var seal))
        {
            seal = new PersonalDataSeal(ring.Find(keyId));
            seals[keyId] = seal;
        }

        return seal;
    }

    public void Dispose()
    {
        foreach (var seal in seals.Values)
        {
            seal.Dispose();
        }
    }
}
