namespace IncidentResponse.Core.Playbooks.Conditions;

/// <summary>A path a condition reads: a root and one name, such as <c>decisions['le-decision']</c> or <c>entity.secRegistrant</c>.</summary>
public readonly record struct ConditionPath(string Root, string Name)
{
    /// <summary>The path as an author writes it: dotted when the name is an identifier, bracketed otherwise (hyphens).</summary>
    public override string ToString() =>
        IsIdentifier(Name) ? $"{Root}.{Name}" : $"{Root}[{ConditionValue.Of(Name ?? "")}]";

    /// <summary>A letter, then letters or digits: the names that may follow a dot.</summary>
    internal static bool IsIdentifier(string? text) =>
        !string.IsNullOrEmpty(text) && char.IsAsciiLetter(text[0]) && text.All(char.IsAsciiLetterOrDigit);
}
