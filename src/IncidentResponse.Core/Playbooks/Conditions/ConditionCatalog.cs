using System.Diagnostics.CodeAnalysis;

namespace IncidentResponse.Core.Playbooks.Conditions;

/// <summary>Where a condition's path values come from when it is evaluated.</summary>
public interface IConditionScope
{
    ConditionValue Resolve(ConditionPath path);
}

/// <summary>The static type of a path.</summary>
[SuppressMessage("Naming", "CA1720", Justification = "the members name the language's types")]
public enum ConditionType
{
    Boolean,
    Number,
    String,
    StringList,
}

/// <summary>What a path is, for the static check: its type, and for strings (or string lists) the allowed values (null = any).</summary>
public sealed record PathInfo(ConditionType Type, IReadOnlyCollection<string>? AllowedValues = null, bool Nullable = false);

/// <summary>The paths a condition may read; <see langword="null"/> from <see cref="Describe"/> means the path is unknown (an error).</summary>
public interface IConditionCatalog
{
    PathInfo? Describe(ConditionPath path);
}
