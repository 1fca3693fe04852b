using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Api.Tests.Infrastructure;

namespace Api.Tests.Editorial;

public sealed class PreviewTests(EditorialFixture api) : IClassFixture<EditorialFixture>
{
    [Fact]
    public async Task A_preview_token_shows_a_draft_without_a_key_never_to_caches_until_revoked()
    {
        var (draft, _) = await api.CreateAsync(new { title = "Secret draft for preview", categorySlug = "visas", bodyHtml = "<p>Not yet.</p>" });
        var id = draft.GetProperty("id").GetInt64();

        var minted = await api.Editor.PostAsync($"/v1/articles/{id}/previews?expiresIn=600", null);
        Assert.Equal(HttpStatusCode.Created, minted.StatusCode);
        var preview = await minted.ReadJsonAsync();
        var url = preview.GetProperty("url").GetString()!;
        Assert.True(preview.GetProperty("expiresAt").GetDateTime() > DateTime.UtcNow.AddMinutes(9));

        var read = await api.Public.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.True(read.Headers.CacheControl is { Private: true, NoStore: true }, read.Headers.CacheControl?.ToString());
        var article = await read.ReadJsonAsync();
        Assert.Equal("draft", article.GetProperty("status").GetString());
        Assert.Equal("<p>Not yet.</p>", article.GetProperty("bodyHtml").GetString());

        await (await api.Public.GetAsync($"/v1/articles/{id}")).AssertProblemAsync(HttpStatusCode.NotFound);
        var list = await (await api.Public.GetAsync("/v1/articles?limit=100")).ReadJsonAsync();
        Assert.DoesNotContain(list.GetProperty("items").EnumerateArray(), a => a.GetProperty("id").GetInt64() == id);

        var tampered = url[..^2] + (url[^2] == 'A' ? "BB" : "AA");
        await (await api.Public.GetAsync(tampered)).AssertProblemAsync(HttpStatusCode.NotFound);

        Assert.Equal(HttpStatusCode.NoContent, (await api.Editor.DeleteAsync($"/v1/articles/{id}/previews")).StatusCode);
        await (await api.Public.GetAsync(url)).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_expired_preview_stops_working_and_bad_requests_are_refused()
    {
        var (draft, _) = await api.CreateAsync(new { title = "Draft that expires", categorySlug = "visas" });
        var id = draft.GetProperty("id").GetInt64();
        var preview = await (await api.Editor.PostAsync($"/v1/articles/{id}/previews", null)).ReadJsonAsync();
        var url = preview.GetProperty("url").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await api.Public.GetAsync(url)).StatusCode);

        await api.ExecuteAsync("UPDATE article_previews SET expires_at = now() - interval '1 second' WHERE article_id = @id", new { id });
        await (await api.Public.GetAsync(url)).AssertProblemAsync(HttpStatusCode.NotFound);

        await (await api.Editor.PostAsync($"/v1/articles/{id}/previews?expiresIn=10", null)).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await api.Editor.PostAsync($"/v1/articles/{id}/previews?expiresIn=9999999", null)).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await api.Editor.PostAsync($"/v1/articles/{id}/previews?ttl=5", null)).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await api.Editor.PostAsync("/v1/articles/999999999/previews", null)).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await api.Public.PostAsync($"/v1/articles/{id}/previews", null)).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await api.Public.GetAsync("/v1/previews/" + new string('x', 65))).AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    private static HttpRequestMessage PreviewOf(long id, string changes, System.Net.Http.Headers.EntityTagHeaderValue? ifMatch = null, string contentType = "application/merge-patch+json") =>
        EditorialFixture.Write(HttpMethod.Post, $"/v1/articles/{id}/previews", changes, ifMatch, contentType);

    [Fact]
    public async Task A_preview_of_unsaved_changes_shows_them_and_saves_nothing()
    {
        var (article, etag) = await api.CreateAsync(new { title = "Live headline", categorySlug = "visas", status = "published", bodyHtml = "<p>As published.</p>", tags = new[] { "Live" } });
        var id = article.GetProperty("id").GetInt64();
        var changesBefore = await api.ScalarAsync<long>("SELECT last FROM change_sequence");
        var tagsBefore = await api.ScalarAsync<long>("SELECT count(*) FROM tags");

        var minted = await api.Editor.SendAsync(PreviewOf(id, """{"title":"Reworked headline","bodyHtml":"<p>Rewritten.<script>alert(1)</script></p>","tags":["Brand new preview tag"]}""", etag));
        Assert.Equal(HttpStatusCode.Created, minted.StatusCode);
        var preview = await minted.ReadJsonAsync();
        Assert.True(preview.GetProperty("unsaved").GetBoolean());
        Assert.Equal(1, preview.GetProperty("baseVersion").GetInt32());

        var shown = await (await api.Public.GetAsync(preview.GetProperty("url").GetString()!)).ReadJsonAsync();
        Assert.Equal("Reworked headline", shown.GetProperty("title").GetString());
        Assert.Equal("<p>Rewritten.</p>", shown.GetProperty("bodyHtml").GetString());
        Assert.Equal(["Brand new preview tag"], shown.GetProperty("tags").EnumerateArray().Select(t => t.GetProperty("name").GetString()));

        // Nothing of it was saved: the article, its revisions, the change feed, the tags.
        var live = await (await api.Editor.GetAsync($"/v1/articles/{id}")).ReadJsonAsync();
        Assert.Equal("Live headline", live.GetProperty("title").GetString());
        Assert.Equal(1, live.GetProperty("version").GetInt32());
        Assert.Equal(1, await api.ScalarAsync<long>("SELECT count(*) FROM article_revisions WHERE article_id = @id", new { id }));
        Assert.Equal(changesBefore, await api.ScalarAsync<long>("SELECT last FROM change_sequence"));
        Assert.Equal(tagsBefore, await api.ScalarAsync<long>("SELECT count(*) FROM tags"));

        // The preview keeps the changes as they were; a later save does not move it.
        var saved = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Patch, $"/v1/articles/{id}", """{"summary":"Saved later."}""", etag, "application/merge-patch+json"));
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        var again = await (await api.Public.GetAsync(preview.GetProperty("url").GetString()!)).ReadJsonAsync();
        Assert.Equal("Reworked headline", again.GetProperty("title").GetString());
        Assert.Equal("", again.GetProperty("summary").GetString());

        // A preview of changes made from the old version is refused when If-Match says so.
        await (await api.Editor.SendAsync(PreviewOf(id, """{"title":"Stale"}""", etag))).AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        var unconditional = await (await api.Editor.SendAsync(PreviewOf(id, """{"title":"Without If-Match"}"""))).ReadJsonAsync();
        Assert.Equal(2, unconditional.GetProperty("baseVersion").GetInt32());
    }

    [Fact]
    public async Task Unsaved_changes_are_checked_as_a_save_would_check_them()
    {
        var (article, _) = await api.CreateAsync(new { title = "Checked preview", categorySlug = "visas" });
        var id = article.GetProperty("id").GetInt64();
        var (other, _) = await api.CreateAsync(new { title = "Slug holder", slug = "slug-holder-for-previews", categorySlug = "visas" });
        var previewsBefore = await api.ScalarAsync<long>("SELECT count(*) FROM article_previews");

        var invalid = await (await api.Editor.SendAsync(PreviewOf(id, """{"title":"","categorySlug":"no-such-category"}"""))).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(invalid.ErrorsFor("title"));
        var unknownCategory = await (await api.Editor.SendAsync(PreviewOf(id, """{"categorySlug":"no-such-category"}"""))).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(unknownCategory.ErrorsFor("categorySlug"));
        await (await api.Editor.SendAsync(PreviewOf(id, """{"slug":"slug-holder-for-previews"}"""))).AssertProblemAsync(HttpStatusCode.Conflict);
        await (await api.Editor.SendAsync(PreviewOf(id, """{"title":"x"}""", contentType: "application/json"))).AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
        await (await api.Editor.SendAsync(PreviewOf(id, """{"title":"""))).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await api.Editor.SendAsync(PreviewOf(id, """["title"]"""))).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await api.Editor.SendAsync(PreviewOf(id, """{"title":"A","title":"B"}"""))).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await api.Editor.SendAsync(PreviewOf(999999999, """{"title":"Nobody"}"""))).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await api.Public.SendAsync(PreviewOf(id, """{"title":"Anonymous"}"""))).AssertProblemAsync(HttpStatusCode.Unauthorized);

        Assert.Equal(previewsBefore, await api.ScalarAsync<long>("SELECT count(*) FROM article_previews"));
        Assert.Equal(1, await api.ScalarAsync<int>("SELECT version FROM articles WHERE id = @id", new { id }));
        Assert.Equal("slug-holder-for-previews", (await (await api.Editor.GetAsync($"/v1/articles/{other.GetProperty("id").GetInt64()}")).ReadJsonAsync()).GetProperty("slug").GetString());
    }
}
