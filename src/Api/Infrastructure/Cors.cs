using Microsoft.AspNetCore.Cors;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Net.Http.Headers;

namespace Api.Infrastructure;

/// <summary>Settings of the <c>Cors</c> section.</summary>
public sealed class CorsOptionsSection
{
    /// <summary>Origins (e.g. <c>https://newsroom.example.com</c>) that may call with keys: writes and editors' reads.</summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>Whether any origin may make anonymous reads (GET/HEAD without a key).</summary>
    public bool AnyOriginForAnonymousReads { get; set; } = true;

    /// <summary>How long browsers may cache a preflight answer, in seconds.</summary>
    public int PreflightMaxAgeSeconds { get; set; } = 600;
}

/// <summary>
/// Browsers call the API directly. Any origin may read anonymously; only the configured origins may
/// send keys (the Authorization header), write, or send If-Match and Idempotency-Key. Responses
/// expose ETag, Link, Location and Retry-After to scripts.
/// </summary>
public static class Cors
{
    private static readonly string[] Exposed = ["ETag", "Link", "Location", "Retry-After", "Last-Modified"];

    public static WebApplicationBuilder AddCorsPolicies(this WebApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection("Cors").Get<CorsOptionsSection>() ?? new CorsOptionsSection();
        builder.Services.AddCors();
        builder.Services.AddSingleton<ICorsPolicyProvider>(new PolicyProvider(settings));
        return builder;
    }

    public static WebApplication UseCorsPolicies(this WebApplication app)
    {
        // CORS concerns browsers' cross-origin requests, which carry Origin; the others skip the
        // middleware's per-request work. An endpoint with its own CORS metadata always gets it, as
        // routing requires.
        app.UseWhen(
            context => context.Request.Headers.ContainsKey(HeaderNames.Origin)
                || context.GetEndpoint()?.Metadata.GetMetadata<ICorsMetadata>() is not null,
            cors => cors.UseCors());
        return app;
    }

    private sealed class PolicyProvider(CorsOptionsSection settings) : ICorsPolicyProvider
    {
        private readonly HashSet<string> _trusted = new(settings.AllowedOrigins.Select(o => o.TrimEnd('/')), StringComparer.OrdinalIgnoreCase);

        private readonly CorsPolicy _trustedPolicy = new CorsPolicyBuilder()
            .SetIsOriginAllowed(_ => true)
            .AllowAnyMethod()
            .WithHeaders("Authorization", "Content-Type", "If-Match", "If-None-Match", "If-Modified-Since", "Idempotency-Key")
            .WithExposedHeaders(Exposed)
            .SetPreflightMaxAge(TimeSpan.FromSeconds(settings.PreflightMaxAgeSeconds))
            .Build();

        private readonly CorsPolicy _anonymousReads = new CorsPolicyBuilder()
            .AllowAnyOrigin()
            .WithMethods("GET", "HEAD")
            .WithHeaders("If-None-Match", "If-Modified-Since")
            .WithExposedHeaders(Exposed)
            .SetPreflightMaxAge(TimeSpan.FromSeconds(settings.PreflightMaxAgeSeconds))
            .Build();

        private readonly CorsPolicy _nothing = new CorsPolicyBuilder().Build();

        public Task<CorsPolicy?> GetPolicyAsync(HttpContext context, string? policyName)
        {
            var origin = context.Request.Headers.Origin.ToString().TrimEnd('/');
            var policy = _trusted.Contains(origin) ? _trustedPolicy
                : settings.AnyOriginForAnonymousReads ? _anonymousReads
                : _nothing;
            return Task.FromResult<CorsPolicy?>(policy);
        }
    }
}
