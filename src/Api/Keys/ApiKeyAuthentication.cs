using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Api.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Api.Keys;

/// <summary>
/// <c>Authorization: Bearer nk_…</c>. A missing key on an endpoint that needs one is 401 with
/// <c>WWW-Authenticate: Bearer</c>; an unknown, malformed or revoked key is 401 with
/// <c>error="invalid_token"</c>; a key without the endpoint's scope is 403. All three are problems.
/// </summary>
public sealed class ApiKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyStore keys,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    private const string Realm = "news-api";

    public static WebApplicationBuilder AddApiKeys(WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ApiKeyStore>();
        builder.Services.AddAuthentication(SchemeName).AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(SchemeName, null);
        builder.Services.AddAuthorization(Scopes.AddPolicies);
        builder.Services.ConfigureSwaggerGen(ApiKeyOpenApi.Configure);
        // Routing would answer a body of the wrong media type with 415 while choosing the endpoint, before
        // authentication and authorization run: an anonymous caller would learn the body's format before
        // being asked who it is. Without that matcher policy the endpoint is chosen by path and method
        // alone, and the media type is checked where the body is read (the request delegate for JSON
        // bodies, the handlers for merge patches), after the key and its scope.
        foreach (var acceptsPolicy in builder.Services.Where(d => d.ServiceType == typeof(MatcherPolicy) && d.ImplementationType?.Name == "AcceptsMatcherPolicy").ToList())
        {
            builder.Services.Remove(acceptsPolicy);
        }
        return builder;
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.Fail("The Authorization header must be 'Bearer <key>'.");
        }

        var secret = header["Bearer ".Length..].Trim();
        if (!ApiKeyStore.LooksLikeKey(secret))
        {
            return AuthenticateResult.Fail("The key is malformed.");
        }

        var key = await keys.FindActiveAsync(secret, Context.RequestAborted);
        if (key is null)
        {
            return AuthenticateResult.Fail("The key is unknown or has been revoked.");
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, key.Id.ToString(CultureInfo.InvariantCulture)),
                new Claim(ClaimTypes.Name, key.Name),
                .. key.Scopes.Select(scope => new Claim(Scopes.ClaimType, scope)),
            ],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        var failure = result.Failure?.Message;
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = failure is null
            ? $"Bearer realm=\"{Realm}\""
            : $"Bearer realm=\"{Realm}\", error=\"invalid_token\", error_description=\"{failure}\"";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status401Unauthorized,
                Detail = failure ?? "This endpoint needs an API key: send 'Authorization: Bearer <key>'.",
            },
        });
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var scope = Context.GetEndpoint()?.Metadata.GetMetadata<RequiredScope>()?.Scope;
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status403Forbidden,
                Detail = scope is null
                    ? "This key may not do this."
                    : $"This key lacks the scope '{scope}' (or '{Scopes.Admin}') that this endpoint needs.",
            },
        });
    }
}

public static class ApiKeySetup
{
    public static WebApplicationBuilder AddApiKeys(this WebApplicationBuilder builder) => ApiKeyAuthentication.AddApiKeys(builder);

    /// <summary>The keys ASP.NET Core's <c>UseAuthentication()</c> and <c>UseAuthorization()</c> set in the application's properties.</summary>
    private const string AuthenticationMiddlewareSetKey = "__AuthenticationMiddlewareSet";

    private const string AuthorizationMiddlewareSetKey = "__AuthorizationMiddlewareSet";

    /// <summary>Authentication, then the write limits (per key, or per IP when the key is missing or wrong), then authorization.</summary>
    public static WebApplication UseApiKeys(this WebApplication app)
    {
        // A request without credentials has nothing to authenticate; endpoints that need a key still
        // challenge it through the scheme (401 with WWW-Authenticate).
        app.UseWhen(context => context.Request.Headers.ContainsKey(HeaderNames.Authorization), keyed => keyed.UseAuthentication());
        // WebApplication adds UseAuthentication() at the very start of the pipeline unless it sees it
        // called; a call inside a branch is not seen (the branch's properties are its own copy), so
        // say so here, or every anonymous request would run the authentication handler anyway.
        ((IApplicationBuilder)app).Properties[AuthenticationMiddlewareSetKey] = true;
        // Only writes are limited; reads skip the limiter's per-request bookkeeping.
        app.UseWhen(RateLimits.IsWrite, writes => writes.UseRateLimiter());
        // Authorization runs for the endpoints that name a policy (a scope); the others, the public
        // reads among them, skip its per-request work. It fails closed: routing refuses to run an
        // endpoint with authorization metadata when authorization did not run for it (500), so an
        // endpoint this check missed could never be reached without its policy. As above, the call
        // inside a branch is not seen, so say so, or WebApplication would add it to every request.
        ((IApplicationBuilder)app).Properties[AuthorizationMiddlewareSetKey] = true;
        app.UseWhen(NeedsAuthorization, authorized => authorized.UseAuthorization());
        return app;
    }

    private static bool NeedsAuthorization(HttpContext context) =>
        context.GetEndpoint()?.Metadata is { } metadata
        && (metadata.GetMetadata<IAuthorizeData>() is not null
            || metadata.GetMetadata<AuthorizationPolicy>() is not null);
}
