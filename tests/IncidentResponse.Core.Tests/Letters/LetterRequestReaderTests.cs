using IncidentResponse.Core.Laws;
using IncidentResponse.Core.Letters;
using NodaTime;

namespace IncidentResponse.Core.Tests.Letters;

public sealed class LetterRequestReaderTests
{
    [Fact]
    public void The_sample_input_reads_into_every_field()
    {
        var request = LetterSamples.Northwind;

        Assert.Equal("Northwind Outfitters, Inc.", request.Organisation.Name);
        Assert.Equal("Northwind", request.Organisation.ShortName);
        Assert.Null(request.Organisation.Email);
        Assert.Equal(["1-888-555-0147", "www.northwind.example/notice", "410 Harbor Way, Suite 200, Oakland, CA 94607"], request.Organisation.ContactPoints);
        Assert.Equal(new LocalDate(2026, 5, 28), request.Incident.OccurredFrom);
        Assert.Equal(new LocalDate(2026, 6, 2), request.Incident.OccurredTo);
        Assert.True(request.Incident.CausedByEntity);
        Assert.Equal(new CreditMonitoringOffer(12, "ClearWatch Identity", null, false), request.Offer);
        Assert.Equal(new LocalDate(2026, 6, 24), request.NoticeDate);
        Assert.Equal(DeliveryMethod.Mail, request.DeliveryMethod);
        Assert.Equal([DataElement.Name, DataElement.Ssn, DataElement.PaymentCard], request.Facts.DataElements);
    }

    [Fact]
    public void A_null_offer_means_no_offer()
    {
        var (request, errors) = LetterRequestReader.Read(LetterSamples.Json.Replace(
            "\"offer\": { \"creditMonitoringMonths\": 12, \"provider\": \"ClearWatch Identity\", \"enrollBy\": null,\n             \"freeCreditReport\": false }",
            "\"offer\": null", StringComparison.Ordinal));

        Assert.Empty(errors);
        Assert.Null(request!.Offer);
    }

    [Theory]
    [InlineData("\"timeZone\": \"America/Los_Angeles\"", "\"timeZone\": \"Mars/Olympus\"", "facts.entity.timeZone")]
    [InlineData("\"dataElements\": [\"name\", \"ssn\", \"paymentCard\"]", "\"dataElements\": [\"name\", \"shoeSize\"]", "facts.dataElements[1]")]
    [InlineData("\"name\": \"Northwind Outfitters, Inc.\",", "", "organisation.name")]
    [InlineData("\"isConsumerReportingAgency\": false", "\"isConsumerReportingAgency\": \"no\"", "organisation.isConsumerReportingAgency")]
    [InlineData("\"occurredFrom\": \"2026-05-28\"", "\"occurredFrom\": \"28/05/2026\"", "incident.occurredFrom")]
    [InlineData("\"occurredTo\": \"2026-06-02\"", "\"occurredTo\": \"2026-05-01\"", "incident.occurredTo")]
    [InlineData("\"causedByEntity\": true", "\"causedByEntity\": true, \"vector\": \"vendor\"", "incident.vector")]
    [InlineData("\"creditMonitoringMonths\": 12", "\"creditMonitoringMonths\": \"twelve\"", "offer.creditMonitoringMonths")]
    [InlineData("\"creditMonitoringMonths\": 12", "\"creditMonitoringMonths\": 0", "offer.creditMonitoringMonths")]
    [InlineData("\"provider\": \"ClearWatch Identity\"", "\"provider\": \"\"", "offer.provider")]
    [InlineData("\"noticeDate\": \"2026-06-24\"", "\"noticeDate\": \"2026-05-01\"", "noticeDate")]
    [InlineData("\"deliveryMethod\": \"mail\"", "\"deliveryMethod\": \"fax\"", "deliveryMethod")]
    [InlineData("\"deliveryMethod\": \"mail\"", "\"deliveryMethod\": \"mail\", \"recipients\": []", "recipients")]
    public void Bad_input_is_an_error_naming_the_json_path(string field, string replacement, string path)
    {
        Assert.Contains(field, LetterSamples.Json, StringComparison.Ordinal);

        var (request, errors) = LetterRequestReader.Read(LetterSamples.Json.Replace(field, replacement, StringComparison.Ordinal));

        Assert.Null(request);
        Assert.Contains(errors, e => e.Field == path);
    }

    [Fact]
    public void Missing_sections_are_each_named()
    {
        var (request, errors) = LetterRequestReader.Read("{}");

        Assert.Null(request);
        Assert.Equal(["facts", "organisation", "incident", "noticeDate", "deliveryMethod"], errors.Select(e => e.Field));
    }

    [Fact]
    public void An_organisation_nobody_can_reach_is_refused()
    {
        var json = LetterSamples.Json
            .Replace("\"address\": \"410 Harbor Way, Suite 200, Oakland, CA 94607\",", "", StringComparison.Ordinal)
            .Replace("\"phone\": \"1-888-555-0147\", \"website\": \"www.northwind.example/notice\",", "", StringComparison.Ordinal);

        var (_, errors) = LetterRequestReader.Read(json);

        Assert.Contains(errors, e => e.Field == "organisation" && e.Message.Contains("reach", StringComparison.Ordinal));
    }

    [Fact]
    public void Text_that_is_not_json_is_an_error_at_the_root()
    {
        var (_, errors) = LetterRequestReader.Read("{ not json");

        Assert.Equal("$", Assert.Single(errors).Field);
    }
}
