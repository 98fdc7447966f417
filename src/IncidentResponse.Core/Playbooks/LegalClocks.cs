using IncidentResponse.Core.Laws;

namespace IncidentResponse.Core.Playbooks;

/// <summary>The legal clocks playbooks can anchor to, and which obligations stand behind each (docs/playbooks.md "Legal clocks").</summary>
public static class LegalClocks
{
    public static readonly IReadOnlyList<string> Names =
        ["earliestIndividualNotice", "earliestRegulatorNotice", "secForm8K", "gdprSupervisoryAuthority", "nydfsSuperintendent", "hhsNotice"];

    public static bool Covers(string clock, string regime, Recipient recipient) => clock switch
    {
        "earliestIndividualNotice" => recipient == Recipient.Individuals,
        "earliestRegulatorNotice" => recipient == Recipient.Regulator,
        "secForm8K" => regime == "SEC",
        "gdprSupervisoryAuthority" => regime == "GDPR" && recipient == Recipient.Regulator,
        "nydfsSuperintendent" => regime == "NYDFS",
        "hhsNotice" => regime == "HIPAA" && recipient == Recipient.Regulator,
        _ => false,
    };
}
