using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Api.Tests.Editorial;
using Api.Tests.Health;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Npgsql;

namespace Api.Tests.Infrastructure;

/// <summary>
/// Anonymous reads are answered from memory (<c>Age</c> shows it) until a write changes them: the
/// writer's instance drops them before it answers, other instances when PostgreSQL notifies them.
/// </summary>
public sealed class ResponseCacheTests(EditorialFixture api) : IClassFixture<EditorialFixture>
{
    private static bool FromCache(HttpResponseMessage response) => response.Headers.Age is not null;

    /// <summary>GETs <paramref name="path"/> until the answer comes from the cache (an Age header).</summary>
    internal static async Task<HttpResponseMessage> CachedGetAsync(HttpClient client, string path)
    {
        // The first read after a change fills the cache once the instance has caught up; a few reads at most.
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var response = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            if (FromCache(response))
            {
                return response;
            }

            await Task.Delay(20);
        }

        throw new Xunit.Sdk.XunitException($"GET {path} was never answered from the cache.");
    }

    private async Task<(long Id, string Slug, System.Net.Http.Headers.EntityTagHeaderValue ETag)> PublishAsync(string title, string category = "visas", object? extra = null)
    {
        var (article, etag) = await api.CreateAsync(extra ?? new { title, categorySlug = category, status = "published" });
        return (article.GetProperty("id").GetInt64(), article.GetProperty("slug").GetString()!, etag);
    }

    [Fact]
    public async Task A_repeated_read_comes_from_memory_and_a_write_through_the_API_shows_at_once()
    {
        var (id, slug, etag) = await PublishAsync("Cached headline");
        var path = $"/v1/articles/{slug}";
        var cached = await CachedGetAsync(api.Public, path);
        Assert.Equal("Cached headline", (await cached.ReadJsonAsync()).GetProperty("title").GetString());
        await CachedGetAsync(api.Public, "/v1/articles?limit=5");

        var patched = await api.Editor.SendAsync(EditorialFixture.Write(
            HttpMethod.Patch, $"/v1/articles/{id}", """{"title":"Updated headline"}""", etag, "application/merge-patch+json"));
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);

        // No waiting: the writer's instance dropped the answers before it answered the write.
        var article = await api.Public.GetAsync(path);
        Assert.False(FromCache(article));
        Assert.Equal("Updated headline", (await article.ReadJsonAsync()).GetProperty("title").GetString());
        var list = await (await api.Public.GetAsync("/v1/articles?limit=5")).ReadJsonAsync();
        Assert.Contains("Updated headline", list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("title").GetString()));
    }

    [Fact]
    public async Task A_new_article_shows_at_once_in_cached_lists_and_feeds()
    {
        await CachedGetAsync(api.Public, "/v1/categories/visas/articles?limit=3");
        await CachedGetAsync(api.Public, "/feeds/rss.xml?limit=3");

        await PublishAsync("Fresh from the press");

        var list = await (await api.Public.GetAsync("/v1/categories/visas/articles?limit=3")).ReadJsonAsync();
        Assert.Equal("Fresh from the press", list.GetProperty("items")[0].GetProperty("title").GetString());
        Assert.Contains("Fresh from the press", await api.Public.GetStringAsync("/feeds/rss.xml?limit=3"));
    }

    [Fact]
    public async Task Reads_with_a_key_and_HEAD_requests_never_come_from_memory()
    {
        var (_, slug, _) = await PublishAsync("Editors read fresh");
        await CachedGetAsync(api.Public, $"/v1/articles/{slug}");
        for (var i = 0; i < 3; i++)
        {
            Assert.False(FromCache(await api.Editor.GetAsync($"/v1/articles/{slug}")));
            var head = await api.Public.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v1/articles/{slug}"));
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.False(FromCache(head));
        }
    }

    [Fact]
    public async Task A_conditional_read_of_a_cached_answer_is_a_304_with_its_ETag()
    {
        var (_, slug, _) = await PublishAsync("Conditional cached");
        var cached = await CachedGetAsync(api.Public, $"/v1/articles/{slug}");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/articles/{slug}");
        request.Headers.IfNoneMatch.Add(cached.Headers.ETag!);
        var notModified = await api.Public.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(cached.Headers.ETag, notModified.Headers.ETag);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Compressed_and_identity_answers_are_kept_apart()
    {
        var (_, slug, _) = await PublishAsync("Compressed twice", extra: new
        {
            title = "Compressed twice", categorySlug = "visas", status = "published",
            bodyHtml = string.Concat(Enumerable.Repeat("<p>A paragraph long enough to be worth compressing.</p>", 40)),
        });
        var path = $"/v1/articles/{slug}";
        var identity = await CachedGetAsync(api.Public, path);
        using var brotli = new HttpRequestMessage(HttpMethod.Get, path);
        brotli.Headers.AcceptEncoding.ParseAdd("br");
        var compressed = await api.Public.SendAsync(brotli);
        Assert.Equal(["br"], compressed.Content.Headers.ContentEncoding);
        Assert.Null(identity.Content.Headers.ContentEncoding.FirstOrDefault());
        Assert.NotEqual(identity.Headers.ETag, compressed.Headers.ETag);
        // And the identity answer kept in memory is still the identity one.
        var again = await CachedGetAsync(api.Public, path);
        Assert.Empty(again.Content.Headers.ContentEncoding);
        Assert.Equal(identity.Headers.ETag, again.Headers.ETag);
    }

    [Fact]
    public async Task Clients_with_different_Accept_headers_share_the_JSON_entry_and_ninjs_has_its_own()
    {
        var (_, slug, _) = await PublishAsync("Negotiated once");
        var path = $"/v1/articles/{slug}";
        var json = await CachedGetAsync(api.Public, path);

        using var browser = new HttpRequestMessage(HttpMethod.Get, path);
        browser.Headers.TryAddWithoutValidation("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
        var fromBrowser = await api.Public.SendAsync(browser);
        Assert.True(FromCache(fromBrowser));
        Assert.Equal(json.Headers.ETag, fromBrowser.Headers.ETag);

        using var ninjs = new HttpRequestMessage(HttpMethod.Get, path);
        ninjs.Headers.TryAddWithoutValidation("Accept", "application/vnd.iptc.ninjs+json");
        var asNinjs = await api.Public.SendAsync(ninjs);
        Assert.Equal(HttpStatusCode.OK, asNinjs.StatusCode);
        Assert.Equal("application/vnd.iptc.ninjs+json", asNinjs.Content.Headers.ContentType?.MediaType);
        Assert.NotEqual(json.Headers.ETag, asNinjs.Headers.ETag);
    }

    [Fact]
    public async Task Renaming_a_category_changes_cached_breadcrumbs_at_once()
    {
        var created = await api.Editor.PostAsJsonAsync("/v1/categories", new { name = "Cache Desk", parentSlug = "visas" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var (_, slug, _) = await PublishAsync("Filed under the desk", "cache-desk");
        await CachedGetAsync(api.Public, $"/v1/articles/{slug}");
        await CachedGetAsync(api.Public, "/v1/categories");

        var renamed = await api.Editor.SendAsync(EditorialFixture.Write(
            HttpMethod.Patch, "/v1/categories/cache-desk", """{"name":"Renamed Desk"}""", created.Headers.ETag, "application/merge-patch+json"));
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);

        var article = await (await api.Public.GetAsync($"/v1/articles/{slug}")).ReadJsonAsync();
        Assert.Equal("Renamed Desk", article.GetProperty("category").GetProperty("name").GetString());
        Assert.Contains("Renamed Desk", await api.Public.GetStringAsync("/v1/categories"));
    }

    [Fact]
    public async Task A_new_translation_shows_at_once_in_the_cached_original()
    {
        var (id, slug, _) = await PublishAsync("Original in English");
        var before = await (await CachedGetAsync(api.Public, $"/v1/articles/{slug}")).ReadJsonAsync();
        Assert.Equal(0, before.GetProperty("translations").GetArrayLength());

        await api.CreateAsync(new { title = "Version française", language = "fr", categorySlug = "visas", status = "published", translationOf = id });

        var after = await (await api.Public.GetAsync($"/v1/articles/{slug}")).ReadJsonAsync();
        Assert.Equal(["fr"], after.GetProperty("translations").EnumerateArray().Select(t => t.GetProperty("language").GetString()));
    }

    [Fact]
    public async Task A_change_made_directly_in_the_database_shows_within_a_second()
    {
        var (id, slug, _) = await PublishAsync("Changed behind the API's back");
        await CachedGetAsync(api.Public, $"/v1/articles/{slug}");

        // Not through the factory's helper: only PostgreSQL's notification tells the instance.
        await using (var connection = new NpgsqlConnection(api.ConnectionString))
        {
            await connection.OpenAsync();
            await using var update = new NpgsqlCommand("UPDATE articles SET title = 'Changed in psql' WHERE id = @id", connection);
            update.Parameters.AddWithValue("id", id);
            Assert.Equal(1, await update.ExecuteNonQueryAsync());
        }

        await AssertWithinAsync(TimeSpan.FromSeconds(1), async () =>
            (await (await api.Public.GetAsync($"/v1/articles/{slug}")).ReadJsonAsync()).GetProperty("title").GetString() == "Changed in psql");
    }

    internal static async Task AssertWithinAsync(TimeSpan limit, Func<Task<bool>> condition)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(started.Elapsed < limit, $"Not seen within {limit.TotalSeconds} s.");
            await Task.Delay(10);
        }
    }
}

/// <summary>A second instance of the application on another instance's database (nothing created or dropped).</summary>
public sealed class PeerInstance(string connectionString) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Content", connectionString);
        builder.UseSetting("Site:ArticleUrlTemplate", "https://news.example.com/articles/{slug}");
    }
}

/// <summary>Two instances on one database: a write through one shows through the other within a second.</summary>
public sealed class MultiInstanceCacheTests(EditorialFixture api) : IClassFixture<EditorialFixture>
{
    [Fact]
    public async Task A_write_through_one_instance_is_read_through_the_other_within_a_second()
    {
        await using var peer = new PeerInstance(api.ConnectionString);
        using var other = peer.CreateClient();

        var (article, etag) = await api.CreateAsync(new { title = "Seen by both", categorySlug = "visas", status = "published" });
        var id = article.GetProperty("id").GetInt64();
        var path = $"/v1/articles/{article.GetProperty("slug").GetString()}";

        // The other instance holds the article and the first page of the list in memory.
        Assert.Equal("Seen by both", (await (await ResponseCacheTests.CachedGetAsync(other, path)).ReadJsonAsync()).GetProperty("title").GetString());
        await ResponseCacheTests.CachedGetAsync(other, "/v1/articles?limit=3");

        var patched = await api.Editor.SendAsync(EditorialFixture.Write(
            HttpMethod.Patch, $"/v1/articles/{id}", """{"title":"Changed on the first instance"}""", etag, "application/merge-patch+json"));
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);

        await ResponseCacheTests.AssertWithinAsync(TimeSpan.FromSeconds(1), async () =>
            (await (await other.GetAsync(path)).ReadJsonAsync()).GetProperty("title").GetString() == "Changed on the first instance");
        await ResponseCacheTests.AssertWithinAsync(TimeSpan.FromSeconds(1), async () =>
            (await (await other.GetAsync("/v1/articles?limit=3")).ReadJsonAsync()).GetProperty("items")
                .EnumerateArray().Any(i => i.GetProperty("title").GetString() == "Changed on the first instance"));

        // And the other way round: a category created through the second instance shows through the first.
        var editorOnPeer = peer.CreateClient();
        editorOnPeer.DefaultRequestHeaders.Authorization = api.Editor.DefaultRequestHeaders.Authorization;
        await ResponseCacheTests.CachedGetAsync(api.Public, "/v1/categories");
        var created = await editorOnPeer.PostAsJsonAsync("/v1/categories", new { name = "Peer Desk" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        await ResponseCacheTests.AssertWithinAsync(TimeSpan.FromSeconds(1), async () =>
            (await api.Public.GetStringAsync("/v1/categories")).Contains("Peer Desk", StringComparison.Ordinal));
    }
}

/// <summary>The listening connection breaks: nothing cached before the outage is served after it.</summary>
public sealed class CacheOutageTests(ProxiedApiFactory api) : IClassFixture<ProxiedApiFactory>
{
    [Fact]
    public async Task After_an_outage_nothing_cached_before_it_is_served()
    {
        using var client = api.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        // The sample article, by its current slug (its legacy id answers 301, which is not cached).
        var path = (await client.GetAsync("/v1/articles/t1453741")).Headers.Location!.OriginalString;
        await ResponseCacheTests.CachedGetAsync(client, path);

        api.Proxy.Cut();
        try
        {
            // Written while this instance cannot hear of it (the database itself is up).
            await using var connection = new NpgsqlConnection(api.ConnectionString);
            await connection.OpenAsync();
            await using var update = new NpgsqlCommand(
                "UPDATE articles SET title = 'Written during the outage' WHERE id = (SELECT article_id FROM article_aliases WHERE alias = 't1453741')", connection);
            Assert.Equal(1, await update.ExecuteNonQueryAsync());
        }
        finally
        {
            api.Proxy.Start();
        }

        // Every answer from now on, cached or not, has the new title.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        var seen = 0;
        while (DateTime.UtcNow < deadline && seen < 20)
        {
            var response = await client.GetAsync(path);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                await Task.Delay(50);
                continue;
            }

            Assert.Equal("Written during the outage", (await response.ReadJsonAsync()).GetProperty("title").GetString());
            seen++;
        }

        Assert.Equal(20, seen);
    }
}
