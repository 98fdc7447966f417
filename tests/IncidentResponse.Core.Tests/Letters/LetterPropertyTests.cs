using CsCheck;
using IncidentResponse.Core.Laws;
using IncidentResponse.Core.Letters;

namespace IncidentResponse.Core.Tests.Letters;

/// <summary>Over random groups, data and offers: every letter we draft passes its own group's checks.</summary>
public sealed class LetterPropertyTests
{
    private static readonly string[] Codes = [.. LetterSamples.CodesWithContentRules(), "US-TX", "US-GA"];

    private static readonly Gen<LetterRequest> Requests =
        from elements in Gen.Enum<DataElement>().Array[1, 6]
        from months in Gen.Int[0, 48]
        from freeReport in Gen.Bool
        from caused in Gen.Bool
        from delayed in Gen.Bool
        select Variant(elements, months, freeReport, caused, delayed);

    private static readonly Gen<string[]> Groups = Gen.Int[0, Codes.Length - 1].Select(i => Codes[i]).ArrayUnique[1, 6];

    [Fact]
    public void Every_drafted_letter_passes_its_groups_checks_or_only_misses_an_offer_the_organisation_must_fix()
    {
        Gen.Select(Requests, Groups).Sample((request, codes) =>
        {
            var group = LetterSamples.Group(request, codes);
            var draft = LetterDrafter.Draft(request, group, ContactDirectory.Current);
            var parts = draft.Document is null ? draft.Split : [codes];
            return parts.All(part =>
            {
                var requirements = LetterRules.Merge(LetterSamples.Group(request, [.. part]), request);
                var letter = LetterDrafter.Draft(request, LetterSamples.Group(request, [.. part]), ContactDirectory.Current).Document;
                if (letter is null || requirements.Conflicts.Count > 0)
                {
                    return false;
                }

                var failures = LetterChecker.Check(letter.ToText(), request, requirements, ContactDirectory.Current).Checks
                    .Where(c => c.Status is CheckStatus.Missing or CheckStatus.ForbiddenPresent).ToList();
                return failures.All(f => f.Requirement == LetterRules.CreditMonitoringOffer && requirements.Findings.Count > 0);
            });
        }, iter: 150);
    }

    private static LetterRequest Variant(DataElement[] elements, int months, bool freeReport, bool caused, bool delayed)
    {
        var sample = LetterSamples.Northwind;
        return sample with
        {
            Facts = sample.Facts with
            {
                DataElements = [.. elements.Distinct()],
                LawEnforcementDelays = delayed ? [new LawEnforcementDelay(sample.Facts.DiscoveredAt, null, DelayForm.Written)] : [],
            },
            Incident = sample.Incident with { CausedByEntity = caused },
            Offer = months == 0 ? null : new CreditMonitoringOffer(months, "ClearWatch Identity", null, freeReport),
        };
    }
}
