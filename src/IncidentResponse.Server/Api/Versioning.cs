using System.Globalization;

namespace IncidentResponse.Server.Api;

/// <summary>Optimistic concurrency over HTTP: ETag out, If-Match in.</summary>
public static class Versioning
{
    public static string ETag(int version) => string.Create(CultureInfo.InvariantCulture, $"\"{version}\"");

    /// <summary>Reads a required If-Match: writes that replace fields must say which version they replace.</summary>
    public static Outcome<int> RequireIfMatch(HttpRequest request)
    {
        var version = IfMatch(request);
        if (version.Failure is { } bad)
        {
            return bad;
        }

        return version.Value is { } v
            ? v
            : new Failure(FailureKind.PreconditionRequired, "Send If-Match with the resource's ETag so a concurrent change is not overwritten.", "If-Match");
    }

    /// <summary>Reads If-Match: null when absent, a failure when unreadable.</summary>
    public static Outcome<int?> IfMatch(HttpRequest request)
    {
        var header = request.Headers.IfMatch.ToString();
        if (string.IsNullOrWhiteSpace(header))
        {
            return new Outcome<int?>(null, null);
        }

        var trimmed = header.Trim();
        if (trimmed.StartsWith("W/", StringComparison.Ordinal))
        {
            trimmed = trimmed[2..];
        }

        return int.TryParse(trimmed.Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            ? new Outcome<int?>(version, null)
            : new Failure(FailureKind.BadRequest, "If-Match must be the ETag of the resource, e.g. \"3\".", "If-Match");
    }
}
