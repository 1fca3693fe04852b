using System.Net;
using Api.Tests.Infrastructure;

namespace Api.Tests.Syndication;

/// <summary>Every syndication parameter's bad values: a 400 problem naming the parameter, never a 500.</summary>
public sealed class SyndicationBadInputTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _client = api.CreateClient();

    public static TheoryData<string, string> BadFeedQueries => new()
    {
        { "limit=0", "limit" },
        { "limit=101", "limit" },
        { "limit=abc", "limit" },
        { "limit=-1", "limit" },
        { "limit=1.5", "limit" },
        { "limit=", "limit" },
        { "limit=99999999999999999999", "limit" },
        { "content=other", "content" },
        { "content=FULL", "content" },
        { "content=", "content" },
        { "language=english", "language" },
        { "language=en_US", "language" },
        { "language=", "language" },
        { "tag=Trade", "tag" },
        { "tag=", "tag" },
        { "tag=a,,b", "tag" },
        { "tag=trade%3B%20DROP%20TABLE%20tags", "tag" },
        { "category=china-news", "category" },
        { "cursor=abc", "cursor" },
        { "limit=5&limit=6", "limit" },
        { "content=full&content=full", "content" },
        { "tag=trade&tag=visas", "tag" },
    };

    public static TheoryData<string> FeedPaths => new()
    {
        "/feeds/rss.xml",
        "/feeds/atom.xml",
        "/feeds/feed.json",
        "/feeds/categories/china-news/rss.xml",
        "/feeds/categories/china-news/atom.xml",
        "/feeds/categories/china-news/feed.json",
    };

    [Theory]
    [MemberData(nameof(BadFeedQueries))]
    public async Task Feeds_answer_400_naming_the_parameter(string query, string parameter)
    {
        foreach (var path in FeedPaths)
        {
            var problem = await (await _client.GetAsync($"{path}?{query}")).AssertProblemAsync(HttpStatusCode.BadRequest);
            Assert.NotEmpty(problem.ErrorsFor(parameter));
        }
    }

    [Theory]
    [InlineData("China-News")]
    [InlineData("china_news")]
    [InlineData("china--news")]
    [InlineData("-china")]
    [InlineData("%E4%B8%AD%E6%96%87")]
    [InlineData("x%27%20OR%201%3D1--")]
    public async Task A_malformed_category_slug_is_a_400_naming_slug(string slug)
    {
        foreach (var format in new[] { "rss.xml", "atom.xml", "feed.json" })
        {
            var problem = await (await _client.GetAsync($"/feeds/categories/{slug}/{format}")).AssertProblemAsync(HttpStatusCode.BadRequest);
            Assert.NotEmpty(problem.ErrorsFor("slug"));
        }
    }

    [Fact]
    public async Task A_category_slug_longer_than_100_characters_is_a_400()
    {
        var problem = await (await _client.GetAsync($"/feeds/categories/{new string('a', 101)}/rss.xml")).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.ErrorsFor("slug"));
    }

    [Theory]
    [InlineData("/sitemap.xml?page=2", "page")]
    [InlineData("/sitemap-news.xml?language=en", "language")]
    [InlineData("/sitemap-1.xml?x=1", "x")]
    public async Task Sitemaps_take_no_query_parameters(string path, string parameter)
    {
        var problem = await (await _client.GetAsync(path)).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.ErrorsFor(parameter));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData("99999999999")]
    public async Task A_malformed_sitemap_page_is_a_400_naming_page(string page)
    {
        var problem = await (await _client.GetAsync($"/sitemap-{page}.xml")).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.ErrorsFor("page"));
    }

    [Fact]
    public async Task A_sitemap_page_without_articles_is_a_404()
    {
        await (await _client.GetAsync("/sitemap-2147483647.xml")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("Bad_Slug")]
    [InlineData("UPPER")]
    [InlineData("0")]
    [InlineData("99999999999999999999")]
    public async Task A_malformed_article_id_or_slug_is_a_400_for_ninjs(string idOrSlug)
    {
        var problem = await (await _client.GetAsync($"/v1/articles/{idOrSlug}/ninjs")).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.ErrorsFor("idOrSlug"));
    }

    [Fact]
    public async Task An_unknown_article_is_a_404_for_ninjs()
    {
        await (await _client.GetAsync("/v1/articles/no-such-article/ninjs")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await _client.GetAsync("/v1/articles/987654321/ninjs")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("/feeds/rss.xml")]
    [InlineData("/sitemap.xml")]
    [InlineData("/v1/articles/t1453741/ninjs")]
    public async Task Writes_are_405(string path)
    {
        var response = await _client.PostAsync(path, new StringContent("{}"));
        await response.AssertProblemAsync(HttpStatusCode.MethodNotAllowed);
    }
}
