using Api.Tests.Shares;

namespace Api.Tests.Webhooks;

public sealed class WebhookInstancesTests
{
    [Fact]
    public async Task Two_instances_on_one_database_deliver_each_event_once()
    {
        var first = new WebhookApiFactory();
        await first.InitializeAsync();
        WebhookApiFactory? second = null;
        try
        {
            second = new WebhookApiFactory(new Dictionary<string, string>(), database: first.DatabaseName);
            await second.InitializeAsync();
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
