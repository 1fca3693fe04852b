using System.ComponentModel;
using Api.Categories;
using Api.Infrastructure;
using Dapper;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Api.Articles;

/// <summary>Query parameters of <c>GET /v1/articles/{idOrSlug}/related</c>.</summary>
public sealed record RelatedArticlesRequest
{
    /// <summary>How many related articles, 1 to 20 (default 5).</summary>
    [FromQuery(Name = "limit"), DefaultValue(DefaultLimit)]
    public int? Limit { get; init; }

    /// <summary>Comma-separated article fields to return, as for lists (<c>id</c> always comes back; the editor-only fields need an editor key).</summary>
    [FromQuery(Name = "fields")]
    public string? Fields { get; init; }

    public const int DefaultLimit = 5;
    public const int MaxLimit = 20;

    internal int Take => Limit ?? DefaultLimit;
}

public sealed class RelatedArticlesRequestValidator : AbstractValidator<RelatedArticlesRequest>
{
    public RelatedArticlesRequestValidator()
    {
        RuleFor(r => r.Limit).InclusiveBetween(1, RelatedArticlesRequest.MaxLimit);

        RuleFor(r => r.Fields).ArticleFieldList(snippet: false);
    }
}

public static class RelatedArticles
{
    public static void MapRelatedArticles(this IEndpointRouteBuilder app) =>
        app.ArticlesGroup().MapGet("/{idOrSlug}/related", GetRelated)
            .WithName("ListRelatedArticles")
            .CacheRead()
            .WithSummary("Published articles related to one article")
            .WithDescription("""
                Ranked by what they share with the article: its category, its tags and the words of its title
                and summary; newest first among equals. The article itself is never included.
                A previous slug or legacy id answers 301 to the current URL.
                """)
            .WithStrictQuery()
            .WithValidation()
            .Produces(StatusCodes.Status301MovedPermanently)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Results<CachedJsonBody<ArticleList>, RedirectHttpResult, ProblemHttpResult>> GetRelated(
        [AsParameters] ArticleRoute route,
        [AsParameters] RelatedArticlesRequest request,
        HttpContext http,
        ArticleStore articles,
        ArticleViews views,
        CategoryStore categories,
        IOptions<SiteOptions> site,
        Api.Media.MediaUrls media,
        CancellationToken cancellationToken)
    {
        var (source, redirectTo) = await views.FindAsync(route, ArticleStore.Audience.Public, cancellationToken);
        if (source is null)
        {
            return redirectTo is not null ? ArticleRoute.MovedTo(redirectTo, http) : ArticleRoute.NotFound(route.IdOrSlug);
        }

        var limit = request.Take;
        var audience = ArticleViews.AudienceOf(http.User);
        var fields = ArticleFields.ForList(request.Fields, search: false, audience);
        if (ArticleFields.Refused(fields, audience) is { Count: > 0 } refused)
        {
            return ArticleFields.RefusalFor(refused, http);
        }

        var rows = await articles.FindRelatedAsync(
            source.Id, limit, fields.Contains("bodyHtml") || fields.Contains("bodyText"), fields.Contains("previousSlugs") || fields.Contains("legacyIds"), cancellationToken);
        var index = await categories.GetIndexAsync(cancellationToken);
        var translations = fields.Contains("translations")
            ? await articles.FindTranslationsAsync(rows.Select(r => r.TranslationGroup).OfType<Guid>().Distinct().ToArray(), cancellationToken)
            : null;

        var body = ArticleLists.Write(rows, null, null, fields, index, translations, null, site.Value, media, http.Options());
        var keys = new HashSet<string>(StringComparer.Ordinal) { "articles", $"article-{source.Id}" };
        foreach (var row in rows)
        {
            keys.Add($"article-{row.Id}");
            keys.UnionWith(index.PathSurrogateKeys(row.CategoryId));
        }

        return new CachedJsonBody<ArticleList>(body, keys);
    }
}

public sealed partial class ArticleStore
{
    /// <summary>
    /// Candidates share the category, a tag or a title/summary word with the source (the newest
    /// 200 of each kind, so a large category stays cheap); they are scored by all three.
    /// </summary>
    public async Task<IReadOnlyList<ArticleRow>> FindRelatedAsync(long id, int limit, bool withBody, bool withAliases, CancellationToken cancellationToken)
    {
        const string candidates = $"""
            WITH source AS (
                SELECT a.id, a.category_id,
                       (SELECT to_tsquery('simple', string_agg(quote_literal(lexeme), ' | '))
                        FROM unnest(to_tsvector('english', a.title || ' ' || a.summary))) AS terms
                FROM articles a
                WHERE a.id = @id
            ),
            source_tags AS (
                SELECT tag_id FROM article_tags WHERE article_id = @id
            ),
            candidates AS (
                (SELECT a.id FROM articles a, source s
                 WHERE a.category_id = s.category_id AND {Visible} AND a.kind <> 'page'
                 ORDER BY a.published_at DESC, a.id DESC LIMIT 200)
                UNION
                (SELECT a.id FROM articles a
                 WHERE EXISTS (SELECT 1 FROM article_tags at WHERE at.article_id = a.id AND at.tag_id IN (SELECT tag_id FROM source_tags))
                   AND {Visible} AND a.kind <> 'page'
                 ORDER BY a.published_at DESC, a.id DESC LIMIT 200)
                UNION
                (SELECT a.id FROM articles a, source s
                 WHERE s.terms IS NOT NULL AND a.search_vector @@ s.terms AND {Visible} AND a.kind <> 'page'
                 ORDER BY a.published_at DESC, a.id DESC LIMIT 200)
            )
            """;
        const string scored = $"""
            {MetaColumns},
                   (CASE WHEN a.category_id = s.category_id THEN 1.0 ELSE 0 END
                    + 0.75 * (SELECT count(*) FROM article_tags at WHERE at.article_id = a.id AND at.tag_id IN (SELECT tag_id FROM source_tags))
                    + CASE WHEN s.terms IS NULL THEN 0 ELSE 10 * ts_rank(a.search_vector, s.terms) END)::float8 AS rank
            FROM candidates c
            JOIN articles a ON a.id = c.id
            {WithLists}
            CROSS JOIN source s
            WHERE a.id <> s.id
            ORDER BY rank DESC, a.published_at DESC, a.id DESC
            LIMIT @limit
            """;
        const string withBodySql = $"{candidates} SELECT a.body_html, a.body_text, {NoAliasColumns}, {scored}";
        const string withoutBodySql = $"{candidates} SELECT '' AS body_html, '' AS body_text, {NoAliasColumns}, {scored}";
        const string withBodyAliasesSql = $"{candidates} SELECT a.body_html, a.body_text, {AliasColumns}, {scored}";
        const string aliasesSql = $"{candidates} SELECT '' AS body_html, '' AS body_text, {AliasColumns}, {scored}";
        var sql = (withBody, withAliases) switch
        {
            (true, true) => withBodyAliasesSql,
            (true, false) => withBodySql,
            (false, true) => aliasesSql,
            _ => withoutBodySql,
        };
        await using var connection = await reads.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<ArticleRow>(new CommandDefinition(sql, new { id, limit }, cancellationToken: cancellationToken));
        return rows.AsList();
    }
}
