namespace IncidentResponse.Server.Api;

/// <summary>Request validation: each check names the field at fault.</summary>
public static class Require
{
    public static Failure? Text(string field, string? value, int maxLength) =>
        string.IsNullOrWhiteSpace(value)
            ? Failure.Invalid(field, $"'{field}' is required.")
            : OptionalText(field, value, maxLength);

    public static Failure? OptionalText(string field, string? value, int maxLength) =>
        value is not null && value.Length > maxLength
            ? Failure.Invalid(field, $"'{field}' is longer than {maxLength} characters.")
            : null;

    /// <summary>Absent or blank, or an address of the plausible shape (one @, a domain with a dot, no spaces).</summary>
    public static Failure? OptionalEmail(string field, string? value, int maxLength) =>
        OptionalText(field, value, maxLength)
        ?? (string.IsNullOrWhiteSpace(value) || Core.EmailAddresses.IsPlausible(value.Trim())
            ? null
            : Failure.Invalid(field, $"'{field}' is not an email address (one @, a domain with a dot, no spaces)."));

    public static Failure? Present<T>(string field, T? value) where T : struct =>
        value is null ? Failure.Invalid(field, $"'{field}' is required.") : null;

    public static Failure? AtMost(string field, int count, int max) =>
        count > max ? Failure.Invalid(field, $"'{field}' has more than {max} entries.") : null;

    /// <summary>A camelCase word from the route (unknown: 404) or the query (unknown: 400).</summary>
    public static Outcome<T> Word<T>(string field, string value, FailureKind unknown = FailureKind.NotFound) where T : struct, Enum
    {
        if (Enum.TryParse<T>(value, ignoreCase: true, out var parsed) && !int.TryParse(value, out _))
        {
            return parsed;
        }

        var allowed = string.Join(", ", Enum.GetNames<T>().Select(Core.Naming.ToCamelCase));
        return new Failure(unknown, $"'{value}' is not a valid {field}. Allowed: {allowed}.", field);
    }

    /// <summary>An optional word (a query filter): none when absent, a failure naming the field when unknown.</summary>
    public static Outcome<T?> OptionalWord<T>(string field, string? value, FailureKind unknown) where T : struct, Enum
    {
        if (value is null)
        {
            return new Outcome<T?>(null, null);
        }

        var word = Word<T>(field, value, unknown);
        return word.Failure is { } failure ? failure : word.Value;
    }
}
