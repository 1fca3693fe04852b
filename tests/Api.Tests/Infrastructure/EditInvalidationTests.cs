using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Api.Tests.Editorial;
using Npgsql;

namespace Api.Tests.Infrastructure;

/// <summary>
/// An edit to what an article shows (title, summary, body...) drops the answers that show it and the
/// collections that depend on content (searches, sorts by title or update time, feeds), but keeps the
/// plain lists that do not show it; a change to where an article is listed (times, category, tags,
/// status...) drops every list. Either way no answer is stale once the write is acknowledged.
/// </summary>
public sealed class EditInvalidationTests(EditorialFixture api) : IClassFixture<EditorialFixture>
{
    private static bool FromCache(HttpResponseMessage response) => response.Headers.Age is not null;

    /// <summary>An article published a year ago in "visas" (so never on the first page of newest articles), and its ETag.</summary>
    private async Task<(long Id, string Slug, EntityTagHeaderValue ETag)> OlderArticleAsync(string title, string[]? tags = null, long[]? authorIds = null)
    {
        var (article, etag) = await api.CreateAsync(new
        {
            title,
            summary = "As filed.",
            categorySlug = "visas",
            status = "published",
            publishedAt = DateTimeOffset.UtcNow.AddYears(-1).AddMinutes(Random.Shared.Next(1, 100_000)),
            tags = tags ?? [],
            authorIds = authorIds ?? [],
        });
        return (article.GetProperty("id").GetInt64(), article.GetProperty("slug").GetString()!, etag);
    }

    private async Task<EntityTagHeaderValue> PatchAsync(long id, EntityTagHeaderValue etag, string patch)
    {
        var response = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Patch, $"/v1/articles/{id}", patch, etag, "application/merge-patch+json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Headers.ETag!;
    }

    private async Task<JsonElement> ItemsAsync(string path)
    {
        var response = await api.Public.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.ReadJsonAsync()).GetProperty("items");
    }

    [Fact]
    public async Task An_edit_keeps_the_plain_lists_that_do_not_show_the_article_and_refreshes_those_that_do()
    {
        var (id, slug, etag) = await OlderArticleAsync("Edited far down the archive");
        await api.CreateAsync(new { title = "Newest on the front page", categorySlug = "visas", status = "published" });
        const string front = "/v1/articles?limit=2";
        var byId = $"/v1/articles?ids={id}";
        var frontBefore = await (await ResponseCacheTests.CachedGetAsync(api.Public, front)).Content.ReadAsStringAsync();
        await ResponseCacheTests.CachedGetAsync(api.Public, "/v1/categories/visas/articles?limit=2");
        await ResponseCacheTests.CachedGetAsync(api.Public, byId);
        await ResponseCacheTests.CachedGetAsync(api.Public, $"/v1/articles/{slug}");

        using var invalidations = new InvalidationRecorder(api.Services);
        await PatchAsync(id, etag, """{"summary":"Corrected summary."}""");
        Assert.Equal(["article-edited"], invalidations.ByWrites);

        // The pages that do not show it are still answered from memory, unchanged.
        var frontAfter = await api.Public.GetAsync(front);
        Assert.True(FromCache(frontAfter));
        Assert.Equal(frontBefore, await frontAfter.Content.ReadAsStringAsync());
        Assert.True(FromCache(await api.Public.GetAsync("/v1/categories/visas/articles?limit=2")));

        // Those that show it are read afresh at once.
        var listed = await api.Public.GetAsync(byId);
        Assert.False(FromCache(listed));
        Assert.Equal("Corrected summary.", (await listed.ReadJsonAsync()).GetProperty("items")[0].GetProperty("summary").GetString());
        var article = await api.Public.GetAsync($"/v1/articles/{slug}");
        Assert.False(FromCache(article));
        Assert.Equal("Corrected summary.", (await article.ReadJsonAsync()).GetProperty("summary").GetString());
    }

    [Fact]
    public async Task Searches_and_sorts_by_title_or_update_time_follow_an_edit_at_once()
    {
        var (id, _, etag) = await OlderArticleAsync("Quietly archived report");
        const string search = "/v1/articles?q=zeppelinwharf";
        const string byTitle = "/v1/articles?sort=title&limit=1";
        const string byUpdate = "/v1/articles?sort=-updatedAt&limit=1";
        await api.CreateAsync(new { title = "Most recently updated before the edit", categorySlug = "visas", status = "published" });
        Assert.Equal(0, (await (await ResponseCacheTests.CachedGetAsync(api.Public, search)).ReadJsonAsync()).GetProperty("items").GetArrayLength());
        await ResponseCacheTests.CachedGetAsync(api.Public, byTitle);
        await ResponseCacheTests.CachedGetAsync(api.Public, byUpdate);
        await ResponseCacheTests.CachedGetAsync(api.Public, "/feeds/rss.xml?limit=2");

        await PatchAsync(id, etag, """{"title":"AAA zeppelinwharf report","summary":"Now about the zeppelinwharf."}""");

        Assert.Equal([id], (await ItemsAsync(search)).EnumerateArray().Select(i => i.GetProperty("id").GetInt64()));
        Assert.Equal(id, (await ItemsAsync(byTitle))[0].GetProperty("id").GetInt64());
        Assert.Equal(id, (await ItemsAsync(byUpdate))[0].GetProperty("id").GetInt64());
        Assert.False(FromCache(await api.Public.GetAsync("/feeds/rss.xml?limit=2")));
    }

    [Theory]
    [InlineData("publishedAt")]
    [InlineData("tags")]
    [InlineData("category")]
    [InlineData("unpublish")]
    public async Task A_change_to_where_an_article_is_listed_shows_in_every_cached_list_at_once(string change)
    {
        var tag = "listed-" + change.ToLowerInvariant();
        var (id, _, etag) = await OlderArticleAsync("Moved by " + change, change == "unpublish" ? [tag] : []);
        await api.CreateAsync(new { title = "Holds the front page", categorySlug = "visas", status = "published", tags = new[] { tag }, publishedAt = DateTimeOffset.UtcNow.AddMinutes(-1) });
        var front = "/v1/articles?limit=1";
        var tagged = $"/v1/tags/{tag}/articles?limit=5";
        const string elsewhere = "/v1/categories/economy-and-trade/articles?limit=5";
        const string untouched = "/v1/categories/culture-and-education/articles?limit=5";
        await ResponseCacheTests.CachedGetAsync(api.Public, front);
        var cachedTagged = await (await ResponseCacheTests.CachedGetAsync(api.Public, tagged)).ReadJsonAsync();
        await ResponseCacheTests.CachedGetAsync(api.Public, elsewhere);
        await ResponseCacheTests.CachedGetAsync(api.Public, untouched);

        using var invalidations = new InvalidationRecorder(api.Services);
        switch (change)
        {
            case "publishedAt":
                await PatchAsync(id, etag, $$"""{"publishedAt":"{{DateTimeOffset.UtcNow.AddSeconds(-1):O}}"}""");
                Assert.Equal(id, (await ItemsAsync(front))[0].GetProperty("id").GetInt64());
                break;
            case "tags":
                await PatchAsync(id, etag, $$"""{"tags":["{{tag}}"]}""");
                Assert.Contains(id, (await ItemsAsync(tagged)).EnumerateArray().Select(i => i.GetProperty("id").GetInt64()));
                break;
            case "category":
                await PatchAsync(id, etag, """{"categorySlug":"economy-and-trade"}""");
                Assert.Contains(id, (await ItemsAsync(elsewhere)).EnumerateArray().Select(i => i.GetProperty("id").GetInt64()));
                break;
            case "unpublish":
                Assert.Contains(id, cachedTagged.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64()));
                var response = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Post, $"/v1/articles/{id}/unpublish", null, etag));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.DoesNotContain(id, (await ItemsAsync(tagged)).EnumerateArray().Select(i => i.GetProperty("id").GetInt64()));
                break;
        }

        // The writing instance itself decided so before it answered (the database's notification
        // would drop the lists a moment later anyway).
        Assert.Equal(["article-moved"], invalidations.ByWrites);

        // A move empties the plain lists that did not show the article too (it may belong there now).
        Assert.False(FromCache(await api.Public.GetAsync(untouched)));
    }

    [Fact]
    public async Task A_write_that_waited_for_another_compares_with_what_the_other_committed()
    {
        var (id, _, _) = await OlderArticleAsync("Unpublished while an editor publishes");
        await using var other = new NpgsqlConnection(api.ConnectionString);
        await other.OpenAsync();
        await using var transaction = await other.BeginTransactionAsync();
        await using (var unpublish = new NpgsqlCommand("UPDATE articles SET status = 'draft' WHERE id = @id", other, transaction))
        {
            unpublish.Parameters.AddWithValue("id", id);
            Assert.Equal(1, await unpublish.ExecuteNonQueryAsync());
        }

        // The editor's publish waits for the row; meanwhile the other writer's draft commits, and then
        // the publish moves the article back into the lists: a move, not an edit.
        using var invalidations = new InvalidationRecorder(api.Services);
        var publish = api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Post, $"/v1/articles/{id}/publish", null, EntityTagHeaderValue.Any));
        await using (var probe = new NpgsqlConnection(api.ConnectionString))
        {
            await probe.OpenAsync();
            await ResponseCacheTests.AssertWithinAsync(TimeSpan.FromSeconds(10), async () =>
            {
                await using var waiting = new NpgsqlCommand(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'", probe);
                return (long)(await waiting.ExecuteScalarAsync())! > 0;
            });
        }

        await transaction.CommitAsync();
        Assert.Equal(HttpStatusCode.OK, (await publish).StatusCode);
        Assert.Equal(["article-moved"], invalidations.ByWrites);
    }

    [Fact]
    public async Task The_database_says_which_kind_of_change_each_write_was()
    {
        var author = await api.Editor.PostAsJsonAsync("/v1/authors", new { name = "Listened Writer" });
        Assert.Equal(HttpStatusCode.Created, author.StatusCode);
        var authorId = (await author.ReadJsonAsync()).GetProperty("id").GetInt64();
        var (id, _, etag) = await OlderArticleAsync("Watched by a listener", ["watched", "listened"], [authorId]);
        var heard = new ConcurrentQueue<string>();
        await using var listener = new NpgsqlConnection(api.ConnectionString);
        await listener.OpenAsync();
        listener.Notification += (_, e) => heard.Enqueue(e.Payload);
        await using (var listen = new NpgsqlCommand("LISTEN news_api_content", listener))
        {
            await listen.ExecuteNonQueryAsync();
        }

        // A marker sent after a commit arrives after that commit's notifications.
        async Task HearEverythingSentAsync()
        {
            var marker = "marker-" + Guid.NewGuid();
            await using (var connection = new NpgsqlConnection(api.ConnectionString))
            {
                await connection.OpenAsync();
                await using var notify = new NpgsqlCommand($"SELECT pg_notify('news_api_content', '{marker}')", connection);
                await notify.ExecuteNonQueryAsync();
            }

            while (!heard.Contains(marker))
            {
                Assert.True(await listener.WaitAsync(TimeSpan.FromSeconds(5)), "The marker never came.");
            }
        }

        async Task<string[]> HeardAfterAsync(Func<Task> write)
        {
            await HearEverythingSentAsync();
            heard.Clear();
            await write();
            await HearEverythingSentAsync();
            return heard.Where(p => !p.StartsWith("marker-", StringComparison.Ordinal)).ToArray();
        }

        async Task SqlAsync(string sql)
        {
            await using var connection = new NpgsqlConnection(api.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.AddWithValue("id", id);
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }

        // Through the API: a summary edit that keeps the tags, authors and body images touches only the article.
        Assert.Equal([$"edit:{id}"], await HeardAfterAsync(async () => etag = await PatchAsync(id, etag, """{"summary":"Edited once."}""")));
        Assert.Equal([$"edit:{id}"], await HeardAfterAsync(async () =>
        {
            var corrected = await api.Editor.SendAsync(EditorialFixture.Write(
                HttpMethod.Post, $"/v1/articles/{id}/corrections", new { kind = "correction", text = "An earlier version misspelled a name." }, etag));
            Assert.Equal(HttpStatusCode.OK, corrected.StatusCode);
            etag = corrected.Headers.ETag!;
        }));
        Assert.Contains($"article:{id}", await HeardAfterAsync(async () => etag = await PatchAsync(id, etag, """{"tags":["listened","watched"]}""")));
        Assert.Contains($"article:{id}", await HeardAfterAsync(async () => etag = await PatchAsync(id, etag, """{"tags":["watched","again"]}""")));

        // The key the writing instance compares before and after its write (under the row lock) agrees.
        async Task<string> KeyAsync()
        {
            await using var connection = new NpgsqlConnection(api.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT article_listing_key(@id)::text", connection);
            command.Parameters.AddWithValue("id", id);
            return (string)(await command.ExecuteScalarAsync())!;
        }

        var key = await KeyAsync();
        etag = await PatchAsync(id, etag, """{"title":"Retitled","bodyHtml":"<p>New body.</p>","byline":"A. Writer"}""");
        Assert.Equal(key, await KeyAsync());
        etag = await PatchAsync(id, etag, """{"tags":["again","watched"]}""");
        Assert.NotEqual(key, key = await KeyAsync());
        etag = await PatchAsync(id, etag, """{"language":"fr"}""");
        Assert.NotEqual(key, await KeyAsync());

        // Directly in the database, whoever writes.
        Assert.Equal([$"edit:{id}"], await HeardAfterAsync(() => SqlAsync("UPDATE articles SET body_html = '<p>Rewritten.</p>', version = version + 1 WHERE id = @id")));
        Assert.Equal([$"article:{id}"], await HeardAfterAsync(() => SqlAsync("UPDATE articles SET kind = 'analysis' WHERE id = @id")));
        Assert.Equal([$"edit:{id}"], await HeardAfterAsync(() => SqlAsync("DELETE FROM article_corrections WHERE article_id = @id")));
        Assert.Equal([$"article:{id}"], await HeardAfterAsync(() => SqlAsync("UPDATE articles SET deleted_at = now() WHERE id = @id")));
    }
}

/// <summary>Two instances: an edit through one refreshes the other's lists that show the article, and only those.</summary>
public sealed class MultiInstanceEditTests(EditorialFixture api) : IClassFixture<EditorialFixture>
{
    [Fact]
    public async Task An_edit_through_one_instance_shows_in_the_others_cached_lists_within_a_second()
    {
        await using var peer = new PeerInstance(api.ConnectionString);
        using var other = peer.CreateClient();
        var (article, etag) = await api.CreateAsync(new { title = "Shown on both front pages", categorySlug = "visas", status = "published" });
        var id = article.GetProperty("id").GetInt64();
        await ResponseCacheTests.CachedGetAsync(other, "/v1/articles?limit=3");
        await ResponseCacheTests.CachedGetAsync(other, "/v1/categories/visas/articles?limit=3");

        var patched = await api.Editor.SendAsync(EditorialFixture.Write(
            HttpMethod.Patch, $"/v1/articles/{id}", """{"summary":"Edited on the first instance."}""", etag, "application/merge-patch+json"));
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);

        foreach (var path in new[] { "/v1/articles?limit=3", "/v1/categories/visas/articles?limit=3" })
        {
            await ResponseCacheTests.AssertWithinAsync(TimeSpan.FromSeconds(1), async () =>
                (await (await other.GetAsync(path)).ReadJsonAsync()).GetProperty("items")
                    .EnumerateArray().Any(i => i.GetProperty("summary").GetString() == "Edited on the first instance."));
        }

        // Changed behind both instances' backs, in the database: the same.
        await using (var connection = new NpgsqlConnection(api.ConnectionString))
        {
            await connection.OpenAsync();
            await using var update = new NpgsqlCommand("UPDATE articles SET summary = 'Edited in psql.' WHERE id = @id", connection);
            update.Parameters.AddWithValue("id", id);
            Assert.Equal(1, await update.ExecuteNonQueryAsync());
        }

        await ResponseCacheTests.AssertWithinAsync(TimeSpan.FromSeconds(1), async () =>
            (await (await other.GetAsync("/v1/articles?limit=3")).ReadJsonAsync()).GetProperty("items")
                .EnumerateArray().Any(i => i.GetProperty("summary").GetString() == "Edited in psql."));
    }

    [Fact]
    public async Task The_other_instance_keeps_its_lists_that_do_not_show_an_edited_article_and_drops_them_for_a_move()
    {
        await using var peer = new PeerInstance(api.ConnectionString);
        using var other = peer.CreateClient();
        var (article, etag) = await api.CreateAsync(new
        {
            title = "Edited far from the peer's page", categorySlug = "visas", status = "published", publishedAt = DateTimeOffset.UtcNow.AddYears(-2),
        });
        var id = article.GetProperty("id").GetInt64();
        await api.CreateAsync(new { title = "On the peer's page", categorySlug = "visas", status = "published" });
        const string front = "/v1/articles?limit=1";
        await ResponseCacheTests.CachedGetAsync(other, front);
        using var heard = new InvalidationRecorder(peer.Services);

        var patched = await api.Editor.SendAsync(EditorialFixture.Write(
            HttpMethod.Patch, $"/v1/articles/{id}", """{"summary":"Edited on the first instance."}""", etag, "application/merge-patch+json"));
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        await ResponseCacheTests.AssertWithinAsync(TimeSpan.FromSeconds(1), () => Task.FromResult(heard.ByNotifications.Contains("article-edited")));
        Assert.NotNull((await other.GetAsync(front)).Headers.Age);

        // Moved to the front page in the database: the peer's page shows it.
        await using (var connection = new NpgsqlConnection(api.ConnectionString))
        {
            await connection.OpenAsync();
            await using var update = new NpgsqlCommand("UPDATE articles SET published_at = now() WHERE id = @id", connection);
            update.Parameters.AddWithValue("id", id);
            Assert.Equal(1, await update.ExecuteNonQueryAsync());
        }

        await ResponseCacheTests.AssertWithinAsync(TimeSpan.FromSeconds(1), async () =>
            (await (await other.GetAsync(front)).ReadJsonAsync()).GetProperty("items")[0].GetProperty("id").GetInt64() == id);
    }
}
