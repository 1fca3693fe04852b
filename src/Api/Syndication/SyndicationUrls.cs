using System.Globalization;
using Api.Articles;
using Api.Infrastructure;
using Api.Shares;
using Microsoft.Extensions.Options;

namespace Api.Syndication;

/// <summary>
/// The addresses syndication hands out: the public site's pages (articles, categories, home), this
/// API's own absolute URLs (feeds' self links, sitemap pages) and the articles' permanent ids.
/// </summary>
public sealed class SyndicationUrls(IOptions<SiteOptions> site, IOptions<ShareOptions> share, IOptions<SyndicationOptions> syndication, Api.Media.MediaUrls media)
{
    private readonly string _siteUrl = SiteUrlOf(site.Value, syndication.Value);
    private readonly string _tagAuthority = new Uri(SiteUrlOf(site.Value, syndication.Value)).IdnHost;

    public SiteOptions Site => site.Value;

    /// <summary>The public site's home page, ending in '/'.</summary>
    public string SiteUrl => _siteUrl;

    /// <summary>The authority part of the articles' tag URIs: the site's host name.</summary>
    public string TagAuthority => _tagAuthority;

    public string CategoryUrl(long id, string slug) =>
        (syndication.Value.CategoryUrlTemplate ?? _siteUrl + "categories/{slug}")
            .Replace("{slug}", Uri.EscapeDataString(slug), StringComparison.Ordinal)
            .Replace("{id}", id.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);

    /// <summary>A tag's page on the public site: <c>tags/{slug}</c> under the site's home page.</summary>
    public string TagUrl(string slug) => _siteUrl + "tags/" + Uri.EscapeDataString(slug);

    /// <summary>
    /// The absolute URL of the article's lead image (for a medium, its JPEG rendition for <c>src</c>), or null:
    /// feeds and sitemaps cannot use a relative one, which is what media URLs are without <c>Media:PublicBaseUrl</c>.
    /// </summary>
    public string? ImageUrl(ArticleRow row) => Absolute(ArticleMapping.Image(row, media)?.Url);

    /// <summary>The article's body as readers get it, with its media-library images' URLs filled in.</summary>
    public string BodyHtml(ArticleRow row) => ArticleMapping.BodyHtml(row, ArticleMapping.BodyMedia(row, media));

    /// <summary>As <see cref="ImageUrl(ArticleRow)"/>, from the columns of an image: an external URL, or a medium's id, token and size.</summary>
    public string? ImageUrl(string? url, long? mediumId, string? token, int width, int height) =>
        Absolute(mediumId is { } id && token is not null ? media.Renditions(id, token, width, height).Src : url);

    /// <summary><paramref name="url"/> when it is an absolute http(s) URL, else null.</summary>
    public static string? Absolute(string? url) =>
        url is not null && Uri.TryCreate(url, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https" ? url : null;

    /// <summary>An author's page on the public site.</summary>
    public string AuthorUrl(long id, string slug) =>
        (syndication.Value.AuthorUrlTemplate ?? _siteUrl + "authors/{slug}")
            .Replace("{slug}", Uri.EscapeDataString(slug), StringComparison.Ordinal)
            .Replace("{id}", id.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);

    /// <summary>The article's page on the public site: its own canonical URL, else the site's URL template.</summary>
    public string ArticleUrl(ArticleRow row) => row.CanonicalUrl ?? site.Value.ArticleUrl(row.Id, row.Slug);

    /// <summary>
    /// The article's permanent id (RFC 4151 tag URI): <c>tag:news.example.com,2017-04-12:article:42</c>,
    /// from the site's host, the day the article was created and its numeric id. Neither changes when the
    /// article is edited, renamed or moved, so feed readers and partners never see it twice.
    /// </summary>
    public string ArticleTag(long id, DateTime createdAt) =>
        string.Create(CultureInfo.InvariantCulture, $"tag:{TagAuthority},{createdAt:yyyy-MM-dd}:article:{id}");

    /// <summary>An absolute URL of this API: <c>Share:PublicBaseUrl</c> followed by <paramref name="pathAndQuery"/>.</summary>
    public string Api(string pathAndQuery) => share.Value.PublicBaseUrl.TrimEnd('/') + pathAndQuery;

    /// <summary>The absolute URL of the current request (path and query as the client sent them).</summary>
    public string Self(HttpRequest request) => Api(request.Path.ToUriComponent() + request.QueryString.ToUriComponent());

    internal static string SiteUrlOf(SiteOptions site, SyndicationOptions syndication)
    {
        if (syndication.SiteUrl is { Length: > 0 } configured)
        {
            return configured.EndsWith('/') ? configured : configured + "/";
        }

        var sample = new Uri(site.ArticleUrlTemplate.Replace("{slug}", "x", StringComparison.Ordinal).Replace("{id}", "1", StringComparison.Ordinal));
        return sample.GetLeftPart(UriPartial.Authority) + "/";
    }
}
