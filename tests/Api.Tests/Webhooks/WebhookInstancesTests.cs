using System.Net;
using System.Net.Http.Json;
using Api.Tests.Editorial;
using Api.Tests.Infrastructure;
using Api.Tests.Shares;

namespace Api.Tests.Webhooks;

public sealed class WebhookInstancesTests
{
    [Fact]
    public Task Two_instances_on_one_database_deliver_each_event_once() => WithTwoInstancesAsync(async (first, second) =>
    {
        var url = first.Receiver.NewUrl("good");
        var (webhookId, _) = await first.RegisterAsync(url, "article.published");

        var ids = new List<long>();
        for (var i = 0; i < 8; i++)
        {
            ids.Add(await (i % 2 == 0 ? first : second).PublishNewAsync($"Twin story {i}"));
        }

        await first.WaitForAsync(url, r => ids.All(id => r.Any(h => h.ArticleId == id)), "every article's event");
        await Eventually.WaitForAsync(
            () => first.QueryAsync<string>("SELECT status FROM webhook_deliveries WHERE webhook_id = @webhookId", new { webhookId }),
            s => s.Count == ids.Count && s.All(x => x == "delivered"),
            "every delivery to be recorded as delivered");

        // Delivered rows are never claimed again, so what was received is final.
        var received = first.Receiver.At(url);
        Assert.Equal(ids.Count, received.Count);
        Assert.Equal(ids.Count, received.Select(h => h.EventId).Distinct().Count());
        Assert.Equal(ids, received.Select(h => h.ArticleId!.Value));
        var position = await first.ScalarAsync<long>("SELECT last_seq FROM webhook_dispatch_position");
        Assert.Equal(await first.ScalarAsync<long>("SELECT max(seq) FROM changes"), position);
    });

    [Fact]
    public Task Two_instances_announce_each_scheduled_article_once_while_editors_cross_its_time() => WithTwoInstancesAsync(async (first, second) =>
    {
        var url = first.Receiver.NewUrl("good");
        await first.RegisterAsync(url, "article.published", "article.updated");

        var due = DateTimeOffset.UtcNow.AddSeconds(2);
        var articles = new List<(long Id, System.Net.Http.Headers.EntityTagHeaderValue ETag)>();
        for (var i = 0; i < 6; i++)
        {
            var response = await (i % 2 == 0 ? first : second).Editor.PostAsJsonAsync("/v1/articles", new
            {
                title = $"Scheduled twin {i}", categorySlug = "visas", status = "scheduled", publishedAt = due.AddMilliseconds(100 * i),
            });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            articles.Add(((await response.ReadJsonAsync()).GetProperty("id").GetInt64(), response.Headers.ETag!));
        }

        // Edits through both instances until well past the last article's time, so some land while
        // the workers announce it.
        var edits = 0;
        while (DateTimeOffset.UtcNow < due.AddSeconds(1.5))
        {
            var (id, etag) = articles[edits % articles.Count];
            using var patch = EditorialFixture.Write(HttpMethod.Patch, $"/v1/articles/{id}", new { summary = $"Edit {edits}" }, etag, "application/merge-patch+json");
            var patched = await (edits % 2 == 0 ? second : first).Editor.SendAsync(patch);
            Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
            articles[edits % articles.Count] = (id, patched.Headers.ETag!);
            edits++;
        }

        var ids = articles.Select(a => a.Id).ToList();
        var closing = await first.PublishNewAsync("Closing the twins");
        var received = await first.WaitForAsync(url, r => r.Any(h => h.ArticleId == closing), "the closing event");

        foreach (var id in ids)
        {
            var types = received.Where(h => h.ArticleId == id).Select(h => h.Type).ToList();
            Assert.True(
                types.Count > 0 && types[0] == "article.published" && types.Skip(1).All(t => t == "article.updated"),
                $"Article {id} received [{string.Join(", ", types)}].");
        }

        var transitions = await first.QueryAsync<(long Id, long Count)>("""
            SELECT entity_id, count(*) FROM changes
            WHERE entity = 'article' AND entity_id = ANY(@ids) AND NOT visible_before AND visible_after
            GROUP BY entity_id ORDER BY entity_id
            """, new { ids = ids.ToArray() });
        Assert.Equal(ids.Order().Select(id => (id, 1L)), transitions);
        Assert.Empty(await first.QueryAsync<long>("SELECT article_id FROM scheduled_publications WHERE article_id = ANY(@ids)", new { ids = ids.ToArray() }));
    });

    /// <summary>Two application instances on one database, each with its receivers and keys.</summary>
    private static async Task WithTwoInstancesAsync(Func<WebhookApiFactory, WebhookApiFactory, Task> test)
    {
        var first = new WebhookApiFactory();
        await first.InitializeAsync();
        WebhookApiFactory? second = null;
        try
        {
            second = new WebhookApiFactory(new Dictionary<string, string>(), database: first.DatabaseName);
            await second.InitializeAsync();
            await test(first, second);
        }
        finally
        {
            if (second is not null)
            {
                await second.DisposeAsync();
            }

            await ((IAsyncLifetime)first).DisposeAsync();
        }
    }
}
