using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Xml.Linq;
using Api.Tests.Infrastructure;

namespace Api.Tests.Media;

/// <summary>The application with media URLs on a public host (a CDN in front of /media/).</summary>
public sealed class MediaSiteFixture() : MediaApiFactory(new Dictionary<string, string> { ["Media:PublicBaseUrl"] = MediaHost })
{
    public const string MediaHost = "https://img.example.com";
}

public sealed class MediaSyndicationTests(MediaSiteFixture api) : IClassFixture<MediaSiteFixture>
{
    private static readonly XNamespace Sitemap = "http://www.sitemaps.org/schemas/sitemap/0.9";
    private static readonly XNamespace ImageSitemap = "http://www.google.com/schemas/sitemap-image/1.1";
    private static readonly XNamespace MediaRss = "http://search.yahoo.com/mrss/";

    private async Task<(JsonElement Article, JsonElement Image)> PublishedWithMediumAsync()
    {
        var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(TestImages.Jpeg(1300, 700, seed: 7001)), "file", "harbour.jpg" },
            { new StringContent("The harbour at dawn"), "alt" },
        };
        var medium = await (await api.Editor.PostAsync("/v1/media", form)).ReadJsonAsync();
        var created = await api.Editor.PostAsJsonAsync("/v1/articles", new
        {
            title = "Syndicated story with a photo",
            categorySlug = "visas",
            bodyHtml = "<p>Boats.</p>",
            status = "published",
            image = new { mediumId = medium.GetProperty("id").GetInt64() },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var article = await created.ReadJsonAsync();
        return (article, article.GetProperty("image"));
    }

    [Fact]
    public async Task Feeds_ninjs_cards_and_sitemaps_carry_the_lead_medium_as_absolute_rendition_URLs()
    {
        var (article, image) = await PublishedWithMediumAsync();
        var src = image.GetProperty("url").GetString()!;
        Assert.StartsWith(MediaSiteFixture.MediaHost + "/media/", src);
        Assert.EndsWith("/w1024.jpg", src);
        var slug = article.GetProperty("slug").GetString()!;

        var rss = XDocument.Parse(await api.Public.GetStringAsync("/feeds/rss.xml"));
        var item = rss.Descendants("item").Single(i => i.Element("title")!.Value == "Syndicated story with a photo");
        Assert.Equal(src, item.Element(MediaRss + "content")!.Attribute("url")!.Value);

        var atom = XDocument.Parse(await api.Public.GetStringAsync("/feeds/atom.xml"));
        Assert.Contains(atom.Descendants(MediaRss + "content"), c => c.Attribute("url")!.Value == src);

        var jsonFeed = JsonDocument.Parse(await api.Public.GetStringAsync("/feeds/feed.json")).RootElement;
        Assert.Contains(jsonFeed.GetProperty("items").EnumerateArray(), i => i.TryGetProperty("image", out var feedImage) && feedImage.GetString() == src);

        var ninjs = JsonDocument.Parse(await api.Public.GetStringAsync($"/v1/articles/{slug}/ninjs")).RootElement;
        var feature = ninjs.GetProperty("associations").EnumerateArray().Single(a => a.GetProperty("name").GetString() == "featureimage");
        var renditions = feature.GetProperty("renditions").EnumerateArray().ToList();
        Assert.Contains(renditions, r => r.GetProperty("href").GetString() == src);
        Assert.Contains(renditions, r => r.TryGetProperty("width", out var width) && width.GetInt32() == 1200
            && r.GetProperty("contenttype").GetString() == "image/webp");

        var meta = await (await api.Public.GetAsync($"/v1/articles/{slug}/meta")).ReadJsonAsync();
        Assert.Contains(meta.GetProperty("openGraph").EnumerateArray(), t => t.GetProperty("property").GetString() == "og:image" && t.GetProperty("content").GetString() == src);

        var sitemap = XDocument.Parse(await api.Public.GetStringAsync("/sitemap-1.xml"));
        var url = sitemap.Descendants(Sitemap + "url").Single(u => u.Element(Sitemap + "loc")!.Value.EndsWith("/" + slug, StringComparison.Ordinal));
        Assert.Equal(src, url.Element(ImageSitemap + "image")!.Element(ImageSitemap + "loc")!.Value);
        var news = XDocument.Parse(await api.Public.GetStringAsync("/sitemap-news.xml"));
        Assert.Contains(news.Descendants(ImageSitemap + "loc"), l => l.Value == src);
    }
}
