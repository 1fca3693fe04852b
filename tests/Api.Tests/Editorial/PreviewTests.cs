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
}
