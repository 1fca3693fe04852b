using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Api.Tests.Editorial;
using Api.Tests.Infrastructure;
using Api.Tests.Shares;
using Npgsql;

namespace Api.Tests.Changes;

public sealed class ChangeFeedTests(EditorialFixture api) : IClassFixture<EditorialFixture>
{
    private HttpClient? _partner;

    private async Task<HttpClient> PartnerAsync() => _partner ??= api.CreateClient(await api.CreateKeyAsync("partner"));

    private async Task<JsonElement> PageAsync(string? since, int limit = 100)
    {
        var partner = await PartnerAsync();
        var url = "/v1/changes?limit=" + limit + (since is null ? "" : "&since=" + Uri.EscapeDataString(since));
        return await (await partner.GetAsync(url)).ReadJsonAsync();
    }

    /// <summary>Follows the feed from the start until it has nothing more; returns the items and the token to continue from.</summary>
    private async Task<(List<JsonElement> Items, string Token)> DrainAsync(string? since, int limit = 100)
    {
        var items = new List<JsonElement>();
        while (true)
        {
            var page = await PageAsync(since, limit);
            items.AddRange(page.GetProperty("items").EnumerateArray());
            var next = page.GetProperty("nextToken").GetString()!;
            if (page.GetProperty("phase").GetString() == "changes" && page.GetProperty("items").GetArrayLength() == 0)
            {
                return (items, next);
            }

            since = next;
        }
    }

    [Fact]
    public async Task The_initial_sync_lists_every_published_article_then_the_changes_after_it()
    {
        var (items, _) = await DrainAsync(null, limit: 1);

        var snapshot = items.Where(i => i.GetProperty("kind").GetString() == "snapshot").Select(i => i.GetProperty("articleId").GetInt64()).ToList();
        var published = await api.QueryAsync<long>("SELECT id FROM articles WHERE status = 'published' AND published_at <= now() AND deleted_at IS NULL ORDER BY id");
        Assert.Equal(published, snapshot.Where(published.Contains).ToList());
        Assert.Contains(items, i => i.GetProperty("kind").GetString() == "snapshot" && i.GetProperty("article").GetProperty("legacyIds")[0].GetString() == "t1453741");
    }

    [Fact]
    public async Task Changes_come_with_the_current_article_or_a_tombstone()
    {
        var (_, token) = await DrainAsync(null);
        var (article, etag) = await api.CreateAsync(new { title = "Feed story", categorySlug = "visas" });
        var id = article.GetProperty("id").GetInt64();
        var published = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Post, $"/v1/articles/{id}/publish", null, etag));
        var renamed = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Put, $"/v1/articles/{id}", new { title = "Feed story", slug = "feed-story-renamed", categorySlug = "visas" }, published.Headers.ETag));
        var unpublished = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Post, $"/v1/articles/{id}/unpublish", null, renamed.Headers.ETag));
        await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Delete, $"/v1/articles/{id}", null, unpublished.Headers.ETag));

        var (items, _) = await DrainAsync(token);

        var mine = items.Where(i => i.GetProperty("articleId").GetInt64() == id).ToList();
        Assert.Equal(["created", "published", "slug-changed", "updated", "unpublished", "deleted"], mine.Select(i => i.GetProperty("kind").GetString()));
        Assert.All(mine, i =>
        {
            Assert.Equal(JsonValueKind.Null, i.GetProperty("article").ValueKind);
            Assert.Equal("deleted", i.GetProperty("tombstone").GetProperty("reason").GetString());
        });
        var seqs = items.Select(i => i.GetProperty("seq").GetInt64()).ToList();
        Assert.Equal(seqs.Order(), seqs);
    }

    [Fact]
    public async Task A_scheduled_article_gets_a_published_change_with_the_article_when_its_time_comes()
    {
        var (_, token) = await DrainAsync(null);
        var due = DateTimeOffset.UtcNow.AddSeconds(2);
        var (article, _) = await api.CreateAsync(new { title = "Feed scheduled story", categorySlug = "visas", status = "scheduled", publishedAt = due });
        var id = article.GetProperty("id").GetInt64();
        Assert.Equal("scheduled", article.GetProperty("status").GetString());

        var before = (await DrainAsync(token)).Items.Where(i => i.GetProperty("articleId").GetInt64() == id).ToList();
        var created = Assert.Single(before);
        Assert.Equal("created", created.GetProperty("kind").GetString());
        if (DateTimeOffset.UtcNow < due)
        {
            Assert.Equal("scheduled", created.GetProperty("tombstone").GetProperty("reason").GetString());
        }

        var after = await Eventually.WaitForAsync(
            async () => (await DrainAsync(token)).Items.Where(i => i.GetProperty("articleId").GetInt64() == id).ToList(),
            items => items.Count == 2,
            "the publication's change");

        var published = after[1];
        Assert.Equal("published", published.GetProperty("kind").GetString());
        Assert.Equal(id, published.GetProperty("article").GetProperty("id").GetInt64());
        Assert.Equal("published", published.GetProperty("article").GetProperty("status").GetString());
        Assert.True(published.GetProperty("occurredAt").GetDateTimeOffset() >= due, "The change is dated before the article's time.");
        Assert.Empty(await api.QueryAsync<long>("SELECT article_id FROM scheduled_publications WHERE article_id = @id", new { id }));
    }

    [Fact]
    public async Task A_change_recorded_without_its_visibility_gets_it_from_the_database()
    {
        // As an instance of the previous release records a change (it knows no visibility columns).
        var (article, _) = await api.CreateAsync(new { title = "Recorded the old way", categorySlug = "visas", status = "published" });
        var id = article.GetProperty("id").GetInt64();
        await api.ExecuteAsync("""
            WITH next AS (UPDATE change_sequence SET last = last + 1 WHERE singleton RETURNING last)
            INSERT INTO changes (seq, entity, entity_id, kind) SELECT last, 'article', @id, 'updated' FROM next
            """, new { id });

        var recorded = (await api.QueryAsync<(bool? Before, bool? After)>(
            "SELECT visible_before, visible_after FROM changes WHERE entity = 'article' AND entity_id = @id ORDER BY seq", new { id })).ToList();

        Assert.Equal([(false, true), (true, true)], recorded.Select(r => (r.Before, r.After)).Select(t => (t.Before!.Value, t.After!.Value)));
    }

    [Fact]
    public async Task Readers_never_skip_a_change_even_when_transactions_commit_out_of_the_order_they_began()
    {
        var (_, start) = await DrainAsync(null);
        var startSeq = await api.ScalarAsync<long>("SELECT last FROM change_sequence");
        var seen = new ConcurrentQueue<long>();
        using var stop = new CancellationTokenSource();

        // A reader polls all the while, as a partner would.
        var reader = Task.Run(async () =>
        {
            var since = start;
            while (!stop.IsCancellationRequested)
            {
                var page = await PageAsync(since, 7);
                foreach (var item in page.GetProperty("items").EnumerateArray())
                {
                    seen.Enqueue(item.GetProperty("seq").GetInt64());
                }

                since = page.GetProperty("nextToken").GetString()!;
            }

            // One last read after every writer is done.
            var (rest, _) = await DrainAsync(since, 7);
            foreach (var item in rest)
            {
                seen.Enqueue(item.GetProperty("seq").GetInt64());
            }
        });

        // Slow transactions record their change first, then hold the transaction open while others
        // begin, write and try to commit, and commit last. With a plain sequence the readers would
        // already be past the slow changes' numbers when they commit, and skip them.
        var slow = Enumerable.Range(0, 3).Select(n => Task.Run(async () =>
        {
            await Task.Delay(n * 100);
            await using var connection = new NpgsqlConnection(api.ConnectionString);
            await connection.OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            var id = await Dapper.SqlMapper.ExecuteScalarAsync<long>(connection, """
                INSERT INTO articles (slug, title, category_id, status, published_at)
                SELECT @slug, 'Slow writer', id, 'published', now() FROM categories WHERE slug = 'visas' RETURNING id
                """, new { slug = $"slow-writer-{n}-{Guid.NewGuid():N}" });
            await Api.Changes.ChangeLog.RecordAsync(connection, "article", id, "created", CancellationToken.None);
            await Task.Delay(300);
            await transaction.CommitAsync();
        })).ToList();

        var fast = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 6; i++)
            {
                var response = await api.Editor.PostAsJsonAsync("/v1/articles", new { title = $"Writer {w} story {i}", categorySlug = "visas", status = "published" });
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            }
        })).ToList();

        await Task.WhenAll(slow.Concat(fast));
        await stop.CancelAsync();
        await reader;

        var committed = await api.QueryAsync<long>("SELECT seq FROM changes WHERE entity = 'article' AND seq > @startSeq ORDER BY seq", new { startSeq });
        Assert.Equal(27, committed.Count);
        Assert.Equal(committed, seen.ToList());
    }

    [Fact]
    public async Task The_feed_needs_a_partner_key_and_a_valid_token()
    {
        await (await api.Public.GetAsync("/v1/changes")).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await api.Editor.GetAsync("/v1/changes")).AssertProblemAsync(HttpStatusCode.Forbidden);
        var partner = await PartnerAsync();
        Assert.NotEmpty((await (await partner.GetAsync("/v1/changes?since=forged")).AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorsFor("since"));
        Assert.NotEmpty((await (await partner.GetAsync("/v1/changes?limit=0")).AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorsFor("limit"));
        Assert.NotEmpty((await (await partner.GetAsync("/v1/changes?from=1")).AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorsFor("from"));

        var page = await PageAsync(null, 1);
        var token = page.GetProperty("nextToken").GetString()!;
        var tampered = token[..^1] + (token[^1] == 'A' ? 'B' : 'A');
        Assert.NotEmpty((await (await partner.GetAsync($"/v1/changes?since={Uri.EscapeDataString(tampered)}")).AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorsFor("since"));
    }
}
