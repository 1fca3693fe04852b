using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Api.Tests.Editorial;
using Api.Tests.Infrastructure;

namespace Api.Tests.Shares;

public sealed class ShareTests(EditorialFixture api) : IClassFixture<EditorialFixture>
{
    private const string Title = "L'Élysée & \"China\": 习近平 talks";
    private const string Summary = "Leaders met; trade & security 100% on the agenda.";

    private async Task<(JsonElement Article, JsonElement Share)> SharedArticleAsync(string title = Title, string? slug = null)
    {
        var (article, _) = await api.CreateAsync(new { title, slug, summary = Summary, categorySlug = "china-news", status = "published" });
        var share = await (await api.Public.GetAsync($"/v1/articles/{article.GetProperty("id").GetInt64()}/share")).ReadJsonAsync();
        return (article, share);
    }

    private static string Esc(string value) => Uri.EscapeDataString(value);

    private static string Tagged(string canonical, string source, string medium) =>
        $"{canonical}?utm_source={source}&utm_medium={medium}&utm_campaign=share";

    [Fact]
    public async Task Every_target_has_its_exact_percent_encoded_URL()
    {
        var (article, share) = await SharedArticleAsync(slug: "elysee-china-talks");
        var canonical = article.GetProperty("canonicalUrl").GetString()!;
        var targets = share.GetProperty("targets").EnumerateArray().ToDictionary(t => t.GetProperty("network").GetString()!, t => t.GetProperty("url").GetString()!);

        Assert.Equal(["x", "facebook", "linkedin", "reddit", "whatsapp", "telegram", "weibo", "vk", "line", "bluesky", "email", "wechat"], targets.Keys);
        Assert.Equal($"https://x.com/intent/post?text={Esc(Title)}&url={Esc(Tagged(canonical, "x", "social"))}", targets["x"]);
        Assert.Equal($"https://www.facebook.com/sharer/sharer.php?u={Esc(Tagged(canonical, "facebook", "social"))}", targets["facebook"]);
        Assert.Equal($"https://www.linkedin.com/sharing/share-offsite/?url={Esc(Tagged(canonical, "linkedin", "social"))}", targets["linkedin"]);
        Assert.Equal($"https://www.reddit.com/submit?url={Esc(Tagged(canonical, "reddit", "social"))}&title={Esc(Title)}", targets["reddit"]);
        Assert.Equal($"https://wa.me/?text={Esc(Title)}%20{Esc(Tagged(canonical, "whatsapp", "social"))}", targets["whatsapp"]);
        Assert.Equal($"https://t.me/share/url?url={Esc(Tagged(canonical, "telegram", "social"))}&text={Esc(Title)}", targets["telegram"]);
        Assert.Equal($"https://service.weibo.com/share/share.php?url={Esc(Tagged(canonical, "weibo", "social"))}&title={Esc(Title)}", targets["weibo"]);
        Assert.Equal($"https://vk.com/share.php?url={Esc(Tagged(canonical, "vk", "social"))}&title={Esc(Title)}", targets["vk"]);
        Assert.Equal($"https://social-plugins.line.me/lineit/share?url={Esc(Tagged(canonical, "line", "social"))}", targets["line"]);
        Assert.Equal($"https://bsky.app/intent/compose?text={Esc(Title + " " + Tagged(canonical, "bluesky", "social"))}", targets["bluesky"]);
        Assert.Equal($"mailto:?subject={Esc(Title)}&body={Esc(Summary)}%0D%0A%0D%0A{Esc(Tagged(canonical, "email", "email"))}", targets["email"]);
        Assert.EndsWith("/v1/articles/elysee-china-talks/share/qr.svg", targets["wechat"]);

        Assert.All(targets.Values, url => Assert.DoesNotContain("+", url));
        Assert.Contains("%20", targets["x"]);
        Assert.Contains("%26", targets["x"]);
        Assert.Contains("%22", targets["x"]);
        Assert.Contains("%E4%B9%A0", targets["x"]);
        Assert.DoesNotContain("utm_source", targets["x"].Split('?')[0]);
        Assert.Equal(Tagged(canonical, "native", "social"), share.GetProperty("webShare").GetProperty("url").GetString());
        Assert.Equal(Summary, share.GetProperty("webShare").GetProperty("text").GetString());
    }

    [Fact]
    public async Task X_text_is_shortened_to_280_weighted_characters_and_Bluesky_to_300_graphemes()
    {
        var longTitle = string.Concat(Enumerable.Repeat("外交部发言人答记者问 ", 30)).Trim();
        var (article, share) = await SharedArticleAsync(longTitle, "long-chinese-title");
        var targets = share.GetProperty("targets").EnumerateArray().ToDictionary(t => t.GetProperty("network").GetString()!, t => t.GetProperty("url").GetString()!);

        var xText = Uri.UnescapeDataString(targets["x"].Split("text=")[1].Split('&')[0]);
        Assert.EndsWith("…", xText);
        var weight = xText.EnumerateRunes().Sum(r => r.Value <= 4351 || (r.Value >= 8192 && r.Value <= 8205) || (r.Value >= 8208 && r.Value <= 8223) || (r.Value >= 8242 && r.Value <= 8247) ? 1 : 2);
        Assert.InRange(weight + 1 + 23, 200, 280);

        var blueskyText = Uri.UnescapeDataString(targets["bluesky"].Split("text=")[1]);
        Assert.InRange(new StringInfo(blueskyText).LengthInTextElements, 250, 300);
        Assert.EndsWith(Tagged(article.GetProperty("canonicalUrl").GetString()!, "bluesky", "social"), blueskyText);
    }

    [Fact]
    public async Task Networks_selects_targets_and_an_unknown_one_is_400()
    {
        var (article, _) = await SharedArticleAsync("Selective sharing");
        var id = article.GetProperty("id").GetInt64();

        var some = await (await api.Public.GetAsync($"/v1/articles/{id}/share?networks=email,x")).ReadJsonAsync();
        Assert.Equal(["x", "email"], some.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("network").GetString()));

        var bad = await api.Public.GetAsync($"/v1/articles/{id}/share?networks=myspace");
        Assert.NotEmpty((await bad.AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorsFor("networks"));
        await (await api.Public.GetAsync("/v1/articles/no-such-article/share")).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.MovedPermanently, (await api.Public.GetAsync("/v1/articles/t1453741/share")).StatusCode);
    }

    [Fact]
    public async Task A_followed_share_is_counted_and_redirected()
    {
        var (article, share) = await SharedArticleAsync("Followed share");
        var id = article.GetProperty("id").GetInt64();
        var tracked = share.GetProperty("targets")[0].GetProperty("trackedUrl").GetString()!;

        var response = await api.Public.GetAsync(new Uri(tracked).PathAndQuery);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(share.GetProperty("targets")[0].GetProperty("url").GetString(), response.Headers.Location?.OriginalString);
        var stats = await (await api.Public.GetAsync($"/v1/articles/{id}/share/stats")).ReadJsonAsync();
        var x = stats.GetProperty("totals").EnumerateArray().Single(t => t.GetProperty("network").GetString() == "x");
        Assert.Equal(1, x.GetProperty("intents").GetInt64());
        await (await api.Public.GetAsync($"/v1/articles/{id}/share/myspace")).AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Concurrent_share_events_are_all_counted()
    {
        var (article, _) = await SharedArticleAsync("Counted under load");
        var id = article.GetProperty("id").GetInt64();

        var responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            api.Public.PostAsJsonAsync($"/v1/articles/{id}/share/events", new { network = i % 2 == 0 ? "copy-link" : "native", placement = "footer" })));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        var stats = await (await api.Public.GetAsync($"/v1/articles/{id}/share/stats?days=1")).ReadJsonAsync();
        Assert.Equal(200, stats.GetProperty("totals").EnumerateArray().Sum(t => t.GetProperty("events").GetInt64()));
        Assert.Equal(100, stats.GetProperty("totals").EnumerateArray().Single(t => t.GetProperty("network").GetString() == "native").GetProperty("events").GetInt64());

        var most = await (await api.Public.GetAsync("/v1/articles/most-shared?period=day&limit=5")).ReadJsonAsync();
        Assert.Equal(id, most.GetProperty("items")[0].GetProperty("id").GetInt64());
        Assert.Equal(200, most.GetProperty("items")[0].GetProperty("shares").GetInt64());
    }

    [Theory]
    [InlineData("""{"network":"myspace"}""", "network")]
    [InlineData("""{}""", "network")]
    [InlineData("""{"network":"x","placement":"a b"}""", "placement")]
    public async Task Bad_share_events_are_400(string json, string field)
    {
        var response = await api.Public.PostAsync("/v1/articles/t1453741/share/events", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        Assert.NotEmpty((await response.AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorsFor(field));
    }

    [Fact]
    public async Task A_short_link_redirects_privately_and_counts_the_click()
    {
        var (article, share) = await SharedArticleAsync("Short linked");
        var shortUrl = new Uri(share.GetProperty("shortUrl").GetString()!);
        Assert.Matches("^/s/[0-9A-Za-z]{8}$", shortUrl.AbsolutePath);

        var request = new HttpRequestMessage(HttpMethod.Get, shortUrl.AbsolutePath);
        request.Headers.Referrer = new Uri("https://t.co/abc?secret=1");
        request.Headers.UserAgent.ParseAdd("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36");
        var response = await api.Public.SendAsync(request);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(Tagged(article.GetProperty("canonicalUrl").GetString()!, "shortlink", "share"), response.Headers.Location?.OriginalString);
        Assert.True(response.Headers.CacheControl?.NoStore);
        Assert.True(response.Headers.CacheControl?.Private);
        var row = await api.QueryAsync<(string Referrer, string Agent)>(
            "SELECT referrer_host, agent_family FROM share_events WHERE article_id = @id AND kind = 'click'", new { id = article.GetProperty("id").GetInt64() });
        Assert.Equal(("t.co", "chrome"), Assert.Single(row));

        var again = await (await api.Public.GetAsync($"/v1/articles/{article.GetProperty("id").GetInt64()}/share")).ReadJsonAsync();
        Assert.Equal(share.GetProperty("shortUrl").GetString(), again.GetProperty("shortUrl").GetString());
        await (await api.Public.GetAsync("/s/ZZZZZZZZ")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await api.Public.GetAsync("/s/%27%3B--")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Meta_gives_Open_Graph_and_Twitter_card_tags()
    {
        var (article, _) = await api.CreateAsync(new
        {
            title = "Meta article", summary = "For cards.", categorySlug = "visas", status = "published", tags = new[] { "Visa" },
            image = new { url = "https://news.example.com/img/a.jpg", alt = "A desk" },
        });

        var meta = await (await api.Public.GetAsync($"/v1/articles/{article.GetProperty("id").GetInt64()}/meta")).ReadJsonAsync();

        var og = meta.GetProperty("openGraph").EnumerateArray().Select(t => (t.GetProperty("property").GetString(), t.GetProperty("content").GetString())).ToList();
        Assert.Contains(("og:title", "Meta article"), og);
        Assert.Contains(("og:url", article.GetProperty("canonicalUrl").GetString()), og);
        Assert.Contains(("og:image", "https://news.example.com/img/a.jpg"), og);
        Assert.Contains(("article:section", "Visas"), og);
        Assert.Contains(("article:tag", "Visa"), og);
        var twitter = meta.GetProperty("twitter").EnumerateArray().Select(t => (t.GetProperty("property").GetString(), t.GetProperty("content").GetString())).ToList();
        Assert.Contains(("twitter:card", "summary_large_image"), twitter);
    }

    [Fact]
    public async Task OEmbed_answers_for_canonical_URLs()
    {
        var (article, _) = await SharedArticleAsync("Embeddable <story>", "embeddable-story");
        var canonical = article.GetProperty("canonicalUrl").GetString()!;

        var response = await api.Public.GetAsync($"/v1/oembed?url={Esc(canonical)}&maxwidth=400");
        var embed = await response.ReadJsonAsync();
        Assert.True(embed.TryGetProperty("width", out _) && embed.TryGetProperty("html", out _) && embed.TryGetProperty("type", out _), embed.GetRawText());

        Assert.Equal("1.0", embed.GetProperty("version").GetString());
        Assert.Equal("rich", embed.GetProperty("type").GetString());
        Assert.Equal(400, embed.GetProperty("width").GetInt32());
        Assert.Contains("Embeddable &lt;story&gt;", embed.GetProperty("html").GetString());
        Assert.True(embed.TryGetProperty("provider_name", out _));

        await (await api.Public.GetAsync($"/v1/oembed?url={Esc(canonical)}&format=xml")).AssertProblemAsync(HttpStatusCode.NotImplemented);
        await (await api.Public.GetAsync($"/v1/oembed?url={Esc("https://elsewhere.example/articles/embeddable-story")}")).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.NotEmpty((await (await api.Public.GetAsync("/v1/oembed")).AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorsFor("url"));
        Assert.NotEmpty((await (await api.Public.GetAsync($"/v1/oembed?url={Esc(canonical)}&maxwidth=5")).AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorsFor("maxwidth"));
    }
}
