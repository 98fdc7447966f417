using IncidentResponse.Core.Identity;
using IncidentResponse.Server.Api;
using IncidentResponse.Server.Audit;
using IncidentResponse.Server.Persistence;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace IncidentResponse.Server.Identity;

public sealed record LoginRequest(string? Email, string? Password);

public sealed record UserView(Guid Id, string Email, string DisplayName, IReadOnlyList<Role> Roles, bool Disabled, int Version);

public sealed record CreateUserRequest(string? Email, string? DisplayName, Role[]? Roles, string? Password);

public sealed record UpdateUserRequest(string? DisplayName, Role[]? Roles, bool? Disabled, string? Password);

public sealed record CreateApiKeyRequest(string? Name);

/// <summary>The key itself is shown once, at creation; only its hash is stored.</summary>
public sealed record CreatedApiKey(Guid Id, string Name, string Prefix, string Key, Instant CreatedAt);

public sealed record ApiKeyView(Guid Id, string Name, string Prefix, Instant CreatedAt, Instant? RevokedAt);

public static class IdentityApi
{
    public static RouteGroupBuilder MapIdentityApi(this RouteGroupBuilder api)
    {
        var auth = api.MapGroup("/auth").WithTags("Sign-in");
        // Signing in is the one thing done before being signed in.
        auth.MapPost("/login", Login).AllowAnonymous();
        auth.MapPost("/logout", Logout);
        auth.MapGet("/me", Me);

        var users = api.MapGroup("/users").WithTags("Users").RequirePermission(Permission.ManageUsers);
        users.MapGet("/", ListUsers);
        users.MapPost("/", CreateUser);
        users.MapPatch("/{id:guid}", UpdateUser);
        users.MapGet("/{id:guid}/api-keys", ListKeys);
        users.MapPost("/{id:guid}/api-keys", CreateKey);
        users.MapDelete("/{id:guid}/api-keys/{keyId:guid}", RevokeKey);
        return api;
    }

    private static async Task<Results<Ok<UserView>, ProblemHttpResult>> Login(
        LoginRequest? body, IncidentDbContext db, HttpContext context, CancellationToken ct)
    {
        var invalid = Require.Text("email", body?.Email, 320) ?? Require.Text("password", body!.Password, 200);
        if (invalid is not null)
        {
            return invalid.ToProblem();
        }

        var email = body!.Email!.Trim().ToLowerInvariant();
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Email == email, ct);
        if (user is null || user.Disabled || user.PasswordHash is null || !Secrets.VerifyPassword(body.Password!, user.PasswordHash))
        {
            return TypedResults.Problem("Unknown email or wrong password.", statusCode: 401, title: "Sign-in failed");
        }

        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, Authentication.PrincipalFor(SignedInUser.Of(user), "cookie"));
        return TypedResults.Ok(ToView(user));
    }

    private static async Task<NoContent> Logout(HttpContext context, CancellationToken ct)
    {
        await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<UserView>, ProblemHttpResult>> Me(IncidentDbContext db, CurrentActor actor, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == actor.Id, ct);
        return user is null ? Failure.NotFound("The user").ToProblem() : TypedResults.Ok(ToView(user));
    }

    private static async Task<Ok<UserView[]>> ListUsers(IncidentDbContext db, CancellationToken ct) =>
        TypedResults.Ok((await db.Users.AsNoTracking().OrderBy(u => u.Email).ToArrayAsync(ct)).Select(ToView).ToArray());

    private static async Task<Results<Created<UserView>, ProblemHttpResult>> CreateUser(
        CreateUserRequest? body, IncidentDbContext db, AuditTrail audit, IClock clock, CancellationToken ct)
    {
        var invalid = Require.Text("email", body?.Email, 320)
            ?? Require.Text("displayName", body!.DisplayName, 200)
            ?? (body.Roles is not { Length: > 0 } ? Failure.Invalid("roles", "'roles' needs at least one role.") : null)
            ?? (body.Password is { Length: < 12 } ? Failure.Invalid("password", "A password has at least 12 characters.") : null)
            ?? Require.OptionalText("password", body.Password, 200);
        if (invalid is not null)
        {
            return invalid.ToProblem();
        }

        var email = body!.Email!.Trim().ToLowerInvariant();
        if (!email.Contains('@', StringComparison.Ordinal))
        {
            return Failure.Invalid("email", "'email' is not an email address.").ToProblem();
        }

        if (await db.Users.AnyAsync(u => u.Email == email, ct))
        {
            return Failure.Conflict($"A user with email {email} exists.").ToProblem();
        }

        var user = new User
        {
            Id = Guid.CreateVersion7(), Email = email, DisplayName = body.DisplayName!.Trim(), Roles = body.Roles!.Distinct().ToList(),
            PasswordHash = body.Password is null ? null : Secrets.HashPassword(body.Password), CreatedAt = clock.GetCurrentInstant(),
        };
        db.Users.Add(user);
        audit.Record("user.created", "user", user.Id.ToString(), null, new { user.Email, user.DisplayName, user.Roles });
        await audit.CommitAsync(ct);
        return TypedResults.Created($"/api/v1/users/{user.Id}", ToView(user));
    }

    private static async Task<Results<Ok<UserView>, ProblemHttpResult>> UpdateUser(
        Guid id, UpdateUserRequest? body, IncidentDbContext db, AuditTrail audit, SignedInUsers users, HttpRequest request, CancellationToken ct)
    {
        var version = Versioning.RequireIfMatch(request);
        var invalid = version.Failure
            ?? (body is null ? Failure.Invalid("body", "A JSON body is required.") : null)
            ?? Require.OptionalText("displayName", body!.DisplayName, 200)
            ?? (body.Roles is { Length: 0 } ? Failure.Invalid("roles", "'roles' needs at least one role.") : null)
            ?? (body.Password is { Length: < 12 } ? Failure.Invalid("password", "A password has at least 12 characters.") : null);
        if (invalid is not null)
        {
            return invalid.ToProblem();
        }

        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == id, ct);
        if (user is null)
        {
            return Failure.NotFound("The user").ToProblem();
        }

        if (user.Version != version.Value)
        {
            return Failure.Stale(user.Version).ToProblem();
        }

        var before = new { user.DisplayName, user.Roles, user.Disabled };
        user.DisplayName = body!.DisplayName?.Trim() ?? user.DisplayName;
        user.Roles = body.Roles?.Distinct().ToList() ?? user.Roles;
        user.Disabled = body.Disabled ?? user.Disabled;
        if (body.Password is not null)
        {
            user.PasswordHash = Secrets.HashPassword(body.Password);
        }

        audit.Record("user.updated", "user", user.Id.ToString(), before,
            new { user.DisplayName, user.Roles, user.Disabled, passwordChanged = body.Password is not null });
        await users.CommitChangeAsync(db, audit, ct);
        return TypedResults.Ok(ToView(user));
    }

    private static async Task<Results<Ok<ApiKeyView[]>, ProblemHttpResult>> ListKeys(Guid id, IncidentDbContext db, CancellationToken ct)
    {
        if (!await db.Users.AnyAsync(u => u.Id == id, ct))
        {
            return Failure.NotFound("The user").ToProblem();
        }

        var keys = await db.ApiKeys.AsNoTracking().Where(k => k.UserId == id).OrderBy(k => k.CreatedAt)
            .Select(k => new ApiKeyView(k.Id, k.Name, k.Prefix, k.CreatedAt, k.RevokedAt)).ToArrayAsync(ct);
        return TypedResults.Ok(keys);
    }

    private static async Task<Results<Created<CreatedApiKey>, ProblemHttpResult>> CreateKey(
        Guid id, CreateApiKeyRequest? body, IncidentDbContext db, AuditTrail audit, IClock clock, CancellationToken ct)
    {
        if (Require.Text("name", body?.Name, 200) is { } invalid)
        {
            return invalid.ToProblem();
        }

        if (!await db.Users.AnyAsync(u => u.Id == id, ct))
        {
            return Failure.NotFound("The user").ToProblem();
        }

        var secret = Secrets.NewApiKey();
        var key = new ApiKey
        {
            Id = Guid.CreateVersion7(), UserId = id, Name = body!.Name!.Trim(), Prefix = Secrets.PrefixOf(secret),
            Hash = Secrets.HashApiKey(secret), CreatedAt = clock.GetCurrentInstant(),
        };
        db.ApiKeys.Add(key);
        audit.Record("api-key.created", "user", id.ToString(), null, new { keyId = key.Id, key.Name, key.Prefix });
        await audit.CommitAsync(ct);
        return TypedResults.Created($"/api/v1/users/{id}/api-keys/{key.Id}", new CreatedApiKey(key.Id, key.Name, key.Prefix, secret, key.CreatedAt));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeKey(
        Guid id, Guid keyId, IncidentDbContext db, AuditTrail audit, SignedInUsers users, IClock clock, CancellationToken ct)
    {
        var key = await db.ApiKeys.SingleOrDefaultAsync(k => k.Id == keyId && k.UserId == id, ct);
        if (key is null)
        {
            return Failure.NotFound("The API key").ToProblem();
        }

        if (key.RevokedAt is null)
        {
            key.RevokedAt = clock.GetCurrentInstant();
            audit.Record("api-key.revoked", "user", id.ToString(), null, new { keyId = key.Id, key.Name, key.Prefix });
            await users.CommitChangeAsync(db, audit, ct);
        }

        return TypedResults.NoContent();
    }

    private static UserView ToView(User u) => new(u.Id, u.Email, u.DisplayName, u.Roles, u.Disabled, u.Version);
}
