using System.Security.Claims;
using System.Security.Cryptography;
using IncidentResponse.Server.Persistence;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace IncidentResponse.Server.Api;

/// <summary>
/// Idempotent POSTs: the first request with an Idempotency-Key runs and its response is kept; a retry
/// with the same key and body gets that response again; the same key with another body is refused.
/// </summary>
public sealed class Idempotency(RequestDelegate next)
{
    public const string Header = "Idempotency-Key";

    public async Task InvokeAsync(HttpContext context, IncidentDbContext db, IClock clock, IProblemDetailsService problems)
    {
        var key = context.Request.Headers[Header].ToString();
        if (!HttpMethods.IsPost(context.Request.Method) || string.IsNullOrEmpty(key) || context.User.Identity?.IsAuthenticated != true)
        {
            await next(context);
            return;
        }

        if (key.Length > IdempotencyRecord.MaxKeyLength)
        {
            await Refuse(context, problems, 400, $"{Header} is longer than {IdempotencyRecord.MaxKeyLength} characters.");
            return;
        }

        var principal = context.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "unknown";
        var requestHash = await HashRequest(context.Request);
        var existing = await db.IdempotencyRecords.AsNoTracking()
            .SingleOrDefaultAsync(r => r.Principal == principal && r.Key == key, context.RequestAborted);
        if (existing is not null)
        {
            await Replay(context, problems, existing, requestHash);
            return;
        }

        var record = new IdempotencyRecord { Key = key, Principal = principal, RequestHash = requestHash, CreatedAt = clock.GetCurrentInstant() };
        db.IdempotencyRecords.Add(record);
        try
        {
            await db.SaveChangesAsync(context.RequestAborted);
        }
        catch (DbUpdateException)
        {
            await Refuse(context, problems, 409, "A request with this Idempotency-Key is in progress; retry shortly.");
            return;
        }
        finally
        {
            db.ChangeTracker.Clear();
        }

        var original = context.Response.Body;
        await using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = original;
        }

        db.ChangeTracker.Clear();
        if (context.Response.StatusCode < 500)
        {
            record.StatusCode = context.Response.StatusCode;
            record.ContentType = context.Response.ContentType;
            record.Location = context.Response.Headers.Location.ToString();
            record.Body = buffer.ToArray();
            db.IdempotencyRecords.Update(record);
        }
        else
        {
            // A server error did not happen as far as the client is concerned: let the retry run again.
            db.IdempotencyRecords.Remove(record);
        }

        await db.SaveChangesAsync(CancellationToken.None);
        buffer.Position = 0;
        await buffer.CopyToAsync(original, context.RequestAborted);
    }

    private static async Task Replay(HttpContext context, IProblemDetailsService problems, IdempotencyRecord existing, string requestHash)
    {
        if (!string.Equals(existing.RequestHash, requestHash, StringComparison.Ordinal))
        {
            await Refuse(context, problems, 422, $"This {Header} was used for a different request.");
            return;
        }

        if (existing.StatusCode is null)
        {
            await Refuse(context, problems, 409, "A request with this Idempotency-Key is in progress; retry shortly.");
            return;
        }

        context.Response.StatusCode = existing.StatusCode.Value;
        context.Response.ContentType = existing.ContentType;
        if (!string.IsNullOrEmpty(existing.Location))
        {
            context.Response.Headers.Location = existing.Location;
        }

        context.Response.Headers["Idempotent-Replayed"] = "true";
        if (existing.Body is { Length: > 0 } body)
        {
            await context.Response.Body.WriteAsync(body, context.RequestAborted);
        }
    }

    private static async Task<string> HashRequest(HttpRequest request)
    {
        request.EnableBuffering();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(System.Text.Encoding.UTF8.GetBytes($"{request.Method} {request.Path}{request.QueryString}\n"));
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            sha.AppendData(chunk, 0, read);
        }

        request.Body.Position = 0;
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static async Task Refuse(HttpContext context, IProblemDetailsService problems, int status, string detail)
    {
        context.Response.StatusCode = status;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = status, Title = "Idempotency-Key", Detail = detail },
        });
    }
}
