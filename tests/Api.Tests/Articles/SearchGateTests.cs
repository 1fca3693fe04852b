using System.Net;
using System.Text.Json;
using Api.Articles;
using Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Api.Tests.Articles;

/// <summary>One search at a time and one waiting.</summary>
public sealed class OneSearchFactory : ApiFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Search:MaxConcurrent", "1");
        builder.UseSetting("Search:MaxQueued", "1");
    }
}

public sealed class SearchGateTests(OneSearchFactory api) : IClassFixture<OneSearchFactory>
{
    private readonly HttpClient _client = api.CreateClient();

    [Fact]
    public async Task Searches_past_the_queue_get_503_with_Retry_After_while_other_reads_go_on_and_the_waiting_one_is_answered()
    {
        var gate = api.Services.GetRequiredService<SearchGate>();
        // The only turn is held, as a search ranking a large share of the archive would hold it.
        var held = await gate.EnterAsync(CancellationToken.None);
        Task<HttpResponseMessage> waiting;
        try
        {
            waiting = _client.GetAsync("/v1/articles?q=denuclearization&limit=5");
            await WaitUntilQueuedAsync(gate, waiting);

            var refused = await _client.GetAsync("/v1/articles?q=ambassador&limit=5");
            Assert.Equal("1", refused.Headers.GetValues("Retry-After").Single());
            var problem = await refused.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
            Assert.Contains("searches", problem.GetProperty("detail").GetString());
            Assert.Equal(HttpStatusCode.ServiceUnavailable,
                (await _client.GetAsync("/v1/articles?q=consulate&limit=5&count=true")).StatusCode);

            // Reads that are not searches do not queue behind searches.
            Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/v1/articles?limit=5")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/v1/articles?limit=5&count=true")).StatusCode);
            Assert.False(waiting.IsCompleted, "the waiting search was answered while the turn was held; the test proves nothing");
        }
        finally
        {
            held.Dispose();
        }

        var answered = await waiting;
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        using var page = JsonDocument.Parse(await answered.Content.ReadAsStringAsync());
        Assert.NotEqual(0, page.RootElement.GetProperty("items").GetArrayLength());

        // With the turn free again, a refused search succeeds when repeated.
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/v1/articles?q=ambassador&limit=5")).StatusCode);
    }

    private static async Task WaitUntilQueuedAsync(SearchGate gate, Task<HttpResponseMessage> request)
    {
        for (var i = 0; i < 250 && gate.Waiting == 0 && !request.IsCompleted; i++)
        {
            await Task.Delay(20);
        }

        Assert.False(request.IsCompleted, "the search was answered while the only turn was held");
        Assert.Equal(1, gate.Waiting);
    }
}
