using System.Net;
using System.Xml.Linq;
using Api.Syndication;

namespace Api.Tests.Syndication;

public sealed class SitemapTests(SyndicationFixture api) : IClassFixture<SyndicationFixture>
{
    private const string Xml = "application/xml; charset=utf-8";
    private const string W3CDateTime = @"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$";

    private readonly HttpClient _client = api.CreateClient();

    [Fact]
    public async Task Sitemap_is_a_urlset_of_every_public_article_with_its_lastmod()
    {
        var root = FeedReading.LoadXml(await (await _client.GetAsync("/sitemap.xml")).ReadBodyAsync(Xml)).Root!;

        Assert.Equal(FeedReading.Sitemap + "urlset", root.Name);
        var urls = root.Elements(FeedReading.Sitemap + "url").ToList();
        Assert.Equal(await api.VisibleUrlsAsync(), urls.Select(u => u.Element(FeedReading.Sitemap + "loc")?.Value));
        Assert.All(urls, u => Assert.Matches(W3CDateTime, u.Element(FeedReading.Sitemap + "lastmod")?.Value));
        Assert.Contains(SyndicationFixture.PartnerUrl, urls.Select(u => u.Element(FeedReading.Sitemap + "loc")?.Value));

        var tom = urls.Single(u => u.Element(FeedReading.Sitemap + "loc")?.Value == "https://news.example.com/articles/tom-and-jerry");
        Assert.Equal("2022-03-02T08:00:00Z", tom.Element(FeedReading.Sitemap + "lastmod")?.Value);
    }

    [Fact]
    public async Task Sitemap_escapes_the_ampersands_of_URLs()
    {
        var text = await _client.GetStringAsync("/sitemap.xml");
        Assert.Contains("<loc>https://partner.example.org/trade-talks?id=7&amp;lang=en</loc>", text);
    }

    [Fact]
    public async Task News_sitemap_lists_the_articles_of_the_last_two_days_newest_first()
    {
        var root = FeedReading.LoadXml(await (await _client.GetAsync("/sitemap-news.xml")).ReadBodyAsync(Xml)).Root!;

        var urls = root.Elements(FeedReading.Sitemap + "url").ToList();
        Assert.Equal(
            [
                "https://news.example.com/articles/published-an-hour-ago",
                "https://news.example.com/articles/jian-ti-zhong-wen-xin-wen",
                "https://news.example.com/articles/fan-ti-zhong-wen-xin-wen",
                "https://news.example.com/articles/noticias-do-brasil",
            ],
            urls.Select(u => u.Element(FeedReading.Sitemap + "loc")?.Value));

        foreach (var url in urls)
        {
            var news = url.Element(FeedReading.News + "news")!;
            Assert.Equal(SyndicationFixture.SiteName, news.Element(FeedReading.News + "publication")?.Element(FeedReading.News + "name")?.Value);
            Assert.Matches(W3CDateTime, news.Element(FeedReading.News + "publication_date")?.Value);
            Assert.False(string.IsNullOrWhiteSpace(news.Element(FeedReading.News + "title")?.Value));
        }

        var hourAgo = urls[0].Element(FeedReading.News + "news")!;
        Assert.Equal("Published an hour ago", hourAgo.Element(FeedReading.News + "title")?.Value);
        var published = DateTime.Parse(hourAgo.Element(FeedReading.News + "publication_date")!.Value, null, System.Globalization.DateTimeStyles.AdjustToUniversal);
        Assert.InRange(DateTime.UtcNow - published, TimeSpan.FromMinutes(55), TimeSpan.FromMinutes(120));
    }

    [Fact]
    public async Task News_sitemap_leaves_out_older_scheduled_and_hidden_articles()
    {
        var text = await _client.GetStringAsync("/sitemap-news.xml");

        Assert.DoesNotContain("published-three-days-ago", text);
        Assert.DoesNotContain("hidden-", text);
        Assert.DoesNotContain("tom-and-jerry", text);
    }

    [Fact]
    public async Task News_sitemap_gives_each_language_as_Google_News_expects()
    {
        var root = FeedReading.LoadXml(await (await _client.GetAsync("/sitemap-news.xml")).ReadBodyAsync(Xml)).Root!;

        var languages = root.Elements(FeedReading.Sitemap + "url").ToDictionary(
            u => u.Element(FeedReading.Sitemap + "loc")!.Value.Split('/')[^1],
            u => u.Descendants(FeedReading.News + "language").Single().Value);
        Assert.Equal("en", languages["published-an-hour-ago"]);
        Assert.Equal("zh-cn", languages["jian-ti-zhong-wen-xin-wen"]);
        Assert.Equal("zh-tw", languages["fan-ti-zhong-wen-xin-wen"]);
        Assert.Equal("pt", languages["noticias-do-brasil"]);
    }

    [Theory]
    [InlineData("en", "en")]
    [InlineData("en-GB", "en")]
    [InlineData("pt-BR", "pt")]
    [InlineData("sr-Latn", "sr")]
    [InlineData("fil", "fil")]
    [InlineData("zh", "zh-cn")]
    [InlineData("zh-Hans", "zh-cn")]
    [InlineData("zh-CN", "zh-cn")]
    [InlineData("zh-Hans-HK", "zh-cn")]
    [InlineData("zh-Hant", "zh-tw")]
    [InlineData("zh-TW", "zh-tw")]
    [InlineData("zh-HK", "zh-tw")]
    [InlineData("zh-Hant-CN", "zh-tw")]
    public void News_languages_map_to_ISO_639_with_Google_s_Chinese_codes(string tag, string expected)
    {
        Assert.Equal(expected, SitemapXml.NewsLanguage(tag));
    }

    [Theory]
    [InlineData("/sitemap.xml")]
    [InlineData("/sitemap-news.xml")]
    [InlineData("/sitemap-1.xml")]
    public async Task Sitemaps_send_validators_and_answer_304(string path)
    {
        var first = await _client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(Xml, first.Content.Headers.ContentType?.ToString());
        Assert.Equal("sitemaps", first.Headers.GetValues("Surrogate-Key").Single());
        Assert.StartsWith("public", first.Headers.CacheControl?.ToString());

        using var conditional = new HttpRequestMessage(HttpMethod.Get, path);
        conditional.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        var notModified = await _client.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Sitemap_last_modified_is_the_latest_change_or_publication()
    {
        var expected = await api.ScalarAsync<DateTime>("""
            SELECT max(greatest(updated_at, published_at)) FROM articles
            WHERE status = 'published' AND published_at <= now() AND deleted_at IS NULL
            """);

        var response = await _client.GetAsync("/sitemap.xml");

        Assert.Equal(
            new DateTimeOffset(DateTime.SpecifyKind(expected, DateTimeKind.Utc)).AddTicks(-(expected.Ticks % TimeSpan.TicksPerSecond)),
            response.Content.Headers.LastModified);
        // Articles leave the news window as time passes: the news sitemap has no Last-Modified to go stale.
        Assert.Null((await _client.GetAsync("/sitemap-news.xml")).Content.Headers.LastModified);
    }

    [Fact]
    public async Task A_page_of_a_small_site_lists_the_same_urls_as_the_sitemap()
    {
        var page = FeedReading.LoadXml(await (await _client.GetAsync("/sitemap-1.xml")).ReadBodyAsync(Xml)).Root!;

        Assert.Equal(await api.VisibleUrlsAsync(), page.Elements(FeedReading.Sitemap + "url").Select(u => u.Element(FeedReading.Sitemap + "loc")?.Value));
        Assert.Empty(page.Elements(XName.Get("sitemap", FeedReading.Sitemap.NamespaceName)));
    }
}
