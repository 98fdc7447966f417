using System.Globalization;

namespace IncidentResponse.Core.Incidents;

/// <summary>The human reference of an incident: INC-2026-0001, numbered per year.</summary>
public static class IncidentReference
{
    public static string Format(int year, int number) =>
        string.Create(CultureInfo.InvariantCulture, $"INC-{year:D4}-{number:D4}");
}
