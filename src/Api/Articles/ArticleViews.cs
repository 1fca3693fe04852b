using System.Security.Claims;
using Api.Categories;
using Api.Infrastructure;
using Api.Keys;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Api.Articles;

/// <summary>An article rendered for one audience, with the cache keys it involves.</summary>
public sealed record ArticleView(ArticleDto Article, IReadOnlyList<string> SurrogateKeys)
{
    /// <summary>
    /// Articles' ETags start with their version ("3-…"), which <c>If-Match</c> on writes compares. Only
    /// public reads go to shared caches; an article under embargo is not kept anywhere, not even by
    /// the partner's own client.
    /// </summary>
    public CachePolicy CachePolicy(ArticleStore.Audience audience) =>
        new(audience == ArticleStore.Audience.Public, ETagPrefix(Article.Version)) { NoStore = Article.Embargoed };

    public static string ETagPrefix(int version) => Api.Infrastructure.Preconditions.VersionPrefix(version);
}

/// <summary>Finds and renders single articles for the public, for partners (keys with partner) or for editors (keys with content:write).</summary>
public sealed class ArticleViews(ArticleStore articles, CategoryStore categories, IOptions<SiteOptions> site, Api.Media.MediaUrls media)
{
    /// <summary>
    /// The answer to a reader without an editor key who asks for what only editors see: 401 (with the
    /// challenge) without a key, 403 with another one.
    /// </summary>
    public static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult EditorKeyRequired(HttpContext http, string detail)
    {
        var authenticated = http.User.Identity?.IsAuthenticated == true;
        if (!authenticated)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer realm=\"news-api\"";
        }

        return TypedResults.Problem(statusCode: authenticated ? StatusCodes.Status403Forbidden : StatusCodes.Status401Unauthorized, detail: detail);
    }

    public static ArticleStore.Audience AudienceOf(ClaimsPrincipal user) =>
        user.HasClaim(Scopes.ClaimType, Scopes.ContentWrite) || user.HasClaim(Scopes.ClaimType, Scopes.Admin) ? ArticleStore.Audience.Editor
        : user.HasClaim(Scopes.ClaimType, Scopes.Partner) ? ArticleStore.Audience.Partner
        : ArticleStore.Audience.Public;

    /// <summary>
    /// The article named by id or current slug, or else the current slug an alias points to. Without
    /// <paramref name="whole"/>, the row has no plain-text body and no aliases (see <see cref="ArticleStore.FindByIdAsync"/>).
    /// </summary>
    public async Task<(ArticleRow? Row, string? RedirectTo)> FindAsync(ArticleRoute route, ArticleStore.Audience audience, CancellationToken cancellationToken, bool whole = true)
    {
        var id = route.Id;
        var row = id is { } byId
            ? await articles.FindByIdAsync(byId, audience, cancellationToken, whole: whole)
            : await articles.FindBySlugAsync(route.IdOrSlug, audience, cancellationToken, whole);
        if (row is not null || id is not null)
        {
            return (row, null);
        }

        return (null, await articles.FindSlugByAliasAsync(route.IdOrSlug, audience, cancellationToken));
    }

    public async Task<ArticleView?> RenderAsync(long id, ArticleStore.Audience audience, CancellationToken cancellationToken, NpgsqlConnection? connection = null) =>
        await articles.FindByIdAsync(id, audience, cancellationToken, connection) is { } row
            ? await RenderAsync(row, audience, cancellationToken, connection)
            : null;

    public async Task<ArticleView> RenderAsync(ArticleRow row, ArticleStore.Audience audience, CancellationToken cancellationToken, NpgsqlConnection? connection = null)
    {
        var path = await categories.GetPathAsync(row.CategoryId, cancellationToken, connection);
        var translations = row.TranslationGroup is { } group
            ? (await articles.FindTranslationsAsync([group], cancellationToken, audience, connection))[group]
            : [];
        var article = ArticleMapping.ToDto(row, path, translations, site.Value, media);
        // Translations show each other's slugs: a write to one changes the others' answers too.
        return new ArticleView(article, [$"article-{row.Id}", .. translations.Select(t => $"article-{t.Id}"), .. Breadcrumbs.SurrogateKeys(path)]);
    }
}
