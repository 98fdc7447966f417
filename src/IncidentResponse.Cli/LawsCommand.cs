using System.CommandLine;
using System.Text;
using IncidentResponse.Core;
using IncidentResponse.Core.Laws;

namespace IncidentResponse.Cli;

/// <summary>`ir laws list` and `ir laws show CODE`: the rule base, for people.</summary>
public static class LawsCommand
{
    public static Command Create()
    {
        var list = new Command("list", "Every jurisdiction and regime with its current version, citation and confidence.");
        list.SetAction(_ =>
        {
            Console.WriteLine($"Rule base {RuleBook.Current.Version}: {RuleBook.Current.Rules.Count} jurisdictions and regimes");
            foreach (var rule in RuleBook.Current.Rules)
            {
                var current = rule.Versions[^1];
                Console.WriteLine($"{rule.Code,-16} {rule.Name,-28} since {current.Effective:yyyy-MM-dd}  {current.Confidence,-6}  {current.Citation}");
            }

            return 0;
        });

        var code = new Argument<string>("code") { Description = "A rule code such as US-CA, HIPAA or GDPR" };
        var show = new Command("show", "One jurisdiction or regime in full: every version, obligation and deadline.") { code };
        show.SetAction(parse =>
        {
            var wanted = parse.GetValue(code)!;
            if (!RuleBook.Current.ByCode.TryGetValue(wanted, out var rule))
            {
                Console.Error.WriteLine($"ir laws show: no rule '{wanted}'. Try `ir laws list`.");
                return 2;
            }

            Console.Write(Describe(rule));
            return 0;
        });

        return new Command("laws", "The breach-notification rule base.") { list, show };
    }

    public static string Describe(Rule rule)
    {
        var text = new StringBuilder();
        text.AppendLine($"{rule.Name} ({rule.Code}, {rule.Kind})");
        foreach (var v in rule.Versions)
        {
            text.AppendLine();
            text.AppendLine($"Version in force from {v.Effective:yyyy-MM-dd}: {v.Citation}");
            text.AppendLine($"  Confidence: {v.Confidence}{(v.ConfidenceNote is null ? "" : " - " + v.ConfidenceNote)}");
            text.AppendLine($"  Sources: {string.Join("; ", v.Sources)}");
            var pi = v.PersonalInformation;
            text.AppendLine(pi.AnyIncident
                ? "  Covers: any incident, whatever the data"
                : $"  Covers: name with {Words(pi.WithName)}; on their own: {Words(pi.Standalone)}");
            text.AppendLine($"  Trigger: unauthorized {v.Trigger}");
            text.AppendLine(v.EncryptionSafeHarbor.Applies
                ? $"  Encryption safe harbor: yes{(v.EncryptionSafeHarbor.LostIfKeyCompromised ? ", lost if the key was compromised" : "")}"
                : "  Encryption safe harbor: no");
            text.AppendLine(v.RiskOfHarm.Exception
                ? $"  Risk-of-harm exception: yes{(v.RiskOfHarm.RequiresWrittenDetermination ? ", written determination" : "")}{(v.RiskOfHarm.RetainYears is { } y ? $" kept {y} years" : "")}{(v.RiskOfHarm.RequiresLawEnforcementConsultation ? ", after consulting law enforcement" : "")}"
                : "  Risk-of-harm exception: no");
            foreach (var o in v.Obligations)
            {
                var who = o.Recipient.ToString().ToCamelCase() + (o.Authority is null ? "" : $" ({o.Authority})");
                var threshold = o.Threshold is { } t ? $", when {t.Comparison.ToString().ToCamelCase()} {t.Residents} residents{(t.Per == ThresholdScope.ResidenceKey ? " of one state" : "")}" : "";
                var role = o.AppliesTo switch { AppliesTo.Maintainer => ", by an entity that maintains but does not own the data", AppliesTo.Any => ", by owner or maintainer", _ => "" };
                text.AppendLine($"  Notify {who}{threshold}{role}: {Deadline(o.Deadline)}  [{o.Citation}]");
            }
        }

        return text.ToString();
    }

    private static string Words(IEnumerable<DataElement> elements) =>
        string.Join(", ", elements.Select(e => e.ToString().ToCamelCase())) is { Length: > 0 } s ? s : "nothing";

    private static string Deadline(Deadline d) => d.Kind switch
    {
        DeadlineKind.Fixed => $"within {d.Amount} {d.Unit switch { DeadlineUnit.Hours => "hours", DeadlineUnit.BusinessDays => "business days", _ => "days" }} of {d.From.ToString()!.ToCamelCase()}",
        DeadlineKind.WithIndividuals => "no later than the notice to individuals",
        _ => "without unreasonable delay",
    };
}
