using System.Net;
using System.Net.Http.Json;
using Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace Api.Tests.Keys;

public sealed class RateLimitTests(RateLimitTests.LowLimits api) : IClassFixture<RateLimitTests.LowLimits>
{
    public sealed class LowLimits : ApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("RateLimits:WritesPerMinutePerKey", "3");
            builder.UseSetting("RateLimits:WritesPerMinutePerIp", "8");
        }
    }

    [Fact]
    public async Task Writes_over_the_limits_are_429_with_Retry_After_and_reads_are_not_limited()
    {
        var first = api.CreateClient(await api.CreateKeyAsync("content:write"));
        var second = api.CreateClient(await api.CreateKeyAsync("content:write"));
        var before = await api.ScalarAsync<long>("SELECT count(*) FROM articles");

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await first.PostAsJsonAsync("/v1/articles", new { title = $"Limited {i}", categorySlug = "visas" })).StatusCode);
        }

        var limited = await first.PostAsJsonAsync("/v1/articles", new { title = "One too many", categorySlug = "visas" });
        var problem = await limited.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal(before + 3, await api.ScalarAsync<long>("SELECT count(*) FROM articles"));

        // Another key has its own allowance, until the address runs out (8 writes from it in all).
        Assert.Equal(HttpStatusCode.Created, (await second.PostAsJsonAsync("/v1/articles", new { title = "Other key", categorySlug = "visas" })).StatusCode);
        var anonymous = api.CreateClient();
        var attempts = 0;
        while ((await anonymous.PostAsJsonAsync("/v1/articles", new { title = "No key" })).StatusCode != HttpStatusCode.TooManyRequests)
        {
            Assert.True(++attempts < 8, "the per-address limit never applied");
        }

        var byAddress = await second.PostAsJsonAsync("/v1/articles", new { title = "Address exhausted", categorySlug = "visas" });
        await byAddress.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Equal(HttpStatusCode.OK, (await first.GetAsync("/v1/articles")).StatusCode);
        Assert.Contains("Retry-After", problem.GetProperty("detail").GetString());
    }
}
