using System.Net;
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
        // 49 megapixels, rendered whole as WebP: several seconds of encoding on any machine.
        var medium = await MediaUploadTests.UploadAsync(api.Editor, TestImages.Jpeg(7000, 7000, seed: 9101));
        var id = medium.GetProperty("id").GetInt64();
        var signed = await (await api.Editor.GetAsync($"/v1/media/{id}/renditions?width=8000&format=webp")).ReadJsonAsync();
        Assert.Equal(7000, signed.GetProperty("width").GetInt32());
        var slow = api.Public.GetAsync(signed.GetProperty("url").GetString());

        // Asked for while the slow one holds the only turn: it waits, and its second runs out first.
        await Task.Delay(500);
        var waiting = await api.Public.GetAsync(medium.GetProperty("renditions").GetProperty("template").GetString()!
            .Replace("{spec}", "w160").Replace("{format}", "webp"));

        Assert.False(slow.IsCompleted, "the slow rendition finished before the second request timed out; the test proves nothing");
        Assert.Equal("2", waiting.Headers.GetValues("Retry-After").Single());
        var problem = await waiting.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Contains("too long", problem.GetProperty("detail").GetString());

        // The render that had its turn is never a 500, whether it finished late or was stopped.
        var finished = await slow;
        Assert.True(finished.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"{(int)finished.StatusCode}: {await finished.Content.ReadAsStringAsync()}");
    }
}
