using System.Net;
using Api.Tests.Infrastructure;

namespace Api.Tests.Shares;

/// <summary>Each limit on an application of its own, so that counts do not leak between tests.</summary>
public sealed class EmailLimitTests
{
    private static async Task<EmailApiFactory> StartAsync(string setting, int value)
    {
        var api = new EmailApiFactory(new Dictionary<string, string> { [$"Share:Email:{setting}"] = value.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        await api.InitializeAsync();
        return api;
    }

    private static async Task<int> AssertLimitedAsync(HttpResponseMessage response, int atLeast, int atMost)
    {
        var problem = await response.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Contains("Retry-After", problem.GetProperty("detail").GetString());
        var seconds = (int)response.Headers.RetryAfter!.Delta!.Value.TotalSeconds;
        Assert.InRange(seconds, atLeast, atMost);
        return seconds;
    }

    private static object Body(params string[] to) => new { to, senderName = "Alice" };

    [Fact]
    public async Task Requests_per_client_address_per_hour_are_limited_with_Retry_After_until_the_oldest_leaves_the_window()
    {
        var api = await StartAsync("PerIpPerHour", 2);
        var client = api.CreateEmailClient();
        try
        {
            var first = await client.SuggestToAsync([EmailRequests.NewAddress()], from: "203.0.113.9");
            await client.SuggestToAsync([EmailRequests.NewAddress()], from: "203.0.113.9");
            var queued = await api.ScalarAsync<long>("SELECT count(*) FROM share_email_outbox");

            await AssertLimitedAsync(await client.SuggestAsync(Body(EmailRequests.NewAddress()), from: "203.0.113.9"), 3590, 3600);
            Assert.Equal(queued, await api.ScalarAsync<long>("SELECT count(*) FROM share_email_outbox"));

            // Another address has its allowance; an IPv6 client is counted by its /64.
            await client.SuggestToAsync([EmailRequests.NewAddress()], from: "203.0.113.10");
            await client.SuggestToAsync([EmailRequests.NewAddress()], from: "2001:db8:1:2::1");
            await client.SuggestToAsync([EmailRequests.NewAddress()], from: "2001:db8:1:2::ffff");
            await AssertLimitedAsync(await client.SuggestAsync(Body(EmailRequests.NewAddress()), from: "2001:db8:1:2:aaaa::1"), 3590, 3600);

            // When the first request is 59 minutes old, the window frees in about a minute; after an hour, at once.
            await api.ExecuteAsync("UPDATE share_email_requests SET created_at = now() - interval '59 minutes' WHERE id = @first::uuid", new { first });
            await AssertLimitedAsync(await client.SuggestAsync(Body(EmailRequests.NewAddress()), from: "203.0.113.9"), 55, 61);
            await api.ExecuteAsync("UPDATE share_email_requests SET created_at = now() - interval '61 minutes' WHERE id = @first::uuid", new { first });
            await client.SuggestToAsync([EmailRequests.NewAddress()], from: "203.0.113.9");
        }
        finally
        {
            await ((IAsyncLifetime)api).DisposeAsync();
        }
    }

    [Fact]
    public async Task Messages_per_recipient_per_day_are_limited_whoever_sends_them()
    {
        var api = await StartAsync("PerRecipientPerDay", 2);
        var client = api.CreateEmailClient();
        try
        {
            var friend = EmailRequests.NewAddress();
            await client.SuggestToAsync([friend], from: "198.51.100.1");
            await client.SuggestToAsync([friend.ToUpperInvariant()], from: "198.51.100.2");

            var other = EmailRequests.NewAddress();
            await AssertLimitedAsync(await client.SuggestAsync(Body(other, friend), from: "198.51.100.3"), 86390, 86400);
            Assert.Equal(0, await api.ScalarAsync<long>("SELECT count(*) FROM share_email_outbox WHERE recipient = @other", new { other }));

            await client.SuggestToAsync([other], from: "198.51.100.3");
        }
        finally
        {
            await ((IAsyncLifetime)api).DisposeAsync();
        }
    }

    [Fact]
    public async Task Messages_per_hour_are_limited_for_the_whole_site()
    {
        var api = await StartAsync("GlobalPerHour", 4);
        var client = api.CreateEmailClient();
        try
        {
            await client.SuggestToAsync([EmailRequests.NewAddress(), EmailRequests.NewAddress(), EmailRequests.NewAddress()], from: "192.0.2.1");

            await AssertLimitedAsync(await client.SuggestAsync(Body(EmailRequests.NewAddress(), EmailRequests.NewAddress()), from: "192.0.2.2"), 3590, 3600);
            await client.SuggestToAsync([EmailRequests.NewAddress()], from: "192.0.2.3");
            await AssertLimitedAsync(await client.SuggestAsync(Body(EmailRequests.NewAddress()), from: "192.0.2.4"), 3590, 3600);

            Assert.Equal(4, await api.ScalarAsync<long>("SELECT count(*) FROM share_email_outbox"));
        }
        finally
        {
            await ((IAsyncLifetime)api).DisposeAsync();
        }
    }
}
