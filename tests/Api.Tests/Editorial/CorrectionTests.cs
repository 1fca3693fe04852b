using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Api.Tests.Infrastructure;

namespace Api.Tests.Editorial;

public sealed class CorrectionTests(EditorialFixture api) : IClassFixture<EditorialFixture>
{
    private static HttpRequestMessage Correct(long id, object body, System.Net.Http.Headers.EntityTagHeaderValue? etag) =>
        EditorialFixture.Write(HttpMethod.Post, $"/v1/articles/{id}/corrections", body, etag);

    [Fact]
    public async Task Corrections_and_updates_show_in_order_and_move_contentModifiedAt_but_not_for_other_writes()
    {
        var (article, etag) = await api.CreateAsync(new { title = "Talks dated", categorySlug = "visas", status = "published", bodyHtml = "<p>On May 3.</p>" });
        var id = article.GetProperty("id").GetInt64();
        Assert.Equal(JsonValueKind.Null, article.GetProperty("contentModifiedAt").ValueKind);

        var tagged = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Patch, $"/v1/articles/{id}", """{"tags":["Talks"]}""", etag, "application/merge-patch+json"));
        Assert.Equal(JsonValueKind.Null, (await tagged.ReadJsonAsync()).GetProperty("contentModifiedAt").ValueKind);

        var corrected = await api.Editor.SendAsync(Correct(id, new { kind = "correction", text = "An earlier version misstated the date of the talks." }, tagged.Headers.ETag));
        Assert.Equal(HttpStatusCode.OK, corrected.StatusCode);
        var updated = await api.Editor.SendAsync(Correct(id, new { kind = "update", text = "The ministry has since confirmed the talks." }, corrected.Headers.ETag));
        var body = await updated.ReadJsonAsync();

        Assert.Equal(["correction", "update"], body.GetProperty("corrections").EnumerateArray().Select(c => c.GetProperty("kind").GetString()));
        Assert.Equal("An earlier version misstated the date of the talks.", body.GetProperty("corrections")[0].GetProperty("text").GetString());
        Assert.NotEqual(JsonValueKind.Null, body.GetProperty("contentModifiedAt").ValueKind);
        var publicView = await (await api.Public.GetAsync($"/v1/articles/{id}")).ReadJsonAsync();
        Assert.Equal(2, publicView.GetProperty("corrections").GetArrayLength());

        var stale = await api.Editor.SendAsync(Correct(id, new { kind = "update", text = "Late." }, corrected.Headers.ETag));
        await stale.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
    }

    [Fact]
    public async Task A_correction_needs_a_published_article_If_Match_a_kind_and_text()
    {
        var (draft, draftETag) = await api.CreateAsync(new { title = "Unpublished piece", categorySlug = "visas" });
        await (await api.Editor.SendAsync(Correct(draft.GetProperty("id").GetInt64(), new { kind = "correction", text = "x" }, draftETag)))
            .AssertProblemAsync(HttpStatusCode.Conflict);

        var (article, etag) = await api.CreateAsync(new { title = "Published piece", categorySlug = "visas", status = "published" });
        var id = article.GetProperty("id").GetInt64();
        await (await api.Editor.SendAsync(Correct(id, new { kind = "correction", text = "x" }, null))).AssertProblemAsync((HttpStatusCode)428);
        var invalid = await (await api.Editor.SendAsync(Correct(id, new { kind = "erratum", text = " " }, etag))).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(invalid.ErrorsFor("kind"));
        Assert.NotEmpty(invalid.ErrorsFor("text"));
        await (await api.Editor.SendAsync(Correct(id, new { kind = "update", text = new string('x', 2001) }, etag))).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await api.Editor.SendAsync(Correct(999999999, new { kind = "update", text = "x" }, etag))).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await api.Public.SendAsync(Correct(id, new { kind = "update", text = "x" }, etag))).AssertProblemAsync(HttpStatusCode.Unauthorized);

        var unchanged = await (await api.Public.GetAsync($"/v1/articles/{id}")).ReadJsonAsync();
        Assert.Equal(0, unchanged.GetProperty("corrections").GetArrayLength());
    }

    [Fact]
    public async Task A_correction_is_a_change_in_the_change_feed()
    {
        var partner = api.CreateClient(await api.CreateKeyAsync("partner"));
        var (article, etag) = await api.CreateAsync(new { title = "Feed correction", categorySlug = "visas", status = "published" });
        var id = article.GetProperty("id").GetInt64();
        var snapshot = await (await partner.GetAsync("/v1/changes?limit=100")).ReadJsonAsync();
        var token = snapshot.GetProperty("nextToken").GetString()!;
        while (snapshot.GetProperty("phase").GetString() == "snapshot")
        {
            snapshot = await (await partner.GetAsync($"/v1/changes?limit=100&since={Uri.EscapeDataString(token)}")).ReadJsonAsync();
            token = snapshot.GetProperty("nextToken").GetString()!;
        }

        Assert.Equal(HttpStatusCode.OK, (await api.Editor.SendAsync(Correct(id, new { kind = "correction", text = "Fixed a name." }, etag))).StatusCode);

        var changes = await (await partner.GetAsync($"/v1/changes?limit=100&since={Uri.EscapeDataString(token)}")).ReadJsonAsync();
        var kinds = changes.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("kind").GetString()).ToList();
        Assert.Contains("corrected", kinds);
    }

    [Fact]
    public async Task Feeds_mark_an_entry_updated_for_a_correction_but_not_for_a_retag()
    {
        var (article, etag) = await api.CreateAsync(new { title = "Feed correction story", categorySlug = "visas", status = "published" });
        var id = article.GetProperty("id").GetInt64();
        var url = article.GetProperty("canonicalUrl").GetString();
        async Task<(string Published, string Modified)> EntryAsync()
        {
            var feed = JsonDocument.Parse(await (await api.Public.GetAsync("/feeds/feed.json?limit=100")).Content.ReadAsStringAsync()).RootElement;
            var item = feed.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("url").GetString() == url);
            return (item.GetProperty("date_published").GetString()!, item.GetProperty("date_modified").GetString()!);
        }

        var fresh = await EntryAsync();
        Assert.Equal(fresh.Published, fresh.Modified);

        var retagged = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Patch, $"/v1/articles/{id}", """{"tags":["Filed later"]}""", etag, "application/merge-patch+json"));
        Assert.Equal(HttpStatusCode.OK, retagged.StatusCode);
        Assert.Equal(fresh, await EntryAsync());

        var corrected = await api.Editor.SendAsync(Correct(id, new { kind = "correction", text = "An earlier version misspelt a name." }, retagged.Headers.ETag));
        var body = await corrected.ReadJsonAsync();
        var afterCorrection = await EntryAsync();
        Assert.Equal(fresh.Published, afterCorrection.Published);
        Assert.Equal(body.GetProperty("contentModifiedAt").GetDateTimeOffset(), DateTimeOffset.Parse(afterCorrection.Modified, System.Globalization.CultureInfo.InvariantCulture), TimeSpan.FromSeconds(1));
        Assert.True(DateTimeOffset.Parse(afterCorrection.Modified, System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.Parse(fresh.Modified, System.Globalization.CultureInfo.InvariantCulture));
    }
}
