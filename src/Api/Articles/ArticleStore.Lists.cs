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
    /// <summary>English full-text search; with <see cref="SearchMode.FullTextAndSubstring"/>, also a trigram-indexed substring match.</summary>
    public enum SearchMode
    {
        None,
        FullText,
        FullTextAndSubstring,
    }

    // The expression the trigram index covers; queries must spell it exactly like this.
    private const string SearchText = "(a.title || ' ' || a.summary || ' ' || a.body_text)";
    private const string TsQuery = "websearch_to_tsquery('english', @search)";

    private const string Filters = """
        (@categoryIds::bigint[] IS NULL OR a.category_id = ANY(@categoryIds))
        AND (@tags::text[] IS NULL OR EXISTS (
            SELECT 1 FROM article_tags at JOIN tags t ON t.id = at.tag_id
            WHERE at.article_id = a.id AND t.slug = ANY(@tags)))
        AND (@language::text IS NULL OR a.language = @language)
        AND (@publishedAfter::timestamptz IS NULL OR a.published_at >= @publishedAfter)
        AND (@publishedBefore::timestamptz IS NULL OR a.published_at < @publishedBefore)
        AND (@ids::bigint[] IS NULL OR a.id = ANY(@ids))
        """;

    private static readonly FrozenDictionary<(ArticleSort, SearchMode, bool), string> ListSql = BuildListSql();
    private static readonly FrozenDictionary<SearchMode, string> CountSql = BuildCountSql();

    public static SearchMode SearchModeFor(string? search) =>
        search is null ? SearchMode.None
        : search.Any(c => c > '\u024F' && char.IsLetter(c)) ? SearchMode.FullTextAndSubstring
        : SearchMode.FullText;

    /// <summary>One page (up to <c>limit + 1</c> rows, so the caller knows whether another page follows).</summary>
    public async Task<IReadOnlyList<ArticleRow>> ListAsync(ArticleListQuery query, ArticleCursor? after, CancellationToken cancellationToken)
    {
        var mode = SearchModeFor(query.Search);
        var sql = ListSql[(query.Sort, mode, query.WithBody || mode != SearchMode.None)];
        var parameters = Parameters(query, mode);
        parameters.Add("afterAt", after?.At);
        parameters.Add("afterTitle", after?.Title);
        parameters.Add("afterRank", after?.Rank);
        parameters.Add("afterId", after?.Id);
        parameters.Add("take", query.Limit + 1);
        parameters.Add("headline", "StartSel=\uE000, StopSel=\uE001, MaxWords=30, MinWords=12, ShortWord=3, MaxFragments=2, FragmentDelimiter=\" … \"");

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ArticleRow>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    public async Task<long> CountAsync(ArticleListQuery query, CancellationToken cancellationToken)
    {
        var mode = SearchModeFor(query.Search);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(
            new CommandDefinition(CountSql[mode], Parameters(query, mode), cancellationToken: cancellationToken));
    }

    /// <summary>The SQL a list request runs, for tests that check its plan.</summary>
    public static string ListSqlFor(ArticleSort sort, SearchMode mode, bool withBody) => ListSql[(sort, mode, withBody || mode != SearchMode.None)];

    public static DynamicParameters Parameters(ArticleListQuery query, SearchMode mode)
    {
        var parameters = new DynamicParameters();
        parameters.Add("categoryIds", query.CategoryIds);
        parameters.Add("tags", query.Tags);
        parameters.Add("language", query.Language);
        parameters.Add("publishedAfter", query.PublishedAfter);
        parameters.Add("publishedBefore", query.PublishedBefore);
        parameters.Add("ids", query.Ids);
        parameters.Add("search", query.Search);
        parameters.Add("pattern", mode == SearchMode.FullTextAndSubstring ? "%" + EscapeLike(query.Search!) + "%" : null);
        return parameters;
    }

    private static string EscapeLike(string value) =>
        value.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal);

    private static string SearchCondition(SearchMode mode) => mode switch
    {
        SearchMode.None => "TRUE",
        SearchMode.FullText => $"a.search_vector @@ {TsQuery}",
        _ => $"(a.search_vector @@ {TsQuery} OR {SearchText} ILIKE @pattern)",
    };

    private static string RankExpression(SearchMode mode) => mode switch
    {
        SearchMode.None => "0::float8",
        SearchMode.FullText => $"ts_rank_cd(a.search_vector, {TsQuery}, 32)::float8",
        _ => $"(ts_rank_cd(a.search_vector, {TsQuery}, 32) + CASE WHEN a.title ILIKE @pattern THEN 0.2 WHEN {SearchText} ILIKE @pattern THEN 0.1 ELSE 0 END)::float8",
    };

    /// <summary>ORDER BY and the keyset condition "comes after the cursor" for each order; id breaks every tie.</summary>
    private static (string OrderBy, string After) Ordering(ArticleSort sort, string rank) => sort switch
    {
        ArticleSort.PublishedDescending => ("a.published_at DESC, a.id DESC", "(a.published_at, a.id) < (@afterAt, @afterId)"),
        ArticleSort.PublishedAscending => ("a.published_at ASC, a.id ASC", "(a.published_at, a.id) > (@afterAt, @afterId)"),
        ArticleSort.UpdatedDescending => ("a.updated_at DESC, a.id DESC", "(a.updated_at, a.id) < (@afterAt, @afterId)"),
        ArticleSort.Title => ("a.title ASC, a.id ASC", "(a.title, a.id) > (@afterTitle::text, @afterId)"),
        _ => ("rank DESC, a.published_at DESC, a.id DESC", $"({rank}, a.published_at, a.id) < (@afterRank::float8, @afterAt, @afterId)"),
    };

    private static FrozenDictionary<(ArticleSort, SearchMode, bool), string> BuildListSql()
    {
        var variants = new Dictionary<(ArticleSort, SearchMode, bool), string>();
        foreach (var sort in Enum.GetValues<ArticleSort>())
        {
            foreach (var mode in Enum.GetValues<SearchMode>())
            {
                foreach (var withBody in new[] { false, true })
                {
                    var rank = RankExpression(mode);
                    var (orderBy, after) = Ordering(sort, rank);
                    var body = withBody ? "a.body_html, a.body_text," : "'' AS body_html, '' AS body_text,";
                    var snippet = mode == SearchMode.None ? "NULL::text" : $"ts_headline('english', page.body_text, {TsQuery}, @headline)";
                    variants[(sort, mode, withBody)] = $"""
                        WITH page AS (
                            SELECT {body} {MetaColumns}, {rank} AS rank
                            FROM articles a
                            WHERE {Visible}
                              AND {Filters}
                              AND {SearchCondition(mode)}
                              AND (@afterId::bigint IS NULL OR {after})
                            ORDER BY {orderBy}
                            LIMIT @take
                        )
                        SELECT page.*, {snippet} AS snippet
                        FROM page
                        ORDER BY {orderBy.Replace("a.", "page.", StringComparison.Ordinal).Replace("rank", "page.rank", StringComparison.Ordinal)}
                        """;
                }
            }
        }

        return variants.ToFrozenDictionary();
    }

    private static FrozenDictionary<SearchMode, string> BuildCountSql() =>
        Enum.GetValues<SearchMode>().ToFrozenDictionary(mode => mode, mode => $"""
            SELECT count(*)
            FROM articles a
            WHERE {Visible}
              AND {Filters}
              AND {SearchCondition(mode)}
            """);
}
