using System.Globalization;
using Api.Articles;
using Api.Infrastructure;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Api.Syndication;

/// <summary><c>/sitemap.xml</c> (a urlset, or an index of <c>/sitemap-{n}.xml</c> pages when large) and <c>/sitemap-news.xml</c>.</summary>
public static class Sitemaps
{
    /// <summary>Google News lists articles published in the last two days, at most 1,000 of them.</summary>
    public static readonly TimeSpan NewsWindow = TimeSpan.FromDays(2);

    public const int NewsMaxUrls = 1000;

    private static readonly string[] SurrogateKeys = ["sitemaps"];

    public static void MapSitemaps(this IEndpointRouteBuilder app)
    {
        app.MapGet("/sitemap.xml", GetSitemap)
            .WithTags("Syndication")
            .WithName("GetSitemap")
            .CacheRead()
            .WithSummary("Sitemap of the published articles (or an index of sitemap pages)")
            .WithDescription("""
                A `urlset` of every published article's page with its `lastmod`. Beyond
                `Syndication:SitemapMaxUrls` URLs (50,000, the protocol's limit) it is a `sitemapindex`
                pointing at `/sitemap-{n}.xml`, page n holding the articles whose ids fall in its range.
                """)
            .Documented();

        app.MapGet("/sitemap-{page}.xml", GetSitemapPage)
            .WithTags("Syndication")
            .WithName("GetSitemapPage")
            .CacheRead()
            .WithSummary("One page of the sitemap index")
            .WithDescription("""
                The published articles whose ids fall in page n's range (`(n-1)×size+1` to `n×size`, size being
                `Syndication:SitemapMaxUrls`), by id. A page with no published article is a 404.
                """)
            .WithValidation()
            .Documented()
            .ProducesProblem(StatusCodes.Status404NotFound);

        app.MapGet("/sitemap-news.xml", GetNewsSitemap)
            .WithTags("Syndication")
            .WithName("GetNewsSitemap")
            .CacheRead()
            .WithSummary("Google News sitemap: articles published in the last two days")
            .WithDescription("""
                At most 1,000 articles published in the last 48 hours, newest first, each with the
                publication's name (`Site:Name`), its language (ISO 639; `zh-cn` and `zh-tw` for Simplified
                and Traditional Chinese), its publication time and its title.
                """)
            .Documented();
    }

    private static RouteHandlerBuilder Documented(this RouteHandlerBuilder builder) =>
        builder
            .WithoutQuery()
            .UsesDatabase()
            .Produces<string>(StatusCodes.Status200OK, "application/xml")
            .Produces(StatusCodes.Status304NotModified);

    /// <summary>Endpoints that take no query parameters answer any with a 400 naming it.</summary>
    private static RouteHandlerBuilder WithoutQuery(this RouteHandlerBuilder builder) =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var query = context.HttpContext.Request.Query;
            if (query.Count == 0)
            {
                return await next(context);
            }

            var errors = query.Keys.ToDictionary(
                name => name,
                _ => new[] { "Unknown query parameter. This endpoint takes no query parameters." },
                StringComparer.Ordinal);
            return TypedResults.ValidationProblem(errors, detail: "The query string has unknown parameters; see 'errors'.");
        }).ProducesValidationProblem();

    private static async Task<SyndicationResponse> GetSitemap(
        SitemapStore store,
        SyndicationUrls urls,
        IOptions<SyndicationOptions> options,
        CancellationToken cancellationToken)
    {
        var size = options.Value.SitemapMaxUrls;
        var pages = await store.PagesAsync(size, cancellationToken);
        DateTime? lastModified = pages.Count == 0 ? null : pages.Max(p => p.LastModified);
        if (pages.Sum(p => p.Urls) <= size)
        {
            var rows = await store.UrlsAsync(1, long.MaxValue, cancellationToken);
            return new SyndicationResponse(UrlSet(rows, urls), SitemapXml.ContentType, SurrogateKeys, lastModified);
        }

        var index = SitemapXml.Index(pages.Select(page => new SitemapEntry(
            urls.Api(string.Create(CultureInfo.InvariantCulture, $"/sitemap-{page.Number}.xml")),
            page.LastModified)));
        return new SyndicationResponse(index, SitemapXml.ContentType, SurrogateKeys, lastModified);
    }

    private static async Task<Results<SyndicationResponse, ProblemHttpResult>> GetSitemapPage(
        [AsParameters] SitemapPageRoute route,
        SitemapStore store,
        SyndicationUrls urls,
        IOptions<SyndicationOptions> options,
        CancellationToken cancellationToken)
    {
        long size = options.Value.SitemapMaxUrls;
        var first = ((route.Number - 1) * size) + 1;
        var rows = await store.UrlsAsync(first, first + size - 1, cancellationToken);
        if (rows.Count == 0)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"Sitemap page {route.Number} lists no article.");
        }

        return new SyndicationResponse(UrlSet(rows, urls), SitemapXml.ContentType, SurrogateKeys, rows.Max(r => r.LastModified));
    }

    private static async Task<SyndicationResponse> GetNewsSitemap(
        ArticleStore articles,
        SyndicationUrls urls,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var query = new ArticleListQuery(
            CategoryIds: null,
            Tags: null,
            Language: null,
            PublishedAfter: time.GetUtcNow().UtcDateTime - NewsWindow,
            PublishedBefore: null,
            Search: null,
            Ids: null,
            ArticleSort.PublishedDescending,
            NewsMaxUrls,
            Count: false,
            ArticleFields.ListDefaults(search: false));
        var rows = (await articles.ListAsync(query, after: null, cancellationToken)).Take(NewsMaxUrls).ToList();
        var body = SitemapXml.News(
            urls.Site.Name,
            rows.Select(row => new NewsSitemapEntry(urls.ArticleUrl(row), row.Title, row.Language, row.PublishedAt ?? row.CreatedAt, urls.ImageUrl(row))));
        // No Last-Modified: articles leave the window as time passes, which no timestamp of theirs records.
        return new SyndicationResponse(body, SitemapXml.ContentType, SurrogateKeys, lastModified: null);
    }

    private static byte[] UrlSet(IEnumerable<SitemapUrlRow> rows, SyndicationUrls urls) =>
        SitemapXml.UrlSet(rows.Select(row => new SitemapEntry(
            row.CanonicalUrl ?? urls.Site.ArticleUrl(row.Id, row.Slug),
            row.LastModified,
            urls.ImageUrl(row.ImageUrl, row.ImageMediumId, row.ImageToken, row.ImageWidth, row.ImageHeight))));
}

/// <summary>Route values of <c>GET /sitemap-{page}.xml</c>.</summary>
/// <param name="Page">The page's number in the sitemap index, from 1.</param>
public sealed record SitemapPageRoute(string Page)
{
    internal int Number => QueryValues.TryParseInt(Page, out var number) ? number : 0;
}

public sealed class SitemapPageRouteValidator : AbstractValidator<SitemapPageRoute>
{
    public SitemapPageRouteValidator()
    {
        RuleFor(r => r.Page)
            .Must(p => QueryValues.TryParseInt(p, out var number) && number >= 1)
            .WithMessage("'page' must be a positive integer.");
    }
}
