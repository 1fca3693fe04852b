using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Api.Tests.Editorial;
using Api.Tests.Infrastructure;

namespace Api.Tests.Media;

public sealed class ArticleImageTests(EditorialFixture api) : IClassFixture<EditorialFixture>
{
    private async Task<JsonElement> MediumAsync(int seed, string? alt, int width = 900, int height = 600)
    {
        var form = new MultipartFormDataContent { { new ByteArrayContent(TestImages.Jpeg(width, height, seed: 5000 + seed)), "file", $"photo-{seed}.jpg" } };
        if (alt is not null)
        {
            form.Add(new StringContent(alt), "alt");
        }

        form.Add(new StringContent($"Caption {seed}"), "caption");
        form.Add(new StringContent("Embassy photo"), "credit");
        var response = await api.Editor.PostAsync("/v1/media", form);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.ReadJsonAsync();
    }

    private async Task<HttpResponseMessage> CreateArticleAsync(string title, object image, string status = "published") =>
        await api.Editor.PostAsJsonAsync("/v1/articles", new { title, categorySlug = "visas", bodyHtml = "<p>Text.</p>", status, image });

    [Fact]
    public async Task A_lead_medium_shows_with_its_size_credit_placeholder_and_srcset_in_the_article_and_the_list()
    {
        var medium = await MediumAsync(1, "Delegates at the table");
        var id = medium.GetProperty("id").GetInt64();

        var created = await CreateArticleAsync("Article with a lead medium", new { mediumId = id });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var slug = (await created.ReadJsonAsync()).GetProperty("slug").GetString();

        var image = (await (await api.Public.GetAsync($"/v1/articles/{slug}")).ReadJsonAsync()).GetProperty("image");
        Assert.Equal(id, image.GetProperty("mediumId").GetInt64());
        Assert.Equal("Delegates at the table", image.GetProperty("alt").GetString());
        Assert.Equal(900, image.GetProperty("width").GetInt32());
        Assert.Equal(600, image.GetProperty("height").GetInt32());
        Assert.Equal("Caption 1", image.GetProperty("caption").GetString());
        Assert.Equal("Embassy photo", image.GetProperty("credit").GetString());
        Assert.StartsWith("data:image/webp;base64,", image.GetProperty("placeholder").GetString());
        Assert.Equal(medium.GetProperty("renditions").GetProperty("src").GetString(), image.GetProperty("url").GetString());
        var srcset = image.GetProperty("renditions").GetProperty("srcset").EnumerateArray().ToList();
        Assert.Equal([160, 320, 480, 640, 800], srcset.Select(s => s.GetProperty("width").GetInt32()));
        Assert.Equal(HttpStatusCode.OK, (await api.Public.GetAsync(srcset[^1].GetProperty("url").GetString())).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.Public.GetAsync(image.GetProperty("url").GetString())).StatusCode);

        var list = await (await api.Public.GetAsync("/v1/articles?fields=id,slug,image&limit=100")).ReadJsonAsync();
        var listed = list.GetProperty("items").EnumerateArray().Single(a => a.GetProperty("slug").GetString() == slug).GetProperty("image");
        Assert.Equal(image.GetRawText(), listed.GetRawText());
    }

    [Fact]
    public async Task A_published_article_needs_alt_text_for_its_lead_medium()
    {
        var medium = await MediumAsync(2, alt: null);
        var id = medium.GetProperty("id").GetInt64();

        var refused = await (await CreateArticleAsync("Published without alt", new { mediumId = id })).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains($"/v1/media/{id}", refused.GetProperty("detail").GetString());

        var ownAlt = await CreateArticleAsync("Published with its own alt", new { mediumId = id, alt = "A harbour at dawn" });
        Assert.Equal(HttpStatusCode.Created, ownAlt.StatusCode);
        Assert.Equal("A harbour at dawn", (await ownAlt.ReadJsonAsync()).GetProperty("image").GetProperty("alt").GetString());

        var draft = await CreateArticleAsync("Draft without alt", new { mediumId = id }, status: "draft");
        Assert.Equal(HttpStatusCode.Created, draft.StatusCode);
        var draftId = (await draft.ReadJsonAsync()).GetProperty("id").GetInt64();
        await (await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Post, $"/v1/articles/{draftId}/publish", null, draft.Headers.ETag)))
            .AssertProblemAsync(HttpStatusCode.UnprocessableEntity);

        var read = await api.Editor.GetAsync($"/v1/media/{id}");
        var patched = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Patch, $"/v1/media/{id}", """{"alt":"Boats in the harbour"}""", read.Headers.ETag, "application/merge-patch+json"));
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var published = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Post, $"/v1/articles/{draftId}/publish", null, draft.Headers.ETag));
        Assert.Equal(HttpStatusCode.OK, published.StatusCode);
        Assert.Equal("Boats in the harbour", (await published.ReadJsonAsync()).GetProperty("image").GetProperty("alt").GetString());

        var clearing = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Patch, $"/v1/media/{id}", """{"alt":null}""", patched.Headers.ETag, "application/merge-patch+json"));
        await clearing.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task Unknown_media_and_two_kinds_of_image_at_once_are_400()
    {
        var unknown = await (await CreateArticleAsync("Unknown medium", new { mediumId = 987654321 })).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(unknown.ErrorsFor("image.mediumId"));

        var both = await (await CreateArticleAsync("Both", new { mediumId = 1, url = "https://images.example.com/a.jpg" })).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(both.ErrorsFor("image.url"));

        var neither = await (await CreateArticleAsync("Neither", new { alt = "x" })).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(neither.ErrorsFor("image.url"));

        var external = await CreateArticleAsync("External image still works", new { url = "https://images.example.com/a.jpg", alt = "A picture" });
        var image = (await external.ReadJsonAsync()).GetProperty("image");
        Assert.Equal("https://images.example.com/a.jpg", image.GetProperty("url").GetString());
        Assert.Equal(JsonValueKind.Null, image.GetProperty("mediumId").ValueKind);
        Assert.Equal(JsonValueKind.Null, image.GetProperty("renditions").ValueKind);
    }

    [Fact]
    public async Task A_medium_in_use_cannot_be_deleted_and_says_where_it_is_used()
    {
        var medium = await MediumAsync(3, "A ship");
        var id = medium.GetProperty("id").GetInt64();
        var created = await CreateArticleAsync("Article keeping a medium", new { mediumId = id });
        var article = await created.ReadJsonAsync();
        var articleId = article.GetProperty("id").GetInt64();

        var read = await api.Editor.GetAsync($"/v1/media/{id}");
        var refused = await (await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Delete, $"/v1/media/{id}", null, read.Headers.ETag)))
            .AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains(articleId.ToString(System.Globalization.CultureInfo.InvariantCulture), refused.GetProperty("detail").GetString());

        var replaced = await api.Editor.SendAsync(EditorialFixture.Write(
            HttpMethod.Patch, $"/v1/articles/{articleId}", """{"image":{"mediumId":null,"url":"https://images.example.com/b.jpg","alt":"B"}}""", created.Headers.ETag, "application/merge-patch+json"));
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Delete, $"/v1/media/{id}", null, read.Headers.ETag))).StatusCode);
    }

    [Fact]
    public async Task Editing_a_medium_shows_in_the_articles_that_use_it_and_revisions_keep_the_medium()
    {
        var medium = await MediumAsync(4, "First alt");
        var id = medium.GetProperty("id").GetInt64();
        var created = await CreateArticleAsync("Article whose medium changes", new { mediumId = id });
        var slug = (await created.ReadJsonAsync()).GetProperty("slug").GetString();
        var before = (await (await api.Public.GetAsync($"/v1/articles/{slug}")).ReadJsonAsync()).GetProperty("image");

        var read = await api.Editor.GetAsync($"/v1/media/{id}");
        await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Patch, $"/v1/media/{id}", """{"alt":"Second alt","focalPoint":{"x":0.2,"y":0.3}}""", read.Headers.ETag, "application/merge-patch+json"));

        var after = (await (await api.Public.GetAsync($"/v1/articles/{slug}")).ReadJsonAsync()).GetProperty("image");
        Assert.Equal("Second alt", after.GetProperty("alt").GetString());
        Assert.NotEqual(before.GetProperty("url").GetString(), after.GetProperty("url").GetString());

        var articleId = (await created.ReadJsonAsync()).GetProperty("id").GetInt64();
        var revision = await (await api.Editor.GetAsync($"/v1/articles/{articleId}/revisions/1")).ReadJsonAsync();
        Assert.Equal(id, revision.GetProperty("article").GetProperty("image").GetProperty("mediumId").GetInt64());
    }

    [Fact]
    public async Task Body_images_from_the_library_get_their_URLs_size_and_alt_and_are_listed_in_media()
    {
        var first = await MediumAsync(5, "Signing the agreement", 1000, 500);
        var second = await MediumAsync(6, alt: null, 700, 700);
        var firstId = first.GetProperty("id").GetInt64();
        var secondId = second.GetProperty("id").GetInt64();
        var body = $"""<p>Intro.</p><figure><img data-medium-id="{firstId}" src="https://evil.example/x.jpg" width="1"><figcaption>Signing</figcaption></figure><p><img data-medium-id="{secondId}" alt="Delegates on the steps"></p><p><img data-medium-id="nope" src="https://images.example.com/c.jpg"></p>""";

        var created = await api.Editor.PostAsJsonAsync("/v1/articles", new { title = "Article with body images", categorySlug = "visas", bodyHtml = body, status = "published" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var slug = (await created.ReadJsonAsync()).GetProperty("slug").GetString();

        var article = await (await api.Public.GetAsync($"/v1/articles/{slug}")).ReadJsonAsync();
        var html = article.GetProperty("bodyHtml").GetString()!;
        Assert.DoesNotContain("evil.example", html);
        var document = new AngleSharp.Html.Parser.HtmlParser().ParseDocument("<body>" + html + "</body>");
        var images = document.QuerySelectorAll("img[data-medium-id]").ToList();
        Assert.Equal(2, images.Count);
        Assert.Equal(first.GetProperty("renditions").GetProperty("src").GetString(), images[0].GetAttribute("src"));
        Assert.Equal("1000", images[0].GetAttribute("width"));
        Assert.Equal("500", images[0].GetAttribute("height"));
        Assert.Equal("Signing the agreement", images[0].GetAttribute("alt"));
        Assert.Contains(" 320w", images[0].GetAttribute("srcset"));
        Assert.Equal("lazy", images[0].GetAttribute("loading"));
        Assert.Equal("Delegates on the steps", images[1].GetAttribute("alt"));
        Assert.Contains(document.QuerySelectorAll("img"), img => img.GetAttribute("src") == "https://images.example.com/c.jpg" && !img.HasAttribute("data-medium-id"));
        Assert.Equal([firstId, secondId], article.GetProperty("media").EnumerateArray().Select(m => m.GetProperty("mediumId").GetInt64()));
        Assert.Equal("Caption 5", article.GetProperty("media")[0].GetProperty("caption").GetString());

        var listed = await (await api.Public.GetAsync("/v1/articles?fields=id,slug,media&limit=100")).ReadJsonAsync();
        Assert.Equal(2, listed.GetProperty("items").EnumerateArray().Single(a => a.GetProperty("slug").GetString() == slug).GetProperty("media").GetArrayLength());

        var read = await api.Editor.GetAsync($"/v1/media/{secondId}");
        await (await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Delete, $"/v1/media/{secondId}", null, read.Headers.ETag)))
            .AssertProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Body_images_need_a_known_medium_and_alt_text_to_be_published()
    {
        var bare = await MediumAsync(7, alt: null);
        var bareId = bare.GetProperty("id").GetInt64();

        var unknown = await api.Editor.PostAsJsonAsync("/v1/articles", new { title = "Unknown body medium", categorySlug = "visas", bodyHtml = "<p><img data-medium-id=\"987654321\"></p>", status = "draft" });
        Assert.NotEmpty((await unknown.AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorsFor("bodyHtml"));

        var noAlt = await api.Editor.PostAsJsonAsync("/v1/articles", new { title = "Body image without alt", categorySlug = "visas", bodyHtml = $"<p><img data-medium-id=\"{bareId}\"></p>", status = "published" });
        await noAlt.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);

        var draft = await api.Editor.PostAsJsonAsync("/v1/articles", new { title = "Body image draft", categorySlug = "visas", bodyHtml = $"<p><img data-medium-id=\"{bareId}\"></p>", status = "draft" });
        Assert.Equal(HttpStatusCode.Created, draft.StatusCode);
        var draftId = (await draft.ReadJsonAsync()).GetProperty("id").GetInt64();
        await (await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Post, $"/v1/articles/{draftId}/publish", null, draft.Headers.ETag)))
            .AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
    }
}
