using Microsoft.AspNetCore.Authorization;

namespace Api.Keys;

/// <summary>What an API key may do. <c>admin</c> may do everything the other scopes allow.</summary>
public static class Scopes
{
    public const string ContentWrite = "content:write";
    public const string Partner = "partner";
    public const string Admin = "admin";

    /// <summary>
    /// A Ghost Content API key (<c>?key=</c> of <c>/ghost/api/content/</c>): 26 hex characters, as Ghost's
    /// own, read-only, and public by design (a Ghost front end puts it in its pages). It may not be
    /// combined with another scope, and it authenticates nothing else.
    /// </summary>
    public const string GhostContent = "ghost:content";

    /// <summary>The id of the API key that authenticated <paramref name="user"/> (endpoints that require a scope have one).</summary>
    public static long KeyId(System.Security.Claims.ClaimsPrincipal user) =>
        long.Parse(user.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)!.Value, System.Globalization.CultureInfo.InvariantCulture);

    public static readonly string[] All = [ContentWrite, Partner, Admin, GhostContent];

    public const string ClaimType = "scope";

    private const string PolicyPrefix = "scope:";

    public static string PolicyFor(string scope) => PolicyPrefix + scope;

    public static string? ScopeOf(string? policy) =>
        policy is not null && policy.StartsWith(PolicyPrefix, StringComparison.Ordinal) ? policy[PolicyPrefix.Length..] : null;

    public static void AddPolicies(AuthorizationOptions options)
    {
        foreach (var scope in All)
        {
            options.AddPolicy(PolicyFor(scope), policy => policy
                .AddAuthenticationSchemes(ApiKeyAuthentication.SchemeName)
                .RequireAuthenticatedUser()
                .RequireAssertion(context => context.User.HasClaim(ClaimType, scope) || context.User.HasClaim(ClaimType, Admin)));
        }
    }

    /// <summary>The endpoint needs a key with <paramref name="scope"/> (or <c>admin</c>); documents 401 and 403.</summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, string scope) where TBuilder : IEndpointConventionBuilder =>
        builder
            .RequireAuthorization(PolicyFor(scope))
            .WithMetadata(new RequiredScope(scope))
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
}

/// <summary>Endpoint metadata naming the scope a key needs (for the 403 problem and OpenAPI).</summary>
public sealed record RequiredScope(string Scope);

/// <summary>
/// Endpoint metadata of a write that the public may make without a key (share events, "suggest to a
/// friend"), always rate-limited. A write endpoint must carry either a scope or this, with its reason.
/// </summary>
public sealed record PublicWrite(string Reason);

public static class PublicWrites
{
    public static TBuilder AllowPublicWrite<TBuilder>(this TBuilder builder, string reason) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new PublicWrite(reason));
}
