using IncidentResponse.Core.Laws;
using IncidentResponse.Core.Letters;
using Xunit;

namespace IncidentResponse.Core.Tests.Letters;

public sealed class LetterPlanTests
{
    private static readonly IReadOnlyList<Recipient> Library =
        [Recipient.Individuals, Recipient.Regulator, Recipient.ConsumerReportingAgencies, Recipient.Media];

    [Fact]
    public void Each_recipient_gets_the_notice_kinds_that_serve_its_obligations_with_their_codes()
    {
        var plan = LetterPlan.For(
            [
                ("US-CA", Recipient.Individuals), ("US-TX", Recipient.Individuals), ("US-TX", Recipient.Regulator), ("US-CA", Recipient.Regulator),
                ("HIPAA", Recipient.Regulator), ("GDPR", Recipient.Regulator), ("UK-GDPR", Recipient.Regulator), ("NYDFS", Recipient.Regulator),
                ("US-TX", Recipient.ConsumerReportingAgencies), ("HIPAA", Recipient.Media), ("US-CA", Recipient.Regulator),
            ],
            Library, NoticeCatalogue.Current);

        Assert.Equal(
            [
                "Individuals:(assessment)", "StateRegulators:US-CA,US-TX", "ConsumerReportingAgencies:US-TX", "Hhs:HIPAA",
                "SupervisoryAuthority:GDPR,UK-GDPR", "Nydfs:NYDFS", "Media:HIPAA",
            ],
            plan.Letters.Select(l => $"{l.Kind}:{(l.Codes is null ? "(assessment)" : string.Join(',', l.Codes))}"));
        Assert.Empty(plan.Unserved);
    }

    [Fact]
    public void Recipients_the_step_does_not_name_are_left_out_and_obligations_no_notice_serves_are_reported()
    {
        var plan = LetterPlan.For(
            [("US-NY", Recipient.Individuals), ("FTC-HBNR", Recipient.Regulator), ("US-NY", Recipient.Media), ("US-NY", Recipient.DataOwner)],
            [Recipient.Regulator, Recipient.DataOwner], NoticeCatalogue.Current);

        Assert.Empty(plan.Letters);
        Assert.Equal([new UnservedObligation(Recipient.Regulator, "FTC-HBNR"), new UnservedObligation(Recipient.DataOwner, "US-NY")], plan.Unserved);
    }

    [Fact]
    public void No_obligations_plan_no_letters()
    {
        var plan = LetterPlan.For([], Library, NoticeCatalogue.Current);

        Assert.Empty(plan.Letters);
        Assert.Empty(plan.Unserved);
    }
}
