using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Xunit.Abstractions;

namespace Api.Tests.Infrastructure;

/// <summary>
/// 60 published articles, each with two tags, filed three categories deep and paired with a
/// translation: enough to show a per-item query as growth with the page size.
/// </summary>
public sealed class StatementCountFixture : ApiFactory
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await ExecuteAsync("""
            INSERT INTO tags (slug, name) VALUES ('count-a', 'Count A'), ('count-b', 'Count B');

            INSERT INTO articles (slug, title, summary, body_html, body_text, language, category_id, status, published_at, translation_group)
            SELECT 'count-' || n, 'Counted article ' || n, 'Summary ' || n, '<p>Body ' || n || '.</p>', 'Body ' || n || '.',
                   CASE WHEN n % 2 = 0 THEN 'en' ELSE 'fr' END,
                   (SELECT id FROM categories WHERE slug = 'visa-fees'),
                   'published', timestamptz '2030-01-01Z' - n * interval '1 minute',
                   md5('count-pair-' || (n + 1) / 2)::uuid
            FROM generate_series(1, 60) AS n;

            INSERT INTO article_tags (article_id, tag_id)
            SELECT a.id, t.id FROM articles a CROSS JOIN tags t
            WHERE a.slug LIKE 'count-%' AND t.slug IN ('count-a', 'count-b');
            """);
        // The fixture's articles are dated in the future so that they lead every list; make them public now.
        await ExecuteAsync("UPDATE articles SET published_at = now() - (60 - substring(slug from 7)::int) * interval '1 second' WHERE slug LIKE 'count-%'");
    }
}

/// <summary>
/// Counts the commands the Npgsql driver itself reports (its "Npgsql" ActivitySource) while a
/// request runs, so that a query per item (N+1) shows as a count that grows with the page size.
/// A request is told apart from the requests of other test classes, which run in parallel, by the
/// trace id it sends in <c>traceparent</c>: ASP.NET Core continues that trace, and the driver's
/// activities are its children.
/// </summary>
public sealed class StatementCountTests : IClassFixture<StatementCountFixture>, IDisposable
{
    private readonly StatementCountFixture _api;
    private readonly ITestOutputHelper _output;
    private readonly ActivityListener _listener;
    private readonly ConcurrentDictionary<ActivityTraceId, ConcurrentQueue<string>> _commands = new();

    public StatementCountTests(StatementCountFixture api, ITestOutputHelper output)
    {
        _api = api;
        _output = output;
        _listener = new ActivityListener
        {
            // ASP.NET Core only starts its request activity (which carries the client's trace) when someone listens.
            ShouldListenTo = source => source.Name is "Npgsql" or "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            // Recorded when each command ends, by then the driver has tagged it with its SQL.
            ActivityStopped = activity =>
            {
                // Npgsql 10 also traces opening a physical connection ("CONNECT {database}"), which depends on
                // the pool's state and runs no statement of ours.
                if (activity.Source.Name == "Npgsql"
                    && !activity.OperationName.StartsWith("CONNECT ", StringComparison.Ordinal)
                    && _commands.TryGetValue(activity.TraceId, out var commands))
                {
                    var text = activity.GetTagItem("db.query.text") ?? activity.GetTagItem("db.statement");
                    commands.Enqueue(text as string ?? activity.DisplayName + "[" + string.Join(",", activity.TagObjects.Select(t => t.Key)) + "]");
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose() => _listener.Dispose();

    [Theory]
    [InlineData(5)]
    [InlineData(20)]
    [InlineData(50)]
    public async Task The_article_list_runs_the_same_statements_whatever_the_page_size(int limit)
    {
        using var client = _api.CreateClient();
        // The page, then the page's translations: nothing per item (the category tree comes from memory).
        var (response, count) = await CountAsync(client, $"/v1/articles?limit={limit}&fields=id,slug,category,tags,translations");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var items = (await response.ReadJsonAsync()).GetProperty("items");
        Assert.Equal(limit, items.GetArrayLength());
        Assert.All(items.EnumerateArray(), item =>
        {
            Assert.Equal(2, item.GetProperty("tags").GetArrayLength());
            Assert.Equal(1, item.GetProperty("translations").GetArrayLength());
            Assert.True(item.GetProperty("category").GetProperty("breadcrumb").GetArrayLength() >= 3);
        });
        Assert.Equal(2, count);
    }

    [Fact]
    public async Task A_category_list_runs_as_many_statements_as_the_article_list()
    {
        using var client = _api.CreateClient();
        var (response, count) = await CountAsync(client, "/v1/categories/visas/articles?limit=50&fields=id,category,tags,translations");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, count);
    }

    [Fact]
    public async Task One_article_runs_a_bounded_number_of_statements()
    {
        using var client = _api.CreateClient();
        // The article and its translations; the category path comes from memory.
        var (response, count) = await CountAsync(client, "/v1/articles/count-7");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, count);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(20)]
    public async Task Related_articles_run_the_same_statements_whatever_the_limit(int limit)
    {
        using var client = _api.CreateClient();
        // The article, the related ones, translations.
        var (response, count) = await CountAsync(client, $"/v1/articles/count-7/related?limit={limit}&fields=id,category,tags,translations");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(limit, (await response.ReadJsonAsync()).GetProperty("items").GetArrayLength());
        Assert.Equal(3, count);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(50)]
    public async Task A_change_feed_page_runs_the_same_statements_whatever_its_size(int limit)
    {
        using var client = _api.CreateClient(await _api.CreateKeyAsync("partner"));
        // The key, the sequence, the page's ids, the articles, translations.
        var (response, count) = await CountAsync(client, $"/v1/changes?limit={limit}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(limit, (await response.ReadJsonAsync()).GetProperty("items").GetArrayLength());
        Assert.Equal(5, count);
    }

    [Theory]
    [InlineData("/feeds/rss.xml?limit=5")]
    [InlineData("/feeds/rss.xml?limit=50&content=full")]
    [InlineData("/feeds/atom.xml?limit=50")]
    [InlineData("/feeds/feed.json?limit=50")]
    [InlineData("/feeds/categories/visas/rss.xml?limit=50")]
    public async Task Feeds_run_the_same_statements_whatever_their_size(string url)
    {
        using var client = _api.CreateClient();
        // The page.
        var (response, count) = await CountAsync(client, url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, count);
    }

    /// <summary>
    /// Sends a GET in a trace of its own and counts the driver's commands in that trace, leaving out
    /// the read of the whole category tree: the first request after a change reloads it (one
    /// statement whatever the size), later ones take it from memory.
    /// </summary>
    private async Task<(HttpResponseMessage Response, int Count)> CountAsync(HttpClient client, string url)
    {
        var traceId = ActivityTraceId.CreateRandom();
        var commands = _commands.GetOrAdd(traceId, _ => new ConcurrentQueue<string>());
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        var response = await client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        _output.WriteLine($"{url}: {commands.Count} ({string.Join(" | ", commands)})");
        var tree = commands.Count(c => c.Contains("FROM categories", StringComparison.Ordinal) && c.Contains("ORDER BY position, id", StringComparison.Ordinal));
        Assert.InRange(tree, 0, 1);
        return (response, commands.Count - tree);
    }
}
