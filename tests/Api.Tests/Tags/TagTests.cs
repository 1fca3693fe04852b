using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Api.Tests.Editorial;
using Api.Tests.Infrastructure;

namespace Api.Tests.Tags;

public sealed class TagTests(EditorialFixture api) : IClassFixture<EditorialFixture>
{
    private static HttpRequestMessage Patch(string slug, string json, EntityTagHeaderValue? etag) =>
        EditorialFixture.Write(HttpMethod.Patch, $"/v1/tags/{slug}", json, etag, "application/merge-patch+json");

    private static HttpRequestMessage Merge(string slug, string into, EntityTagHeaderValue? etag) =>
        EditorialFixture.Write(HttpMethod.Post, $"/v1/tags/{slug}/merge", new { into }, etag);

    private async Task<long> PublishAsync(string title, params string[] tags) =>
        (await api.CreateAsync(new { title, categorySlug = "visas", status = "published", tags })).Article.GetProperty("id").GetInt64();

    private async Task<EntityTagHeaderValue> ETagOfAsync(string slug)
    {
        var response = await api.Editor.GetAsync($"/v1/tags/{slug}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Headers.ETag!;
    }

    private async Task<string[]> TagSlugsOfAsync(long article) =>
        (await (await api.Public.GetAsync($"/v1/articles/{article}")).ReadJsonAsync())
            .GetProperty("tags").EnumerateArray().Select(t => t.GetProperty("slug").GetString()!).ToArray();

    private static string[] Slugs(JsonElement list) =>
        list.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("slug").GetString()!).ToArray();

    [Fact]
    public async Task The_list_counts_published_articles_only_and_sorts_by_name_or_count()
    {
        await PublishAsync("Listed one", "Lister Beta", "lister alpha");
        await PublishAsync("Listed two", "Lister Beta");
        await api.CreateAsync(new { title = "Listed draft", categorySlug = "visas", tags = new[] { "Lister Gamma", "Lister Beta" } });

        var byName = await (await api.Public.GetAsync("/v1/tags?q=LISTER")).ReadJsonAsync();
        Assert.Equal(["lister-alpha", "lister-beta"], Slugs(byName));
        Assert.Equal([1L, 2L], byName.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("articleCount").GetInt64()));
        Assert.Equal("/v1/tags/lister-beta/articles", byName.GetProperty("items")[1].GetProperty("articlesUrl").GetString());
        Assert.Equal(JsonValueKind.Null, byName.GetProperty("nextCursor").ValueKind);

        var byCount = await (await api.Public.GetAsync("/v1/tags?q=lister&sort=-count")).ReadJsonAsync();
        Assert.Equal(["lister-beta", "lister-alpha"], Slugs(byCount));

        var all = await (await api.Public.GetAsync("/v1/tags?limit=100")).ReadJsonAsync();
        Assert.DoesNotContain("lister-gamma", Slugs(all));
        Assert.Contains("xi-jinping", Slugs(all));
    }

    [Fact]
    public async Task Pages_follow_the_cursor_without_repeating_or_skipping()
    {
        foreach (var name in new[] { "Pager A", "Pager B", "Pager C" })
        {
            await PublishAsync($"Paged {name}", name, "Pager Common");
        }

        foreach (var sort in new[] { "name", "-count" })
        {
            var seen = new List<string>();
            var url = $"/v1/tags?q=pager&limit=2&sort={sort}";
            while (true)
            {
                var response = await api.Public.GetAsync(url);
                var page = await response.ReadJsonAsync();
                seen.AddRange(Slugs(page));
                if (page.GetProperty("nextCursor").GetString() is not { } cursor)
                {
                    break;
                }

                Assert.Contains("rel=\"next\"", response.Headers.GetValues("Link").Single(), StringComparison.Ordinal);
                url = $"/v1/tags?q=pager&limit=2&sort={sort}&cursor={Uri.EscapeDataString(cursor)}";
            }

            Assert.Equal(sort == "name" ? ["pager-a", "pager-b", "pager-c", "pager-common"] : ["pager-common", "pager-a", "pager-b", "pager-c"], seen);
        }

        var first = await (await api.Public.GetAsync("/v1/tags?q=pager&limit=1")).ReadJsonAsync();
        var foreign = await api.Public.GetAsync($"/v1/tags?q=pager&limit=1&sort=-count&cursor={Uri.EscapeDataString(first.GetProperty("nextCursor").GetString()!)}");
        Assert.NotEmpty((await foreign.AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorsFor("cursor"));
    }

    [Theory]
    [InlineData("/v1/tags?sort=count", "sort")]
    [InlineData("/v1/tags?limit=0", "limit")]
    [InlineData("/v1/tags?limit=101", "limit")]
    [InlineData("/v1/tags?limit=abc", "limit")]
    [InlineData("/v1/tags?cursor=made-up", "cursor")]
    [InlineData("/v1/tags?page=2", "page")]
    [InlineData("/v1/tags/Not_A_Slug", "slug")]
    [InlineData("/v1/tags/xi-jinping/articles?limit=500", "limit")]
    [InlineData("/v1/tags/xi-jinping/articles?descendants=true", "descendants")]
    [InlineData("/feeds/tags/xi-jinping/rss.xml?content=all", "content")]
    public async Task Bad_query_parameters_are_400(string url, string field)
    {
        var problem = await (await api.Public.GetAsync(url)).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.ErrorsFor(field));
    }

    [Fact]
    public async Task One_tag_with_its_count_and_404s()
    {
        await PublishAsync("Single tag story", "Single Tag");
        await api.CreateAsync(new { title = "Secret draft", categorySlug = "visas", tags = new[] { "Embargoed Thing" } });

        var tag = await (await api.Public.GetAsync("/v1/tags/single-tag")).ReadJsonAsync();
        Assert.Equal("Single Tag", tag.GetProperty("name").GetString());
        Assert.Equal(1, tag.GetProperty("articleCount").GetInt64());
        Assert.Equal("/v1/tags/single-tag/articles", tag.GetProperty("articlesUrl").GetString());
        Assert.Equal(1, tag.GetProperty("version").GetInt32());

        await (await api.Public.GetAsync("/v1/tags/no-such-tag")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await api.Public.GetAsync("/v1/tags/no-such-tag/articles")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await api.Public.GetAsync("/feeds/tags/no-such-tag/rss.xml")).AssertProblemAsync(HttpStatusCode.NotFound);

        // A tag only a draft has is not shown to the public, nor its feed; editors see it.
        await (await api.Public.GetAsync("/v1/tags/embargoed-thing")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await api.Public.GetAsync("/feeds/tags/embargoed-thing/atom.xml")).AssertProblemAsync(HttpStatusCode.NotFound);
        var seen = await (await api.Editor.GetAsync("/v1/tags/embargoed-thing")).ReadJsonAsync();
        Assert.Equal(0, seen.GetProperty("articleCount").GetInt64());
    }

    [Fact]
    public async Task A_tag_lists_its_articles_and_has_feeds()
    {
        var tagged = await PublishAsync("Feedable tagged story", "Feedable", "Other Feedable");
        var untagged = await PublishAsync("Feedable untagged story", "Not Feedable");

        var list = await (await api.Public.GetAsync("/v1/tags/feedable/articles?fields=id,title&count=true")).ReadJsonAsync();
        Assert.Equal([tagged], list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64()));
        Assert.Equal(1, list.GetProperty("total").GetInt64());
        var narrowed = await (await api.Public.GetAsync("/v1/tags/feedable/articles?tag=not-feedable")).ReadJsonAsync();
        Assert.Equal(0, narrowed.GetProperty("items").GetArrayLength());

        foreach (var (file, type) in new[] { ("rss.xml", "application/rss+xml"), ("atom.xml", "application/atom+xml"), ("feed.json", "application/feed+json") })
        {
            var response = await api.Public.GetAsync($"/feeds/tags/feedable/{file}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
            var body = await response.Content.ReadAsStringAsync();
            Assert.Contains("Feedable tagged story", body, StringComparison.Ordinal);
            Assert.DoesNotContain("Feedable untagged story", body, StringComparison.Ordinal);
            Assert.Contains("Feedable", body, StringComparison.Ordinal);
        }

        Assert.NotEqual(tagged, untagged);
    }

    [Fact]
    public async Task Rename_needs_If_Match_and_the_old_slug_answers_301()
    {
        var article = await PublishAsync("Renamed tag story", "First Tag", "Old Name");
        var etag = await ETagOfAsync("old-name");

        await (await api.Editor.SendAsync(Patch("old-name", """{"name":"New Name"}""", null))).AssertProblemAsync((HttpStatusCode)428);
        var renamed = await api.Editor.SendAsync(Patch("old-name", """{"name":"New Name","slug":"new-name"}""", etag));
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        var tag = await renamed.ReadJsonAsync();
        Assert.Equal(("new-name", "New Name", 2), (tag.GetProperty("slug").GetString(), tag.GetProperty("name").GetString(), tag.GetProperty("version").GetInt32()));
        await (await api.Editor.SendAsync(Patch("new-name", """{"name":"Lost"}""", etag))).AssertProblemAsync(HttpStatusCode.PreconditionFailed);

        var moved = await api.Public.GetAsync("/v1/tags/old-name");
        Assert.Equal(HttpStatusCode.MovedPermanently, moved.StatusCode);
        Assert.Equal("/v1/tags/new-name", moved.Headers.Location?.OriginalString);
        var movedList = await api.Public.GetAsync("/v1/tags/old-name/articles?limit=5");
        Assert.Equal(HttpStatusCode.MovedPermanently, movedList.StatusCode);
        Assert.Equal("/v1/tags/new-name/articles?limit=5", movedList.Headers.Location?.OriginalString);
        var movedFeed = await api.Public.GetAsync("/feeds/tags/old-name/rss.xml");
        Assert.Equal(HttpStatusCode.MovedPermanently, movedFeed.StatusCode);
        Assert.Equal("/feeds/tags/new-name/rss.xml", movedFeed.Headers.Location?.OriginalString);

        Assert.Equal(["first-tag", "new-name"], await TagSlugsOfAsync(article));
        var revisions = await (await api.Editor.GetAsync($"/v1/articles/{article}/revisions")).ReadJsonAsync();
        Assert.Equal(2, revisions.GetProperty("items").GetArrayLength());

        // A slug another tag has, or had, is taken; renaming back to its own earlier slug is not.
        await (await api.Editor.SendAsync(Patch("new-name", """{"slug":"first-tag"}""", renamed.Headers.ETag))).AssertProblemAsync(HttpStatusCode.Conflict);
        var back = await api.Editor.SendAsync(Patch("new-name", """{"slug":"old-name"}""", renamed.Headers.ETag));
        Assert.Equal(HttpStatusCode.OK, back.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.Public.GetAsync("/v1/tags/old-name")).StatusCode);
        Assert.Equal(HttpStatusCode.MovedPermanently, (await api.Public.GetAsync("/v1/tags/new-name")).StatusCode);

        var invalid = await api.Editor.SendAsync(Patch("old-name", """{"name":"","slug":"Bad Slug"}""", back.Headers.ETag));
        var problem = await invalid.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["name", "slug"], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order());
    }

    [Fact]
    public async Task Merge_moves_the_articles_keeping_their_order_and_the_old_slug_answers_301()
    {
        var first = await PublishAsync("Merge story one", "Merge Source", "Merge Other");
        var second = await PublishAsync("Merge story two", "Merge Target", "Merge Other", "Merge Source");
        var third = await PublishAsync("Merge story three", "Merge Other", "Merge Source", "Merge Target");
        var untouched = await PublishAsync("Merge story four", "Merge Target");
        var sourceEtag = await ETagOfAsync("merge-source");
        var token = await ChangeTokenAsync();

        await (await api.Editor.SendAsync(Merge("merge-source", "merge-target", null))).AssertProblemAsync((HttpStatusCode)428);
        await (await api.Editor.SendAsync(Merge("merge-source", "merge-target", new EntityTagHeaderValue("\"99-x\"")))).AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        await (await api.Editor.SendAsync(Merge("merge-source", "merge-source", sourceEtag))).AssertProblemAsync(HttpStatusCode.Conflict);
        var unknown = await api.Editor.SendAsync(Merge("merge-source", "no-such-tag", sourceEtag));
        Assert.NotEmpty((await unknown.AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorsFor("into"));
        await (await api.Editor.SendAsync(Merge("no-such-tag", "merge-target", sourceEtag))).AssertProblemAsync(HttpStatusCode.NotFound);

        var merged = await api.Editor.SendAsync(Merge("merge-source", "merge-target", sourceEtag));
        Assert.Equal(HttpStatusCode.OK, merged.StatusCode);
        var target = await merged.ReadJsonAsync();
        Assert.Equal(("merge-target", 4L), (target.GetProperty("slug").GetString(), target.GetProperty("articleCount").GetInt64()));

        Assert.Equal(["merge-target", "merge-other"], await TagSlugsOfAsync(first));
        Assert.Equal(["merge-target", "merge-other"], await TagSlugsOfAsync(second));
        Assert.Equal(["merge-other", "merge-target"], await TagSlugsOfAsync(third));

        var moved = await api.Public.GetAsync("/v1/tags/merge-source");
        Assert.Equal(HttpStatusCode.MovedPermanently, moved.StatusCode);
        Assert.Equal("/v1/tags/merge-target", moved.Headers.Location?.OriginalString);
        await (await api.Editor.SendAsync(Merge("merge-source", "merge-other", sourceEtag))).AssertProblemAsync(HttpStatusCode.NotFound);

        // A filter by the merged tag's slug finds the articles under the tag it became.
        var filtered = await (await api.Public.GetAsync("/v1/articles?tag=merge-source&fields=id")).ReadJsonAsync();
        Assert.Equal(
            new[] { first, second, third, untouched }.Order(),
            filtered.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64()).Order());

        // Every article whose tags changed is in the change feed; the one that already had only the target is not.
        var changed = await ChangedSinceAsync(token);
        Assert.Equal(new[] { first, second, third }.Order(), changed.Order());

        // Tagging an article with the merged tag's name gives it the target.
        var again = await PublishAsync("Merge story five", "Merge Source");
        Assert.Equal(["merge-target"], await TagSlugsOfAsync(again));
    }

    [Fact]
    public async Task A_tag_cannot_merge_into_an_earlier_slug_of_itself()
    {
        await PublishAsync("Self merge story", "Self Merge");
        var renamed = await api.Editor.SendAsync(Patch("self-merge", """{"slug":"self-merged"}""", await ETagOfAsync("self-merge")));
        await (await api.Editor.SendAsync(Merge("self-merged", "self-merge", renamed.Headers.ETag))).AssertProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Writes_need_a_key_with_content_write()
    {
        var partner = api.CreateClient(await api.CreateKeyAsync("partner"));
        var etag = await ETagOfAsync("syria");
        await (await api.Public.SendAsync(Patch("syria", """{"name":"Syrie"}""", etag))).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await partner.SendAsync(Patch("syria", """{"name":"Syrie"}""", etag))).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await api.Public.SendAsync(Merge("syria", "xi-jinping", etag))).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await partner.SendAsync(Merge("syria", "xi-jinping", etag))).AssertProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.OK, (await api.Public.GetAsync("/v1/tags/syria")).StatusCode);
    }

    private async Task<string> ChangeTokenAsync()
    {
        var partner = api.CreateClient(await api.CreateKeyAsync("partner"));
        string? since = null;
        while (true)
        {
            var page = await (await partner.GetAsync("/v1/changes?limit=100" + (since is null ? "" : "&since=" + Uri.EscapeDataString(since)))).ReadJsonAsync();
            since = page.GetProperty("nextToken").GetString()!;
            if (page.GetProperty("phase").GetString() == "changes" && page.GetProperty("items").GetArrayLength() == 0)
            {
                return since;
            }
        }
    }

    private async Task<List<long>> ChangedSinceAsync(string token)
    {
        var partner = api.CreateClient(await api.CreateKeyAsync("partner"));
        var page = await (await partner.GetAsync($"/v1/changes?limit=100&since={Uri.EscapeDataString(token)}")).ReadJsonAsync();
        return page.GetProperty("items").EnumerateArray()
            .Where(i => i.GetProperty("kind").GetString() == "updated" && i.GetProperty("article").ValueKind == JsonValueKind.Object)
            .Select(i => i.GetProperty("articleId").GetInt64())
            .ToList();
    }
}
