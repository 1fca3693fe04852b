namespace Api.Infrastructure;

/// <summary>Settings of the <c>Site</c> section: how the public site around this API is named and addressed.</summary>
public sealed class SiteOptions
{
    /// <summary>The publication's name (Open Graph, oEmbed, feeds).</summary>
    public string Name { get; set; } = "News";

    /// <summary>Label of the first breadcrumb entry, the site's home page.</summary>
    public string HomeName { get; set; } = "Home";

    /// <summary>Public URL of an article on the site; <c>{slug}</c> and <c>{id}</c> are replaced.</summary>
    public string ArticleUrlTemplate { get; set; } = "https://news.example.com/articles/{slug}";

    public string ArticleUrl(long id, string slug) =>
        ArticleUrlTemplate
            .Replace("{slug}", Uri.EscapeDataString(slug), StringComparison.Ordinal)
            .Replace("{id}", id.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
}

/// <summary>Settings of the <c>Caching</c> section: what shared caches (CDNs) may keep.</summary>
public sealed class CachingOptions
{
    /// <summary><c>max-age</c> of public reads, in seconds.</summary>
    public int MaxAgeSeconds { get; set; } = 60;

    /// <summary><c>stale-while-revalidate</c> of public reads, in seconds.</summary>
    public int StaleWhileRevalidateSeconds { get; set; } = 300;
}

public static class Site
{
    public static WebApplicationBuilder AddSite(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<SiteOptions>()
            .Bind(builder.Configuration.GetSection("Site"))
            .Validate(o => Uri.TryCreate(o.ArticleUrlTemplate.Replace("{slug}", "x").Replace("{id}", "1"), UriKind.Absolute, out _),
                "Site:ArticleUrlTemplate must be an absolute URL")
            .ValidateOnStart();
        builder.Services.AddOptions<CachingOptions>()
            .Bind(builder.Configuration.GetSection("Caching"))
            .Validate(o => o.MaxAgeSeconds >= 0 && o.StaleWhileRevalidateSeconds >= 0, "Caching values must not be negative")
            .ValidateOnStart();
        return builder;
    }
}
