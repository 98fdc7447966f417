using System.Globalization;

namespace IncidentResponse.Core.Playbooks.Conditions;

/// <summary>A runtime value: null, boolean, number (decimal), string, or list of strings. Immutable.</summary>
public readonly struct ConditionValue : IEquatable<ConditionValue>
{
    public static readonly ConditionValue Null;

    private readonly ConditionType? type;
    private readonly bool boolean;
    private readonly decimal number;
    private readonly object? reference; // the string, or the read-only list of strings

    private ConditionValue(ConditionType type, bool boolean = false, decimal number = 0, object? reference = null)
    {
        this.type = type;
        this.boolean = boolean;
        this.number = number;
        this.reference = reference;
    }

    /// <summary>The value's type; <see langword="null"/> for <see cref="Null"/>.</summary>
    public ConditionType? Type => type;

    public bool IsNull => type is null;

    public bool? AsBoolean => type == ConditionType.Boolean ? boolean : null;

    public decimal? AsNumber => type == ConditionType.Number ? number : null;

    public string? AsString => type == ConditionType.String ? (string)reference! : null;

    public IReadOnlyList<string>? AsList => type == ConditionType.StringList ? (IReadOnlyList<string>)reference! : null;

    public static ConditionValue Of(bool value) => new(ConditionType.Boolean, boolean: value);

    public static ConditionValue Of(decimal value) => new(ConditionType.Number, number: value);

    public static ConditionValue Of(string? value) => value is null ? Null : new(ConditionType.String, reference: value);

    /// <summary>A list of strings; the list is copied, so later changes to <paramref name="values"/> do not show.</summary>
    public static ConditionValue Of(IReadOnlyList<string>? values)
    {
        if (values is null)
        {
            return Null;
        }

        var copy = values.ToArray();
        if (Array.IndexOf(copy, null) >= 0)
        {
            throw new ArgumentException("a list value cannot contain null", nameof(values));
        }

        return new(ConditionType.StringList, reference: Array.AsReadOnly(copy));
    }

    /// <summary>Same type and same value; numbers compare numerically, strings ordinally, lists element by element.</summary>
    public bool Equals(ConditionValue other) => type == other.type && type switch
    {
        null => true,
        ConditionType.Boolean => boolean == other.boolean,
        ConditionType.Number => number == other.number,
        ConditionType.String => string.Equals(AsString, other.AsString, StringComparison.Ordinal),
        _ => AsList!.SequenceEqual(other.AsList!, StringComparer.Ordinal),
    };

    public override bool Equals(object? obj) => obj is ConditionValue other && Equals(other);

    public override int GetHashCode() => type switch
    {
        null => 0,
        ConditionType.Boolean => HashCode.Combine(type, boolean),
        ConditionType.Number => HashCode.Combine(type, number),
        ConditionType.String => HashCode.Combine(type, StringComparer.Ordinal.GetHashCode(AsString!)),
        _ => AsList!.Aggregate(HashCode.Combine(type), (hash, s) => HashCode.Combine(hash, StringComparer.Ordinal.GetHashCode(s))),
    };

    public static bool operator ==(ConditionValue left, ConditionValue right) => left.Equals(right);

    public static bool operator !=(ConditionValue left, ConditionValue right) => !left.Equals(right);

    /// <summary>The value written as a literal of the language: <c>null</c>, <c>true</c>, <c>12.5</c>, <c>'it\'s'</c>, <c>['a', 'b']</c>.</summary>
    public override string ToString() => type switch
    {
        null => "null",
        ConditionType.Boolean => boolean ? "true" : "false",
        ConditionType.Number => number.ToString(CultureInfo.InvariantCulture),
        ConditionType.String => Quote(AsString!),
        _ => $"[{string.Join(", ", AsList!.Select(Quote))}]",
    };

    private static string Quote(string text) => $"'{text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal)}'";
}
