using System.Net;
using Api.Tests.Infrastructure;

namespace Api.Tests.Articles;

public sealed class SearchArticlesTests(ListFixture api) : IClassFixture<ListFixture>
{
    private const string SeedSlug = "xi-jinping-holds-telephone-talks-with-president-donald-trump-of-the-us";
    private readonly HttpClient _client = api.CreateClient();

    [Fact]
    public async Task A_phrase_from_the_seed_article_finds_it_first_with_a_highlighted_snippet()
    {
        var page = await (await _client.GetAsync("/v1/articles?q=denuclearization%20Korean%20Peninsula")).ReadJsonAsync();

        var first = page.GetProperty("items")[0];
        Assert.Equal(SeedSlug, first.GetProperty("slug").GetString());
        var snippet = first.GetProperty("snippet").GetString()!;
        Assert.Contains("<mark>denuclearization</mark>", snippet);
        Assert.Contains("<mark>Korean</mark>", snippet);
    }

    [Fact]
    public async Task English_search_uses_stemming()
    {
        var page = await (await _client.GetAsync("/v1/articles?q=telephoned%20talk&fields=slug")).ReadJsonAsync();
        Assert.Contains(page.GetProperty("items").EnumerateArray(), i => i.GetProperty("slug").GetString() == SeedSlug);
    }

    [Fact]
    public async Task Chinese_text_without_spaces_is_found_by_a_substring()
    {
        var page = await (await _client.GetAsync($"/v1/articles?q={Uri.EscapeDataString("无核化")}&fields=slug,snippet")).ReadJsonAsync();

        var item = Assert.Single(page.GetProperty("items").EnumerateArray());
        Assert.Equal("wai-jiao-bu-fa-yan-ren", item.GetProperty("slug").GetString());
        Assert.Contains("<mark>无核化</mark>", item.GetProperty("snippet").GetString());

        var shorter = await (await _client.GetAsync($"/v1/articles?q={Uri.EscapeDataString("半岛")}&fields=slug")).ReadJsonAsync();
        Assert.Equal("wai-jiao-bu-fa-yan-ren", Assert.Single(shorter.GetProperty("items").EnumerateArray()).GetProperty("slug").GetString());
    }

    [Fact]
    public async Task Snippets_escape_the_article_text()
    {
        await api.ExecuteAsync("""
            INSERT INTO articles (slug, title, body_text, category_id, status, published_at)
            SELECT 'markup-in-text', 'Markup', 'The tag <script>alert(1)</script> appeared where 2 < 3 & 5 > 4 next to the word quokkabanana.', id, 'published', '2020-01-01Z'
            FROM categories WHERE slug = 'embassy-news'
            """);

        var page = await (await _client.GetAsync("/v1/articles?q=quokkabanana&fields=snippet")).ReadJsonAsync();

        var snippet = Assert.Single(page.GetProperty("items").EnumerateArray()).GetProperty("snippet").GetString()!;
        Assert.DoesNotContain("<script", snippet);
        Assert.Contains("2 &lt; 3 &amp; 5 &gt; 4", snippet);
        Assert.Contains("<mark>quokkabanana</mark>", snippet);
    }

    [Fact]
    public async Task Search_ranks_by_relevance_by_default_and_pages_through_all_matches()
    {
        var count = (await (await _client.GetAsync("/v1/articles?q=security&count=true&limit=1")).ReadJsonAsync()).GetProperty("total").GetInt64();
        var seen = new List<long>();
        string? cursor = null;
        do
        {
            var url = "/v1/articles?q=security&limit=4&fields=id" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
            var page = await (await _client.GetAsync(url)).ReadJsonAsync();
            seen.AddRange(ListArticlesTests.Ids(page));
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        Assert.Equal(count, seen.Count);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.True(count >= 20);
    }

    [Fact]
    public async Task Search_can_be_sorted_by_date_instead()
    {
        var page = await (await _client.GetAsync("/v1/articles?q=trade&sort=-publishedAt&limit=100&fields=publishedAt")).ReadJsonAsync();
        var dates = page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("publishedAt").GetDateTime()).ToList();
        Assert.NotEmpty(dates);
        Assert.Equal(dates.OrderDescending(), dates);
    }

    [Theory]
    [InlineData("'; DROP TABLE articles; --")]
    [InlineData("\" OR 1=1 --")]
    [InlineData("%_%")]
    [InlineData("\\")]
    [InlineData("!!! ((( :* <-> &&")]
    [InlineData("a & b | !c")]
    [InlineData("<script>alert(1)</script>")]
    public async Task Search_treats_any_text_as_words_not_syntax(string q)
    {
        var response = await _client.GetAsync($"/v1/articles?q={Uri.EscapeDataString(q)}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, await api.ScalarAsync<long>("SELECT count(*) FROM articles WHERE slug = @slug", new { slug = SeedSlug }));
    }

    [Fact]
    public async Task Chinese_search_matches_the_characters_together_not_scattered()
    {
        // Both characters occur in the article, but never side by side.
        var page = await (await _client.GetAsync($"/v1/articles?q={Uri.EscapeDataString("中岛")}")).ReadJsonAsync();
        Assert.Empty(page.GetProperty("items").EnumerateArray());

        var single = await (await _client.GetAsync($"/v1/articles?q={Uri.EscapeDataString("岛")}&fields=slug")).ReadJsonAsync();
        Assert.Equal("wai-jiao-bu-fa-yan-ren", Assert.Single(single.GetProperty("items").EnumerateArray()).GetProperty("slug").GetString());
    }

    [Fact]
    public async Task Chinese_and_English_words_combine()
    {
        var chineseOnly = await (await _client.GetAsync($"/v1/articles?q={Uri.EscapeDataString("无核化 spokesperson")}")).ReadJsonAsync();
        Assert.Empty(chineseOnly.GetProperty("items").EnumerateArray());

        await api.ExecuteAsync("""
            INSERT INTO articles (slug, title, body_text, language, category_id, status, published_at)
            SELECT 'mixed-language', 'Spokesperson on 裁军', 'The spokesperson said 裁军.', 'en', id, 'published', '2020-01-01Z'
            FROM categories WHERE slug = 'embassy-news'
            """);
        var mixed = await (await _client.GetAsync($"/v1/articles?q={Uri.EscapeDataString("裁军 spokesperson")}&fields=slug,snippet")).ReadJsonAsync();
        Assert.Equal("mixed-language", Assert.Single(mixed.GetProperty("items").EnumerateArray()).GetProperty("slug").GetString());
    }

    [Fact]
    public async Task Search_sees_each_write_at_once_whoever_makes_it()
    {
        await api.ExecuteAsync("""
            INSERT INTO articles (slug, title, body_text, category_id, status, published_at)
            SELECT 'search-follows-writes', 'Wombat census', 'Rangers counted the wombats of the valley.', id, 'published', '2020-01-01Z'
            FROM categories WHERE slug = 'embassy-news'
            """);
        async Task<string[]> Found(string q) =>
            (await (await _client.GetAsync($"/v1/articles?q={Uri.EscapeDataString(q)}&fields=slug&count=true")).ReadJsonAsync())
                .GetProperty("items").EnumerateArray().Select(i => i.GetProperty("slug").GetString()!).ToArray();
        Assert.Equal(["search-follows-writes"], await Found("wombat"));

        // An editor's save: the old words no longer find it, the new ones do.
        var editor = api.CreateClient(await api.CreateKeyAsync("content:write"));
        using (var patch = new HttpRequestMessage(HttpMethod.Patch, "/v1/articles/search-follows-writes")
        {
            Content = new StringContent("""{"title":"Numbat census","bodyHtml":"<p>Rangers counted the numbats of the valley.</p>"}""", System.Text.Encoding.UTF8, "application/merge-patch+json"),
        })
        {
            patch.Headers.TryAddWithoutValidation("If-Match", "*");
            Assert.Equal(HttpStatusCode.OK, (await editor.SendAsync(patch)).StatusCode);
        }

        Assert.Empty(await Found("wombat"));
        Assert.Equal(["search-follows-writes"], await Found("numbat"));

        // A change made straight in the database (a script, psql) is seen too: here, unpublished.
        await api.ExecuteAsync("UPDATE articles SET status = 'draft' WHERE slug = 'search-follows-writes'");
        Assert.Empty(await Found("numbat"));
        await api.ExecuteAsync("UPDATE articles SET status = 'published' WHERE slug = 'search-follows-writes'");
        Assert.Equal(["search-follows-writes"], await Found("numbat"));

        // Deleted (kept for editors, with deletedAt): gone from public search.
        using (var delete = new HttpRequestMessage(HttpMethod.Delete, "/v1/articles/search-follows-writes"))
        {
            delete.Headers.TryAddWithoutValidation("If-Match", "*");
            Assert.Equal(HttpStatusCode.OK, (await editor.SendAsync(delete)).StatusCode);
        }

        Assert.Empty(await Found("numbat"));
    }
}
