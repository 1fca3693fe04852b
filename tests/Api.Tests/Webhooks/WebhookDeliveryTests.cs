using System.Net;
using System.Text;
using System.Text.Json;
using Api.Tests.Editorial;
using Api.Tests.Infrastructure;
using Api.Tests.Shares;

namespace Api.Tests.Webhooks;

public sealed class WebhookDeliveryTests(WebhookApiFactory api) : IClassFixture<WebhookApiFactory>
{
    [Fact]
    public async Task A_good_receiver_gets_each_public_change_once_in_order_signed_with_its_secret()
    {
        var url = api.Receiver.NewUrl("good");
        var (webhookId, secret) = await api.RegisterAsync(url);
        var (id, etag) = await api.CreateDraftAsync("Webhook story");
        etag = await api.ActAsync(id, "publish", etag);
        using var patch = EditorialFixture.Write(HttpMethod.Patch, $"/v1/articles/{id}", new { summary = "A new summary" }, etag, "application/merge-patch+json");
        var patched = await api.Editor.SendAsync(patch);
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        // The payload carries the article as it is when the event is queued: let these two go out first.
        await api.WaitForAsync(url, r => r.Count(h => h.ArticleId == id) >= 2, "the first two events");
        etag = await api.ActAsync(id, "unpublish", patched.Headers.ETag!);
        using var delete = EditorialFixture.Write(HttpMethod.Delete, $"/v1/articles/{id}", null, etag);
        Assert.True((await api.Editor.SendAsync(delete)).IsSuccessStatusCode);

        var mine = (await api.WaitForAsync(url, r => r.Count(h => h.ArticleId == id) >= 4, "four events about the article"))
            .Where(h => h.ArticleId == id).ToList();

        // Creating the draft was nothing public: no event for it.
        Assert.Equal(["article.published", "article.updated", "article.unpublished", "article.deleted"], mine.Select(h => h.Type));
        Assert.Equal(mine.Count, mine.Select(h => h.EventId).Distinct().Count());
        var seqs = mine.Select(h => h.Json.GetProperty("data").GetProperty("seq").GetInt64()).ToList();
        Assert.Equal(seqs.Order(), seqs);
        Assert.All(mine, hook =>
        {
            Assert.True(hook.IsSignedWith(secret), $"signature {hook.Headers["Webhook-Signature"]} does not verify");
            Assert.False(hook.IsSignedWith("whsec_" + Convert.ToBase64String(new byte[32])));
            Assert.Equal(hook.EventId, hook.Headers["Webhook-Id"]);
            var timestamp = DateTimeOffset.FromUnixTimeSeconds(long.Parse(hook.Headers["Webhook-Timestamp"], System.Globalization.CultureInfo.InvariantCulture));
            Assert.InRange(timestamp, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
            Assert.StartsWith("application/json", hook.Headers["Content-Type"], StringComparison.Ordinal);
            Assert.StartsWith("NewsApi-Webhooks/", hook.Headers["User-Agent"], StringComparison.Ordinal);
            Assert.Equal(["data", "id", "occurredAt", "type"], hook.Json.EnumerateObject().Select(p => p.Name).Order());
            Assert.True(hook.Json.GetProperty("occurredAt").TryGetDateTime(out _));
        });
        var published = mine[0].Json.GetProperty("data").GetProperty("article");
        Assert.Equal(id, published.GetProperty("id").GetInt64());
        Assert.Equal("Webhook story", published.GetProperty("title").GetString());
        Assert.Equal("A new summary", mine[1].Json.GetProperty("data").GetProperty("article").GetProperty("summary").GetString());
        Assert.Equal(JsonValueKind.Null, mine[2].Json.GetProperty("data").GetProperty("article").ValueKind);
        Assert.Equal(JsonValueKind.Null, mine[3].Json.GetProperty("data").GetProperty("article").ValueKind);

        var log = await Eventually.WaitForAsync(
            () => api.DeliveriesAsync(webhookId),
            l => l.GetProperty("items").EnumerateArray().Count(d => d.GetProperty("status").GetString() == "delivered") >= 4,
            "the deliveries to be logged as delivered");
        var delivery = log.GetProperty("items").EnumerateArray().Single(d => d.GetProperty("eventId").GetString() == mine[0].EventId);
        Assert.Equal("article.published", delivery.GetProperty("event").GetString());
        Assert.Equal(1, delivery.GetProperty("attempts").GetInt32());
        Assert.Equal(JsonValueKind.Null, delivery.GetProperty("nextAttemptAt").ValueKind);
        var attempt = Assert.Single(delivery.GetProperty("log").EnumerateArray());
        Assert.Equal(1, attempt.GetProperty("attempt").GetInt32());
        Assert.Equal(204, attempt.GetProperty("statusCode").GetInt32());
        Assert.True(attempt.GetProperty("durationMs").GetInt32() >= 0);
        Assert.Equal(JsonValueKind.Null, attempt.GetProperty("error").ValueKind);
        Assert.True(attempt.GetProperty("attemptedAt").TryGetDateTime(out _));
    }

    [Fact]
    public async Task A_failing_receiver_is_retried_and_later_events_wait_for_the_earlier_one()
    {
        var url = api.Receiver.NewUrl("flaky");
        var (webhookId, secret) = await api.RegisterAsync(url, "article.published");
        var first = await api.PublishNewAsync("Flaky first");
        var second = await api.PublishNewAsync("Flaky second");

        var mine = (await api.WaitForAsync(url, r => r.Count(h => h.ArticleId == second && h.Answered == 200) == 1, "the second event to succeed"))
            .Where(h => h.ArticleId == first || h.ArticleId == second).ToList();

        // Event 2 is not sent while event 1 waits for its retry.
        Assert.Equal([(first, 500), (first, 200), (second, 500), (second, 200)], mine.Select(h => (h.ArticleId!.Value, h.Answered)));
        Assert.Equal(mine[0].EventId, mine[1].EventId);
        Assert.Equal(mine[0].Body, mine[1].Body);
        Assert.All(mine, h => Assert.True(h.IsSignedWith(secret)));

        var log = await Eventually.WaitForAsync(
            () => api.DeliveriesAsync(webhookId),
            l => l.GetProperty("items").EnumerateArray().Any(d => d.GetProperty("eventId").GetString() == mine[2].EventId && d.GetProperty("status").GetString() == "delivered"),
            "the second delivery to be logged");
        var delivery = log.GetProperty("items").EnumerateArray().Single(d => d.GetProperty("eventId").GetString() == mine[0].EventId);
        Assert.Equal("delivered", delivery.GetProperty("status").GetString());
        Assert.Equal(2, delivery.GetProperty("attempts").GetInt32());
        var attempts = delivery.GetProperty("log").EnumerateArray().ToList();
        Assert.Equal([500, 200], attempts.Select(a => a.GetProperty("statusCode").GetInt32()));
        Assert.Equal("the receiver answered 500 InternalServerError", attempts[0].GetProperty("error").GetString());
        Assert.Equal(JsonValueKind.Null, attempts[1].GetProperty("error").ValueKind);
    }

    [Fact]
    public async Task A_receiver_that_answers_after_the_timeout_counts_as_a_failure_and_is_retried()
    {
        var url = api.Receiver.NewUrl("slow");
        var (webhookId, _) = await api.RegisterAsync(url, "article.published");
        var id = await api.PublishNewAsync("Slow story");

        var log = await Eventually.WaitForAsync(
            () => api.DeliveriesAsync(webhookId),
            l => l.GetProperty("items").EnumerateArray().Any(d => d.GetProperty("status").GetString() == "delivered"),
            "the delivery to succeed on a retry");

        var delivery = Assert.Single(log.GetProperty("items").EnumerateArray());
        Assert.Equal(2, delivery.GetProperty("attempts").GetInt32());
        var attempts = delivery.GetProperty("log").EnumerateArray().ToList();
        Assert.Equal(JsonValueKind.Null, attempts[0].GetProperty("statusCode").ValueKind);
        Assert.Equal("no answer within 1 s", attempts[0].GetProperty("error").GetString());
        Assert.InRange(attempts[0].GetProperty("durationMs").GetInt32(), 900, 2900);
        Assert.Equal(200, attempts[1].GetProperty("statusCode").GetInt32());
        var received = await api.WaitForAsync(url, r => r.Count(h => h.ArticleId == id) == 2, "the abandoned request to finish");
        Assert.Single(received.Select(h => h.EventId).Distinct());
    }

    [Fact]
    public async Task A_410_disables_the_webhook_and_nothing_more_is_sent_to_it()
    {
        var gone = api.Receiver.NewUrl("gone");
        var good = api.Receiver.NewUrl("good");
        var (goneId, _) = await api.RegisterAsync(gone, "article.published");
        await api.RegisterAsync(good, "article.published");
        var first = await api.PublishNewAsync("Gone first");

        var webhook = await Eventually.WaitForAsync(
            async () => await (await api.Admin.GetAsync($"/v1/webhooks/{goneId}")).ReadJsonAsync(),
            w => !w.GetProperty("enabled").GetBoolean(),
            "the webhook to be disabled");
        Assert.Equal("The receiver answered 410 Gone.", webhook.GetProperty("disabledReason").GetString());

        var later = await api.PublishNewAsync("Gone later");
        await api.WaitForAsync(good, r => r.Any(h => h.ArticleId == later), "the other webhook to receive the later event");
        Assert.Equal([first], api.Receiver.At(gone).Select(h => h.ArticleId!.Value));
        var delivery = Assert.Single((await api.DeliveriesAsync(goneId)).GetProperty("items").EnumerateArray());
        Assert.Equal("failed", delivery.GetProperty("status").GetString());
        Assert.Equal(410, delivery.GetProperty("log")[0].GetProperty("statusCode").GetInt32());
    }

    [Fact]
    public async Task Redelivery_sends_the_same_event_again_and_is_logged()
    {
        var url = api.Receiver.NewUrl("good");
        var (webhookId, secret) = await api.RegisterAsync(url, "article.published");
        var id = await api.PublishNewAsync("Redelivered story");
        await api.WaitForAsync(url, r => r.Any(h => h.ArticleId == id), "the first delivery");
        var delivery = (await Eventually.WaitForAsync(
                () => api.DeliveriesAsync(webhookId),
                l => l.GetProperty("items").EnumerateArray().Any(d => d.GetProperty("status").GetString() == "delivered"),
                "the delivery to be logged"))
            .GetProperty("items")[0];
        var deliveryId = delivery.GetProperty("id").GetInt64();

        var response = await api.Admin.PostAsync($"/v1/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver", null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var queued = await response.ReadJsonAsync();
        Assert.Equal("pending", queued.GetProperty("status").GetString());
        var received = await api.WaitForAsync(url, r => r.Count(h => h.ArticleId == id) == 2, "the redelivery");
        Assert.Equal(received[0].EventId, received[1].EventId);
        Assert.Equal(received[0].Body, received[1].Body);
        Assert.True(received[1].IsSignedWith(secret));
        var log = await Eventually.WaitForAsync(
            () => api.DeliveriesAsync(webhookId),
            l => l.GetProperty("items")[0].GetProperty("attempts").GetInt32() == 2 && l.GetProperty("items")[0].GetProperty("status").GetString() == "delivered",
            "the redelivery to be logged");
        Assert.Equal([1, 2], log.GetProperty("items")[0].GetProperty("log").EnumerateArray().Select(a => a.GetProperty("attempt").GetInt32()));

        await (await api.Admin.PostAsync($"/v1/webhooks/{webhookId}/deliveries/999999/redeliver", null)).AssertProblemAsync(HttpStatusCode.NotFound);
        var bad = await (await api.Admin.PostAsync($"/v1/webhooks/{webhookId}/deliveries/x/redeliver", null)).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(bad.ErrorsFor("deliveryId"));
    }

    [Fact]
    public async Task Category_changes_are_sent_with_the_category_id_and_slug()
    {
        var url = api.Receiver.NewUrl("good");
        await api.RegisterAsync(url, "category.changed");
        var slug = $"hooks-{Guid.NewGuid():N}"[..20];
        var created = await api.Editor.PostAsync("/v1/categories", new StringContent($$"""{"name":"Hooks","slug":"{{slug}}"}""", Encoding.UTF8, "application/json"));
        var categoryId = (await created.ReadJsonAsync()).GetProperty("id").GetInt64();

        var hook = (await api.WaitForAsync(url, r => r.Any(h => h.Json.GetProperty("data").GetProperty("categoryId").GetInt64() == categoryId), "the category event"))[0];

        Assert.Equal("category.changed", hook.Type);
        Assert.Equal(slug, hook.Json.GetProperty("data").GetProperty("slug").GetString());
        Assert.Equal("created", hook.Json.GetProperty("data").GetProperty("change").GetString());
    }
}
