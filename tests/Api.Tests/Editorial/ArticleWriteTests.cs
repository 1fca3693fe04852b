using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Api.Tests.Infrastructure;

namespace Api.Tests.Editorial;

public sealed class ArticleWriteTests(EditorialFixture api) : IClassFixture<EditorialFixture>
{
    [Fact]
    public async Task Create_answers_201_with_Location_and_ETag_and_a_draft_stays_private()
    {
        var response = await api.Editor.PostAsJsonAsync("/v1/articles", new
        {
            title = "Ambassador meets students",
            summary = "A visit to the university.",
            bodyHtml = "<p>The ambassador met <strong>students</strong>.</p><p>They talked.</p>",
            categorySlug = "embassy-news",
            tags = new[] { "Education", "Students" },
        });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var article = await response.ReadJsonAsync();
        var id = article.GetProperty("id").GetInt64();
        Assert.Equal($"/v1/articles/{id}", response.Headers.Location?.OriginalString);
        Assert.StartsWith("\"1-", response.Headers.ETag!.Tag);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal("ambassador-meets-students", article.GetProperty("slug").GetString());
        Assert.Equal("draft", article.GetProperty("status").GetString());
        Assert.Equal(1, article.GetProperty("version").GetInt32());
        Assert.Equal("The ambassador met students.\n\nThey talked.", article.GetProperty("bodyText").GetString());
        Assert.Equal(["education", "students"], article.GetProperty("tags").EnumerateArray().Select(t => t.GetProperty("slug").GetString()));

        await (await api.Public.GetAsync($"/v1/articles/{id}")).AssertProblemAsync(HttpStatusCode.NotFound);
        var editorView = await api.Editor.GetAsync($"/v1/articles/{id}");
        Assert.Equal(HttpStatusCode.OK, editorView.StatusCode);
        Assert.Equal(response.Headers.ETag, editorView.Headers.ETag);
        Assert.True(editorView.Headers.CacheControl?.Private);
    }

    [Fact]
    public async Task A_published_article_is_public_at_once_and_a_scheduled_one_at_its_time()
    {
        var (published, _) = await api.CreateAsync(new { title = "Published now", categorySlug = "china-news", status = "published" });
        Assert.Equal(HttpStatusCode.OK, (await api.Public.GetAsync($"/v1/articles/{published.GetProperty("slug").GetString()}")).StatusCode);

        var (scheduled, _) = await api.CreateAsync(new
        {
            title = "Scheduled for later", categorySlug = "china-news", status = "scheduled", publishedAt = DateTimeOffset.UtcNow.AddDays(1),
        });
        Assert.Equal("scheduled", scheduled.GetProperty("status").GetString());
        await (await api.Public.GetAsync($"/v1/articles/{scheduled.GetProperty("id").GetInt64()}")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("习近平会见美国总统", "xi-jin-ping-hui-jian-mei-guo-zong-tong")]
    [InlineData("Élysée : visite d’État", "elysee-visite-d-etat")]
    [InlineData("？！…", "article")]
    [InlineData("🎉 Celebrations", "tada-celebrations")]
    public async Task Slugs_come_from_titles_in_any_script(string title, string expectedPrefix)
    {
        var (article, _) = await api.CreateAsync(new { title, categorySlug = "china-news" });
        Assert.StartsWith(expectedPrefix, article.GetProperty("slug").GetString());
    }

    [Fact]
    public async Task A_repeated_title_gets_a_free_slug_and_a_taken_slug_is_409()
    {
        var (first, _) = await api.CreateAsync(new { title = "Consular notice", categorySlug = "visas" });
        var (second, _) = await api.CreateAsync(new { title = "Consular notice", categorySlug = "visas" });
        Assert.Equal("consular-notice", first.GetProperty("slug").GetString());
        Assert.Equal("consular-notice-2", second.GetProperty("slug").GetString());

        var taken = await api.Editor.PostAsJsonAsync("/v1/articles", new { title = "Other", slug = "consular-notice", categorySlug = "visas" });
        await taken.AssertProblemAsync(HttpStatusCode.Conflict);
        var legacy = await api.Editor.PostAsJsonAsync("/v1/articles", new { title = "Other", slug = "t1453741", categorySlug = "visas" });
        await legacy.AssertProblemAsync(HttpStatusCode.Conflict);
        var reserved = await api.Editor.PostAsJsonAsync("/v1/articles", new { title = "Other", slug = "most-shared", categorySlug = "visas" });
        await reserved.AssertProblemAsync(HttpStatusCode.Conflict);
        var (mostShared, _) = await api.CreateAsync(new { title = "Most shared", categorySlug = "visas" });
        Assert.Equal("most-shared-2", mostShared.GetProperty("slug").GetString());
    }

    [Fact]
    public async Task Invalid_fields_are_all_listed_in_one_400_and_nothing_is_written()
    {
        var before = await api.ScalarAsync<long>("SELECT count(*) FROM articles");

        var response = await api.Editor.PostAsJsonAsync("/v1/articles", new
        {
            title = "",
            slug = "Not A Slug",
            language = "english",
            categoryId = 1,
            categorySlug = "china-news",
            status = "live",
            publishedAt = "1850-01-01T00:00:00Z",
            tags = new[] { "" },
            image = new { url = "javascript:alert(1)" },
            byline = new string('b', 201),
        });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        var fields = problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order().ToList();
        Assert.Equal(["byline", "categoryId", "image.url", "language", "publishedAt", "slug", "status", "tags", "title"], fields);
        Assert.Equal(before, await api.ScalarAsync<long>("SELECT count(*) FROM articles"));
    }

    [Theory]
    [InlineData("""{"title":"x","categorySlug":"no-such-category"}""", "categorySlug")]
    [InlineData("""{"title":"x","categoryId":987654}""", "categoryId")]
    [InlineData("""{"title":"x","categorySlug":"visas","translationOf":987654}""", "translationOf")]
    [InlineData("""{"title":"x","categorySlug":"visas","status":"scheduled","publishedAt":"2001-01-01T00:00:00Z"}""", "publishedAt")]
    [InlineData("""{"title":"x"}""", "categoryId")]
    public async Task References_to_nothing_are_400_naming_the_field(string json, string field)
    {
        var response = await api.Editor.PostAsync("/v1/articles", new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.NotEmpty((await response.AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorsFor(field));
    }

    [Theory]
    [InlineData("""{"title":"x","categorySlug":"visas","colour":"red"}""")]
    [InlineData("""{"title":"x","title":"y","categorySlug":"visas"}""")]
    [InlineData("""{"title":"x","categorySlug":"visas","publishedAt":"yesterday"}""")]
    [InlineData("""{"title":"x","categorySlug":"visas","tags":"one"}""")]
    [InlineData("""[]""")]
    [InlineData("""{"title":""")]
    public async Task Unreadable_or_unexpected_JSON_is_400(string json)
    {
        var response = await api.Editor.PostAsync("/v1/articles", new StringContent(json, Encoding.UTF8, "application/json"));
        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Replace_needs_If_Match_428_rejects_a_stale_one_412_and_accepts_the_current_one()
    {
        var (article, etag) = await api.CreateAsync(new { title = "Original title", categorySlug = "visas" });
        var path = $"/v1/articles/{article.GetProperty("id").GetInt64()}";
        var replacement = new { title = "New title", categorySlug = "visas" };

        await (await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Put, path, replacement, null))).AssertProblemAsync((HttpStatusCode)428);

        var ok = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Put, path, replacement, etag));
        var updated = await ok.ReadJsonAsync();
        Assert.Equal(2, updated.GetProperty("version").GetInt32());
        Assert.Equal("New title", updated.GetProperty("title").GetString());
        Assert.Equal("original-title", updated.GetProperty("slug").GetString());

        var stale = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Put, path, new { title = "Lost update", categorySlug = "visas" }, etag));
        var problem = await stale.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal(2, problem.GetProperty("currentVersion").GetInt32());
        Assert.Equal("New title", (await (await api.Editor.GetAsync(path)).ReadJsonAsync()).GetProperty("title").GetString());

        var weak = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Put, path, replacement, new EntityTagHeaderValue(ok.Headers.ETag!.Tag, isWeak: true)));
        await weak.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
    }

    [Fact]
    public async Task Two_editors_racing_on_the_same_version_one_wins_the_other_gets_412()
    {
        var (article, etag) = await api.CreateAsync(new { title = "Race", categorySlug = "visas" });
        var path = $"/v1/articles/{article.GetProperty("id").GetInt64()}";

        var attempts = await Task.WhenAll(Enumerable.Range(1, 8).Select(n =>
            api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Put, path, new { title = $"Editor {n}", categorySlug = "visas" }, etag))));

        Assert.Single(attempts, r => r.StatusCode == HttpStatusCode.OK);
        Assert.Equal(7, attempts.Count(r => r.StatusCode == HttpStatusCode.PreconditionFailed));
        var winner = await attempts.Single(r => r.StatusCode == HttpStatusCode.OK).ReadJsonAsync();
        var stored = await (await api.Editor.GetAsync(path)).ReadJsonAsync();
        Assert.Equal(winner.GetProperty("title").GetString(), stored.GetProperty("title").GetString());
        Assert.Equal(2, stored.GetProperty("version").GetInt32());
        Assert.Equal(2, await api.ScalarAsync<long>("SELECT count(*) FROM article_revisions WHERE article_id = @id", new { id = article.GetProperty("id").GetInt64() }));
    }

    [Fact]
    public async Task A_new_slug_keeps_the_old_one_as_a_301()
    {
        var (article, etag) = await api.CreateAsync(new { title = "Old headline", categorySlug = "visas", status = "published" });
        var id = article.GetProperty("id").GetInt64();

        var renamed = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Put, $"/v1/articles/{id}", new { title = "New headline", slug = "new-headline", categorySlug = "visas" }, etag));
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);

        var redirect = await api.Public.GetAsync("/v1/articles/old-headline");
        Assert.Equal(HttpStatusCode.MovedPermanently, redirect.StatusCode);
        Assert.Equal("/v1/articles/new-headline", redirect.Headers.Location?.OriginalString);
        var current = await (await api.Public.GetAsync("/v1/articles/new-headline?include=previousSlugs")).ReadJsonAsync();
        Assert.Equal(["old-headline"], current.GetProperty("previousSlugs").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task Patch_changes_only_what_it_names_and_null_clears()
    {
        var (article, etag) = await api.CreateAsync(new { title = "Patch me", byline = "Staff", summary = "Keep this", categorySlug = "visas", tags = new[] { "one" } });
        var path = $"/v1/articles/{article.GetProperty("id").GetInt64()}";

        var response = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Patch, path, """{"title":"Patched","byline":null,"categorySlug":"visa-fees"}""", etag, "application/merge-patch+json"));

        var patched = await response.ReadJsonAsync();
        Assert.Equal("Patched", patched.GetProperty("title").GetString());
        Assert.Equal("Keep this", patched.GetProperty("summary").GetString());
        Assert.Equal(JsonValueKind.Null, patched.GetProperty("byline").ValueKind);
        Assert.Equal("visa-fees", patched.GetProperty("category").GetProperty("slug").GetString());
        Assert.Equal(["one"], patched.GetProperty("tags").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task Patch_rejects_other_content_types_unknown_members_and_invalid_results()
    {
        var (article, etag) = await api.CreateAsync(new { title = "Strict patch", categorySlug = "visas" });
        var path = $"/v1/articles/{article.GetProperty("id").GetInt64()}";

        await (await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Patch, path, """{"title":"x"}""", etag))).AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
        await (await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Patch, path, """{"titel":"x"}""", etag, "application/merge-patch+json"))).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Patch, path, """{"title":"x",""", etag, "application/merge-patch+json"))).AssertProblemAsync(HttpStatusCode.BadRequest);
        var invalid = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Patch, path, """{"title":null}""", etag, "application/merge-patch+json"));
        Assert.NotEmpty((await invalid.AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorsFor("title"));
        await (await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Patch, path, """{"title":"x"}""", null, "application/merge-patch+json"))).AssertProblemAsync((HttpStatusCode)428);

        var stored = await (await api.Editor.GetAsync(path)).ReadJsonAsync();
        Assert.Equal(1, stored.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task Delete_hides_the_article_everywhere_and_restore_brings_it_back()
    {
        var (article, etag) = await api.CreateAsync(new { title = "Soon deleted", categorySlug = "visas", status = "published" });
        var id = article.GetProperty("id").GetInt64();
        var path = $"/v1/articles/{id}";

        var deleted = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Delete, path, null, etag));
        var view = await deleted.ReadJsonAsync();
        Assert.NotEqual(JsonValueKind.Null, view.GetProperty("deletedAt").ValueKind);
        await (await api.Public.GetAsync(path)).AssertProblemAsync(HttpStatusCode.NotFound);
        var list = await (await api.Public.GetAsync("/v1/articles?category=visas&limit=100&fields=id")).ReadJsonAsync();
        Assert.DoesNotContain(list.GetProperty("items").EnumerateArray(), i => i.GetProperty("id").GetInt64() == id);
        await (await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Delete, path, null, deleted.Headers.ETag))).AssertProblemAsync(HttpStatusCode.Conflict);

        var restored = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Post, path + "/restore", null, deleted.Headers.ETag));
        Assert.Equal(HttpStatusCode.OK, restored.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.Public.GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task Publish_unpublish_and_archive_change_what_the_public_sees()
    {
        var (article, etag) = await api.CreateAsync(new { title = "Lifecycle", categorySlug = "visas" });
        var path = $"/v1/articles/{article.GetProperty("id").GetInt64()}";

        var published = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Post, path + "/publish", null, etag));
        Assert.Equal("published", (await published.ReadJsonAsync()).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, (await api.Public.GetAsync(path)).StatusCode);

        var unpublished = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Post, path + "/unpublish", null, published.Headers.ETag));
        Assert.Equal("draft", (await unpublished.ReadJsonAsync()).GetProperty("status").GetString());
        await (await api.Public.GetAsync(path)).AssertProblemAsync(HttpStatusCode.NotFound);

        var archived = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Post, path + "/archive", null, unpublished.Headers.ETag));
        Assert.Equal("archived", (await archived.ReadJsonAsync()).GetProperty("status").GetString());
        await (await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Post, path + "/publish", null, published.Headers.ETag))).AssertProblemAsync(HttpStatusCode.PreconditionFailed);
    }

    [Fact]
    public async Task Write_endpoints_reject_bad_ids()
    {
        var put = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Put, "/v1/articles/Not%20Valid", new { title = "x", categorySlug = "visas" }, new EntityTagHeaderValue("\"1-x\"")));
        Assert.NotEmpty((await put.AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorsFor("idOrSlug"));
        var unknownSlug = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Put, "/v1/articles/no-such-article", new { title = "x", categorySlug = "visas" }, new EntityTagHeaderValue("\"1-x\"")));
        await unknownSlug.AssertProblemAsync(HttpStatusCode.NotFound);
        var missing = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Put, "/v1/articles/987654", new { title = "x", categorySlug = "visas" }, new EntityTagHeaderValue("\"1-x\"")));
        await missing.AssertProblemAsync(HttpStatusCode.NotFound);
        var publish = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Post, "/v1/articles/0/publish", null, new EntityTagHeaderValue("\"1-x\"")));
        await publish.AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Translations_link_both_ways()
    {
        var (english, _) = await api.CreateAsync(new { title = "Trade talks", categorySlug = "economy-and-trade", status = "published" });
        var (chinese, _) = await api.CreateAsync(new
        {
            title = "贸易谈判", language = "zh-Hans", categorySlug = "economy-and-trade", status = "published", translationOf = english.GetProperty("id").GetInt64(),
        });

        var englishNow = await (await api.Public.GetAsync($"/v1/articles/{english.GetProperty("id").GetInt64()}")).ReadJsonAsync();
        Assert.Equal(chinese.GetProperty("slug").GetString(), Assert.Single(englishNow.GetProperty("translations").EnumerateArray()).GetProperty("slug").GetString());
        Assert.Equal("en", Assert.Single(chinese.GetProperty("translations").EnumerateArray()).GetProperty("language").GetString());
    }
}
