using System.Net;
using System.Text.Json;
using Api.Tests.Infrastructure;
using Api.Tests.Shares;

namespace Api.Tests.Editorial;

public sealed class EmbargoTests(EditorialFixture api) : IClassFixture<EditorialFixture>
{
    private HttpClient? _partner;

    private async Task<HttpClient> PartnerAsync() => _partner ??= api.CreateClient(await api.CreateKeyAsync("partner"));

    private static HttpRequestMessage Get(string path, string? accept = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (accept is not null)
        {
            request.Headers.Accept.ParseAdd(accept);
        }

        return request;
    }

    /// <summary>The change feed's items from <paramref name="since"/> (from the start: the snapshot) until it has nothing more.</summary>
    private async Task<List<JsonElement>> ChangesAsync(string? since = null) => (await DrainAsync(since)).Items;

    /// <summary>A token from which the feed shows only changes committed after this call.</summary>
    private async Task<string> NowAsync() => (await DrainAsync(null)).Token;

    private async Task<(List<JsonElement> Items, string Token)> DrainAsync(string? since)
    {
        var partner = await PartnerAsync();
        var items = new List<JsonElement>();
        while (true)
        {
            var page = await (await partner.GetAsync("/v1/changes?limit=100" + (since is null ? "" : "&since=" + Uri.EscapeDataString(since)))).ReadJsonAsync();
            items.AddRange(page.GetProperty("items").EnumerateArray());
            since = page.GetProperty("nextToken").GetString()!;
            if (page.GetProperty("phase").GetString() == "changes" && page.GetProperty("items").GetArrayLength() == 0)
            {
                return (items, since);
            }
        }
    }

    private static void AssertNoStore(HttpResponseMessage response)
    {
        var cacheControl = response.Headers.CacheControl!;
        Assert.True(cacheControl is { NoStore: true, Private: true, Public: false }, $"Cache-Control: {cacheControl}");
    }

    [Fact]
    public async Task Partners_see_an_embargoed_article_and_the_public_and_caches_do_not()
    {
        var lifts = DateTimeOffset.UtcNow.AddHours(2);
        var token = await NowAsync();
        var (article, _) = await api.CreateAsync(new
        {
            title = "Embargoed trade figures", slug = "embargoed-trade-figures", categorySlug = "visas", status = "scheduled",
            publishedAt = lifts, embargoed = true, tags = new[] { "Embargo tag" },
        });
        var id = article.GetProperty("id").GetInt64();
        Assert.True(article.GetProperty("embargoed").GetBoolean());
        Assert.Equal("scheduled", article.GetProperty("status").GetString());
        var partner = await PartnerAsync();

        // Partners: the article, ninjs usable with the embargo's end, and nothing kept by any cache.
        var read = await partner.GetAsync($"/v1/articles/{id}");
        var body = await read.ReadJsonAsync();
        Assert.True(body.GetProperty("embargoed").GetBoolean());
        AssertNoStore(read);
        var bySlug = await partner.GetAsync("/v1/articles/embargoed-trade-figures");
        Assert.Equal(HttpStatusCode.OK, bySlug.StatusCode);
        foreach (var ninjsRead in new[] { await partner.GetAsync($"/v1/articles/{id}/ninjs"), await partner.SendAsync(Get($"/v1/articles/{id}", "application/vnd.iptc.ninjs+json")) })
        {
            Assert.Equal(HttpStatusCode.OK, ninjsRead.StatusCode);
            Assert.Equal("application/vnd.iptc.ninjs+json", ninjsRead.Content.Headers.ContentType?.MediaType);
            var ninjs = JsonDocument.Parse(await ninjsRead.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("usable", ninjs.GetProperty("pubstatus").GetString());
            Assert.Equal(lifts.UtcDateTime, ninjs.GetProperty("embargoed").GetDateTimeOffset().UtcDateTime, TimeSpan.FromSeconds(1));
            AssertNoStore(ninjsRead);
        }

        var snapshot = (await ChangesAsync()).Where(i => i.GetProperty("articleId").GetInt64() == id).ToList();
        Assert.Contains(snapshot, i => i.GetProperty("kind").GetString() == "snapshot" && i.GetProperty("article").GetProperty("embargoed").GetBoolean());
        var created = Assert.Single(await ChangesAsync(token), i => i.GetProperty("articleId").GetInt64() == id);
        Assert.Equal("created", created.GetProperty("kind").GetString());
        Assert.True(created.GetProperty("article").GetProperty("embargoed").GetBoolean());
        Assert.Equal(JsonValueKind.Null, created.GetProperty("tombstone").ValueKind);

        // The public: nothing, anywhere.
        await (await api.Public.GetAsync($"/v1/articles/{id}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await api.Public.GetAsync("/v1/articles/embargoed-trade-figures")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await api.Public.GetAsync($"/v1/articles/{id}/ninjs")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await api.Public.GetAsync($"/v1/articles/{id}/jsonld")).AssertProblemAsync(HttpStatusCode.NotFound);
        foreach (var path in new[] { "/v1/articles?limit=100", "/v1/articles?q=embargoed%20trade", "/v1/articles?tag=embargo-tag", "/feeds/rss.xml", "/feeds/atom.xml", "/feeds/feed.json", "/sitemap.xml", "/sitemap-news.xml", "/v1/tags/embargo-tag" })
        {
            var text = await (await api.Public.GetAsync(path)).Content.ReadAsStringAsync();
            Assert.DoesNotContain("mbargoed trade figures", text);
            Assert.DoesNotContain("embargoed-trade-figures", text);
        }

        // A partner's list is the public's: the change feed is where embargoed articles are given.
        Assert.DoesNotContain("embargoed-trade-figures", await (await partner.GetAsync("/v1/articles?limit=100")).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_scheduled_article_without_an_embargo_stays_hidden_from_partners()
    {
        var token = await NowAsync();
        var (article, _) = await api.CreateAsync(new { title = "Quietly scheduled", categorySlug = "visas", status = "scheduled", publishedAt = DateTimeOffset.UtcNow.AddHours(1) });
        var id = article.GetProperty("id").GetInt64();
        Assert.False(article.GetProperty("embargoed").GetBoolean());
        var partner = await PartnerAsync();

        await (await partner.GetAsync($"/v1/articles/{id}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await partner.GetAsync($"/v1/articles/{id}/ninjs")).AssertProblemAsync(HttpStatusCode.NotFound);
        var created = Assert.Single(await ChangesAsync(token), i => i.GetProperty("articleId").GetInt64() == id);
        Assert.Equal("scheduled", created.GetProperty("tombstone").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Bad_embargoes_are_refused_and_write_nothing()
    {
        var before = await api.ScalarAsync<long>("SELECT count(*) FROM articles");
        var past = DateTimeOffset.UtcNow.AddMinutes(-5);
        var future = DateTimeOffset.UtcNow.AddHours(1);

        var inThePast = await (await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Post, "/v1/articles",
            new { title = "Late embargo", categorySlug = "visas", status = "published", publishedAt = past, embargoed = true }, null))).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(inThePast.ErrorsFor("embargoed"));
        var noTime = await (await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Post, "/v1/articles",
            new { title = "Untimed embargo", categorySlug = "visas", status = "published", embargoed = true }, null))).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(noTime.ErrorsFor("embargoed"));
        var draft = await (await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Post, "/v1/articles",
            new { title = "Draft embargo", categorySlug = "visas", status = "draft", publishedAt = future, embargoed = true }, null))).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(draft.ErrorsFor("embargoed"));
        var defaultDraft = await (await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Post, "/v1/articles",
            new { title = "Draft by default", categorySlug = "visas", publishedAt = future, embargoed = true }, null))).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(defaultDraft.ErrorsFor("embargoed"));
        var notABoolean = await (await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Post, "/v1/articles",
            """{"title":"Odd embargo","categorySlug":"visas","status":"scheduled","publishedAt":"2099-01-01T00:00:00Z","embargoed":"yes"}""", null))).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(before, await api.ScalarAsync<long>("SELECT count(*) FROM articles"));

        // On an existing draft (status kept by PUT): refused, the article unchanged.
        var (existing, etag) = await api.CreateAsync(new { title = "Draft kept", categorySlug = "visas" });
        var id = existing.GetProperty("id").GetInt64();
        var put = await (await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Put, $"/v1/articles/{id}",
            new { title = "Draft kept", categorySlug = "visas", publishedAt = future, embargoed = true }, etag))).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(put.ErrorsFor("embargoed"));
        var patch = await (await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Patch, $"/v1/articles/{id}",
            """{"embargoed":true}""", etag, "application/merge-patch+json"))).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(patch.ErrorsFor("embargoed"));
        Assert.Equal(1, await api.ScalarAsync<int>("SELECT version FROM articles WHERE id = @id", new { id }));
        Assert.False(await api.ScalarAsync<bool>("SELECT embargoed FROM articles WHERE id = @id", new { id }));
    }

    [Fact]
    public async Task Edits_keep_an_embargo_until_it_is_withdrawn_or_the_article_leaves_the_schedule()
    {
        var (article, etag) = await api.CreateAsync(new { title = "Embargo kept", categorySlug = "visas", status = "scheduled", publishedAt = DateTimeOffset.UtcNow.AddHours(1), embargoed = true });
        var id = article.GetProperty("id").GetInt64();
        var partner = await PartnerAsync();
        var token = await NowAsync();

        var retitled = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Patch, $"/v1/articles/{id}", """{"title":"Embargo kept, retitled"}""", etag, "application/merge-patch+json"));
        Assert.True((await retitled.ReadJsonAsync()).GetProperty("embargoed").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, (await partner.GetAsync($"/v1/articles/{id}")).StatusCode);

        var withdrawn = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Patch, $"/v1/articles/{id}", """{"embargoed":false}""", retitled.Headers.ETag, "application/merge-patch+json"));
        Assert.False((await withdrawn.ReadJsonAsync()).GetProperty("embargoed").GetBoolean());
        await (await partner.GetAsync($"/v1/articles/{id}")).AssertProblemAsync(HttpStatusCode.NotFound);

        var again = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Patch, $"/v1/articles/{id}", """{"embargoed":true}""", withdrawn.Headers.ETag, "application/merge-patch+json"));
        Assert.True((await again.ReadJsonAsync()).GetProperty("embargoed").GetBoolean());
        var unpublished = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Post, $"/v1/articles/{id}/unpublish", null, again.Headers.ETag));
        Assert.False((await unpublished.ReadJsonAsync()).GetProperty("embargoed").GetBoolean());
        await (await partner.GetAsync($"/v1/articles/{id}")).AssertProblemAsync(HttpStatusCode.NotFound);

        // A draft's patch base carries no embargo, so editing the draft is not refused.
        var edited = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Patch, $"/v1/articles/{id}", """{"summary":"Now a draft."}""", unpublished.Headers.ETag, "application/merge-patch+json"));
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);

        var feed = (await ChangesAsync(token)).Where(i => i.GetProperty("articleId").GetInt64() == id).ToList();
        Assert.Equal(["updated", "updated", "updated", "unpublished", "updated"], feed.Select(i => i.GetProperty("kind").GetString()));
        Assert.All(feed, i => Assert.Equal("unpublished", i.GetProperty("tombstone").GetProperty("reason").GetString()));
    }

    [Fact]
    public async Task When_the_embargo_lifts_the_public_sees_the_article_with_no_write()
    {
        var lifts = DateTimeOffset.UtcNow.AddSeconds(2);
        var token = await NowAsync();
        var (article, _) = await api.CreateAsync(new { title = "Lifting embargo", categorySlug = "visas", status = "scheduled", publishedAt = lifts, embargoed = true });
        var id = article.GetProperty("id").GetInt64();
        var version = article.GetProperty("version").GetInt32();

        var visible = await Eventually.WaitForAsync(() => api.Public.GetAsync($"/v1/articles/{id}"), r => r.StatusCode == HttpStatusCode.OK, "the article in public");
        var body = await visible.ReadJsonAsync();
        Assert.False(body.GetProperty("embargoed").GetBoolean());
        var stored = await (await api.Editor.GetAsync($"/v1/articles/{id}")).ReadJsonAsync();
        Assert.Equal("published", stored.GetProperty("status").GetString());
        Assert.Equal(version, stored.GetProperty("version").GetInt32());
        Assert.StartsWith("public", visible.Headers.CacheControl!.ToString());

        var items = await Eventually.WaitForAsync(
            async () => (await ChangesAsync(token)).Where(i => i.GetProperty("articleId").GetInt64() == id && i.GetProperty("kind").GetString() == "published").ToList(),
            found => found.Count == 1,
            "the published change");
        Assert.False(items[0].GetProperty("article").GetProperty("embargoed").GetBoolean());

        // A revision saved under the embargo restores as an ordinary published article.
        var etag = (await api.Editor.GetAsync($"/v1/articles/{id}")).Headers.ETag;
        var restored = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Post, $"/v1/articles/{id}/revisions/1/restore", null, etag));
        Assert.Equal(HttpStatusCode.OK, restored.StatusCode);
        Assert.False((await restored.ReadJsonAsync()).GetProperty("embargoed").GetBoolean());
    }
}
