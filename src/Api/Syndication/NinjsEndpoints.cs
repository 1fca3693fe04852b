using Api.Articles;
using Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Api.Syndication;

/// <summary><c>GET /v1/articles/{idOrSlug}/ninjs</c>: one public article as IPTC ninjs 2.2.</summary>
public static class NinjsEndpoints
{
    public static void MapNinjs(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/articles/{idOrSlug}/ninjs", GetArticleNinjs)
            .WithTags("Syndication")
            .WithName("GetArticleNinjs")
            .CacheRead(articleScoped: true)
            .WithSummary("One published article (or, for partner keys, one under embargo) as IPTC ninjs 2.2")
            .WithDescription($"""
                The article as a ninjs 2.2 news item ({NinjsResults.SchemaUri}): `uri` is the article's
                permanent tag URI, `version` its version, headline, summary, the body as HTML and as plain
                text, the categories of its breadcrumb and its tags as `subjects`, the byline as `by`, the
                lead image and the translations as `associations`, its page on the site as a `web`
                rendition, and its numeric id, slug and legacy ids as `altids`. A previous slug or a legacy
                id answers 301 to the current URL. With a partner key, an article under embargo is
                answered too: `pubstatus` usable, `embargoed` the time it lifts, and `Cache-Control:
                private, no-store`; editor keys see every article (drafts are `withheld`).
                """)
            .WithValidation()
            .UsesDatabase()
            .Produces<NinjsItem>(StatusCodes.Status200OK, NinjsResults.ContentType)
            .Produces(StatusCodes.Status301MovedPermanently)
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<Results<NinjsResult, RedirectHttpResult, ProblemHttpResult>> GetArticleNinjs(
        [AsParameters] ArticleRoute route,
        HttpContext http,
        ArticleViews views,
        CancellationToken cancellationToken)
    {
        var audience = ArticleViews.AudienceOf(http.User);
        var (row, redirectTo) = await views.FindAsync(route, audience, cancellationToken);
        if (row is null)
        {
            return redirectTo is not null ? ArticleRoute.MovedTo(redirectTo, http) : ArticleRoute.NotFound(route.IdOrSlug);
        }

        var view = await views.RenderAsync(row, audience, cancellationToken);
        return new NinjsResult(view, audience, vary: null);
    }
}
