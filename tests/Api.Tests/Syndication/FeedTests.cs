using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Xml.Linq;
using Api.Tests.Infrastructure;

namespace Api.Tests.Syndication;

public sealed class FeedTests(SyndicationFixture api) : IClassFixture<SyndicationFixture>
{
    private const string Rss = "application/rss+xml; charset=utf-8";
    private const string Atom = "application/atom+xml; charset=utf-8";
    private const string JsonFeed = "application/feed+json; charset=utf-8";
    private const string SeedSlug = "xi-jinping-holds-telephone-talks-with-president-donald-trump-of-the-us";

    private readonly HttpClient _client = api.CreateClient();

    [Fact]
    public async Task Rss_feed_has_the_channel_and_item_elements_RSS_2_0_requires()
    {
        var body = await (await _client.GetAsync("/feeds/rss.xml")).ReadBodyAsync(Rss);

        var feed = FeedReading.LoadFeed(body);
        Assert.Equal(SyndicationFixture.SiteName, feed.Title.Text());
        Assert.Equal("https://news.example.com/", feed.Links.Single(l => l.RelationshipType == "alternate").Uri.ToString());

        var xml = FeedReading.LoadXml(body);
        var rss = xml.Root!;
        Assert.Equal("rss", rss.Name.LocalName);
        Assert.Equal("2.0", rss.Attribute("version")?.Value);
        var channel = rss.Element("channel")!;
        Assert.Equal(SyndicationFixture.SiteName, channel.Element("title")?.Value);
        Assert.Equal("https://news.example.com/", channel.Element("link")?.Value);
        Assert.False(string.IsNullOrWhiteSpace(channel.Element("description")?.Value));
        var self = channel.Elements(FeedReading.Atom + "link").Single(l => l.Attribute("rel")?.Value == "self");
        Assert.Equal($"{SyndicationFixture.ApiBase}/feeds/rss.xml", self.Attribute("href")?.Value);
        Assert.Equal("application/rss+xml", self.Attribute("type")?.Value);

        var items = channel.Elements("item").ToList();
        Assert.NotEmpty(items);
        foreach (var item in items)
        {
            Assert.False(string.IsNullOrWhiteSpace(item.Element("title")?.Value));
            Assert.True(Uri.IsWellFormedUriString(item.Element("link")?.Value, UriKind.Absolute));
            var guid = item.Element("guid")!;
            Assert.Equal("false", guid.Attribute("isPermaLink")?.Value);
            Assert.Matches(@"^tag:news\.example\.com,\d{4}-\d{2}-\d{2}:article:\d+$", guid.Value);
            Assert.True(DateTimeOffset.TryParse(item.Element("pubDate")?.Value, CultureInfo.InvariantCulture, DateTimeStyles.None, out _));
            Assert.Null(item.Element(FeedReading.Content + "encoded"));
        }

        Assert.Equal(feed.Items.Count(), items.Count);
    }

    [Fact]
    public async Task Atom_feed_has_the_elements_RFC_4287_requires()
    {
        var body = await (await _client.GetAsync("/feeds/atom.xml")).ReadBodyAsync(Atom);

        var feed = FeedReading.LoadFeed(body);
        Assert.Equal(SyndicationFixture.SiteName, feed.Title.Text());
        Assert.Equal($"{SyndicationFixture.ApiBase}/feeds/atom.xml", feed.Id);
        Assert.NotEmpty(feed.Authors);

        var root = FeedReading.LoadXml(body).Root!;
        Assert.Equal(FeedReading.Atom + "feed", root.Name);
        Assert.Equal($"{SyndicationFixture.ApiBase}/feeds/atom.xml", root.Element(FeedReading.Atom + "id")?.Value);
        Assert.True(DateTimeOffset.TryParse(root.Element(FeedReading.Atom + "updated")?.Value, CultureInfo.InvariantCulture, DateTimeStyles.None, out _));
        Assert.Equal(SyndicationFixture.SiteName, root.Element(FeedReading.Atom + "author")?.Element(FeedReading.Atom + "name")?.Value);
        var links = root.Elements(FeedReading.Atom + "link").ToList();
        Assert.Contains(links, l => l.Attribute("rel")?.Value == "self" && l.Attribute("href")?.Value == $"{SyndicationFixture.ApiBase}/feeds/atom.xml"
                                    && l.Attribute("type")?.Value == "application/atom+xml");
        Assert.Contains(links, l => l.Attribute("rel")?.Value == "alternate" && l.Attribute("href")?.Value == "https://news.example.com/"
                                    && l.Attribute("type")?.Value == "text/html");

        var entries = root.Elements(FeedReading.Atom + "entry").ToList();
        Assert.NotEmpty(entries);
        foreach (var entry in entries)
        {
            Assert.Matches(@"^tag:news\.example\.com,\d{4}-\d{2}-\d{2}:article:\d+$", entry.Element(FeedReading.Atom + "id")?.Value);
            Assert.False(string.IsNullOrWhiteSpace(entry.Element(FeedReading.Atom + "title")?.Value));
            Assert.NotNull(entry.Element(FeedReading.Atom + "updated"));
            Assert.NotNull(entry.Element(FeedReading.Atom + "published"));
            Assert.Contains(entry.Elements(FeedReading.Atom + "link"), l => l.Attribute("rel")?.Value == "alternate"
                                                                         && Uri.IsWellFormedUriString(l.Attribute("href")?.Value, UriKind.Absolute));
            Assert.NotNull(entry.Attribute(XNamespace.Xml + "lang"));
            Assert.Null(entry.Element(FeedReading.Atom + "content"));
        }
    }

    [Fact]
    public async Task Json_feed_has_the_members_JSON_Feed_1_1_requires()
    {
        var body = await (await _client.GetAsync("/feeds/feed.json")).ReadBodyAsync(JsonFeed);
        var feed = FeedReading.LoadJson(body);

        Assert.Equal("https://jsonfeed.org/version/1.1", feed.GetProperty("version").GetString());
        Assert.Equal(SyndicationFixture.SiteName, feed.GetProperty("title").GetString());
        Assert.Equal("https://news.example.com/", feed.GetProperty("home_page_url").GetString());
        Assert.Equal($"{SyndicationFixture.ApiBase}/feeds/feed.json", feed.GetProperty("feed_url").GetString());
        Assert.False(feed.TryGetProperty("language", out _));

        var items = feed.GetProperty("items").EnumerateArray().ToList();
        Assert.NotEmpty(items);
        foreach (var item in items)
        {
            Assert.Matches(@"^tag:news\.example\.com,\d{4}-\d{2}-\d{2}:article:\d+$", item.GetProperty("id").GetString());
            Assert.True(Uri.IsWellFormedUriString(item.GetProperty("url").GetString(), UriKind.Absolute));
            Assert.True(item.TryGetProperty("content_text", out _) || item.TryGetProperty("content_html", out _), "JSON Feed items need content_text or content_html");
            Assert.False(item.TryGetProperty("content_html", out _));
            Assert.True(DateTimeOffset.TryParse(item.GetProperty("date_published").GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out _));
            Assert.True(DateTimeOffset.TryParse(item.GetProperty("date_modified").GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out _));
            Assert.False(string.IsNullOrEmpty(item.GetProperty("language").GetString()));
            Assert.Equal(JsonValueKind.Array, item.GetProperty("tags").ValueKind);
            foreach (var member in item.EnumerateObject())
            {
                Assert.NotEqual(JsonValueKind.Null, member.Value.ValueKind);
            }
        }
    }

    [Fact]
    public async Task Feeds_list_the_public_articles_newest_first_and_never_the_hidden_ones()
    {
        var expected = (await api.VisibleSlugsAsync()).Take(50).ToList();
        var slugOf = (await api.QueryAsync<(long Id, string Slug)>("SELECT id, slug FROM articles")).ToDictionary(r => r.Id, r => r.Slug);

        var json = FeedReading.LoadJson(await (await _client.GetAsync("/feeds/feed.json")).ReadBodyAsync(JsonFeed));
        var rss = FeedReading.LoadFeed(await (await _client.GetAsync("/feeds/rss.xml")).ReadBodyAsync(Rss));
        var atom = FeedReading.LoadFeed(await (await _client.GetAsync("/feeds/atom.xml")).ReadBodyAsync(Atom));

        Assert.Equal(expected, json.GetProperty("items").EnumerateArray().Select(i => slugOf[IdIn(i.GetProperty("id").GetString()!)]));
        Assert.Equal(expected, rss.Items.Select(i => slugOf[IdIn(i.Id)]));
        Assert.Equal(expected, atom.Items.Select(i => slugOf[IdIn(i.Id)]));
        foreach (var body in new[] { "/feeds/feed.json", "/feeds/rss.xml", "/feeds/atom.xml?content=full" })
        {
            Assert.DoesNotContain(SyndicationFixture.HiddenWord, await _client.GetStringAsync(body));
        }
    }

    [Fact]
    public async Task Items_carry_the_article_link_id_dates_byline_and_categories()
    {
        var id = await api.IdOfAsync("tom-and-jerry");
        var tag = await api.TagUriAsync("tom-and-jerry");

        var rss = FeedReading.LoadXml(await (await _client.GetAsync("/feeds/rss.xml")).ReadBodyAsync(Rss));
        var item = rss.Root!.Element("channel")!.Elements("item").Single(i => i.Element("guid")?.Value == tag);
        Assert.Equal("https://news.example.com/articles/tom-and-jerry", item.Element("link")?.Value);
        Assert.Equal("Tue, 01 Mar 2022 10:00:00 Z", item.Element("pubDate")?.Value);
        Assert.Equal(SyndicationFixture.SpecialByline, item.Element(FeedReading.DublinCore + "creator")?.Value);
        Assert.Equal(["Political Relations", "Cartoons <\"classic\"> & more", "Trade"], item.Elements("category").Select(c => c.Value));

        var atom = FeedReading.LoadFeed(await (await _client.GetAsync("/feeds/atom.xml")).ReadBodyAsync(Atom));
        var entry = atom.Items.Single(i => i.Id == tag);
        Assert.Equal(new DateTimeOffset(2022, 3, 1, 10, 0, 0, TimeSpan.Zero), entry.PublishDate);
        Assert.Equal(new DateTimeOffset(2022, 3, 2, 8, 0, 0, TimeSpan.Zero), entry.LastUpdatedTime);
        Assert.Equal(SyndicationFixture.SpecialByline, entry.Authors.Single().Name);
        Assert.Equal(["political-relations", "cartoons", "trade"], entry.Categories.Select(c => c.Name));
        Assert.Equal(["Political Relations", "Cartoons <\"classic\"> & more", "Trade"], entry.Categories.Select(c => c.Label));

        var json = FeedReading.LoadJson(await (await _client.GetAsync("/feeds/feed.json")).ReadBodyAsync(JsonFeed));
        var jsonItem = json.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("id").GetString() == tag);
        Assert.Equal("https://news.example.com/articles/tom-and-jerry", jsonItem.GetProperty("url").GetString());
        Assert.Equal("2022-03-01T10:00:00Z", jsonItem.GetProperty("date_published").GetString());
        Assert.Equal("2022-03-02T08:00:00Z", jsonItem.GetProperty("date_modified").GetString());
        Assert.Equal(SyndicationFixture.SpecialByline, jsonItem.GetProperty("authors")[0].GetProperty("name").GetString());
        Assert.Equal(["Cartoons <\"classic\"> & more", "Trade"], jsonItem.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("https://img.news.example.com/tom-and-jerry.jpg", jsonItem.GetProperty("image").GetString());
        Assert.Equal("en", jsonItem.GetProperty("language").GetString());
        Assert.Equal(SyndicationFixture.SpecialSummary, jsonItem.GetProperty("summary").GetString());
        Assert.Equal(SyndicationFixture.SpecialSummary, jsonItem.GetProperty("content_text").GetString());
        Assert.True(id > 0);

        // An article with a canonical URL of its own links there, in every format.
        var partner = await api.TagUriAsync("trade-talks-resume");
        Assert.Equal(SyndicationFixture.PartnerUrl, rss.Root!.Element("channel")!.Elements("item").Single(i => i.Element("guid")?.Value == partner).Element("link")?.Value);
        Assert.Equal(SyndicationFixture.PartnerUrl, atom.Items.Single(i => i.Id == partner).Links.Single().Uri.OriginalString);
        Assert.Equal(SyndicationFixture.PartnerUrl, json.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("id").GetString() == partner).GetProperty("url").GetString());
    }

    [Fact]
    public async Task Markup_characters_and_non_ASCII_text_survive_the_round_trip_in_every_format()
    {
        var tag = await api.TagUriAsync("tom-and-jerry");

        foreach (var (path, type) in new[] { ("/feeds/rss.xml?content=full", Rss), ("/feeds/atom.xml?content=full", Atom) })
        {
            var body = await (await _client.GetAsync(path)).ReadBodyAsync(type);
            var item = FeedReading.LoadFeed(body).Items.Single(i => i.Id == tag);
            Assert.Equal(SyndicationFixture.SpecialTitle, item.Title.Text());
            Assert.Equal(SyndicationFixture.SpecialSummary, item.Summary.Text());
        }

        var rss = FeedReading.LoadXml(await (await _client.GetAsync("/feeds/rss.xml?content=full")).ReadBodyAsync(Rss));
        var rssItem = rss.Root!.Element("channel")!.Elements("item").Single(i => i.Element("guid")?.Value == tag);
        Assert.Equal(SyndicationFixture.SpecialBody, rssItem.Element(FeedReading.Content + "encoded")?.Value);

        var atom = FeedReading.LoadFeed(await (await _client.GetAsync("/feeds/atom.xml?content=full")).ReadBodyAsync(Atom));
        var content = Assert.IsType<System.ServiceModel.Syndication.TextSyndicationContent>(atom.Items.Single(i => i.Id == tag).Content);
        Assert.Equal("html", content.Type);
        Assert.Equal(SyndicationFixture.SpecialBody, content.Text);

        var json = FeedReading.LoadJson(await (await _client.GetAsync("/feeds/feed.json?content=full")).ReadBodyAsync(JsonFeed));
        var item2 = json.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("id").GetString() == tag);
        Assert.Equal(SyndicationFixture.SpecialTitle, item2.GetProperty("title").GetString());
        Assert.Equal(SyndicationFixture.SpecialBody, item2.GetProperty("content_html").GetString());
        Assert.False(item2.TryGetProperty("content_text", out _));
    }

    [Fact]
    public async Task Characters_XML_cannot_carry_are_dropped_and_the_feeds_stay_well_formed()
    {
        var tag = await api.TagUriAsync("bell-in-the-title");

        foreach (var (path, type) in new[] { ("/feeds/rss.xml", Rss), ("/feeds/atom.xml", Atom) })
        {
            var item = FeedReading.LoadFeed(await (await _client.GetAsync(path)).ReadBodyAsync(type)).Items.Single(i => i.Id == tag);
            Assert.Equal("Bell in the title", item.Title.Text());
            Assert.Equal("Formfeed summary", item.Summary.Text());
        }

        var json = FeedReading.LoadJson(await (await _client.GetAsync("/feeds/feed.json")).ReadBodyAsync(JsonFeed));
        Assert.Equal("Bell\u0007 in the title", json.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("id").GetString() == tag).GetProperty("title").GetString());
    }

    [Fact]
    public async Task Category_feeds_include_the_sub_categories_and_link_to_the_category()
    {
        var expected = await api.VisibleSlugsAsync("""
            a.category_id IN (SELECT id FROM categories WHERE slug IN ('bilateral-relations', 'political-relations', 'economy-and-trade', 'culture-and-education'))
            """);
        Assert.Contains("tom-and-jerry", expected);
        Assert.Contains("trade-talks-resume", expected);

        foreach (var format in new[] { "rss.xml", "atom.xml" })
        {
            var body = await (await _client.GetAsync($"/feeds/categories/bilateral-relations/{format}")).ReadBodyAsync(format == "rss.xml" ? Rss : Atom);
            var feed = FeedReading.LoadFeed(body);
            Assert.Equal($"{SyndicationFixture.SiteName}: Bilateral Relations", feed.Title.Text());
            Assert.Equal(expected.Count, feed.Items.Count());
            Assert.Contains(feed.Links, l => l.RelationshipType == "alternate" && l.Uri.ToString() == "https://news.example.com/categories/bilateral-relations");
            Assert.Contains(feed.Links, l => l.RelationshipType == "self" && l.Uri.ToString() == $"{SyndicationFixture.ApiBase}/feeds/categories/bilateral-relations/{format}");
        }

        var json = FeedReading.LoadJson(await (await _client.GetAsync("/feeds/categories/consular-services/feed.json")).ReadBodyAsync(JsonFeed));
        Assert.Equal("https://news.example.com/categories/consular-services", json.GetProperty("home_page_url").GetString());
        Assert.Equal(await api.TagUriAsync("visa-fees-change"), Assert.Single(json.GetProperty("items").EnumerateArray()).GetProperty("id").GetString());

        var empty = FeedReading.LoadJson(await (await _client.GetAsync("/feeds/categories/culture-and-education/feed.json")).ReadBodyAsync(JsonFeed));
        Assert.Empty(empty.GetProperty("items").EnumerateArray());
        var emptyAtom = FeedReading.LoadFeed(await (await _client.GetAsync("/feeds/categories/culture-and-education/atom.xml")).ReadBodyAsync(Atom));
        Assert.Empty(emptyAtom.Items);
    }

    [Fact]
    public async Task Language_and_tag_filter_as_in_the_article_list()
    {
        var zh = FeedReading.LoadJson(await (await _client.GetAsync("/feeds/feed.json?language=zh-hans")).ReadBodyAsync(JsonFeed));
        Assert.Equal("zh-Hans", zh.GetProperty("language").GetString());
        Assert.Equal(
            [await api.TagUriAsync("jian-ti-zhong-wen-xin-wen"), await api.TagUriAsync("mao-he-lao-shu")],
            zh.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()));

        var rss = FeedReading.LoadXml(await (await _client.GetAsync("/feeds/rss.xml?language=zh-Hant")).ReadBodyAsync(Rss));
        Assert.Equal("zh-Hant", rss.Root!.Element("channel")!.Element("language")?.Value);
        Assert.Single(rss.Root!.Element("channel")!.Elements("item"));

        var trade = FeedReading.LoadFeed(await (await _client.GetAsync("/feeds/atom.xml?tag=trade")).ReadBodyAsync(Atom));
        Assert.Equal([await api.TagUriAsync("tom-and-jerry"), await api.TagUriAsync("trade-talks-resume")], trade.Items.Select(i => i.Id));

        var either = FeedReading.LoadFeed(await (await _client.GetAsync("/feeds/categories/bilateral-relations/rss.xml?tag=fees,cartoons&language=en")).ReadBodyAsync(Rss));
        Assert.Equal([await api.TagUriAsync("tom-and-jerry")], either.Items.Select(i => i.Id));
    }

    [Fact]
    public async Task Limit_takes_the_newest_and_defaults_to_fifty()
    {
        var expected = await api.VisibleSlugsAsync();
        var one = FeedReading.LoadJson(await (await _client.GetAsync("/feeds/feed.json?limit=1")).ReadBodyAsync(JsonFeed));
        Assert.Equal(await api.TagUriAsync(expected[0]), Assert.Single(one.GetProperty("items").EnumerateArray()).GetProperty("id").GetString());

        var three = FeedReading.LoadFeed(await (await _client.GetAsync("/feeds/rss.xml?limit=3&content=summary")).ReadBodyAsync(Rss));
        Assert.Equal(3, three.Items.Count());

        await api.ExecuteAsync("""
            INSERT INTO categories (slug, name) VALUES ('archive', 'Archive') ON CONFLICT (slug) DO NOTHING;
            INSERT INTO articles (slug, title, category_id, status, published_at)
            SELECT 'archive-' || n, 'Archive ' || n, (SELECT id FROM categories WHERE slug = 'archive'), 'published', timestamptz '2010-01-01Z' + n * interval '1 minute'
            FROM generate_series(1, 120) AS n
            ON CONFLICT (slug) DO NOTHING;
            """);
        var archive = FeedReading.LoadFeed(await (await _client.GetAsync("/feeds/categories/archive/atom.xml")).ReadBodyAsync(Atom));
        Assert.Equal(50, archive.Items.Count());
        var max = FeedReading.LoadJson(await (await _client.GetAsync("/feeds/categories/archive/feed.json?limit=100")).ReadBodyAsync(JsonFeed));
        Assert.Equal(100, max.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Feeds_send_validators_and_answer_304()
    {
        foreach (var path in new[] { "/feeds/rss.xml", "/feeds/atom.xml", "/feeds/feed.json", "/feeds/categories/china-news/rss.xml?content=full" })
        {
            var first = await _client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            var etag = first.Headers.ETag;
            Assert.NotNull(etag);
            Assert.False(etag!.IsWeak);
            Assert.Equal("public, max-age=60, stale-while-revalidate=300", first.Headers.CacheControl?.ToString());
            Assert.NotNull(first.Content.Headers.LastModified);

            using var conditional = new HttpRequestMessage(HttpMethod.Get, path);
            conditional.Headers.IfNoneMatch.Add(etag);
            var notModified = await _client.SendAsync(conditional);
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
            Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
            Assert.Equal(etag, notModified.Headers.ETag);

            using var since = new HttpRequestMessage(HttpMethod.Get, path);
            since.Headers.IfModifiedSince = first.Content.Headers.LastModified;
            Assert.Equal(HttpStatusCode.NotModified, (await _client.SendAsync(since)).StatusCode);
        }

        var rss = await _client.GetAsync("/feeds/rss.xml");
        var atom = await _client.GetAsync("/feeds/atom.xml");
        Assert.NotEqual(rss.Headers.ETag, atom.Headers.ETag);
    }

    [Fact]
    public async Task Last_modified_is_the_latest_change_among_the_items()
    {
        var response = await _client.GetAsync("/feeds/categories/political-relations/feed.json?language=en");
        Assert.Equal(new DateTimeOffset(2022, 3, 2, 8, 0, 0, TimeSpan.Zero), response.Content.Headers.LastModified);
    }

    [Fact]
    public async Task Surrogate_keys_name_the_feeds_the_articles_and_their_categories()
    {
        var response = await _client.GetAsync("/feeds/categories/bilateral-relations/atom.xml?tag=cartoons");
        var keys = response.Headers.GetValues("Surrogate-Key").Single().Split(' ');

        Assert.Contains("feeds", keys);
        Assert.Contains($"article-{await api.IdOfAsync("tom-and-jerry")}", keys);
        Assert.Contains($"category-{await api.CategoryIdAsync("bilateral-relations")}", keys);
        Assert.Contains($"category-{await api.CategoryIdAsync("political-relations")}", keys);
        Assert.Equal(keys.Length, keys.Distinct().Count());
    }

    [Theory]
    [InlineData("/feeds/rss.xml")]
    [InlineData("/feeds/atom.xml")]
    [InlineData("/feeds/feed.json")]
    [InlineData("/feeds/categories/china-news/rss.xml")]
    [InlineData("/feeds/categories/china-news/atom.xml")]
    [InlineData("/feeds/categories/china-news/feed.json")]
    public async Task HEAD_answers_with_the_headers_of_GET(string path)
    {
        var get = await _client.GetAsync(path);
        var head = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(get.Headers.ETag, head.Headers.ETag);
        Assert.Equal(get.Content.Headers.ContentType, head.Content.Headers.ContentType);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Unknown_category_is_a_404_problem()
    {
        foreach (var format in new[] { "rss.xml", "atom.xml", "feed.json" })
        {
            var problem = await (await _client.GetAsync($"/feeds/categories/no-such-category/{format}")).AssertProblemAsync(HttpStatusCode.NotFound);
            Assert.Contains("no-such-category", problem.GetProperty("detail").GetString());
        }
    }

    [Fact]
    public async Task The_feed_of_the_seed_category_holds_the_seed_article()
    {
        var feed = FeedReading.LoadFeed(await (await _client.GetAsync("/feeds/categories/china-news/rss.xml")).ReadBodyAsync(Rss));
        Assert.Contains(feed.Items, i => i.Links.Any(l => l.Uri.ToString() == $"https://news.example.com/articles/{SeedSlug}"));
    }

    private static long IdIn(string tagUri) => long.Parse(tagUri[(tagUri.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
}
