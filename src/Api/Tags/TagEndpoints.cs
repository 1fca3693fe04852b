using Api.Articles;
using Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Api.Tags;

public static class TagEndpoints
{
    public static RouteGroupBuilder MapTags(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/tags").WithTags("Tags").UsesDatabase();

        group.MapGet("/", ListTags)
            .WithName("ListTags")
            .CacheRead()
            .WithSummary("The tags of published articles, with how many each has")
            .WithDescription("""
                Every tag that at least one published article has, with `articleCount` (published articles
                only), by name (default) or most articles first, ties by slug; `q` keeps the names that start
                with it. Pages are keyset-paginated: follow `nextCursor` (or the `Link: rel="next"` header).
                Unknown or repeated query parameters are a 400.
                """)
            .WithStrictQuery()
            .WithValidation();

        group.MapGet("/{slug}", GetTag)
            .WithName("GetTag")
            .WithResponseExample(StatusCodes.Status200OK, TagEditing.TagExample)
            .CacheRead()
            .WithSummary("One tag with its number of published articles")
            .WithDescription("""
                A slug the tag had before it was renamed or merged answers 301 with the current URL in
                `Location`. A tag no published article has is a 404, except to editors.
                """)
            .WithValidation()
            .Produces(StatusCodes.Status301MovedPermanently)
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapTagEditing();
        return group;
    }

    /// <summary>The answer when no tag has <paramref name="slug"/>, now or before.</summary>
    internal static ProblemHttpResult NotFound(string slug) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"No tag has the slug '{slug}'.");

    private static async Task<Results<CachedJson<TagList>, ValidationProblem>> ListTags(
        [AsParameters] TagListRequest request, HttpContext http, TagStore store, Cursors cursors, CancellationToken cancellationToken)
    {
        var sort = request.ByCount ? TagListRequest.ByCountDescending : TagListRequest.ByName;
        var q = request.Prefix;
        TagCursor? after = null;
        if (request.Cursor is not null
            && (!cursors.TryDecode(request.Cursor, AppJsonContext.Default.TagCursor, out after) || after!.Sort != sort || after.Q != q))
        {
            return WriteAnswers.Invalid(new Dictionary<string, string[]>
            {
                ["cursor"] = ["The cursor is not valid for this query: pass the nextCursor of a previous page unchanged, with the same q and sort."],
            });
        }

        var rows = await store.ListAsync(request.ByCount, q, after, request.PageSize + 1, cancellationToken);
        var page = rows.Take(request.PageSize).ToList();
        string? next = null;
        if (rows.Count > request.PageSize)
        {
            var last = page[^1];
            next = cursors.Encode(
                new TagCursor(sort, q, request.ByCount ? null : last.SortName, request.ByCount ? last.ArticleCount : null, last.Slug),
                AppJsonContext.Default.TagCursor);
            http.Response.Headers.Link = $"<{ArticleLists.NextPageUrl(http.Request, next)}>; rel=\"next\"";
        }

        return HttpCaching.Cached(new TagList(page.Select(TagMapping.Summary).ToList(), next), ["tags"]);
    }

    private static async Task<Results<CachedJson<TagDetail>, RedirectHttpResult, ProblemHttpResult>> GetTag(
        [AsParameters] TagRoute route, HttpContext http, TagStore store, CancellationToken cancellationToken)
    {
        var (tag, movedTo) = await store.FindAsync(route.Slug, cancellationToken);
        if (tag is null)
        {
            return movedTo is not null ? SlugRedirect.To(http, "/v1/tags/", movedTo) : NotFound(route.Slug);
        }

        // A tag only unpublished work has would tell its name before publication.
        var editor = ArticleViews.AudienceOf(http.User) == ArticleStore.Audience.Editor;
        if (tag.ArticleCount == 0 && !editor)
        {
            return NotFound(route.Slug);
        }

        return HttpCaching.Cached(
            TagMapping.Detail(tag), ["tags", TagMapping.SurrogateKey(tag.Id)], tag.UpdatedAt, new CachePolicy(!editor, TagMapping.ETagPrefix(tag.Version)));
    }
}

public static class TagServices
{
    public static WebApplicationBuilder AddTags(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<TagStore>();
        builder.Services.AddSingleton<TagWriter>();
        return builder;
    }
}
