using System.Net;
using System.Text.Json;
using Api.Articles;
using Api.Categories;
using Api.Infrastructure;
using Api.Shares;
using Api.Syndication;
using Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Options;

namespace Api.Tests.Syndication;

public sealed class NinjsTests(SyndicationFixture api) : IClassFixture<SyndicationFixture>
{
    private const string Ninjs = "application/vnd.iptc.ninjs+json";
    private const string SeedSlug = "xi-jinping-holds-telephone-talks-with-president-donald-trump-of-the-us";

    private readonly HttpClient _client = api.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    [Fact]
    public async Task The_seed_article_is_valid_ninjs_2_2()
    {
        var item = FeedReading.LoadJson(await (await _client.GetAsync($"/v1/articles/{SeedSlug}/ninjs")).ReadBodyAsync(Ninjs));

        NinjsSchema.AssertValid(item);
        Assert.Equal(await api.TagUriAsync(SeedSlug), item.GetProperty("uri").GetString());
        Assert.Equal("text", item.GetProperty("type").GetString());
        Assert.Equal("1", item.GetProperty("version").GetString());
        Assert.Equal("usable", item.GetProperty("pubstatus").GetString());
        Assert.Equal("en", item.GetProperty("language").GetString());
        Assert.Equal("2017-04-12T00:00:00Z", item.GetProperty("firstcreated").GetString());
        Assert.Equal("2017-04-12T00:00:00Z", item.GetProperty("versioncreated").GetString());
        Assert.Equal("2.2", item.GetProperty("standard").GetProperty("version").GetString());

        var headline = Assert.Single(item.GetProperty("headlines").EnumerateArray());
        Assert.Equal("main", headline.GetProperty("role").GetString());
        Assert.Equal("Xi Jinping Holds Telephone Talks with President Donald Trump of the US", headline.GetProperty("value").GetString());

        var bodies = item.GetProperty("bodies").EnumerateArray().ToList();
        Assert.Equal(["text/html", "text/plain"], bodies.Select(b => b.GetProperty("contenttype").GetString()));
        Assert.All(bodies, b => Assert.Equal("main", b.GetProperty("role").GetString()));
        Assert.StartsWith("<p>On the morning of April 12, 2017", bodies[0].GetProperty("value").GetString());
        Assert.StartsWith("On the morning of April 12, 2017", bodies[1].GetProperty("value").GetString());

        var description = Assert.Single(item.GetProperty("descriptions").EnumerateArray());
        Assert.Equal("summary", description.GetProperty("role").GetString());
        Assert.Equal("text/plain", description.GetProperty("contenttype").GetString());

        var category = item.GetProperty("subjects").EnumerateArray().First();
        Assert.Equal("China News", category.GetProperty("name").GetString());
        Assert.Equal("category", category.GetProperty("rel").GetString());
        Assert.Equal("https://news.example.com/categories/china-news", category.GetProperty("uri").GetString());
        Assert.Equal(100, category.GetProperty("relevance").GetInt32());

        var altids = item.GetProperty("altids").EnumerateArray().Select(a => (a.GetProperty("role").GetString(), a.GetProperty("value").GetString())).ToList();
        Assert.Contains(("legacy", "t1453741"), altids);
        Assert.Contains(("slug", SeedSlug), altids);
        Assert.Contains(("id", (await api.IdOfAsync(SeedSlug)).ToString(System.Globalization.CultureInfo.InvariantCulture)), altids);

        var web = Assert.Single(item.GetProperty("renditions").EnumerateArray());
        Assert.Equal($"https://news.example.com/articles/{SeedSlug}", web.GetProperty("href").GetString());
        Assert.False(item.TryGetProperty("located", out _));
        Assert.False(item.TryGetProperty("by", out _));
        Assert.False(item.TryGetProperty("embargoed", out _));
    }

    [Fact]
    public async Task An_article_with_tags_image_byline_and_translations_is_valid_ninjs_2_2()
    {
        var item = FeedReading.LoadJson(await (await _client.GetAsync("/v1/articles/tom-and-jerry/ninjs")).ReadBodyAsync(Ninjs));

        NinjsSchema.AssertValid(item);
        Assert.Equal(SyndicationFixture.SpecialTitle, item.GetProperty("headlines")[0].GetProperty("value").GetString());
        Assert.Equal(SyndicationFixture.SpecialBody, item.GetProperty("bodies")[0].GetProperty("value").GetString());
        Assert.Equal(SyndicationFixture.SpecialByline, item.GetProperty("by").GetString());
        Assert.Equal("Xinhua", Assert.Single(item.GetProperty("infosources").EnumerateArray()).GetProperty("name").GetString());

        var subjects = item.GetProperty("subjects").EnumerateArray()
            .Select(s => (s.GetProperty("rel").GetString(), s.GetProperty("literal").GetString(), s.TryGetProperty("relevance", out var r) ? r.GetInt32() : (int?)null))
            .ToList();
        Assert.Equal(
            [("broader-category", "bilateral-relations", null), ("category", "political-relations", 100), ("tag", "cartoons", null), ("tag", "trade", null)],
            subjects);
        Assert.Equal("Cartoons <\"classic\"> & more", item.GetProperty("subjects")[2].GetProperty("name").GetString());

        var associations = item.GetProperty("associations").EnumerateArray().ToList();
        var image = associations.Single(a => a.GetProperty("name").GetString() == "featureimage");
        Assert.Equal("picture", image.GetProperty("type").GetString());
        Assert.Equal("https://img.news.example.com/tom-and-jerry.jpg", image.GetProperty("uri").GetString());
        Assert.Equal("Tom chases Jerry", image.GetProperty("descriptions")[0].GetProperty("value").GetString());

        var translation = associations.Single(a => a.GetProperty("name").GetString() == "translation");
        var translationId = (await api.IdOfAsync("mao-he-lao-shu")).ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal("zh-Hans", translation.GetProperty("language").GetString());
        Assert.Equal("https://news.example.com/articles/mao-he-lao-shu", translation.GetProperty("uri").GetString());
        Assert.Contains(translation.GetProperty("altids").EnumerateArray(),
            a => a.GetProperty("role").GetString() == "id" && a.GetProperty("value").GetString() == translationId);

        var chinese = FeedReading.LoadJson(await (await _client.GetAsync("/v1/articles/mao-he-lao-shu/ninjs")).ReadBodyAsync(Ninjs));
        NinjsSchema.AssertValid(chinese);
        Assert.Equal("猫和老鼠", chinese.GetProperty("headlines")[0].GetProperty("value").GetString());
        Assert.Equal("en", Assert.Single(chinese.GetProperty("associations").EnumerateArray()).GetProperty("language").GetString());
    }

    [Fact]
    public async Task Every_public_article_is_valid_ninjs()
    {
        foreach (var slug in await api.VisibleSlugsAsync())
        {
            var item = FeedReading.LoadJson(await (await _client.GetAsync($"/v1/articles/{slug}/ninjs")).ReadBodyAsync(Ninjs));
            NinjsSchema.AssertValid(item);
        }
    }

    [Fact]
    public void The_validator_rejects_what_the_schema_forbids()
    {
        using var invalid = JsonDocument.Parse("""
            { "uri": "not a uri", "pubstatus": "published", "keywords": ["x"], "headlines": [{ "role": "main" }], "versioncreated": "yesterday" }
            """);

        var errors = NinjsSchema.Errors(invalid.RootElement);

        Assert.NotEmpty(errors);
        Assert.Contains(errors, e => e.StartsWith("/pubstatus", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("/headlines/0", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("/versioncreated", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("/uri", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("/keywords", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_same_article_answers_by_numeric_id()
    {
        var id = await api.IdOfAsync(SeedSlug);
        var byId = await (await _client.GetAsync($"/v1/articles/{id}/ninjs")).ReadBodyAsync(Ninjs);
        var bySlug = await (await _client.GetAsync($"/v1/articles/{SeedSlug}/ninjs")).ReadBodyAsync(Ninjs);

        Assert.Equal(bySlug, byId);
    }

    [Fact]
    public async Task A_legacy_id_answers_301_to_the_current_ninjs_url()
    {
        var response = await _client.GetAsync("/v1/articles/t1453741/ninjs");

        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Equal($"/v1/articles/{SeedSlug}/ninjs", response.Headers.Location?.OriginalString);
    }

    [Theory]
    [InlineData("hidden-draft")]
    [InlineData("hidden-archived")]
    [InlineData("hidden-scheduled")]
    [InlineData("hidden-deleted")]
    public async Task Unpublished_articles_are_404(string slug)
    {
        await (await _client.GetAsync($"/v1/articles/{slug}/ninjs")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await _client.GetAsync($"/v1/articles/{await api.IdOfAsync(slug)}/ninjs")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Ninjs_sends_the_article_s_validators_and_answers_304()
    {
        var response = await _client.GetAsync("/v1/articles/tom-and-jerry/ninjs");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("\"1-", response.Headers.ETag?.Tag);
        Assert.Equal(new DateTimeOffset(2022, 3, 2, 8, 0, 0, TimeSpan.Zero), response.Content.Headers.LastModified);
        Assert.Equal("public, max-age=60, stale-while-revalidate=300", response.Headers.CacheControl?.ToString());
        var keys = response.Headers.GetValues("Surrogate-Key").Single().Split(' ');
        Assert.Contains($"article-{await api.IdOfAsync("tom-and-jerry")}", keys);
        Assert.Contains($"category-{await api.CategoryIdAsync("political-relations")}", keys);

        using var conditional = new HttpRequestMessage(HttpMethod.Get, "/v1/articles/tom-and-jerry/ninjs");
        conditional.Headers.IfNoneMatch.Add(response.Headers.ETag!);
        var notModified = await _client.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        var json = await _client.GetAsync("/v1/articles/tom-and-jerry");
        Assert.NotEqual(json.Headers.ETag, response.Headers.ETag);
    }

    // Enable once GET /v1/articles/{idOrSlug} answers Accept: application/vnd.iptc.ninjs+json through
    // NinjsResults.IsRequested and NinjsResults.For (see NinjsResults).
    [Fact]
    public async Task GetArticle_answers_ninjs_when_the_client_accepts_it()
    {
        using var ninjsRequest = new HttpRequestMessage(HttpMethod.Get, $"/v1/articles/{SeedSlug}");
        ninjsRequest.Headers.Accept.ParseAdd("application/vnd.iptc.ninjs+json, application/json;q=0.5");
        var ninjs = await _client.SendAsync(ninjsRequest);

        var item = FeedReading.LoadJson(await ninjs.ReadBodyAsync(Ninjs));
        NinjsSchema.AssertValid(item);
        Assert.Equal(await api.TagUriAsync(SeedSlug), item.GetProperty("uri").GetString());
        Assert.Equal(await (await _client.GetAsync($"/v1/articles/{SeedSlug}/ninjs")).Content.ReadAsByteArrayAsync(), await ninjs.Content.ReadAsByteArrayAsync());
        Assert.Contains("Accept", ninjs.Headers.Vary);
        Assert.StartsWith("\"1-", ninjs.Headers.ETag?.Tag);

        using var jsonRequest = new HttpRequestMessage(HttpMethod.Get, $"/v1/articles/{SeedSlug}");
        jsonRequest.Headers.Accept.ParseAdd("application/json");
        var json = await _client.SendAsync(jsonRequest);
        Assert.Equal("application/json", json.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Accept", json.Headers.Vary);
        Assert.NotEqual(ninjs.Headers.ETag, json.Headers.ETag);

        using var conditional = new HttpRequestMessage(HttpMethod.Get, $"/v1/articles/{SeedSlug}");
        conditional.Headers.Accept.ParseAdd(Ninjs);
        conditional.Headers.IfNoneMatch.Add(ninjs.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await _client.SendAsync(conditional)).StatusCode);
    }

    [Theory]
    [InlineData("application/vnd.iptc.ninjs+json", true)]
    [InlineData("application/vnd.iptc.ninjs+json; q=0.9", true)]
    [InlineData("application/vnd.iptc.ninjs+json, application/json", true)]
    [InlineData("application/json, application/vnd.iptc.ninjs+json", false)]
    [InlineData("application/json;q=0.5, application/vnd.iptc.ninjs+json", true)]
    [InlineData("application/json, application/vnd.iptc.ninjs+json;q=0.5", false)]
    [InlineData("application/vnd.iptc.ninjs+json;q=0", false)]
    [InlineData("application/vnd.iptc.ninjs+json, */*", true)]
    [InlineData("*/*", false)]
    [InlineData("application/*", false)]
    [InlineData("application/json", false)]
    [InlineData("", false)]
    [InlineData("not a media type;;", false)]
    public void Ninjs_is_chosen_only_when_the_client_prefers_it(string accept, bool expected)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Accept = accept;

        Assert.Equal(expected, NinjsResults.IsRequested(context.Request));
    }

    [Theory]
    [InlineData("draft", false, "withheld", false)]
    [InlineData("scheduled", false, "withheld", true)]
    [InlineData("scheduled", false, "usable", true, true)]
    [InlineData("archived", false, "canceled", false)]
    [InlineData("published", true, "canceled", false)]
    [InlineData("published", false, "usable", false)]
    public void Editors_and_partners_views_say_whether_the_item_may_be_used(string status, bool deleted, string pubstatus, bool embargoed, bool underEmbargo = false)
    {
        var urls = new SyndicationUrls(
            Options.Create(new SiteOptions()),
            Options.Create(new ShareOptions { PublicBaseUrl = SyndicationFixture.ApiBase }),
            Options.Create(new SyndicationOptions()),
            new Api.Media.MediaUrls(Options.Create(new Api.Media.MediaOptions())));
        var publishedAt = new DateTime(2030, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        var article = new ArticleDto(
            7, "an-article", "A title", "", "<p>Body</p>", "Body", "en", status, publishedAt,
            new DateTime(2029, 12, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2029, 12, 2, 0, 0, 0, DateTimeKind.Utc), 3,
            "https://news.example.com/articles/an-article", null, null, null,
            new ArticleCategory(1, "china-news", "China News", [new BreadcrumbItem(null, null, "Home"), new BreadcrumbItem(1, "china-news", "China News")]),
            [], deleted ? DateTime.UtcNow : null, [], [], [], [], [], null, "news", [], null, underEmbargo);

        var item = JsonDocument.Parse(NinjsResults.Serialize(NinjsResults.Item(article, urls))).RootElement;

        NinjsSchema.AssertValid(item);
        Assert.Equal(pubstatus, item.GetProperty("pubstatus").GetString());
        Assert.Equal(embargoed, item.TryGetProperty("embargoed", out var at));
        if (embargoed)
        {
            Assert.Equal("2030-01-02T03:04:05Z", at.GetString());
        }

        Assert.Equal("tag:news.example.com,2029-12-01:article:7", item.GetProperty("uri").GetString());
        Assert.Equal("3", item.GetProperty("version").GetString());
        Assert.False(item.TryGetProperty("descriptions", out _));
    }
}
