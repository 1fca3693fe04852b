namespace Api.Syndication;

/// <summary>Settings of the <c>Syndication</c> section.</summary>
public sealed class SyndicationOptions
{
    /// <summary>The sitemaps protocol's limit of URLs in one sitemap file.</summary>
    public const int ProtocolMaxUrls = 50_000;

    /// <summary>
    /// Most URLs in one sitemap: beyond it <c>/sitemap.xml</c> becomes a sitemap index of
    /// <c>/sitemap-{n}.xml</c> pages, each covering this many article ids.
    /// </summary>
    public int SitemapMaxUrls { get; set; } = ProtocolMaxUrls;

    /// <summary>The public site's home page (feeds' <c>link</c>); default: the scheme and host of <c>Site:ArticleUrlTemplate</c>.</summary>
    public string? SiteUrl { get; set; }

    /// <summary>Public page of a category (category feeds' <c>link</c>, ninjs subjects); <c>{slug}</c> and <c>{id}</c> are replaced. Default: <c>{SiteUrl}categories/{slug}</c>.</summary>
    public string? CategoryUrlTemplate { get; set; }

    /// <summary>Public page of an author (ninjs <c>people</c>, Open Graph <c>article:author</c>); <c>{slug}</c> and <c>{id}</c> are replaced. Default: <c>{SiteUrl}authors/{slug}</c>.</summary>
    public string? AuthorUrlTemplate { get; set; }
}
