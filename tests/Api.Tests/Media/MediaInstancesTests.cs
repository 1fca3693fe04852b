using System.Net;
using Api.Tests.Editorial;
using Api.Tests.Infrastructure;
using Api.Tests.Shares;

namespace Api.Tests.Media;

/// <summary>
/// Two instances on one database, each with its own rendition cache: a medium uploaded through one
/// renders through the other, and a change or delete through one is heard by the other through
/// PostgreSQL's notifications.
/// </summary>
public sealed class MediaInstancesTests(MediaApiFactory first) : IClassFixture<MediaApiFactory>
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);

    private static string Url(System.Text.Json.JsonElement medium, string spec, string format) =>
        medium.GetProperty("renditions").GetProperty("template").GetString()!.Replace("{spec}", spec).Replace("{format}", format);

    private static async Task<(int Width, int Height)> RenderedSizeAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        using var image = NetVips.Image.NewFromBuffer(await response.Content.ReadAsByteArrayAsync());
        return (image.Width, image.Height);
    }

    private static Task<HttpStatusCode> StatusAsync(HttpClient client, string url) =>
        client.GetAsync(url).ContinueWith(t => t.Result.StatusCode, TaskScheduler.Default);

    [Fact]
    public async Task The_second_instance_renders_what_the_first_stored_and_hears_of_its_focal_point_change_and_delete()
    {
        var second = new MediaApiFactory(new Dictionary<string, string>(), database: first.DatabaseName);
        try
        {
            await second.InitializeAsync();
            Assert.NotEqual(first.RenditionCacheFolder, second.RenditionCacheFolder);

            var medium = await MediaUploadTests.UploadAsync(first.Editor, TestImages.Jpeg(800, 400, seed: 7001, markX: 0.9));
            var id = medium.GetProperty("id").GetInt64();
            var url = Url(medium, "w320-h320-cover", "webp");

            // Rendered by the second instance from the original in the database, into its own cache.
            Assert.Equal((320, 320), await RenderedSizeAsync(second.Public, url));
            Assert.NotEmpty(Directory.GetFiles(second.RenditionCacheFolder, "*", SearchOption.AllDirectories));
            Assert.Equal((320, 320), await RenderedSizeAsync(first.Public, url));
            Assert.Equal((480, 240), await RenderedSizeAsync(second.Public, Url(medium, "w480", "jpg")));

            var read = await first.Editor.GetAsync($"/v1/media/{id}");
            var patched = await first.Editor.SendAsync(EditorialFixture.Write(
                HttpMethod.Patch, $"/v1/media/{id}", """{"focalPoint":{"x":0.9,"y":0.5}}""", read.Headers.ETag, "application/merge-patch+json"));
            var moved = await patched.ReadJsonAsync();
            var movedUrl = Url(moved, "w320-h320-cover", "webp");
            Assert.NotEqual(url, movedUrl);

            // The second instance held the medium and the rendition; the notification makes it drop both.
            await Eventually.WaitForAsync(() => StatusAsync(second.Public, url), s => s == HttpStatusCode.NotFound, "the old URL to be 404 on the second instance", Within);
            await (await second.Public.GetAsync(url)).AssertProblemAsync(HttpStatusCode.NotFound);
            Assert.Equal((320, 320), await RenderedSizeAsync(second.Public, movedUrl));

            read = await first.Editor.GetAsync($"/v1/media/{id}");
            var deleted = await first.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Delete, $"/v1/media/{id}", null, read.Headers.ETag));
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);

            await Eventually.WaitForAsync(() => StatusAsync(second.Public, movedUrl), s => s == HttpStatusCode.NotFound, "the deleted medium to be 404 on the second instance", Within);
            await (await first.Public.GetAsync(movedUrl)).AssertProblemAsync(HttpStatusCode.NotFound);
        }
        finally
        {
            await second.DisposeAsync();
        }

        Assert.Empty(second.Contract.Violations);
    }
}
