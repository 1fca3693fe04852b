using System.Net;
using Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace Api.Tests.Syndication;

/// <summary>The syndication content with the sitemap limit lowered to 4 URLs, so that it needs an index.</summary>
public sealed class SitemapIndexFixture : SyndicationFixture
{
    public const int PageSize = 4;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Syndication:SitemapMaxUrls", PageSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}

public sealed class SitemapIndexTests(SitemapIndexFixture api) : IClassFixture<SitemapIndexFixture>
{
    private const string Xml = "application/xml; charset=utf-8";

    private readonly HttpClient _client = api.CreateClient();

    [Fact]
    public async Task Beyond_the_limit_the_sitemap_is_an_index_of_the_non_empty_pages()
    {
        var expectedPages = await api.QueryAsync<long>($"""
            SELECT DISTINCT (id - 1) / {SitemapIndexFixture.PageSize} + 1 FROM articles
            WHERE status = 'published' AND published_at <= now() AND deleted_at IS NULL
            ORDER BY 1
            """);
        Assert.True((await api.VisibleUrlsAsync()).Count > SitemapIndexFixture.PageSize);

        var root = FeedReading.LoadXml(await (await _client.GetAsync("/sitemap.xml")).ReadBodyAsync(Xml)).Root!;

        Assert.Equal(FeedReading.Sitemap + "sitemapindex", root.Name);
        var sitemaps = root.Elements(FeedReading.Sitemap + "sitemap").ToList();
        Assert.Equal(
            expectedPages.Select(n => $"{SyndicationFixture.ApiBase}/sitemap-{n}.xml"),
            sitemaps.Select(s => s.Element(FeedReading.Sitemap + "loc")?.Value));
        Assert.All(sitemaps, s => Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$", s.Element(FeedReading.Sitemap + "lastmod")?.Value));
    }

    [Fact]
    public async Task The_pages_together_list_every_public_article_once_each_within_the_limit()
    {
        var root = FeedReading.LoadXml(await (await _client.GetAsync("/sitemap.xml")).ReadBodyAsync(Xml)).Root!;
        var listed = new List<string>();

        foreach (var loc in root.Elements(FeedReading.Sitemap + "sitemap").Select(s => s.Element(FeedReading.Sitemap + "loc")!.Value))
        {
            var page = FeedReading.LoadXml(await (await _client.GetAsync(new Uri(loc).PathAndQuery)).ReadBodyAsync(Xml)).Root!;
            Assert.Equal(FeedReading.Sitemap + "urlset", page.Name);
            var urls = page.Elements(FeedReading.Sitemap + "url").Select(u => u.Element(FeedReading.Sitemap + "loc")!.Value).ToList();
            Assert.InRange(urls.Count, 1, SitemapIndexFixture.PageSize);
            listed.AddRange(urls);
        }

        Assert.Equal(await api.VisibleUrlsAsync(), listed);
    }

    [Fact]
    public async Task Each_page_s_lastmod_in_the_index_is_its_latest_change()
    {
        var expected = await api.QueryAsync<(long Page, DateTime LastModified)>($"""
            SELECT (id - 1) / {SitemapIndexFixture.PageSize} + 1, max(greatest(updated_at, published_at)) FROM articles
            WHERE status = 'published' AND published_at <= now() AND deleted_at IS NULL
            GROUP BY 1 ORDER BY 1
            """);

        var root = FeedReading.LoadXml(await (await _client.GetAsync("/sitemap.xml")).ReadBodyAsync(Xml)).Root!;

        Assert.Equal(
            expected.Select(e => e.LastModified.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)),
            root.Elements(FeedReading.Sitemap + "sitemap").Select(s => s.Element(FeedReading.Sitemap + "lastmod")!.Value));
    }

    [Fact]
    public async Task A_page_past_the_last_one_is_a_404()
    {
        var last = await api.ScalarAsync<long>($"SELECT max((id - 1) / {SitemapIndexFixture.PageSize} + 1) FROM articles");

        await (await _client.GetAsync($"/sitemap-{last + 1}.xml")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_newly_published_article_changes_the_index_and_lands_on_its_id_s_page()
    {
        var before = await _client.GetAsync("/sitemap.xml");

        await api.ExecuteAsync("""
            INSERT INTO articles (slug, title, category_id, status, published_at)
            VALUES ('sitemap-newcomer', 'Newcomer', (SELECT id FROM categories WHERE slug = 'china-news'), 'published', now() - interval '1 minute')
            """);
        var id = await api.IdOfAsync("sitemap-newcomer");
        var page = ((id - 1) / SitemapIndexFixture.PageSize) + 1;

        var after = await _client.GetAsync("/sitemap.xml");
        Assert.NotEqual(before.Headers.ETag, after.Headers.ETag);
        Assert.Contains($"/sitemap-{page}.xml", await after.Content.ReadAsStringAsync());
        Assert.Contains("https://news.example.com/articles/sitemap-newcomer", await _client.GetStringAsync($"/sitemap-{page}.xml"));

        using var conditional = new HttpRequestMessage(HttpMethod.Get, "/sitemap.xml");
        conditional.Headers.IfModifiedSince = before.Content.Headers.LastModified;
        Assert.Equal(HttpStatusCode.OK, (await _client.SendAsync(conditional)).StatusCode);
    }
}
