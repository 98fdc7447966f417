namespace IncidentResponse.Core.Playbooks.Conditions;

/// <summary>A condition that cannot be parsed, with the 0-based character index at fault.</summary>
public sealed class ConditionSyntaxException : Exception
{
    public ConditionSyntaxException(int position, string message)
        : this(position, message, null)
    {
    }

    /// <param name="hint">A suggestion shown after the position, e.g. "did you mean '&amp;&amp;'?".</param>
    public ConditionSyntaxException(int position, string message, string? hint)
        : base(hint is null ? $"{message} at position {position}" : $"{message} at position {position} ({hint})")
    {
        Position = position;
        Reason = message;
    }

    /// <summary>0-based character index in the condition text.</summary>
    public int Position { get; }

    /// <summary>The problem without the position.</summary>
    public string Reason { get; }
}
