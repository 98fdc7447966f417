using System.Security.Cryptography;
using System.Text;
using IncidentResponse.Core.AffectedPeople;
using IncidentResponse.Core.Laws;

namespace IncidentResponse.Core.Tests.AffectedPeople;

public sealed class PersonalDataSealTests
{
    internal static readonly AffectedPerson Jane = new("Jane Doe", ["1 Main Street", "Apt 2"], "Springfield", "IL", "62701", "US", "jane@example.com", "US-IL",
        1 << (int)DataElement.Ssn);

    [Fact]
    public void A_sealed_person_opens_again_and_shows_no_plaintext()
    {
        using var seal = new PersonalDataSeal(new PersonalDataKey(RandomNumberGenerator.GetBytes(32)));
        var incident = Guid.NewGuid();
        var blob = seal.Seal(Jane, incident);
        var raw = Encoding.UTF8.GetString(blob);
        Assert.DoesNotContain("Jane", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("Main", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("example.com", raw, StringComparison.Ordinal);
        var opened = seal.Open(blob, incident);
        Assert.Equal(["1 Main Street", "Apt 2"], opened.AddressLines);
        Assert.Equal(("Jane Doe", "Springfield", "IL", "62701", "US", "jane@example.com"),
            (opened.Name, opened.City, opened.State, opened.PostalCode, opened.Country, opened.Email));
    }

    [Fact]
    public void A_blob_moved_to_another_incident_or_tampered_with_does_not_open()
    {
        using var seal = new PersonalDataSeal(new PersonalDataKey(RandomNumberGenerator.GetBytes(32)));
        var incident = Guid.NewGuid();
        var blob = seal.Seal(Jane, incident);
        Assert.ThrowsAny<CryptographicException>(() => seal.Open(blob, Guid.NewGuid()));
        blob[20] ^= 1;
        Assert.ThrowsAny<CryptographicException>(() => seal.Open(blob, incident));
    }

    [Fact]
    public void The_blind_index_is_stable_for_a_key_and_differs_between_keys()
    {
        var master = RandomNumberGenerator.GetBytes(32);
        using var one = new PersonalDataSeal(new PersonalDataKey(master));
        using var again = new PersonalDataSeal(new PersonalDataKey(master));
        using var other = new PersonalDataSeal(new PersonalDataKey(RandomNumberGenerator.GetBytes(32)));
        Assert.Equal(one.BlindIndex(Jane), again.BlindIndex(Jane));
        Assert.Equal(one.KeyId, again.KeyId);
        Assert.NotEqual(one.BlindIndex(Jane), other.BlindIndex(Jane));
        Assert.NotEqual(one.KeyId, other.KeyId);
        Assert.NotEqual(one.BlindIndex(Jane), one.BlindIndex(Jane with { Name = "John Doe" }));
        Assert.Equal(32, one.BlindIndex(Jane).Length);
    }

    [Fact]
    public void Two_seals_of_the_same_person_differ()
    {
        using var seal = new PersonalDataSeal(new PersonalDataKey(RandomNumberGenerator.GetBytes(32)));
        var incident = Guid.NewGuid();
        Assert.NotEqual(seal.Seal(Jane, incident), seal.Seal(Jane, incident));
    }

    [Fact]
    public void A_key_of_the_wrong_length_is_refused() =>
        Assert.Throws<ArgumentException>(() => new PersonalDataKey(new byte[16]));
}
