using Microsoft.AspNetCore.Http.HttpResults;

namespace IncidentResponse.Server.Api;

public enum FailureKind
{
    NotFound,
    Conflict,
    PreconditionFailed,
    PreconditionRequired,
    Invalid,
    BadRequest,
    Forbidden,
}

/// <summary>Why a command did not happen, with the field at fault when there is one and any further members for the problem.</summary>
public sealed record Failure(FailureKind Kind, string Detail, string? Field = null, IReadOnlyDictionary<string, object?>? Extensions = null)
{
    public static Failure NotFound(string what) => new(FailureKind.NotFound, $"{what} was not found.");
    public static Failure Invalid(string field, string detail) => new(FailureKind.Invalid, detail, field);
    public static Failure Conflict(string detail) => new(FailureKind.Conflict, detail);

    public static Failure Stale(int current) =>
        new(FailureKind.PreconditionFailed, $"The resource has changed: its current version is {current}. Reload it and retry.");

    /// <summary>The RFC 9457 problem response for this failure.</summary>
    public ProblemHttpResult ToProblem()
    {
        var (status, title) = Kind switch
        {
            FailureKind.NotFound => (StatusCodes.Status404NotFound, "Not found"),
            FailureKind.Conflict => (StatusCodes.Status409Conflict, "Conflict"),
            FailureKind.PreconditionFailed => (StatusCodes.Status412PreconditionFailed, "Precondition failed"),
            FailureKind.PreconditionRequired => (StatusCodes.Status428PreconditionRequired, "Precondition required"),
            FailureKind.Invalid => (StatusCodes.Status422UnprocessableEntity, "Invalid request"),
            FailureKind.Forbidden => (StatusCodes.Status403Forbidden, "Forbidden"),
            _ => (StatusCodes.Status400BadRequest, "Bad request"),
        };
        var extensions = Extensions is null ? new Dictionary<string, object?>() : new Dictionary<string, object?>(Extensions);
        if (Field is not null)
        {
            extensions["errors"] = new Dictionary<string, string[]> { [Field] = [Detail] };
        }

        return TypedResults.Problem(Detail, statusCode: status, title: title, extensions: extensions);
    }
}

/// <summary>A command's result: a value or a failure.</summary>
public readonly record struct Outcome<T>(T? Value, Failure? Failure)
{
    public static implicit operator Outcome<T>(T value) => new(value, null);
    public static implicit operator Outcome<T>(Failure failure) => new(default, failure);
}
