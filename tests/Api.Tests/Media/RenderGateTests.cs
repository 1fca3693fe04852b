using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Api.Tests.Infrastructure;

namespace Api.Tests.Media;

/// <summary>One render at a time and none waiting.</summary>
public sealed class NoQueueFactory() : MediaApiFactory(new Dictionary<string, string>
{
    ["Media:MaxConcurrentRenders"] = "1",
    ["Media:MaxQueuedRenders"] = "0",
});

public sealed class RenderGateTests(NoQueueFactory api) : IClassFixture<NoQueueFactory>
{
    [Fact]
    public async Task A_burst_of_cold_renditions_past_the_gate_gets_503s_with_Retry_After_and_the_rest_200s()
    {
        var medium = await MediaUploadTests.UploadAsync(api.Editor, TestImages.Jpeg(3000, 2000, seed: 9001));
        var template = medium.GetProperty("renditions").GetProperty("template").GetString()!;
        // A first rendition copies the original to this instance, so the burst competes for the render alone.
        Assert.Equal(HttpStatusCode.OK, (await api.Public.GetAsync(template.Replace("{spec}", "w160").Replace("{format}", "webp"))).StatusCode);
        var urls = new[] { 2048, 1600, 1200, 1024, 800, 640 }
            .SelectMany(w => new[] { "webp", "png" }.Select(f => template.Replace("{spec}", $"w{w}").Replace("{format}", f)))
            .ToList();

        var responses = await Task.WhenAll(urls.Select(u => api.Public.GetAsync(u)));

        var statuses = string.Join(", ", responses.Select(r => (int)r.StatusCode));
        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, statuses));
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
        var busy = responses.Select((r, i) => (Response: r, Url: urls[i])).Where(x => x.Response.StatusCode == HttpStatusCode.ServiceUnavailable).ToList();
        Assert.NotEmpty(busy);
        foreach (var (response, _) in busy)
        {
            Assert.Equal("2", response.Headers.GetValues("Retry-After").Single());
            Assert.Null(response.Headers.CacheControl?.MaxAge);
            await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
        }

        // Nothing was left half made: each refused rendition is there when asked for again alone.
        foreach (var (_, url) in busy)
        {
            var again = await api.Public.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            using var image = NetVips.Image.NewFromBuffer(await again.Content.ReadAsByteArrayAsync());
            Assert.Equal(int.Parse(url.Split("/w")[^1].Split('.')[0]), image.Width);
        }
    }
}

/// <summary>One render at a time, a few waiting, and a one-second limit, waiting included.</summary>
public sealed class OneSecondFactory() : MediaApiFactory(new Dictionary<string, string>
{
    ["Media:MaxConcurrentRenders"] = "1",
    ["Media:MaxQueuedRenders"] = "4",
    ["Media:RenderTimeoutSeconds"] = "1",
});

public sealed class RenderTimeoutTests(OneSecondFactory api) : IClassFixture<OneSecondFactory>
{
    [Fact]
    public async Task A_rendition_still_waiting_for_its_turn_when_the_time_limit_passes_is_503_with_Retry_After()
    {
        var medium = await MediaUploadTests.UploadAsync(api.Editor, TestImages.Jpeg(800, 600, seed: 9102));
        var url = medium.GetProperty("renditions").GetProperty("template").GetString()!.Replace("{spec}", "w160").Replace("{format}", "webp");

        // The only turn is held (as a long render would hold it) until the waiting request's second has run out.
        var gate = api.Services.GetRequiredService<Api.Media.RenderGate>();
        using var release = new ManualResetEventSlim();
        var holder = gate.RunAsync(_ => release.Wait(TimeSpan.FromSeconds(30)), CancellationToken.None);
        try
        {
            var waiting = await api.Public.GetAsync(url);

            Assert.Equal("2", waiting.Headers.GetValues("Retry-After").Single());
            var problem = await waiting.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
            Assert.Contains("too long", problem.GetProperty("detail").GetString());
            Assert.False(holder.IsCompleted, "the turn was free while the request waited; the test proves nothing");
        }
        finally
        {
            release.Set();
        }

        Assert.Equal(Api.Media.GateState.Done, (await holder).State);
        // Nothing was left half made: with the turn free, the same rendition is made.
        Assert.Equal(HttpStatusCode.OK, (await api.Public.GetAsync(url)).StatusCode);
    }

    [Fact]
    public async Task A_render_that_runs_past_the_time_limit_is_never_a_500()
    {
        // 49 megapixels, rendered whole as WebP: several seconds of encoding on any machine, so the
        // one-second limit stops it (or, on a very fast machine, it finishes).
        var medium = await MediaUploadTests.UploadAsync(api.Editor, TestImages.Jpeg(7000, 7000, seed: 9101));
        var id = medium.GetProperty("id").GetInt64();
        var signed = await (await api.Editor.GetAsync($"/v1/media/{id}/renditions?width=8000&format=webp")).ReadJsonAsync();
        Assert.Equal(7000, signed.GetProperty("width").GetInt32());

        var finished = await api.Public.GetAsync(signed.GetProperty("url").GetString());

        Assert.True(finished.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"{(int)finished.StatusCode}: {await finished.Content.ReadAsStringAsync()}");
        if (finished.StatusCode == HttpStatusCode.ServiceUnavailable)
        {
            Assert.Equal("2", finished.Headers.GetValues("Retry-After").Single());
        }
    }
}
