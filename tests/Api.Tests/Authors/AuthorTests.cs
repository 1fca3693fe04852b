using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Api.Tests.Editorial;
using Api.Tests.Infrastructure;

namespace Api.Tests.Authors;

public sealed class AuthorTests(EditorialFixture api) : IClassFixture<EditorialFixture>
{
    private async Task<(JsonElement Author, System.Net.Http.Headers.EntityTagHeaderValue ETag)> CreateAsync(object author)
    {
        var response = await api.Editor.PostAsJsonAsync("/v1/authors", author);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.ReadJsonAsync(), response.Headers.ETag!);
    }

    [Fact]
    public async Task An_author_is_created_read_by_anyone_without_the_email_and_listed_by_name()
    {
        var (author, _) = await CreateAsync(new
        {
            name = "Zhang Wei", title = "Beijing correspondent", bio = "Covers diplomacy.", email = "zhang.wei@example.com",
            links = new[] { new { label = "Website", url = "https://zhangwei.example.com" } },
        });
        Assert.Equal("zhang-wei", author.GetProperty("slug").GetString());
        Assert.Equal("zhang.wei@example.com", author.GetProperty("email").GetString());

        var read = await api.Public.GetAsync("/v1/authors/zhang-wei");
        var shown = await read.ReadJsonAsync();
        Assert.Equal("Beijing correspondent", shown.GetProperty("title").GetString());
        Assert.Equal(JsonValueKind.Null, shown.GetProperty("email").ValueKind);
        Assert.Equal("https://zhangwei.example.com", shown.GetProperty("links")[0].GetProperty("url").GetString());
        var asEditor = await (await api.Editor.GetAsync("/v1/authors/zhang-wei")).ReadJsonAsync();
        Assert.Equal("zhang.wei@example.com", asEditor.GetProperty("email").GetString());

        await CreateAsync(new { name = "Anna Abbott" });
        var seen = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var page = await (await api.Public.GetAsync("/v1/authors?limit=1" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)))).ReadJsonAsync();
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(a => a.Clone()));
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        var names = seen.Select(a => a.GetProperty("name").GetString()!).ToList();
        Assert.Equal(names.Order(StringComparer.OrdinalIgnoreCase), names);
        Assert.Contains("Anna Abbott", names);
        Assert.Contains("Zhang Wei", names);
        Assert.All(seen, a => Assert.Equal(JsonValueKind.Null, a.GetProperty("email").ValueKind));
    }

    [Fact]
    public async Task Articles_name_their_authors_in_order_and_lists_filter_by_author()
    {
        var (first, _) = await CreateAsync(new { name = "Li Na", title = "Reporter" });
        var (second, _) = await CreateAsync(new { name = "Omar Haddad" });
        var ids = new[] { second.GetProperty("id").GetInt64(), first.GetProperty("id").GetInt64() };

        var created = await api.Editor.PostAsJsonAsync("/v1/articles", new
        {
            title = "Talks resume", categorySlug = "visas", bodyHtml = "<p>Talks.</p>", status = "published", byline = "With Xinhua", authorIds = ids,
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var article = await created.ReadJsonAsync();
        Assert.Equal(["omar-haddad", "li-na"], article.GetProperty("authors").EnumerateArray().Select(a => a.GetProperty("slug").GetString()));
        Assert.Equal("With Xinhua", article.GetProperty("byline").GetString());

        var byAuthor = await (await api.Public.GetAsync("/v1/articles?author=li-na")).ReadJsonAsync();
        Assert.Equal(["Talks resume"], byAuthor.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("title").GetString()));
        var page = await (await api.Public.GetAsync("/v1/authors/omar-haddad/articles")).ReadJsonAsync();
        Assert.Single(page.GetProperty("items").EnumerateArray());
        Assert.Equal(2, page.GetProperty("items")[0].GetProperty("authors").GetArrayLength());
        await (await api.Public.GetAsync("/v1/authors/nobody-here/articles")).AssertProblemAsync(HttpStatusCode.NotFound);
        var rss = System.Xml.Linq.XDocument.Parse(await api.Public.GetStringAsync("/feeds/authors/li-na/rss.xml"));
        Assert.Equal(["Talks resume"], rss.Descendants("item").Select(i => i.Element("title")!.Value));
        var jsonFeed = JsonDocument.Parse(await api.Public.GetStringAsync("/feeds/authors/omar-haddad/feed.json")).RootElement;
        Assert.Single(jsonFeed.GetProperty("items").EnumerateArray());
        await (await api.Public.GetAsync("/feeds/authors/nobody-here/atom.xml")).AssertProblemAsync(HttpStatusCode.NotFound);

        var articleSlug = article.GetProperty("slug").GetString();
        var ninjs = JsonDocument.Parse(await api.Public.GetStringAsync($"/v1/articles/{articleSlug}/ninjs")).RootElement;
        Assert.Equal(["Omar Haddad", "Li Na"], ninjs.GetProperty("people").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        Assert.Equal("https://news.example.com/authors/li-na", ninjs.GetProperty("people")[1].GetProperty("uri").GetString());
        Assert.Equal("With Xinhua", ninjs.GetProperty("by").GetString());
        var meta = await (await api.Public.GetAsync($"/v1/articles/{articleSlug}/meta")).ReadJsonAsync();
        var authorsTags = meta.GetProperty("openGraph").EnumerateArray()
            .Where(t => t.GetProperty("property").GetString() == "article:author").Select(t => t.GetProperty("content").GetString()).ToList();
        Assert.Equal(["https://news.example.com/authors/omar-haddad", "https://news.example.com/authors/li-na", "With Xinhua"], authorsTags);

        var articleId = article.GetProperty("id").GetInt64();
        var patched = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Patch, $"/v1/articles/{articleId}", """{"summary":"Kept authors"}""", created.Headers.ETag, "application/merge-patch+json"));
        Assert.Equal(2, (await patched.ReadJsonAsync()).GetProperty("authors").GetArrayLength());

        var read = await api.Editor.GetAsync("/v1/authors/li-na");
        await (await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Delete, "/v1/authors/li-na", null, read.Headers.ETag)))
            .AssertProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Renaming_an_author_shows_in_their_articles()
    {
        var (author, etag) = await CreateAsync(new { name = "Maria Silva" });
        var created = await api.Editor.PostAsJsonAsync("/v1/articles", new
        {
            title = "Rename shows", categorySlug = "visas", bodyHtml = "<p>x</p>", status = "published", authorIds = new[] { author.GetProperty("id").GetInt64() },
        });
        var slug = (await created.ReadJsonAsync()).GetProperty("slug").GetString();
        await api.Public.GetAsync($"/v1/articles/{slug}");

        var renamed = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Patch, "/v1/authors/maria-silva", """{"name":"Maria Silva Santos"}""", etag, "application/merge-patch+json"));
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);

        var article = await (await api.Public.GetAsync($"/v1/articles/{slug}")).ReadJsonAsync();
        Assert.Equal("Maria Silva Santos", article.GetProperty("authors")[0].GetProperty("name").GetString());
        await (await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Patch, "/v1/authors/maria-silva", """{"name":"Lost"}""", etag, "application/merge-patch+json")))
            .AssertProblemAsync(HttpStatusCode.PreconditionFailed);
    }

    [Fact]
    public async Task A_byline_change_is_an_update_of_each_article_for_partners_and_webhooks()
    {
        var (author, etag) = await CreateAsync(new { name = "Kenji Sato", bio = "Tokyo." });
        var authorIds = new[] { author.GetProperty("id").GetInt64() };
        var first = await (await api.Editor.PostAsJsonAsync("/v1/articles", new { title = "Sato one", categorySlug = "visas", status = "published", authorIds })).ReadJsonAsync();
        var second = await (await api.Editor.PostAsJsonAsync("/v1/articles", new { title = "Sato two", categorySlug = "visas", authorIds })).ReadJsonAsync();
        long[] ids = [first.GetProperty("id").GetInt64(), second.GetProperty("id").GetInt64()];
        var before = await api.ScalarAsync<long>("SELECT last FROM change_sequence");

        // The bio is not shown in articles: nothing of theirs changes.
        var bio = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Patch, "/v1/authors/kenji-sato", """{"bio":"Tokyo bureau chief."}""", etag, "application/merge-patch+json"));
        Assert.Equal(before, await api.ScalarAsync<long>("SELECT last FROM change_sequence"));

        var renamed = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Patch, "/v1/authors/kenji-sato", """{"name":"Kenji Satō","title":"Tokyo bureau chief"}""", bio.Headers.ETag, "application/merge-patch+json"));
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);

        var changes = await api.QueryAsync<(long EntityId, string Kind, bool VisibleAfter)>(
            "SELECT entity_id, kind, visible_after FROM changes WHERE seq > @before ORDER BY seq", new { before });
        Assert.Equal(ids.Select(id => (id, "updated")), changes.Select(c => (c.EntityId, c.Kind)));
        // The published article's change is an article.updated webhook; the draft's sends nothing.
        Assert.Equal([true, false], changes.Select(c => c.VisibleAfter));
        Assert.Equal([2, 2], await api.QueryAsync<int>("SELECT version FROM articles WHERE id = ANY(@ids) ORDER BY id", new { ids }));
        var revision = await api.ScalarAsync<long?>("SELECT key_id FROM article_revisions WHERE article_id = @id AND version = 2", new { id = ids[0] });
        Assert.NotNull(revision);

        var article = await (await api.Public.GetAsync($"/v1/articles/{ids[0]}")).ReadJsonAsync();
        Assert.Equal("Kenji Satō", article.GetProperty("authors")[0].GetProperty("name").GetString());
        Assert.Equal("Tokyo bureau chief", article.GetProperty("authors")[0].GetProperty("title").GetString());
    }

    [Fact]
    public async Task Bad_input_is_refused_and_writes_need_content_write()
    {
        var problem = await (await api.Editor.PostAsJsonAsync("/v1/authors", new
        {
            name = "", slug = "Bad Slug", email = "not-an-address", links = new[] { new { label = "x", url = "javascript:alert(1)" } }, photoMediumId = -1,
        })).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.ErrorsFor("name"));
        Assert.NotEmpty(problem.ErrorsFor("slug"));
        Assert.NotEmpty(problem.ErrorsFor("email"));
        Assert.NotEmpty(problem.ErrorsFor("photoMediumId"));

        var unknownPhoto = await (await api.Editor.PostAsJsonAsync("/v1/authors", new { name = "Photo Less", photoMediumId = 987654 })).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(unknownPhoto.ErrorsFor("photoMediumId"));
        await CreateAsync(new { name = "Same Slug" });
        await (await api.Editor.PostAsJsonAsync("/v1/authors", new { name = "Other", slug = "same-slug" })).AssertProblemAsync(HttpStatusCode.Conflict);

        var unknownAuthor = await api.Editor.PostAsJsonAsync("/v1/articles", new { title = "Ghost author", categorySlug = "visas", authorIds = new[] { 987654321L } });
        Assert.NotEmpty((await unknownAuthor.AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorsFor("authorIds"));
        var repeated = await api.Editor.PostAsJsonAsync("/v1/articles", new { title = "Twice", categorySlug = "visas", authorIds = new[] { 1L, 1L } });
        Assert.NotEmpty((await repeated.AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorsFor("authorIds"));

        await (await api.Public.PostAsJsonAsync("/v1/authors", new { name = "Anonymous" })).AssertProblemAsync(HttpStatusCode.Unauthorized);
        var partner = api.CreateClient(await api.CreateKeyAsync("partner"));
        await (await partner.PostAsJsonAsync("/v1/authors", new { name = "Partner" })).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await api.Public.GetAsync("/v1/authors/Bad_Slug")).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await api.Public.GetAsync("/v1/authors/no-such-author")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await api.Public.GetAsync("/v1/authors?limit=0")).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await api.Public.GetAsync("/v1/articles?author=Not_A_Slug")).AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task An_idempotency_key_makes_creating_an_author_safe_to_retry()
    {
        HttpRequestMessage Create(string key, object body)
        {
            var request = EditorialFixture.Write(HttpMethod.Post, "/v1/authors", body, null);
            request.Headers.Add("Idempotency-Key", key);
            return request;
        }

        var key = $"author-{Guid.NewGuid():N}";
        var first = await api.Editor.SendAsync(Create(key, new { name = "Retry Person" }));
        var retry = await api.Editor.SendAsync(Create(key, new { name = "Retry Person" }));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await retry.Content.ReadAsStringAsync());
        Assert.Equal(first.Headers.ETag, retry.Headers.ETag);
        Assert.Equal(1, await api.ScalarAsync<long>("SELECT count(*) FROM authors WHERE name = 'Retry Person'"));

        await (await api.Editor.SendAsync(Create(key, new { name = "Someone Else" }))).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        var malformed = await (await api.Editor.SendAsync(Create("bad key with spaces", new { name = "Spaced Key" }))).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(malformed.ErrorsFor("Idempotency-Key"));
        Assert.Equal(0, await api.ScalarAsync<long>("SELECT count(*) FROM authors WHERE name IN ('Someone Else', 'Spaced Key')"));
    }

    [Fact]
    public async Task Every_version_of_an_author_is_kept_and_can_be_restored()
    {
        var (author, etag) = await CreateAsync(new { name = "Ada Okafor", title = "Lagos correspondent", bio = "First bio." });
        var changed = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Patch, "/v1/authors/ada-okafor", """{"title":"Africa editor","bio":"Second bio."}""", etag, "application/merge-patch+json"));
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);

        var revisions = await (await api.Editor.GetAsync("/v1/authors/ada-okafor/revisions")).ReadJsonAsync();
        var items = revisions.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([2, 1], items.Select(i => i.GetProperty("version").GetInt32()));
        Assert.Equal(["updated", "created"], items.Select(i => i.GetProperty("change").GetString()));
        Assert.Equal("Lagos correspondent", items[1].GetProperty("author").GetProperty("title").GetString());
        Assert.NotEqual(JsonValueKind.Null, items[1].GetProperty("keyId").ValueKind);

        await (await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Post, "/v1/authors/ada-okafor/revisions/1/restore", null, null)))
            .AssertProblemAsync((HttpStatusCode)428);
        await (await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Post, "/v1/authors/ada-okafor/revisions/1/restore", null, etag)))
            .AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        await (await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Post, "/v1/authors/ada-okafor/revisions/9/restore", null, changed.Headers.ETag)))
            .AssertProblemAsync(HttpStatusCode.NotFound);
        await (await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Post, "/v1/authors/ada-okafor/revisions/x/restore", null, changed.Headers.ETag)))
            .AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await api.Editor.GetAsync("/v1/authors/nobody-here/revisions")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await api.Public.GetAsync("/v1/authors/ada-okafor/revisions")).AssertProblemAsync(HttpStatusCode.Unauthorized);

        var restored = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Post, "/v1/authors/ada-okafor/revisions/1/restore", null, changed.Headers.ETag));
        var body = await restored.ReadJsonAsync();
        Assert.Equal(3, body.GetProperty("version").GetInt32());
        Assert.Equal("Lagos correspondent", body.GetProperty("title").GetString());
        Assert.Equal("First bio.", body.GetProperty("bio").GetString());
        var latest = (await (await api.Editor.GetAsync("/v1/authors/ada-okafor/revisions")).ReadJsonAsync()).GetProperty("items")[0];
        Assert.Equal("revision-restored", latest.GetProperty("change").GetString());
    }
}
