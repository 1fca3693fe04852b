using Api.Articles;
using Api.Categories;
using Api.Content;
using Api.Infrastructure;
using Api.Tags;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Api.Syndication;

/// <summary>The feeds: RSS 2.0, Atom 1.0 and JSON Feed 1.1, site-wide, per category (sub-categories included) and per tag.</summary>
public static class Feeds
{
    /// <summary>The list fields a summary feed needs (no body), and those of a full one.</summary>
    private static readonly IReadOnlySet<string> SummaryFields = ArticleFields.ListDefaults(search: false);

    private static readonly IReadOnlySet<string> FullFields = SummaryFields.Append("bodyHtml").ToHashSet(StringComparer.Ordinal);

    private const string Description = """
        The newest published articles, newest first; `language` and `tag` filter them as in the article
        list, `content=full` adds each article's HTML body, `limit` takes 1 to 100 (default 50). Item ids
        are permanent tag URIs; links are the articles' pages on the site. Unknown or repeated query
        parameters are a 400.
        """;

    public static void MapFeeds(this IEndpointRouteBuilder app)
    {
        var feeds = app.MapGroup("/feeds").WithTags("Syndication").UsesDatabase().CacheRead();
        foreach (var format in Enum.GetValues<FeedFormat>())
        {
            var file = FeedFormats.FileName(format);
            feeds.MapGet($"/{file}", (
                    [AsParameters] FeedRequest request,
                    HttpContext http,
                    ArticleStore articles,
                    CategoryStore categories,
                    SyndicationUrls urls,
                    CancellationToken cancellationToken) =>
                    GetFeedAsync(format, null, null, null, request, http, articles, categories, urls, cancellationToken))
                .WithName($"Get{format}Feed")
                .WithSummary($"The site's {Label(format)} feed")
                .WithDescription(Description)
                .Documented(format);

            feeds.MapGet($"/categories/{{slug}}/{file}", (
                    [AsParameters] CategoryRoute route,
                    [AsParameters] FeedRequest request,
                    HttpContext http,
                    ArticleStore articles,
                    CategoryStore categories,
                    SyndicationUrls urls,
                    CancellationToken cancellationToken) =>
                    GetFeedAsync(format, route.Slug, null, null, request, http, articles, categories, urls, cancellationToken))
                .WithName($"GetCategory{format}Feed")
                .WithSummary($"A category's {Label(format)} feed (sub-categories included)")
                .WithDescription(Description + "\nThe category's sub-categories are included; an unknown category is a 404.")
                .Documented(format)
                .ProducesProblem(StatusCodes.Status404NotFound);

            feeds.MapGet($"/tags/{{slug}}/{file}", async (
                    [AsParameters] TagRoute route,
                    [AsParameters] FeedRequest request,
                    HttpContext http,
                    ArticleStore articles,
                    CategoryStore categories,
                    TagStore tags,
                    SyndicationUrls urls,
                    CancellationToken cancellationToken) =>
                {
                    var (tag, movedTo) = await tags.FindAsync(route.Slug, cancellationToken);
                    if (tag is null || tag.ArticleCount == 0)
                    {
                        return movedTo is not null ? SlugRedirect.To(http, "/feeds/tags/", movedTo) : (Results<SyndicationResponse, RedirectHttpResult, ProblemHttpResult>)TagEndpoints.NotFound(route.Slug);
                    }

                    return (await GetFeedAsync(format, null, tag, null, request, http, articles, categories, urls, cancellationToken)).Result switch
                    {
                        SyndicationResponse feed => feed,
                        var problem => (ProblemHttpResult)problem,
                    };
                })
                .WithName($"GetTag{format}Feed")
                .WithSummary($"A tag's {Label(format)} feed")
                .WithDescription(Description + "\nOnly articles with the tag (`tag` narrows further); an earlier slug of the tag answers 301 to its current one; an unknown tag, or one no published article has, is a 404.")
                .Documented(format)
                .Produces(StatusCodes.Status301MovedPermanently)
                .ProducesProblem(StatusCodes.Status404NotFound);

            feeds.MapGet($"/authors/{{slug}}/{file}", async (
                    [AsParameters] Api.Authors.AuthorRoute route,
                    [AsParameters] FeedRequest request,
                    HttpContext http,
                    ArticleStore articles,
                    CategoryStore categories,
                    Api.Authors.AuthorStore authors,
                    SyndicationUrls urls,
                    CancellationToken cancellationToken) =>
                    await authors.GetAsync(route.Slug, cancellationToken) is { } author
                        ? await GetFeedAsync(format, null, null, author, request, http, articles, categories, urls, cancellationToken)
                        : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"No author has the slug '{route.Slug}'."))
                .WithName($"GetAuthor{format}Feed")
                .WithSummary($"An author's {Label(format)} feed")
                .WithDescription(Description + "\nOnly the author's articles; an unknown author is a 404.")
                .Documented(format)
                .ProducesProblem(StatusCodes.Status404NotFound);
        }
    }

    private static string Label(FeedFormat format) => format switch
    {
        FeedFormat.Rss => "RSS 2.0",
        FeedFormat.Atom => "Atom",
        _ => "JSON Feed 1.1",
    };

    private static RouteHandlerBuilder Documented(this RouteHandlerBuilder builder, FeedFormat format)
    {
        builder.WithStrictQuery().WithValidation();
        var mediaType = FeedFormats.MediaType(format);
        return (format == FeedFormat.Json
                ? builder.Produces<JsonFeed>(StatusCodes.Status200OK, mediaType)
                : builder.Produces<string>(StatusCodes.Status200OK, mediaType))
            .Produces(StatusCodes.Status304NotModified);
    }

    private static async Task<Results<SyndicationResponse, ProblemHttpResult>> GetFeedAsync(
        FeedFormat format,
        string? categorySlug,
        TagRow? tag,
        Api.Authors.AuthorRow? author,
        FeedRequest request,
        HttpContext http,
        ArticleStore articles,
        CategoryStore categories,
        SyndicationUrls urls,
        CancellationToken cancellationToken)
    {
        var index = await categories.GetIndexAsync(cancellationToken);
        CategoryRow? category = null;
        if (categorySlug is not null && (category = index.FindBySlug(categorySlug)) is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"No category has the slug '{categorySlug}'.");
        }

        var language = request.Language is null ? null : Languages.Normalize(request.Language);
        var query = new ArticleListQuery(
            category is null ? null : index.WithDescendants(category, descendants: true).ToArray(),
            request.Tag is null ? null : QueryValues.List(request.Tag).Distinct(StringComparer.Ordinal).ToArray(),
            language,
            PublishedAfter: null,
            PublishedBefore: null,
            Search: null,
            Ids: null,
            ArticleSort.PublishedDescending,
            request.Take,
            Count: false,
            request.Full ? FullFields : SummaryFields,
            TagId: tag?.Id) with { Authors = author is null ? null : [author.Slug] };
        var rows = (await articles.ListAsync(query, after: null, cancellationToken)).Take(request.Take).ToList();

        // A feed changes when an item is edited and when one appears (a scheduled article's time
        // comes), so its last change is the latest of both.
        DateTime? lastModified = rows.Count == 0 ? null : rows.Max(r => Max(r.UpdatedAt, r.PublishedAt ?? r.UpdatedAt));
        var site = urls.Site;
        var feed = new FeedDocument(
            author is not null ? $"{site.Name}: {author.Name}" : tag is not null ? $"{site.Name}: {tag.Name}" : category is null ? site.Name : $"{site.Name}: {category.Name}",
            site.Name,
            author is not null ? $"The newest articles by {author.Name}."
                : tag is not null ? $"The newest articles tagged {tag.Name}."
                : category is null ? $"The newest articles from {site.Name}."
                : category.Description.Length > 0 ? category.Description
                : $"The newest articles in {category.Name}.",
            urls.Self(http.Request),
            author is not null ? urls.AuthorUrl(author.Id, author.Slug) : tag is not null ? urls.TagUrl(tag.Slug) : category is null ? urls.SiteUrl : urls.CategoryUrl(category.Id, category.Slug),
            language,
            lastModified ?? author?.UpdatedAt ?? tag?.UpdatedAt ?? category?.UpdatedAt ?? DateTime.UnixEpoch,
            rows.Select(row => FeedEntry.From(row, index, urls)).ToList(),
            request.Full);

        var keys = new List<string> { "feeds" };
        if (tag is not null)
        {
            keys.Add(TagMapping.SurrogateKey(tag.Id));
        }

        if (author is not null)
        {
            keys.Add($"author-{author.Id}");
        }

        if (category is not null)
        {
            keys.AddRange(Breadcrumbs.SurrogateKeys(index.PathSteps(category.Id)));
        }

        foreach (var row in rows)
        {
            keys.Add($"article-{row.Id}");
            keys.AddRange(index.PathSurrogateKeys(row.CategoryId));
        }

        return new SyndicationResponse(
            FeedFormats.Write(format, feed),
            FeedFormats.ContentType(format),
            keys.Distinct(StringComparer.Ordinal).ToList(),
            lastModified);
    }

    private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;
}
