using System.Security.Cryptography;
using IncidentResponse.Core.AffectedPeople;

namespace IncidentResponse.Core.Tests.AffectedPeople;

public sealed class PersonalDataKeyRingTests
{
    private static readonly AffectedPerson Jane = PersonalDataSealTests.Jane;

    private static readonly PersonalDataKey Former = new(RandomNumberGenerator.GetBytes(32));
    private static readonly PersonalDataKey Current = new(RandomNumberGenerator.GetBytes(32));

    [Fact]
    public void A_row_sealed_under_a_former_key_opens_with_the_key_it_names()
    {
        var incident = Guid.NewGuid();
        using var before = new PersonalDataSeal(Former);
        var blob = before.Seal(Jane, incident);
        using var seals = new PersonalDataSeals(new PersonalDataKeyRing(Current, [Former]));

        Assert.Equal("jane@example.com", seals.Open(Former.Id, blob, incident).Email);
        Assert.ThrowsAny<CryptographicException>(() => seals.Open(Current.Id, blob, incident));
    }

    [Fact]
    public void Resealing_gives_what_sealing_the_person_under_the_current_key_gives()
    {
        var incident = Guid.NewGuid();
        using var before = new PersonalDataSeal(Former);
        using var after = new PersonalDataSeal(Current);
        using var seals = new PersonalDataSeals(new PersonalDataKeyRing(Current, [Former]));

        var resealed = seals.Reseal(Former.Id, before.Seal(Jane, incident), incident, Jane.Residence, Jane.DataElements);

        Assert.Equal(after.BlindIndex(Jane), resealed.BlindIndex);
        Assert.NotEqual(before.BlindIndex(Jane), resealed.BlindIndex);
        Assert.Equal((Jane.Residence, Jane.DataElements), (resealed.Residence, resealed.DataElements));
        var opened = after.Open(resealed.Sealed, incident);
        Assert.Equal((Jane.Name, Jane.City, Jane.Email), (opened.Name, opened.City, opened.Email));
        Assert.Equal(Jane.AddressLines, opened.AddressLines);
    }

    [Fact]
    public void A_key_id_the_ring_does_not_hold_is_named_in_the_error()
    {
        var ring = new PersonalDataKeyRing(Current, [Former, Current, Former]);
        Assert.Equal([Former.Id], ring.Former.Select(k => k.Id));
        Assert.Same(Current, ring.Find(Current.Id));

        using var seals = new PersonalDataSeals(new PersonalDataKeyRing(Current, []));
        var error = Assert.Throws<UnknownPersonalDataKeyException>(() => seals.Open(Former.Id, new byte[40], Guid.NewGuid()));
        Assert.Equal(Former.Id, error.KeyId);
        Assert.Contains($"key {Former.Id}", error.Message, StringComparison.Ordinal);
    }
}
