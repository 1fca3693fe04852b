namespace Api.Syndication;

/// <summary>
/// Feeds (RSS 2.0, Atom, JSON Feed 1.1; site-wide and per category), sitemaps (with an index beyond
/// the protocol's limit, and Google News) and ninjs renditions of articles. All anonymous reads of
/// public articles, with the caching every read has.
/// </summary>
public static class SyndicationEndpoints
{
    public static WebApplicationBuilder AddSyndication(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<SyndicationOptions>()
            .Bind(builder.Configuration.GetSection("Syndication"))
            .Validate(o => o.SitemapMaxUrls is >= 1 and <= SyndicationOptions.ProtocolMaxUrls,
                $"Syndication:SitemapMaxUrls must be from 1 to {SyndicationOptions.ProtocolMaxUrls}")
            .Validate(o => o.SiteUrl is null || (Uri.TryCreate(o.SiteUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"),
                "Syndication:SiteUrl must be an absolute http(s) URL")
            .Validate(o => o.CategoryUrlTemplate is null
                    || Uri.TryCreate(o.CategoryUrlTemplate.Replace("{slug}", "x").Replace("{id}", "1"), UriKind.Absolute, out _),
                "Syndication:CategoryUrlTemplate must be an absolute URL")
            .Validate(o => o.AuthorUrlTemplate is null
                    || Uri.TryCreate(o.AuthorUrlTemplate.Replace("{slug}", "x").Replace("{id}", "1"), UriKind.Absolute, out _),
                "Syndication:AuthorUrlTemplate must be an absolute URL")
            .ValidateOnStart();
        builder.Services.AddSingleton<SyndicationUrls>();
        builder.Services.AddSingleton<SitemapStore>();
        builder.Services.ConfigureSwaggerGen(options =>
        {
            options.SchemaFilter<OptionalSyndicationMembers>();
            options.OperationFilter<NinjsNegotiation.OperationFilter>();
        });
        return builder;
    }

    public static IEndpointRouteBuilder MapSyndication(this IEndpointRouteBuilder app)
    {
        app.MapFeeds();
        app.MapSitemaps();
        app.MapNinjs();
        app.MapJsonLd();
        return app;
    }
}
