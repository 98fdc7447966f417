using System.Text.Json;
using System.Text.Json.Serialization;
using IncidentResponse.Server.Persistence;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Serialization.SystemTextJson;

namespace IncidentResponse.Server.Api;

public static class ApiConventions
{
    /// <summary>The wire format everywhere: camelCase, enums as camelCase words, NodaTime as ISO text.</summary>
    public static void ConfigureJson(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.DictionaryKeyPolicy = null;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        options.ConfigureForNodaTime(DateTimeZoneProviders.Tzdb);
    }

    public static IServiceCollection AddApiConventions(this IServiceCollection services)
    {
        services.Configure<JsonOptions>(o => ConfigureJson(o.SerializerOptions));
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
        {
            c.ProblemDetails.Instance ??= c.HttpContext.Request.Path;
            c.ProblemDetails.Extensions.Remove("exception");
        });
        services.AddExceptionHandler<ProblemExceptionHandler>();
        return services;
    }
}

/// <summary>Turns request errors into RFC 9457 problems; nothing else leaks, and never a stack trace.</summary>
internal sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail, field) = exception switch
        {
            BadHttpRequestException { InnerException: JsonException json } =>
                (400, "Malformed request body", Describe(json), FieldOf(json)),
            BadHttpRequestException bad => (bad.StatusCode, "Bad request", bad.Message, null),
            DbUpdateConcurrencyException =>
                (409, "Conflict", "Someone else changed this resource at the same time. Reload it and retry.", null),
            DbUpdateException duplicate when duplicate.IsDuplicate() =>
                (409, "Conflict", "A concurrent request wrote the same record first. Reload and retry.", null),
            _ when Collided(exception) =>
                (409, "Conflict", "A concurrent request on the same records collided with this one and nothing was saved. Retry.", null),
            _ => (500, "Internal error", "The server could not complete the request.", (string?)null),
        };
        if (status >= 500)
        {
            logger.LogError(exception, "Unhandled error on {Path}", context.Request.Path);
        }

        context.Response.StatusCode = status;
        var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = status, Title = title, Detail = detail };
        if (field is not null)
        {
            problem.Extensions["errors"] = new Dictionary<string, string[]> { [field] = [detail] };
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>A deadlock or serialization failure the database resolved by rolling this request back.</summary>
    private static bool Collided(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is Npgsql.PostgresException { SqlState: "40P01" or "40001" } or Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 5 or 6 })
            {
                return true;
            }
        }

        return false;
    }

    private static string? FieldOf(JsonException json) =>
        string.IsNullOrEmpty(json.Path) || json.Path == "$" ? null : json.Path.TrimStart('$', '.');

    private static string Describe(JsonException json)
    {
        var field = FieldOf(json);
        return field is null
            ? "The request body is not valid JSON."
            : $"The value of '{field}' is not valid: check its type and, for a named value, the allowed words.";
    }
}
