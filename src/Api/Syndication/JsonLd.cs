using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Api.Articles;
using Api.Infrastructure;
using Api.Media;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Api.Syndication;

/// <summary>
/// <c>GET /v1/articles/{idOrSlug}/jsonld</c>: the schema.org structured data a page embeds in
/// <c>&lt;script type="application/ld+json"&gt;</c> — a <c>NewsArticle</c> with the properties Google's
/// Article rich results use (headline, images in 16:9, 4:3 and 1:1, dates, authors as <c>Person</c>
/// with a URL, publisher), and the category's <c>BreadcrumbList</c>.
/// </summary>
public static class JsonLd
{
    public const string ContentType = "application/ld+json";

    /// <summary>The proportions Google asks images of an article in.</summary>
    private static readonly (int Width, int Height)[] ImageShapes = [(1200, 675), (1200, 900), (1200, 1200)];

    public static void MapJsonLd(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/articles/{idOrSlug}/jsonld", GetArticleJsonLd)
            .WithTags("Syndication")
            .WithName("GetArticleJsonLd")
            .CacheRead(articleScoped: true)
            .WithSummary("One published article as schema.org structured data (JSON-LD)")
            .WithDescription("""
                A `@graph` of a schema.org `NewsArticle` (headline, description, images in 16:9, 4:3 and 1:1
                when the lead image is a medium, datePublished, dateModified, authors as `Person` with their
                page, publisher, articleSection, keywords, inLanguage, isAccessibleForFree) and the category's
                `BreadcrumbList`, ready for `<script type="application/ld+json">`. A previous slug or a legacy id
                answers 301.
                """)
            .WithValidation()
            .UsesDatabase()
            .Produces<JsonElement>(StatusCodes.Status200OK, ContentType)
            .Produces(StatusCodes.Status301MovedPermanently)
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<Results<SyndicationResponse, RedirectHttpResult, ProblemHttpResult>> GetArticleJsonLd(
        [AsParameters] ArticleRoute route,
        HttpContext http,
        ArticleViews views,
        SyndicationUrls urls,
        CancellationToken cancellationToken)
    {
        var (row, redirectTo) = await views.FindAsync(route, ArticleStore.Audience.Public, cancellationToken);
        if (row is null)
        {
            return redirectTo is not null ? ArticleRoute.MovedTo(redirectTo, http) : ArticleRoute.NotFound(route.IdOrSlug);
        }

        var view = await views.RenderAsync(row, ArticleStore.Audience.Public, cancellationToken);
        var body = JsonSerializer.SerializeToUtf8Bytes(Document(view.Article, urls));
        return new SyndicationResponse(body, ContentType + "; charset=utf-8", view.SurrogateKeys, view.Article.UpdatedAt);
    }

    public static JsonObject Document(ArticleDto article, SyndicationUrls urls)
    {
        var news = new JsonObject
        {
            ["@type"] = "NewsArticle",
            ["@id"] = article.CanonicalUrl + "#article",
            ["mainEntityOfPage"] = article.CanonicalUrl,
            ["url"] = article.CanonicalUrl,
            ["headline"] = article.Title.Length > 110 ? article.Title[..110] : article.Title,
            ["inLanguage"] = article.Language,
            ["isAccessibleForFree"] = true,
            ["articleSection"] = article.Category.Name,
        };
        if (article.Summary.Length > 0)
        {
            news["description"] = article.Summary;
        }

        if (Images(article.Image) is { Count: > 0 } images)
        {
            news["image"] = images;
        }

        if (article.PublishedAt is { } published)
        {
            news["datePublished"] = Date(published);
        }

        news["dateModified"] = Date(article.ContentModifiedAt ?? article.PublishedAt ?? article.UpdatedAt);
        var authors = new JsonArray();
        foreach (var author in article.Authors)
        {
            authors.Add(new JsonObject { ["@type"] = "Person", ["name"] = author.Name, ["url"] = urls.AuthorUrl(author.Id, author.Slug) });
        }

        if (authors.Count == 0 && article.Byline is { Length: > 0 } byline)
        {
            authors.Add(new JsonObject { ["@type"] = "Organization", ["name"] = byline });
        }

        if (authors.Count > 0)
        {
            news["author"] = authors;
        }

        news["publisher"] = new JsonObject { ["@type"] = "NewsMediaOrganization", ["name"] = urls.Site.Name, ["url"] = urls.SiteUrl };
        if (article.Tags.Count > 0)
        {
            news["keywords"] = new JsonArray([.. article.Tags.Select(t => (JsonNode?)JsonValue.Create(t.Name))]);
        }

        var crumbs = new JsonArray();
        var position = 1;
        foreach (var step in article.Category.Breadcrumb)
        {
            crumbs.Add(new JsonObject
            {
                ["@type"] = "ListItem",
                ["position"] = position++,
                ["name"] = step.Name,
                ["item"] = step.Slug is null ? urls.SiteUrl : urls.CategoryUrl(step.Id ?? 0, step.Slug),
            });
        }

        crumbs.Add(new JsonObject { ["@type"] = "ListItem", ["position"] = position, ["name"] = article.Title, ["item"] = article.CanonicalUrl });
        return new JsonObject
        {
            ["@context"] = "https://schema.org",
            ["@graph"] = new JsonArray(news, new JsonObject { ["@type"] = "BreadcrumbList", ["itemListElement"] = crumbs }),
        };
    }

    /// <summary>A medium in the three proportions Google asks for (cropped around its focal point), or an external image as it is.</summary>
    private static JsonArray Images(ImageDto? image)
    {
        var images = new JsonArray();
        if (image is null || SyndicationUrls.Absolute(image.Url) is null)
        {
            return images;
        }

        if (image.Renditions is not { } renditions)
        {
            images.Add(image.Url);
            return images;
        }

        foreach (var (width, height) in ImageShapes)
        {
            var spec = new RenditionSpec(width, height, Fit.Cover, null, 1).ToString();
            images.Add(renditions.Template.Replace("{spec}", spec, StringComparison.Ordinal).Replace("{format}", "jpg", StringComparison.Ordinal));
        }

        return images;
    }

    private static string Date(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
