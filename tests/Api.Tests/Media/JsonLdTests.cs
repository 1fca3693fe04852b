using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Api.Tests.Infrastructure;

namespace Api.Tests.Media;

/// <summary>
/// The structured data of an article against what Google documents for Article rich results
/// (developers.google.com/search/docs/appearance/structured-data/article): a NewsArticle with a
/// headline of at most 110 characters, images of at least 50,000 pixels in 16:9, 4:3 and 1:1,
/// ISO 8601 dates with a time zone, authors as Person with a name and a URL, a publisher; and a
/// BreadcrumbList whose items are numbered from 1 and link to pages.
/// </summary>
public sealed class JsonLdTests(MediaSiteFixture api) : IClassFixture<MediaSiteFixture>
{
    [Fact]
    public async Task An_article_s_JSON_LD_follows_the_rules_for_Article_rich_results()
    {
        var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(TestImages.Jpeg(1600, 1000, seed: 8001)), "file", "talks.jpg" },
            { new StringContent("Delegates at the table"), "alt" },
        };
        var medium = await (await api.Editor.PostAsync("/v1/media", form)).ReadJsonAsync();
        var author = await (await api.Editor.PostAsJsonAsync("/v1/authors", new { name = "Chen Jing" })).ReadJsonAsync();
        var created = await api.Editor.PostAsJsonAsync("/v1/articles", new
        {
            title = "Talks resume in the capital", summary = "Both sides met for a second day.", categorySlug = "visas", bodyHtml = "<p>Talks.</p>",
            status = "published", tags = new[] { "Diplomacy" }, image = new { mediumId = medium.GetProperty("id").GetInt64() },
            authorIds = new[] { author.GetProperty("id").GetInt64() },
        });
        var slug = (await created.ReadJsonAsync()).GetProperty("slug").GetString();

        var response = await api.Public.GetAsync($"/v1/articles/{slug}/jsonld");
        Assert.Equal("application/ld+json", response.Content.Headers.ContentType!.MediaType);
        var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("https://schema.org", document.GetProperty("@context").GetString());
        var graph = document.GetProperty("@graph").EnumerateArray().ToList();
        var article = graph.Single(n => n.GetProperty("@type").GetString() == "NewsArticle");

        Assert.True(article.GetProperty("headline").GetString()!.Length is > 0 and <= 110);
        Assert.Equal("Both sides met for a second day.", article.GetProperty("description").GetString());
        foreach (var date in new[] { "datePublished", "dateModified" })
        {
            var text = article.GetProperty(date).GetString()!;
            Assert.True(DateTimeOffset.TryParse(text, out _) && text.EndsWith('Z'), $"{date}: {text}");
        }

        var shapes = new List<double>();
        foreach (var url in article.GetProperty("image").EnumerateArray().Select(i => i.GetString()!))
        {
            Assert.StartsWith(MediaSiteFixture.MediaHost + "/media/", url);
            var bytes = await api.Public.GetByteArrayAsync(new Uri(url).PathAndQuery);
            using var image = NetVips.Image.NewFromBuffer(bytes);
            Assert.True(image.Width * image.Height >= 50_000, $"{url}: {image.Width} x {image.Height}");
            shapes.Add(Math.Round(image.Width / (double)image.Height, 2));
        }

        Assert.Equal([1.78, 1.33, 1.0], shapes);
        var person = article.GetProperty("author")[0];
        Assert.Equal("Person", person.GetProperty("@type").GetString());
        Assert.Equal("Chen Jing", person.GetProperty("name").GetString());
        Assert.StartsWith("https://", person.GetProperty("url").GetString());
        Assert.False(string.IsNullOrEmpty(article.GetProperty("publisher").GetProperty("name").GetString()));
        Assert.Equal("Visas", article.GetProperty("articleSection").GetString());
        Assert.True(article.GetProperty("isAccessibleForFree").GetBoolean());

        var crumbs = graph.Single(n => n.GetProperty("@type").GetString() == "BreadcrumbList").GetProperty("itemListElement").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(1, crumbs.Count), crumbs.Select(c => c.GetProperty("position").GetInt32()));
        Assert.All(crumbs, c => Assert.True(Uri.TryCreate(c.GetProperty("item").GetString(), UriKind.Absolute, out _)));
        Assert.Equal("Talks resume in the capital", crumbs[^1].GetProperty("name").GetString());
    }

    [Fact]
    public async Task An_unknown_article_is_404_and_an_old_slug_301()
    {
        await (await api.Public.GetAsync("/v1/articles/no-such-article-here/jsonld")).AssertProblemAsync(HttpStatusCode.NotFound);
        var created = await api.Editor.PostAsJsonAsync("/v1/articles", new { title = "Renamed for JSON-LD", categorySlug = "visas", status = "published" });
        var article = await created.ReadJsonAsync();
        var renamed = await api.Editor.SendAsync(Api.Tests.Editorial.EditorialFixture.Write(
            HttpMethod.Patch, $"/v1/articles/{article.GetProperty("id").GetInt64()}", """{"slug":"renamed-for-json-ld-now"}""", created.Headers.ETag, "application/merge-patch+json"));
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        var moved = await api.Public.GetAsync("/v1/articles/renamed-for-json-ld/jsonld");
        Assert.Equal(HttpStatusCode.MovedPermanently, moved.StatusCode);
    }
}
