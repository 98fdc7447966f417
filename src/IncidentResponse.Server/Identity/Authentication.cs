using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using IncidentResponse.Core.Identity;
using IncidentResponse.Server.Persistence;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IncidentResponse.Server.Identity;

public static class Authentication
{
    public const string ApiKeyScheme = "ApiKey";
    public const string ApiKeyHeader = "X-Api-Key";
    private const string Either = "ApiKeyOrCookie";

    public static IServiceCollection AddIncidentAuthentication(this IServiceCollection services, DatabaseSettings settings, IConfiguration configuration)
    {
        var lifetime = Duration.FromSeconds(configuration.GetValue("Authentication:UserCacheSeconds", 30));
        var postgres = settings.Provider == DatabaseProvider.Postgres;
        services.AddSingleton(sp => new SignedInUsers(sp.GetRequiredService<IClock>(), lifetime, onlyNode: !postgres));
        if (postgres)
        {
            services.AddHostedService<UserChangeListener>();
        }

        services.AddAuthentication(Either)
            .AddPolicyScheme(Either, "API key or cookie", o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.ContainsKey(ApiKeyHeader) ? ApiKeyScheme : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyHandler>(ApiKeyScheme, null)
            .AddCookie(o =>
            {
                o.Cookie.Name = "ir.auth";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.SlidingExpiration = true;
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                // An API answers 401/403; it never redirects to a login page.
                o.Events.OnRedirectToLogin = c => { c.Response.StatusCode = 401; return Task.CompletedTask; };
                o.Events.OnRedirectToAccessDenied = c => { c.Response.StatusCode = 403; return Task.CompletedTask; };
                o.Events.OnValidatePrincipal = CookieHolderAsIsAsync;
            });

        services.AddAuthorization(o =>
        {
            o.FallbackPolicy = new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
            foreach (var permission in Enum.GetValues<Permission>())
            {
                o.AddPolicy(permission.ToString(), p => p.RequireAuthenticatedUser()
                    .RequireRole(Permissions.RolesWith(permission).Select(r => r.ToString())));
            }
        });
        services.AddHttpContextAccessor();
        services.AddScoped<CurrentActor>();
        return services;
    }

    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, Permission permission)
        where TBuilder : IEndpointConventionBuilder => builder.RequireAuthorization(permission.ToString());

    public static ClaimsPrincipal PrincipalFor(SignedInUser user, string method)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, user.Id.ToString()),
            new(ClaimTypes.Name, user.Email),
            new("display_name", user.DisplayName),
            new("auth_method", method),
            new(UserVersionClaim, user.Version.ToString(CultureInfo.InvariantCulture)),
            new(PasswordStampClaim, user.PasswordStamp),
        };
        claims.AddRange(user.Roles.Select(r => new Claim(ClaimTypes.Role, r.ToString())));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, method, ClaimTypes.Name, ClaimTypes.Role));
    }

    private const string UserVersionClaim = "user_version";
    private const string PasswordStampClaim = "password_stamp";

    /// <summary>
    /// A sign-in cookie speaks for its holder as they are now, not as they were at sign-in: a disabled user's cookie stops
    /// working, a changed password ends every session signed in with the old one, and changed roles or name take effect
    /// on the next request (the cookie is reissued).
    /// </summary>
    private static async Task CookieHolderAsIsAsync(CookieValidatePrincipalContext context)
    {
        var signedIn = context.Principal!;
        var users = context.HttpContext.RequestServices.GetRequiredService<SignedInUsers>();
        var db = context.HttpContext.RequestServices.GetRequiredService<IncidentDbContext>();
        var user = Guid.TryParse(signedIn.FindFirstValue(ClaimTypes.NameIdentifier), out var id)
            ? await users.ByIdAsync(id, db, context.HttpContext.RequestAborted)
            : null;
        if (user is null || user.Disabled || signedIn.FindFirstValue(PasswordStampClaim) != user.PasswordStamp)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        }
        else if (signedIn.FindFirstValue(UserVersionClaim) != user.Version.ToString(CultureInfo.InvariantCulture))
        {
            context.ReplacePrincipal(PrincipalFor(user, "cookie"));
            context.ShouldRenew = true;
        }
    }
}

internal sealed class ApiKeyHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IncidentDbContext db, SignedInUsers users)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = Request.Headers[Authentication.ApiKeyHeader].ToString();
        if (string.IsNullOrWhiteSpace(presented))
        {
            return AuthenticateResult.NoResult();
        }

        var user = await users.ByKeyAsync(Secrets.HashApiKey(presented.Trim()), db, Context.RequestAborted);
        if (user is null || user.Disabled)
        {
            return AuthenticateResult.Fail("Unknown or revoked API key.");
        }

        return AuthenticateResult.Success(new AuthenticationTicket(Authentication.PrincipalFor(user, "apiKey"), Scheme.Name));
    }
}

/// <summary>Who is acting: the signed-in person, or the system for background work.</summary>
public sealed class CurrentActor(IHttpContextAccessor accessor)
{
    public static readonly Guid SystemId = Guid.Empty;

    private ClaimsPrincipal? Principal => accessor.HttpContext?.User;

    public Guid Id => Guid.TryParse(Principal?.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : SystemId;

    public string Name => Principal?.Identity?.IsAuthenticated == true ? Principal.Identity.Name ?? "unknown" : "system";

    public IReadOnlyList<Role> Roles => Principal?.FindAll(ClaimTypes.Role)
        .Select(c => Enum.TryParse<Role>(c.Value, out var r) ? r : (Role?)null)
        .OfType<Role>().ToArray() ?? [];

    public bool Has(Permission permission) => Permissions.Allows(Roles, permission);

    /// <summary>Privileged content as this person may read it: in full for those who record decisions, withheld from others.</summary>
    public string Privileged(string text, bool privileged) => privileged && !Has(Permission.RecordDecisions) ? Withheld : text;

    public const string Withheld = "[privileged]";

    /// <summary>Background work acts for the organisation, not for a person: it sees every incident.</summary>
    public bool IsSystem => accessor.HttpContext is null;
}
