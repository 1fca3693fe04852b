using System.Net;
using System.Text.Json;
using Api.Tests.Infrastructure;

namespace Api.Tests.Articles;

public sealed class ListArticlesTests(ListFixture api) : IClassFixture<ListFixture>
{
    private readonly HttpClient _client = api.CreateClient();

    [Fact]
    public async Task ListArticles_returns_published_articles_newest_first_without_bodies()
    {
        var response = await _client.GetAsync("/v1/articles");
        var page = await response.ReadJsonAsync();

        var expected = (await api.VisibleIdsAsync("published_at DESC, id DESC")).Take(20);
        Assert.Equal(expected, Ids(page));
        var first = page.GetProperty("items")[0];
        Assert.False(first.TryGetProperty("bodyHtml", out _));
        Assert.False(first.TryGetProperty("bodyText", out _));
        Assert.True(first.TryGetProperty("summary", out _));
        Assert.False(first.TryGetProperty("status", out _));
        Assert.False(first.TryGetProperty("version", out _));
        Assert.Equal(JsonValueKind.Null, page.GetProperty("total").ValueKind);
        Assert.Equal(JsonValueKind.String, page.GetProperty("nextCursor").ValueKind);
    }

    [Theory]
    [InlineData("-publishedAt", "published_at DESC, id DESC")]
    [InlineData("publishedAt", "published_at ASC, id ASC")]
    [InlineData("-updatedAt", "updated_at DESC, id DESC")]
    [InlineData("title", "title ASC, id ASC")]
    public async Task ListArticles_pages_through_every_order_without_repeating_or_skipping(string sort, string orderBy)
    {
        var expected = await api.VisibleIdsAsync(orderBy);

        var seen = await WalkAsync($"/v1/articles?sort={sort}&limit=7&fields=id");

        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task ListArticles_sends_the_next_page_as_a_Link_header()
    {
        var response = await _client.GetAsync("/v1/articles?limit=5&fields=title");
        var page = await response.ReadJsonAsync();
        var cursor = page.GetProperty("nextCursor").GetString()!;

        var link = response.Headers.GetValues("Link").Single();
        Assert.StartsWith("</v1/articles?", link);
        Assert.EndsWith(">; rel=\"next\"", link);
        var next = await _client.GetAsync(link[1..link.IndexOf('>')]);
        var viaLink = await next.ReadJsonAsync();
        var viaCursor = await (await _client.GetAsync($"/v1/articles?limit=5&fields=title&cursor={Uri.EscapeDataString(cursor)}")).ReadJsonAsync();
        Assert.Equal(Ids(viaCursor), Ids(viaLink));
    }

    [Fact]
    public async Task ListArticles_last_page_has_no_next_cursor_and_no_Link()
    {
        var response = await _client.GetAsync("/v1/articles?limit=100");
        var page = await response.ReadJsonAsync();

        Assert.Equal(JsonValueKind.Null, page.GetProperty("nextCursor").ValueKind);
        Assert.False(response.Headers.Contains("Link"));
    }

    [Fact]
    public async Task ListArticles_pages_stay_consistent_while_articles_are_published()
    {
        var before = await api.VisibleIdsAsync("published_at DESC, id DESC", "slug LIKE 'list-%'");
        var first = await (await _client.GetAsync("/v1/articles?category=china-news,political-relations,economy-and-trade,visas&limit=4&fields=id")).ReadJsonAsync();
        var seen = Ids(first).ToList();

        // A brand-new article (newest of all) and one dated among those not read yet.
        await api.ExecuteAsync("""
            INSERT INTO articles (slug, title, category_id, status, published_at)
            SELECT 'breaking-' || md5(random()::text), 'Breaking', id, 'published', now() FROM categories WHERE slug = 'visas';
            INSERT INTO articles (slug, title, category_id, status, published_at)
            SELECT 'backdated-' || md5(random()::text), 'Backdated', id, 'published', '2021-01-02T12:00:00Z' FROM categories WHERE slug = 'visas';
            """);

        var cursor = first.GetProperty("nextCursor").GetString();
        while (cursor is not null)
        {
            var page = await (await _client.GetAsync(
                $"/v1/articles?category=china-news,political-relations,economy-and-trade,visas&limit=4&fields=id&cursor={Uri.EscapeDataString(cursor)}")).ReadJsonAsync();
            seen.AddRange(Ids(page));
            cursor = page.GetProperty("nextCursor").ValueKind == JsonValueKind.Null ? null : page.GetProperty("nextCursor").GetString();
        }

        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.All(before, id => Assert.Contains(id, seen));
    }

    [Fact]
    public async Task ListArticles_count_adds_the_total()
    {
        var page = await (await _client.GetAsync("/v1/articles?count=true&limit=1")).ReadJsonAsync();
        var expected = (await api.VisibleIdsAsync("id")).Count;
        Assert.Equal(expected, page.GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task ListArticles_fields_selects_what_comes_back_and_always_the_id()
    {
        var page = await (await _client.GetAsync("/v1/articles?fields=title,bodyHtml&limit=2")).ReadJsonAsync();

        foreach (var item in page.GetProperty("items").EnumerateArray())
        {
            Assert.Equal(["id", "title", "bodyHtml"], item.EnumerateObject().Select(p => p.Name));
            Assert.StartsWith("<p>", item.GetProperty("bodyHtml").GetString());
        }
    }

    [Fact]
    public async Task ListArticles_filters_by_category_with_descendants_by_default()
    {
        var page = await (await _client.GetAsync("/v1/articles?category=bilateral-relations&limit=100&fields=category")).ReadJsonAsync();
        var categories = page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("category").GetProperty("slug").GetString()).Distinct().Order();
        Assert.Equal(["economy-and-trade", "political-relations"], categories);

        var direct = await (await _client.GetAsync("/v1/articles?category=bilateral-relations&descendants=false")).ReadJsonAsync();
        Assert.Empty(direct.GetProperty("items").EnumerateArray());

        var visas = await (await _client.GetAsync("/v1/articles?category=visas&limit=100&fields=category")).ReadJsonAsync();
        Assert.Equal(["visa-fees", "visas"], visas.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("category").GetProperty("slug").GetString()).Distinct().Order());
    }

    [Fact]
    public async Task ListArticles_filters_by_several_categories_and_ignores_unknown_ones()
    {
        var page = await (await _client.GetAsync("/v1/articles?category=visa-fees,no-such-category,political-relations&limit=100&fields=category")).ReadJsonAsync();
        var expected = await api.VisibleIdsAsync("published_at DESC, id DESC",
            "category_id IN (SELECT id FROM categories WHERE slug IN ('visa-fees', 'political-relations'))");
        Assert.Equal(expected, Ids(page));

        var none = await (await _client.GetAsync("/v1/articles?category=no-such-category")).ReadJsonAsync();
        Assert.Empty(none.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task ListArticles_filters_by_tags_any_of()
    {
        var trade = await (await _client.GetAsync("/v1/articles?tag=trade&limit=100&fields=id")).ReadJsonAsync();
        Assert.Equal(10, Ids(trade).Count());

        var either = await (await _client.GetAsync("/v1/articles?tag=trade,security&limit=100&fields=tags")).ReadJsonAsync();
        Assert.Equal(14, Ids(either).Count()); // 10 + 6 - 2 in both (15 and 30)
        Assert.All(either.GetProperty("items").EnumerateArray(), item =>
            Assert.Contains(item.GetProperty("tags").EnumerateArray().Select(t => t.GetProperty("slug").GetString()), s => s is "trade" or "security"));
    }

    [Theory]
    [InlineData("zh-Hans")]
    [InlineData("ZH-hans")]
    public async Task ListArticles_filters_by_language(string language)
    {
        var page = await (await _client.GetAsync($"/v1/articles?language={language}&fields=slug,language")).ReadJsonAsync();
        var item = Assert.Single(page.GetProperty("items").EnumerateArray());
        Assert.Equal("wai-jiao-bu-fa-yan-ren", item.GetProperty("slug").GetString());
        Assert.Equal("zh-Hans", item.GetProperty("language").GetString());
    }

    [Theory]
    [InlineData("publishedAfter=2021-01-05&publishedBefore=2021-01-07", "published_at >= '2021-01-05Z' AND published_at < '2021-01-07Z'")]
    [InlineData("publishedAfter=2021-01-05T08:00:00%2B08:00", "published_at >= '2021-01-05T00:00:00Z'")]
    [InlineData("publishedAfter=2021-01-05T08:00:00+08:00", "published_at >= '2021-01-05T00:00:00Z'")]
    [InlineData("publishedBefore=2017-04-13T00:00:00Z", "published_at < '2017-04-13Z'")]
    public async Task ListArticles_filters_by_publication_time(string query, string where)
    {
        var page = await (await _client.GetAsync($"/v1/articles?{query}&limit=100&fields=id")).ReadJsonAsync();
        Assert.Equal(await api.VisibleIdsAsync("published_at DESC, id DESC", where), Ids(page));
    }

    [Fact]
    public async Task ListArticles_filters_by_ids_and_shows_only_visible_ones()
    {
        var ids = await api.QueryAsync<long>("SELECT id FROM articles WHERE slug IN ('list-01', 'list-02', 'hidden-draft') ORDER BY id");
        var page = await (await _client.GetAsync($"/v1/articles?ids={string.Join(',', ids)},999999")).ReadJsonAsync();
        Assert.Equal(ids.Take(2).OrderDescending(), Ids(page).OrderDescending());
    }

    [Fact]
    public async Task ListArticles_never_shows_drafts_archived_scheduled_or_deleted_articles()
    {
        var all = await (await _client.GetAsync("/v1/articles?limit=100&fields=slug")).ReadJsonAsync();
        Assert.DoesNotContain(all.GetProperty("items").EnumerateArray(), i => i.GetProperty("slug").GetString()!.StartsWith("hidden-"));

        var search = await (await _client.GetAsync($"/v1/articles?q={ListFixture.HiddenWord}")).ReadJsonAsync();
        Assert.Empty(search.GetProperty("items").EnumerateArray());

        var tagged = await (await _client.GetAsync("/v1/articles?tag=trade&category=economy-and-trade&limit=100&fields=slug")).ReadJsonAsync();
        Assert.DoesNotContain(tagged.GetProperty("items").EnumerateArray(), i => i.GetProperty("slug").GetString()!.StartsWith("hidden-"));
    }

    [Fact]
    public async Task ListArticles_shows_a_scheduled_article_once_its_time_comes_without_any_job()
    {
        var slug = $"scheduled-{Guid.NewGuid():N}";
        await api.ExecuteAsync("""
            INSERT INTO articles (slug, title, category_id, status, published_at)
            SELECT @slug, 'Scheduled', id, 'published', now() + interval '1.5 seconds' FROM categories WHERE slug = 'embassy-news'
            """, new { slug });

        var before = await (await _client.GetAsync("/v1/articles?category=embassy-news&fields=slug")).ReadJsonAsync();
        Assert.Empty(before.GetProperty("items").EnumerateArray());
        await (await _client.GetAsync($"/v1/articles/{slug}")).AssertProblemAsync(HttpStatusCode.NotFound);

        var deadline = DateTime.UtcNow.AddSeconds(10);
        JsonElement after;
        do
        {
            await Task.Delay(200);
            after = await (await _client.GetAsync("/v1/articles?category=embassy-news&fields=slug")).ReadJsonAsync();
        }
        while (after.GetProperty("items").GetArrayLength() == 0 && DateTime.UtcNow < deadline);

        Assert.Equal(slug, Assert.Single(after.GetProperty("items").EnumerateArray()).GetProperty("slug").GetString());
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync($"/v1/articles/{slug}")).StatusCode);
    }

    [Fact]
    public async Task ListArticles_answers_a_matching_If_None_Match_with_304()
    {
        var first = await _client.GetAsync("/v1/articles?limit=3");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/articles?limit=3");
        request.Headers.IfNoneMatch.Add(first.Headers.ETag!);

        var second = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        var keys = first.Headers.GetValues("Surrogate-Key").Single().Split(' ');
        Assert.Contains("articles", keys);
        foreach (var id in Ids(await first.ReadJsonAsync()))
        {
            Assert.Contains($"article-{id}", keys);
        }
    }

    [Fact]
    public async Task Category_article_list_is_the_list_scoped_to_the_category()
    {
        var scoped = await (await _client.GetAsync("/v1/categories/bilateral-relations/articles?limit=100&fields=id")).ReadJsonAsync();
        var filtered = await (await _client.GetAsync("/v1/articles?category=bilateral-relations&limit=100&fields=id")).ReadJsonAsync();
        Assert.Equal(Ids(filtered), Ids(scoped));
        Assert.NotEmpty(Ids(scoped));

        var direct = await (await _client.GetAsync("/v1/categories/bilateral-relations/articles?descendants=false")).ReadJsonAsync();
        Assert.Empty(direct.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Category_article_list_pages_with_its_own_cursors()
    {
        var expected = await api.VisibleIdsAsync("published_at DESC, id DESC",
            "category_id IN (SELECT id FROM categories WHERE slug IN ('visas', 'visa-fees'))");
        Assert.Equal(expected, await WalkAsync("/v1/categories/visas/articles?limit=3&fields=id"));
    }

    [Fact]
    public async Task Category_article_list_of_an_unknown_category_is_404()
    {
        await (await _client.GetAsync("/v1/categories/no-such-category/articles")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Translations_list_the_other_language_versions()
    {
        var english = await (await _client.GetAsync("/v1/articles/spokesperson-on-the-peninsula")).ReadJsonAsync();
        var translation = Assert.Single(english.GetProperty("translations").EnumerateArray());
        Assert.Equal("zh-Hans", translation.GetProperty("language").GetString());
        Assert.Equal("wai-jiao-bu-fa-yan-ren", translation.GetProperty("slug").GetString());

        var page = await (await _client.GetAsync("/v1/articles?language=zh-Hans&fields=translations")).ReadJsonAsync();
        var listed = Assert.Single(page.GetProperty("items")[0].GetProperty("translations").EnumerateArray());
        Assert.Equal("spokesperson-on-the-peninsula", listed.GetProperty("slug").GetString());
    }

    private async Task<List<long>> WalkAsync(string firstPage)
    {
        var seen = new List<long>();
        var url = firstPage;
        for (var pages = 0; pages < 100; pages++)
        {
            var page = await (await _client.GetAsync(url)).ReadJsonAsync();
            seen.AddRange(Ids(page));
            if (page.GetProperty("nextCursor").ValueKind == JsonValueKind.Null)
            {
                return seen;
            }

            url = $"{firstPage}&cursor={Uri.EscapeDataString(page.GetProperty("nextCursor").GetString()!)}";
        }

        throw new InvalidOperationException("The pages did not end.");
    }

    internal static IEnumerable<long> Ids(JsonElement page) =>
        page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64()).ToList();
}
