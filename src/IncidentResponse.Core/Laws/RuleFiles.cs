namespace IncidentResponse.Core.Laws;

// The YAML shape of a rule file, exactly as written by reviewers (docs/law-rules.md). Everything is
// text here; RuleCompiler turns it into the typed model and names the file and field of any mistake.
#pragma warning disable CA1812 // Instantiated by the YAML deserializer.

internal sealed class RuleFileDto
{
    public string? Code { get; set; }
    public string? Name { get; set; }
    public string? Kind { get; set; }
    public List<RuleVersionDto>? Versions { get; set; }
}

internal sealed class RuleVersionDto
{
    public string? Effective { get; set; }
    public string? Citation { get; set; }
    public List<string>? Sources { get; set; }
    public string? Confidence { get; set; }
    public string? ConfidenceNote { get; set; }
    public ApplicabilityDto? Applicability { get; set; }
    public PersonalInformationDto? PersonalInformation { get; set; }
    public string? Trigger { get; set; }
    public EncryptionDto? EncryptionSafeHarbor { get; set; }
    public RiskOfHarmDto? RiskOfHarm { get; set; }
    public List<DeemedComplianceDto>? DeemedCompliance { get; set; }
    public List<ObligationDto>? Obligations { get; set; }
    public SubstituteNoticeDto? SubstituteNotice { get; set; }
    public LetterContentDto? LetterContent { get; set; }
}

internal sealed class ApplicabilityDto
{
    public List<string>? ResidenceKeys { get; set; }
    public List<string>? EntityRequiresAll { get; set; }
    public List<string>? EntityRequiresAny { get; set; }
    public bool AppliesWithoutResidents { get; set; }
    public string? AppliesWithoutResidentsWhenEntity { get; set; }
}

internal sealed class PersonalInformationDto
{
    public bool AnyIncident { get; set; }
    public List<string>? WithName { get; set; }
    public List<string>? Identifiers { get; set; }
    public List<string>? Standalone { get; set; }
    public string? Note { get; set; }
}

internal sealed class EncryptionDto
{
    public bool Applies { get; set; }
    public bool LostIfKeyCompromised { get; set; }
    public List<string>? Recipients { get; set; }
    public string? Citation { get; set; }
}

internal sealed class RiskOfHarmDto
{
    public bool Exception { get; set; }
    public List<string>? Recipients { get; set; }
    public bool RequiresWrittenDetermination { get; set; }
    public int? RetainYears { get; set; }
    public bool RequiresLawEnforcementConsultation { get; set; }
    public string? Citation { get; set; }
}

internal sealed class DeemedComplianceDto
{
    public string? EntityFlag { get; set; }
    public string? Effect { get; set; }
    public List<string>? Recipients { get; set; }
    public string? Citation { get; set; }
    public string? Note { get; set; }
}

internal sealed class ObligationDto
{
    public string? Id { get; set; }
    public string? Recipient { get; set; }
    public string? Authority { get; set; }
    public string? AppliesTo { get; set; }
    public string? EntityFlag { get; set; }
    public bool OnlyWhenRiskOfHarmExceptionApplied { get; set; }
    public ThresholdDto? Threshold { get; set; }
    public DeadlineDto? Deadline { get; set; }
    public DelayDto? LawEnforcementDelay { get; set; }
    public string? Citation { get; set; }
    public string? Notes { get; set; }
}

internal sealed class ThresholdDto
{
    public int? Residents { get; set; }
    public string? Comparison { get; set; }
    public string? Per { get; set; }
}

internal sealed class DeadlineDto
{
    public string? Kind { get; set; }
    public int? Amount { get; set; }
    public string? Unit { get; set; }
    public string? From { get; set; }
    public string? Calendar { get; set; }
    public string? Note { get; set; }
    public List<DeadlineDto>? OrEarlier { get; set; }
}

internal sealed class DelayDto
{
    public string? Effect { get; set; }
    public int? Amount { get; set; }
    public string? Unit { get; set; }
    public int? OralLimitDays { get; set; }
    public bool RequiresWritten { get; set; }
    public string? Citation { get; set; }
}

internal sealed class SubstituteNoticeDto
{
    public long? CostExceeds { get; set; }
    public long? AffectedExceed { get; set; }
    public bool InsufficientContactInfo { get; set; }
    public List<string>? Methods { get; set; }
    public string? Citation { get; set; }
}

internal sealed class LetterContentDto
{
    public string? Title { get; set; }
    public List<string>? Headings { get; set; }
    public int? MinFontPt { get; set; }
    public List<string>? Required { get; set; }
    public List<string>? Forbidden { get; set; }
    public CreditMonitoringDto? CreditMonitoring { get; set; }
    public string? Citation { get; set; }
}

internal sealed class CalendarFileDto
{
    public string? Code { get; set; }
    public string? Name { get; set; }
    public string? Citation { get; set; }
    public List<string>? Sources { get; set; }
    public string? Confidence { get; set; }
    public string? ConfidenceNote { get; set; }
    public string? Observed { get; set; }
    public List<HolidayDto>? Holidays { get; set; }
}

internal sealed class HolidayDto
{
    public string? Name { get; set; }
    public int? Month { get; set; }
    public int? Day { get; set; }
    public string? Weekday { get; set; }
    public int? Nth { get; set; }
    public string? Observed { get; set; }
}

internal sealed class CreditMonitoringDto
{
    public int? Months { get; set; }
    public string? When { get; set; }
    public List<string>? Elements { get; set; }
    public bool WithName { get; set; }
    public bool EntityCaused { get; set; }
    public int? ConsumerReportingAgencyMonths { get; set; }
    public bool FreeCreditReport { get; set; }
}
