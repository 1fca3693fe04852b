using System.Text.Json;
using Api.Articles;
using Api.Tests.Infrastructure;
using Npgsql;

namespace Api.Tests.Articles;

/// <summary>
/// The list, category, cursor and search queries the API runs must be answerable from indexes.
/// With sequential scans disabled, a plan that still scans articles sequentially means no index
/// serves the query; and a plan that reads far more rows than it returns (a whole index walked
/// and filtered) means the index does not fit the query either.
/// </summary>
public sealed class QueryPlanTests(QueryPlanTests.Fixture api) : IClassFixture<QueryPlanTests.Fixture>
{
    public sealed class Fixture : ApiFactory
    {
        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            await ExecuteAsync("""
                INSERT INTO articles (slug, title, summary, body_text, language, category_id, status, published_at)
                SELECT 'plan-' || n,
                       'Plan article ' || n || ' about ' || (ARRAY['trade', 'security', 'climate', 'health', 'culture'])[1 + n % 5],
                       'Summary ' || n,
                       CASE WHEN n % 100 = 0 THEN '中美关系 经济合作 第' || n || '篇'
                            WHEN n % 100 = 1 THEN 'Body text number ' || n || ' on the quokka treaty'
                            ELSE 'Body text number ' || n || ' on diplomacy' END,
                       CASE WHEN n % 100 = 0 THEN 'zh-Hans' ELSE 'en' END,
                       (SELECT id FROM categories
                        WHERE slug = CASE n % 100 WHEN 5 THEN 'visa-fees' WHEN 6 THEN 'visas' ELSE 'china-news' END),
                       'published',
                       timestamptz '2020-01-01Z' + n * interval '1 hour'
                FROM generate_series(1, 20000) AS n;
                INSERT INTO tags (slug, name) VALUES ('plan-tag', 'Plan tag');
                INSERT INTO article_tags (article_id, tag_id)
                SELECT a.id, t.id FROM articles a, tags t WHERE t.slug = 'plan-tag' AND a.id % 7 = 0;
                """);
            // Flushes the full-text index's pending list and gathers statistics, as autovacuum would.
            await ExecuteAsync("VACUUM ANALYZE articles");
            await ExecuteAsync("VACUUM ANALYZE article_tags");
        }
    }

    public static TheoryData<string, string?, string?, string?, ArticleSort, bool, int> Cases => new()
    {
        // name, search, category slug, tag, sort, with a cursor, most article rows the plan may read (of 20,000; 200 match each search;
        // a page reads up to 21 rows per category, then the 21 it returns)
        { "first page", null, null, null, ArticleSort.PublishedDescending, false, 60 },
        { "deep page via cursor", null, null, null, ArticleSort.PublishedDescending, true, 60 },
        { "oldest first via cursor", null, null, null, ArticleSort.PublishedAscending, true, 60 },
        { "recently updated via cursor", null, null, null, ArticleSort.UpdatedDescending, true, 60 },
        { "by title via cursor", null, null, null, ArticleSort.Title, true, 60 },
        { "small category", null, "visa-fees", null, ArticleSort.PublishedDescending, false, 60 },
        { "small category via cursor", null, "visa-fees", null, ArticleSort.PublishedDescending, true, 60 },
        { "category with descendants", null, "visas", null, ArticleSort.PublishedDescending, false, 80 },
        { "category with descendants via cursor", null, "visas", null, ArticleSort.PublishedAscending, true, 80 },
        { "large category", null, "china-news", null, ArticleSort.PublishedDescending, true, 60 },
        { "tag", null, null, "plan-tag", ArticleSort.PublishedDescending, false, 500 },
        { "search", "quokka treaty", null, null, ArticleSort.Relevance, false, 250 },
        { "search via cursor", "quokka treaty", null, null, ArticleSort.Relevance, true, 250 },
        { "search by date via cursor", "quokka", null, null, ArticleSort.PublishedDescending, true, 2000 },
        { "search in Chinese", "经济合作", null, null, ArticleSort.Relevance, false, 250 },
        { "search in Chinese and English", "经济合作 plan", null, null, ArticleSort.Relevance, false, 250 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task List_queries_are_served_by_indexes(string name, string? search, string? category, string? tag, ArticleSort sort, bool withCursor, int maxRowsRead)
    {
        var categoryIds = category is null ? null : await api.QueryAsync<long>(
            "SELECT id FROM categories WHERE slug = @category OR parent_id = (SELECT id FROM categories WHERE slug = @category)", new { category });
        var query = new ArticleListQuery(
            categoryIds?.ToArray(), tag is null ? null : [tag], null, null, null, search, null, sort, 20, false,
            ArticleFields.ListDefaults(search is not null));
        var cursor = withCursor
            ? new ArticleCursor(query.Fingerprint(), new DateTime(2020, 3, 1, 0, 0, 0, DateTimeKind.Utc), "Plan article 1500", 0.05, 1500)
            : null;
        var (sql, parameters) = ArticleStore.ListCommand(query, cursor);

        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using (var off = new NpgsqlCommand("SET enable_seqscan = off", connection))
        {
            await off.ExecuteNonQueryAsync();
        }

        var plan = await Dapper.SqlMapper.ExecuteScalarAsync<string>(connection, "EXPLAIN (ANALYZE, FORMAT JSON) " + sql, parameters);
        var root = JsonDocument.Parse(plan!).RootElement;

        var scans = SequentialScans(root).ToList();
        Assert.True(scans.Count == 0, $"{name}: sequential scan of {string.Join(", ", scans)} in\n{plan}");
        var rowsRead = ArticleRowsRead(root);
        Assert.True(rowsRead <= maxRowsRead, $"{name}: the plan read {rowsRead} article rows (at most {maxRowsRead} expected) in\n{plan}");
    }

    /// <summary>Rows produced or filtered out by the scans of the articles table (and of its copy for search, article_search), over all loops.</summary>
    private static double ArticleRowsRead(JsonElement node) => node.ValueKind switch
    {
        JsonValueKind.Array => node.EnumerateArray().Sum(ArticleRowsRead),
        JsonValueKind.Object => node.EnumerateObject().Sum(p => ArticleRowsRead(p.Value))
            + (node.TryGetProperty("Relation Name", out var relation) && relation.GetString() is "articles" or "article_search"
                ? (Number(node, "Actual Rows") + Number(node, "Rows Removed by Filter") + Number(node, "Rows Removed by Index Recheck"))
                  * Math.Max(1, Number(node, "Actual Loops"))
                : 0),
        _ => 0,
    };

    private static double Number(JsonElement node, string name) =>
        node.TryGetProperty(name, out var value) ? value.GetDouble() : 0;

    private static IEnumerable<string> SequentialScans(JsonElement node)
    {
        if (node.ValueKind == JsonValueKind.Array)
        {
            foreach (var child in node.EnumerateArray().SelectMany(SequentialScans))
            {
                yield return child;
            }
        }
        else if (node.ValueKind == JsonValueKind.Object)
        {
            if (node.TryGetProperty("Node Type", out var type) && type.GetString() == "Seq Scan"
                && node.TryGetProperty("Relation Name", out var relation) && relation.GetString() is "articles" or "article_search" or "article_tags")
            {
                yield return relation.GetString()!;
            }

            foreach (var property in node.EnumerateObject())
            {
                foreach (var child in SequentialScans(property.Value))
                {
                    yield return child;
                }
            }
        }
    }
}
