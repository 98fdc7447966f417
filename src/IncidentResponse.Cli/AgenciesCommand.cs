using System.CommandLine;
using System.Text.Json;
using IncidentResponse.Core;
using IncidentResponse.Core.LawEnforcement;
using IncidentResponse.Core.Laws;

namespace IncidentResponse.Cli;

/// <summary>`ir agencies list`: the reviewed law-enforcement agency directory as JSON (docs/law-enforcement.md).</summary>
public static class AgenciesCommand
{
    private static readonly JsonSerializerOptions Indented = new(WireJson.Options) { WriteIndented = true };

    public static Command Create()
    {
        var jurisdiction = new Option<string?>("--jurisdiction") { Description = "Only the agencies covering this jurisdiction, such as US-CA: its FBI and Secret Service offices, attorney general and the federal entries" };
        var list = new Command("list", "Every agency in the directory, or those covering one jurisdiction, as JSON with contact channels, sources and confidence.") { jurisdiction };
        list.SetAction(parse =>
        {
            var wanted = parse.GetValue(jurisdiction);
            if (wanted is not null && !(wanted.StartsWith("US-", StringComparison.Ordinal) && ResidenceKeys.IsValid(wanted)))
            {
                parse.InvocationConfiguration.Error.WriteLine($"ir agencies list: '{wanted}' is not a US jurisdiction code (US-CA, US-DC, US-PR).");
                return 2;
            }

            var agencies = wanted is null ? AgencyDirectory.Current.Agencies : AgencyDirectory.Current.For(wanted);
            parse.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(agencies, Indented));
            return 0;
        });

        return new Command("agencies", "The law-enforcement and regulator agency directory.") { list };
    }
}
