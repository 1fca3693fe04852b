using System.Collections.Frozen;
using Dapper;

namespace Api.Articles;

/// <summary>
/// Article lists: filters, keyset pagination over each order's index, and search.
/// The SQL of each variant (order x search mode x body or not) is built once from constant
/// fragments; filters that are absent fold away at planning time because their parameter is NULL.
/// </summary>
public sealed partial class ArticleStore
{
    /// <summary>Which parts a search has: words (English stemming) and runs of CJK characters (matched as phrases of character pairs).</summary>
    public enum SearchMode
    {
        None,
        Words,
        Cjk,
        WordsAndCjk,
    }

    private const string CategoryFilter = "(@categoryIds::bigint[] IS NULL OR a.category_id = ANY(@categoryIds))";

    private const string OtherFilters = """
        (@tags::text[] IS NULL OR EXISTS (
            SELECT 1 FROM article_tags at
            WHERE at.article_id = a.id
              AND at.tag_id IN (SELECT id FROM tags WHERE slug = ANY(@tags) UNION ALL SELECT tag_id FROM tag_aliases WHERE alias = ANY(@tags))))
        AND (@tagId::bigint IS NULL OR EXISTS (SELECT 1 FROM article_tags st WHERE st.article_id = a.id AND st.tag_id = @tagId))
        AND (@language::text IS NULL OR a.language = @language)
        AND (@publishedAfter::timestamptz IS NULL OR a.published_at >= @publishedAfter)
        AND (@publishedBefore::timestamptz IS NULL OR a.published_at < @publishedBefore)
        AND (@ids::bigint[] IS NULL OR a.id = ANY(@ids))
        AND (@authors::text[] IS NULL OR EXISTS (
            SELECT 1 FROM article_authors aa JOIN authors au ON au.id = aa.author_id
            WHERE aa.article_id = a.id AND au.slug = ANY(@authors)))
        AND ((@kinds::text[] IS NULL AND a.kind <> 'page') OR a.kind = ANY(@kinds))
        """;

    private const string Filters = $"{CategoryFilter} AND {OtherFilters}";

    /// <summary>
    /// What searches rank and filter: per article the columns of <see cref="Visible"/>,
    /// <see cref="EditorStatuses"/>, <see cref="Filters"/> and the orders, and the search vector kept
    /// uncompressed in the row (migration 0028), so that ranking every match reads neither the wide
    /// article row nor TOAST. Named <c>a</c> where it is read, as articles is elsewhere.
    /// </summary>
    private const string SearchTable = "article_search";

    /// <summary>Editors' lists (<c>status=</c>): any of the asked states, deleted articles only when asked for.</summary>
    private const string EditorStatuses = """
        (('published' = ANY(@statuses) AND a.status = 'published' AND a.published_at <= now() AND a.deleted_at IS NULL)
         OR ('scheduled' = ANY(@statuses) AND a.status = 'published' AND a.published_at > now() AND a.deleted_at IS NULL)
         OR ('draft' = ANY(@statuses) AND a.status = 'draft' AND a.deleted_at IS NULL)
         OR ('archived' = ANY(@statuses) AND a.status = 'archived' AND a.deleted_at IS NULL)
         OR ('deleted' = ANY(@statuses) AND a.deleted_at IS NOT NULL))
        """;

    /// <summary>Drafts may have no publication time; in editors' lists they sort as the newest.</summary>
    public static readonly DateTime Undated = new(9999, 12, 31, 0, 0, 0, DateTimeKind.Utc);

    private const string EditorPublished = "coalesce(a.published_at, timestamptz '9999-12-31 00:00:00Z')";

    private static readonly FrozenDictionary<(ArticleSort, SearchMode, bool, bool, bool, bool), string> ListSql = BuildListSql();
    private static readonly FrozenDictionary<(SearchMode, bool), string> CountSql = BuildCountSql();

    public static SearchMode SearchModeFor(SearchTerms? terms) => terms switch
    {
        null => SearchMode.None,
        { Words: not null, Cjk: not null } => SearchMode.WordsAndCjk,
        { Cjk: not null } => SearchMode.Cjk,
        _ => SearchMode.Words,
    };

    /// <summary>One page (up to <c>limit + 1</c> rows, so the caller knows whether another page follows).</summary>
    public async Task<IReadOnlyList<ArticleRow>> ListAsync(ArticleListQuery query, ArticleCursor? after, CancellationToken cancellationToken)
    {
        var (sql, parameters) = ListCommand(query, after);
        using var turn = query.Terms is null ? null : await searches.EnterAsync(cancellationToken);
        await using var connection = await reads.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<ArticleRow>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    public async Task<long> CountAsync(ArticleListQuery query, CancellationToken cancellationToken)
    {
        var mode = SearchModeFor(query.Terms);
        using var turn = mode == SearchMode.None ? null : await searches.EnterAsync(cancellationToken);
        await using var connection = await reads.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(
            new CommandDefinition(CountSql[(mode, query.Statuses is not null)], FilterParameters(query), cancellationToken: cancellationToken));
    }

    /// <summary>The SQL and parameters of one page (public so that tests can check the query plan).</summary>
    public static (string Sql, DynamicParameters Parameters) ListCommand(ArticleListQuery query, ArticleCursor? after)
    {
        var mode = SearchModeFor(query.Terms);
        var parameters = FilterParameters(query);
        parameters.Add("afterAt", after?.At);
        parameters.Add("afterTitle", after?.Title);
        parameters.Add("afterRank", after?.Rank);
        parameters.Add("afterId", after?.Id);
        parameters.Add("take", query.Limit + 1);
        parameters.Add("headline", "StartSel=\uE000, StopSel=\uE001, MaxWords=30, MinWords=12, ShortWord=3, MaxFragments=2, FragmentDelimiter=\" … \"");
        // A search's snippet is made in the statement; only a CJK one is finished here, from the body.
        var withBody = query.WithBody || mode is SearchMode.Cjk or SearchMode.WordsAndCjk;
        var editor = query.Statuses is not null;
        var aliases = query.WithAliases;
        var sql = query.CategoryIds is not null && ListSql.TryGetValue((query.Sort, mode, withBody, true, editor, aliases), out var byCategory)
            ? byCategory
            : ListSql[(query.Sort, mode, withBody, false, editor, aliases)];
        return (sql, parameters);
    }

    private static DynamicParameters FilterParameters(ArticleListQuery query)
    {
        var parameters = new DynamicParameters();
        parameters.Add("categoryIds", query.CategoryIds);
        parameters.Add("tags", query.Tags);
        parameters.Add("language", query.Language);
        parameters.Add("publishedAfter", query.PublishedAfter);
        parameters.Add("publishedBefore", query.PublishedBefore);
        parameters.Add("ids", query.Ids);
        parameters.Add("searchWords", query.Terms?.Words);
        parameters.Add("searchCjk", query.Terms?.Cjk);
        parameters.Add("statuses", query.Statuses);
        parameters.Add("authors", query.Authors);
        parameters.Add("kinds", query.Kinds);
        parameters.Add("tagId", query.TagId);
        return parameters;
    }

    private static string TsQuery(SearchMode mode) => mode switch
    {
        SearchMode.Words => "websearch_to_tsquery('english', @searchWords)",
        SearchMode.Cjk => "to_tsquery('simple', @searchCjk)",
        SearchMode.WordsAndCjk => "(websearch_to_tsquery('english', @searchWords) && to_tsquery('simple', @searchCjk))",
        _ => throw new ArgumentOutOfRangeException(nameof(mode)),
    };

    /// <summary>
    /// The search's tsquery, parsed once per statement: a CTE the search statements start with, whose
    /// <c>q.q</c> the conditions and the rank use (written inline, the parse ran for every row twice).
    /// </summary>
    private static string QueryCte(SearchMode mode) => $"q AS MATERIALIZED (SELECT {TsQuery(mode)} AS q)";

    /// <summary>Needs <see cref="QueryCte"/> and <c>q</c> in FROM when searching.</summary>
    private static string SearchCondition(SearchMode mode) =>
        mode == SearchMode.None ? "TRUE" : "a.search_vector @@ q.q";

    /// <summary>Needs <see cref="QueryCte"/> and <c>q</c> in FROM when searching.</summary>
    private static string RankExpression(SearchMode mode) =>
        mode == SearchMode.None ? "0::float8" : "ts_rank_cd(a.search_vector, q.q, 32)::float8";

    /// <summary>ORDER BY and the keyset condition "comes after the cursor" for each order; id breaks every tie.</summary>
    private static (string OrderBy, string After) Ordering(ArticleSort sort, string rank, string published) => sort switch
    {
        ArticleSort.PublishedDescending => ($"{published} DESC, a.id DESC", $"({published}, a.id) < (@afterAt, @afterId)"),
        ArticleSort.PublishedAscending => ($"{published} ASC, a.id ASC", $"({published}, a.id) > (@afterAt, @afterId)"),
        ArticleSort.UpdatedDescending => ("a.updated_at DESC, a.id DESC", "(a.updated_at, a.id) < (@afterAt, @afterId)"),
        ArticleSort.Title => ("a.title ASC, a.id ASC", "(a.title, a.id) > (@afterTitle::text, @afterId)"),
        _ => ($"rank DESC, {published} DESC, a.id DESC", $"({rank}, {published}, a.id) < (@afterRank::float8, @afterAt, @afterId)"),
    };

    private static FrozenDictionary<(ArticleSort, SearchMode, bool, bool, bool, bool), string> BuildListSql()
    {
        var variants = new Dictionary<(ArticleSort, SearchMode, bool, bool, bool, bool), string>();
        foreach (var sort in Enum.GetValues<ArticleSort>())
        {
            foreach (var mode in Enum.GetValues<SearchMode>())
            {
                foreach (var (withBody, editor, withAliases) in
                         from b in new[] { false, true } from e in new[] { false, true } from al in new[] { false, true } select (b, e, al))
                {
                    var aliases = withAliases ? AliasColumns : NoAliasColumns;
                    var visible = editor ? EditorStatuses : Visible;
                    var rank = RankExpression(mode);
                    var (orderBy, after) = Ordering(sort, rank, editor ? EditorPublished : "a.published_at");
                    var body = withBody ? $"a.body_html, a.body_text, {BodyMedia}," : "'' AS body_html, '' AS body_text, NULL::text AS body_media,";
                    var snippet = mode == SearchMode.None ? "NULL::text" : $"ts_headline('english', page.body_text, {TsQuery(mode)}, @headline)";
                    var finalOrder = orderBy.Replace("a.", "page.", StringComparison.Ordinal).Replace("rank", "page.rank", StringComparison.Ordinal);
                    var conditions = $"""
                        {visible}
                          AND {Filters}
                          AND {SearchCondition(mode)}
                          AND (@afterId::bigint IS NULL OR {after})
                        """;
                    if (!editor && mode == SearchMode.None && sort is ArticleSort.PublishedDescending or ArticleSort.PublishedAscending)
                    {
                        // Each category's newest (or oldest) rows come from its own index, then merge:
                        // at most take x categories rows are read however small the categories are.
                        variants[(sort, mode, withBody, true, false, withAliases)] = $"""
                            WITH ids AS (
                                SELECT c.id
                                FROM unnest(@categoryIds::bigint[]) AS cat (category_id)
                                CROSS JOIN LATERAL (
                                    SELECT a.id, a.published_at
                                    FROM articles a
                                    WHERE a.category_id = cat.category_id
                                      AND {Visible}
                                      AND {OtherFilters}
                                      AND (@afterId::bigint IS NULL OR {after})
                                    ORDER BY {orderBy}
                                    LIMIT @take
                                ) c
                                ORDER BY {orderBy.Replace("a.", "c.", StringComparison.Ordinal)}
                                LIMIT @take
                            ),
                            page AS (
                                SELECT {body} {MetaColumns}, {aliases}, 0::float8 AS rank
                                FROM ids
                                JOIN articles a ON a.id = ids.id
                                {WithLists}
                            )
                            SELECT page.*, NULL::text AS snippet
                            FROM page
                            ORDER BY {finalOrder}
                            """;
                    }

                    if (mode != SearchMode.None)
                    {
                        // A search ranks every match: the ranking and the top of the order see only the
                        // id and the rank, read from the narrow copy of what search needs (migration 0028),
                        // and the page's 20 rows are read and joined afterwards (sorting whole rows, bodies
                        // included, cost more than the ranking). Their snippets are made from the bodies
                        // there, which are sent only when asked for (or for CJK).
                        variants[(sort, mode, withBody, false, editor, withAliases)] = $"""
                            WITH {QueryCte(mode)},
                            hits AS (
                                SELECT a.id, {rank} AS rank
                                FROM {SearchTable} a, q
                                WHERE {conditions}
                                ORDER BY {orderBy}
                                LIMIT @take
                            ),
                            page AS (
                                SELECT {body} {MetaColumns}, {aliases}, hits.rank,
                                       ts_headline('english', a.body_text, {TsQuery(mode)}, @headline) AS snippet
                                FROM hits
                                JOIN articles a ON a.id = hits.id
                                {WithLists}
                            )
                            SELECT page.*
                            FROM page
                            ORDER BY {finalOrder}
                            """;
                        continue;
                    }

                    variants[(sort, mode, withBody, false, editor, withAliases)] = $"""
                        WITH page AS (
                            SELECT {body} {MetaColumns}, {aliases}, {rank} AS rank
                            FROM articles a
                            {WithLists}
                            WHERE {conditions}
                            ORDER BY {orderBy}
                            LIMIT @take
                        )
                        SELECT page.*, {snippet} AS snippet
                        FROM page
                        ORDER BY {finalOrder}
                        """;
                }
            }
        }

        return variants.ToFrozenDictionary();
    }

    private static FrozenDictionary<(SearchMode, bool), string> BuildCountSql() =>
        Enum.GetValues<SearchMode>()
            .SelectMany(mode => new[] { (mode, false), (mode, true) })
            .ToFrozenDictionary(key => key, key => $"""
                {(key.Item1 == SearchMode.None ? "" : $"WITH {QueryCte(key.Item1)}")}
                SELECT count(*)
                FROM {(key.Item1 == SearchMode.None ? "articles a" : $"{SearchTable} a, q")}
                WHERE {(key.Item2 ? EditorStatuses : Visible)}
                  AND {Filters}
                  AND {SearchCondition(key.Item1)}
                """);
}
