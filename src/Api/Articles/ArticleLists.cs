using System.Buffers;
using System.Text.Json;
using Api.Categories;
using Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace Api.Articles;

/// <summary>A page of articles.</summary>
/// <param name="Items">The articles, with the fields asked for (<c>id</c> always).</param>
/// <param name="NextCursor">Pass as <c>cursor</c> to get the next page; null on the last page. Also sent as a <c>Link: rel="next"</c> header.</param>
/// <param name="Total">Number of matching articles when <c>count=true</c>; otherwise null.</param>
public sealed record ArticleList(IReadOnlyList<ArticleListItem> Items, string? NextCursor, long? Total);

/// <summary>
/// An article in a list: the fields of <see cref="ArticleDto"/> chosen by <c>fields</c> (summary fields
/// by default), and for searches a <c>snippet</c> of the body with matches in <c>&lt;mark&gt;</c>.
/// Its OpenAPI schema is derived from <see cref="ArticleDto"/>'s.
/// </summary>
public sealed class ArticleListItem;

public static class ArticleLists
{
    public static void MapArticleLists(this IEndpointRouteBuilder app)
    {
        var articles = app.ArticlesGroup();
        articles.MapGet("/", ListArticles)
            .WithName("ListArticles")
            .CacheRead()
            .WithSummary("Published articles: filters, search, sort and cursor pagination")
            .WithDescription("""
                Newest first by default. Filters combine with AND; the values of one filter (comma-separated)
                with OR. Pages are keyset-paginated: follow `nextCursor` (or the `Link: rel="next"` header)
                and pages never repeat or skip an article, even while others are being published.
                Unknown or repeated query parameters are a 400.
                """)
            .WithStrictQuery()
            .WithValidation()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        app.MapGet("/v1/authors/{slug}/articles", ListAuthorArticles)
            .WithTags("Authors")
            .WithName("ListAuthorArticles")
            .CacheRead()
            .WithSummary("Published articles by an author")
            .WithDescription("The article list of `GET /v1/articles` scoped to one author; the same parameters apply.")
            .WithStrictQuery()
            .WithValidation()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .UsesDatabase()
            .ProducesProblem(StatusCodes.Status404NotFound);

        app.MapGet("/v1/categories/{slug}/articles", ListCategoryArticles)
            .WithTags("Categories")
            .WithName("ListCategoryArticles")
            .CacheRead()
            .WithSummary("Published articles of a category (and its sub-categories)")
            .WithDescription("The article list of `GET /v1/articles` scoped to one category; the same parameters apply.")
            .WithStrictQuery()
            .WithValidation()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .UsesDatabase()
            .ProducesProblem(StatusCodes.Status404NotFound);

        app.MapGet("/v1/tags/{slug}/articles", ListTagArticles)
            .WithTags("Tags")
            .WithName("ListTagArticles")
            .CacheRead()
            .WithSummary("Published articles with a tag")
            .WithDescription("""
                The article list of `GET /v1/articles` scoped to one tag; the same parameters apply (`tag`
                narrows it further to articles that also have one of those tags). A slug the tag had
                before it was renamed or merged answers 301 to its current one.
                """)
            .WithStrictQuery()
            .WithValidation()
            .Produces(StatusCodes.Status301MovedPermanently)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .UsesDatabase()
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<Results<CachedJsonBody<ArticleList>, ValidationProblem, ProblemHttpResult>> ListArticles(
        [AsParameters] ArticleListRequest request,
        [AsParameters] CategoryFilterRequest categoryFilter,
        HttpContext http,
        ArticleStore articles,
        CategoryStore categories,
        Cursors cursors,
        IOptions<SiteOptions> site,
        Api.Media.MediaUrls media,
        CancellationToken cancellationToken)
    {
        var index = await categories.GetIndexAsync(cancellationToken);
        long[]? categoryIds = null;
        if (categoryFilter.Category is not null)
        {
            categoryIds = QueryValues.List(categoryFilter.Category)
                .Select(index.FindBySlug)
                .OfType<CategoryRow>()
                .SelectMany(c => index.WithDescendants(c, categoryFilter.WithDescendants))
                .Distinct()
                .ToArray();
        }

        return await RunAsync(ArticleListQuery.From(request, categoryIds, ArticleViews.AudienceOf(http.User)), request.Cursor, index, http, articles, cursors, site.Value, media, cancellationToken);
    }

    private static async Task<Results<CachedJsonBody<ArticleList>, ValidationProblem, ProblemHttpResult>> ListAuthorArticles(
        [AsParameters] Api.Authors.AuthorRoute scope,
        [AsParameters] ArticleListRequest request,
        HttpContext http,
        ArticleStore articles,
        CategoryStore categories,
        Api.Authors.AuthorStore authors,
        Cursors cursors,
        IOptions<SiteOptions> site,
        Api.Media.MediaUrls media,
        CancellationToken cancellationToken)
    {
        if (await authors.GetAsync(scope.Slug, cancellationToken) is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"No author has the slug '{scope.Slug}'.");
        }

        var index = await categories.GetIndexAsync(cancellationToken);
        var query = ArticleListQuery.From(request, null, ArticleViews.AudienceOf(http.User)) with { Authors = [scope.Slug] };
        return await RunAsync(query, request.Cursor, index, http, articles, cursors, site.Value, media, cancellationToken);
    }

    private static async Task<Results<CachedJsonBody<ArticleList>, ValidationProblem, ProblemHttpResult>> ListCategoryArticles(
        [AsParameters] CategoryScopeRequest scope,
        [AsParameters] ArticleListRequest request,
        HttpContext http,
        ArticleStore articles,
        CategoryStore categories,
        Cursors cursors,
        IOptions<SiteOptions> site,
        Api.Media.MediaUrls media,
        CancellationToken cancellationToken)
    {
        var index = await categories.GetIndexAsync(cancellationToken);
        if (index.FindBySlug(scope.Slug) is not { } category)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"No category has the slug '{scope.Slug}'.");
        }

        var query = ArticleListQuery.From(request, index.WithDescendants(category, scope.WithDescendants).ToArray(), ArticleViews.AudienceOf(http.User));
        return await RunAsync(query, request.Cursor, index, http, articles, cursors, site.Value, media, cancellationToken);
    }

    private static async Task<Results<CachedJsonBody<ArticleList>, RedirectHttpResult, ValidationProblem, ProblemHttpResult>> ListTagArticles(
        [AsParameters] Api.Tags.TagRoute scope,
        [AsParameters] ArticleListRequest request,
        HttpContext http,
        ArticleStore articles,
        CategoryStore categories,
        Api.Tags.TagStore tags,
        Cursors cursors,
        IOptions<SiteOptions> site,
        Api.Media.MediaUrls media,
        CancellationToken cancellationToken)
    {
        var (tag, movedTo) = await tags.FindAsync(scope.Slug, cancellationToken);
        if (tag is null)
        {
            return movedTo is not null ? SlugRedirect.To(http, "/v1/tags/", movedTo) : Api.Tags.TagEndpoints.NotFound(scope.Slug);
        }

        var index = await categories.GetIndexAsync(cancellationToken);
        var query = ArticleListQuery.From(request, null, ArticleViews.AudienceOf(http.User)) with { TagId = tag.Id };
        return (await RunAsync(query, request.Cursor, index, http, articles, cursors, site.Value, media, cancellationToken)).Result switch
        {
            CachedJsonBody<ArticleList> page => page,
            ValidationProblem invalid => invalid,
            var problem => (ProblemHttpResult)problem,
        };
    }

    private static async Task<Results<CachedJsonBody<ArticleList>, ValidationProblem, ProblemHttpResult>> RunAsync(
        ArticleListQuery query,
        string? cursor,
        CategoryIndex index,
        HttpContext http,
        ArticleStore articles,
        Cursors cursors,
        SiteOptions site,
        Api.Media.MediaUrls media,
        CancellationToken cancellationToken)
    {
        var audience = ArticleViews.AudienceOf(http.User);
        if (query.Statuses is not null && audience != ArticleStore.Audience.Editor)
        {
            // 'status=' shows unpublished work: only editors may ask.
            return ArticleViews.EditorKeyRequired(http, "Listing by 'status' needs an API key with the content:write scope.");
        }

        if (ArticleFields.Refused(query.Fields, audience) is { Count: > 0 } refused)
        {
            return ArticleFields.RefusalFor(refused, http);
        }

        var fingerprint = query.Fingerprint();
        ArticleCursor? after = null;
        if (cursor is not null)
        {
            if (!cursors.TryDecode(cursor, AppJsonContext.Default.ArticleCursor, out after) || after!.Query != fingerprint)
            {
                return TypedResults.ValidationProblem(
                    new Dictionary<string, string[]>
                    {
                        ["cursor"] = ["The cursor is not valid for this query: pass the nextCursor of a previous page unchanged, with the same filters and sort."],
                    },
                    detail: "One or more values are invalid; see 'errors'.");
            }
        }

        var rows = await articles.ListAsync(query, after, cancellationToken);
        var page = rows.Take(query.Limit).ToList();
        string? nextCursor = null;
        if (rows.Count > query.Limit)
        {
            var last = page[^1];
            nextCursor = cursors.Encode(
                new ArticleCursor(
                    fingerprint,
                    query.Sort == ArticleSort.UpdatedDescending ? last.UpdatedAt : last.PublishedAt ?? ArticleStore.Undated,
                    query.Sort == ArticleSort.Title ? last.Title : null,
                    query.Sort == ArticleSort.Relevance ? last.Rank : null,
                    last.Id),
                AppJsonContext.Default.ArticleCursor);
            http.Response.Headers.Link = $"<{NextPageUrl(http.Request, nextCursor)}>; rel=\"next\"";
        }

        var translations = query.Fields.Contains("translations")
            ? await articles.FindTranslationsAsync(page.Select(r => r.TranslationGroup).OfType<Guid>().Distinct().ToArray(), cancellationToken)
            : null;
        long? total = query.Count ? await articles.CountAsync(query, cancellationToken) : null;

        var body = Write(page, nextCursor, total, query.Fields, index, translations, query.Terms, site, media, http.Options());
        var keys = new HashSet<string>(StringComparer.Ordinal) { "articles" };
        foreach (var row in page)
        {
            keys.Add($"article-{row.Id}");
            keys.UnionWith(index.PathSurrogateKeys(row.CategoryId));
        }

        if (query.Terms is null && query.Sort is ArticleSort.PublishedDescending or ArticleSort.PublishedAscending)
        {
            // Its articles and their order follow from where they are filed and when they appeared, and
            // an item shows nothing of other articles than the translations' slugs and languages, which
            // count as moving too: an edit to the content of another article leaves this answer as it is.
            ReadCaching.ShowsOnlyListedArticles(http);
        }

        return new CachedJsonBody<ArticleList>(body, keys, query.Statuses is null ? CachePolicy.Public : new CachePolicy(false));
    }

    internal static PooledBody Write(
        IReadOnlyList<ArticleRow> page,
        string? nextCursor,
        long? total,
        IReadOnlySet<string> fields,
        CategoryIndex index,
        ILookup<Guid, TranslationRow>? translations,
        SearchTerms? terms,
        SiteOptions site,
        Api.Media.MediaUrls media,
        JsonSerializerOptions options)
    {
        var buffer = new PooledBody(4096 + (page.Count * 1280));
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = options.Encoder }))
        {
            json.WriteStartObject();
            json.WriteStartArray("items");
            foreach (var row in page)
            {
                var article = ArticleMapping.ToDto(
                    row,
                    index.PathSteps(row.CategoryId),
                    row.TranslationGroup is { } group && translations is not null ? translations[group] : [],
                    site,
                    media);
                ArticleFields.Write(json, article, Snippets.ToHtml(row.Snippet, row.BodyText, terms), fields, options);
            }

            json.WriteEndArray();
            json.WriteString("nextCursor", nextCursor);
            if (total is { } count)
            {
                json.WriteNumber("total", count);
            }
            else
            {
                json.WriteNull("total");
            }

            json.WriteEndObject();
        }

        return buffer;
    }

    internal static string NextPageUrl(HttpRequest request, string cursor)
    {
        var query = request.Query
            .Where(p => p.Key != "cursor")
            .Select(p => new KeyValuePair<string, string?>(p.Key, p.Value.ToString()))
            .Append(new KeyValuePair<string, string?>("cursor", cursor));
        return QueryHelpers.AddQueryString(request.PathBase + request.Path, query);
    }
}
