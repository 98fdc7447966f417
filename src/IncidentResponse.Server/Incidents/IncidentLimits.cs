namespace IncidentResponse.Server.Incidents;

/// <summary>Field sizes, shared by the database schema and request validation.</summary>
public static class IncidentLimits
{
    public const int TitleLength = 200;
    public const int SummaryLength = 4000;
    public const int TextLength = 8000;
    public const int NoteLength = 2000;
    public const int ReasonLength = 2000;
}
