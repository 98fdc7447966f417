namespace IncidentResponse.Core.Letters;

/// <summary>A letter that cannot be drafted or checked as asked, with the input at fault (a group code, the template).</summary>
public sealed class LetterException(string field, string problem) : Exception($"{field}: {problem}")
{
    public string Field { get; } = field;
    public string Problem { get; } = problem;
}
