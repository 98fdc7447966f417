using System.Net;
using IncidentResponse.Core.Identity;
using IncidentResponse.Server.Organisations;
using IncidentResponse.Server.Tests.Infrastructure;

namespace IncidentResponse.Server.Tests.Organisations;

/// <summary>The organisation profile's contact, which every letter's "how to reach us" is drafted from.</summary>
[Collection(PostgresCollection.Name)]
public sealed class OrganisationApiTests(PostgresServerFixture fixture)
{
    private static readonly LetterContact Good = new(
        "Northwind", "410 Harbor Way, Suite 200, Oakland, CA 94607", "1-888-555-0147", "www.northwind.example/notice", "privacy@northwind.example");

    [Theory]
    [InlineData("contact.shortName", 101)]
    [InlineData("contact.address", 501)]
    [InlineData("contact.phone", 200)]
    [InlineData("contact.website", 301)]
    [InlineData("contact.email", 321)]
    public async Task A_contact_field_too_long_is_refused_naming_it_and_nothing_changes(string field, int length)
    {
        var text = new string('7', length);
        var contact = field switch
        {
            "contact.shortName" => Good with { ShortName = text },
            "contact.address" => Good with { Address = text },
            "contact.phone" => Good with { Phone = text },
            "contact.website" => Good with { Website = text },
            _ => Good with { Email = text[..^"@northwind.example".Length] + "@northwind.example" },
        };
        await AssertRefusedAsync(contact, field);
    }

    [Theory]
    [InlineData("privacy.northwind.example")]
    [InlineData("privacy@northwind")]
    [InlineData("privacy@@northwind.example")]
    [InlineData("@northwind.example")]
    [InlineData("privacy team@northwind.example")]
    public async Task A_contact_email_that_is_not_an_address_is_refused_and_nothing_changes(string email) =>
        await AssertRefusedAsync(Good with { Email = email }, "contact.email");

    [Fact]
    public async Task A_good_contact_is_stored_trimmed_and_blank_fields_become_none()
    {
        using var admin = fixture.As(Role.Administrator);
        var before = await (await admin.GetAsync("/api/v1/organisation")).Read<OrganisationView>();
        var patched = await admin.SendJson(HttpMethod.Patch, "/api/v1/organisation",
            new { contact = Good with { Email = "  privacy@northwind.example ", Website = " " } }, ifMatch: $"{before.Version}");
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var stored = await patched.Read<OrganisationView>();
        Assert.Equal(Good with { Website = null }, stored.Contact);

        var restored = await admin.SendJson(HttpMethod.Patch, "/api/v1/organisation", new { contact = before.Contact }, ifMatch: $"{stored.Version}");
        Assert.Equal(before.Contact, (await restored.Read<OrganisationView>()).Contact);
    }

    private async Task AssertRefusedAsync(LetterContact contact, string field)
    {
        using var admin = fixture.As(Role.Administrator);
        var before = await (await admin.GetAsync("/api/v1/organisation")).Read<OrganisationView>();
        var response = await admin.SendJson(HttpMethod.Patch, "/api/v1/organisation", new { name = "Renamed on the way", contact }, ifMatch: $"{before.Version}");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal(field, (await response.Problem()).GetProperty("errors").EnumerateObject().Single().Name);
        var after = await (await admin.GetAsync("/api/v1/organisation")).Read<OrganisationView>();
        Assert.Equal((before.Name, before.Contact, before.Version), (after.Name, after.Contact, after.Version));
    }
}
