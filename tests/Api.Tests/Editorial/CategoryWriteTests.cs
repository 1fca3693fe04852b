using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Api.Tests.Infrastructure;

namespace Api.Tests.Editorial;

public sealed class CategoryWriteTests(EditorialFixture api) : IClassFixture<EditorialFixture>
{
    private static HttpRequestMessage Patch(string slug, string json, System.Net.Http.Headers.EntityTagHeaderValue? etag) =>
        EditorialFixture.Write(HttpMethod.Patch, $"/v1/categories/{slug}", json, etag, "application/merge-patch+json");

    [Fact]
    public async Task Create_puts_the_category_last_under_its_parent_with_a_slug_from_its_name()
    {
        var response = await api.Editor.PostAsJsonAsync("/v1/categories", new { name = "Press Releases", parentSlug = "embassy-news" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var category = await response.ReadJsonAsync();
        Assert.Equal("press-releases", category.GetProperty("slug").GetString());
        Assert.Equal("/v1/categories/press-releases", response.Headers.Location?.OriginalString);
        Assert.Equal(["Home", "Embassy News", "Press Releases"], category.GetProperty("breadcrumb").EnumerateArray().Select(b => b.GetProperty("name").GetString()));
        var tree = await (await api.Public.GetAsync("/v1/categories/embassy-news")).ReadJsonAsync();
        Assert.Equal("press-releases", tree.GetProperty("children").EnumerateArray().Last().GetProperty("slug").GetString());
    }

    [Fact]
    public async Task Create_rejects_bad_input_and_a_taken_slug()
    {
        var invalid = await api.Editor.PostAsJsonAsync("/v1/categories", new { name = "", slug = "Bad Slug", parentId = 1, parentSlug = "visas", position = -1 });
        var problem = await invalid.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["name", "parentId", "position", "slug"], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order());

        await (await api.Editor.PostAsJsonAsync("/v1/categories", new { name = "Visas again", slug = "visas" })).AssertProblemAsync(HttpStatusCode.Conflict);
        var orphan = await api.Editor.PostAsJsonAsync("/v1/categories", new { name = "Orphan", parentSlug = "no-such-parent" });
        Assert.NotEmpty((await orphan.AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorsFor("parentSlug"));
        await (await api.Public.PostAsJsonAsync("/v1/categories", new { name = "Anonymous" })).AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Rename_and_move_need_If_Match_and_show_in_breadcrumbs()
    {
        var created = await api.Editor.PostAsJsonAsync("/v1/categories", new { name = "Mobile Category" });
        var etag = created.Headers.ETag;

        await (await api.Editor.SendAsync(Patch("mobile-category", """{"name":"Moved"}""", null))).AssertProblemAsync((HttpStatusCode)428);
        var moved = await api.Editor.SendAsync(Patch("mobile-category", """{"name":"Moved Category","parentSlug":"consular-services"}""", etag));
        var category = await moved.ReadJsonAsync();
        Assert.Equal(["Home", "Consular Services", "Moved Category"], category.GetProperty("breadcrumb").EnumerateArray().Select(b => b.GetProperty("name").GetString()));
        await (await api.Editor.SendAsync(Patch("mobile-category", """{"name":"Lost"}""", etag))).AssertProblemAsync(HttpStatusCode.PreconditionFailed);
    }

    [Fact]
    public async Task Moving_a_category_under_itself_or_a_descendant_is_409()
    {
        var parent = await api.Editor.PostAsJsonAsync("/v1/categories", new { name = "Cycle Parent" });
        await api.Editor.PostAsJsonAsync("/v1/categories", new { name = "Cycle Child", parentSlug = "cycle-parent" });

        var intoChild = await api.Editor.SendAsync(Patch("cycle-parent", """{"parentSlug":"cycle-child"}""", parent.Headers.ETag));
        await intoChild.AssertProblemAsync(HttpStatusCode.Conflict);
        var intoSelf = await api.Editor.SendAsync(Patch("cycle-parent", """{"parentSlug":"cycle-parent"}""", parent.Headers.ETag));
        await intoSelf.AssertProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Delete_is_409_while_articles_or_children_remain_unless_told_where_to_move_them()
    {
        Assert.Equal(HttpStatusCode.Created, (await api.Editor.PostAsJsonAsync("/v1/categories", new { name = "Doomed" })).StatusCode);
        await api.Editor.PostAsJsonAsync("/v1/categories", new { name = "Doomed Child", parentSlug = "doomed" });
        var (article, _) = await api.CreateAsync(new { title = "In doomed", categorySlug = "doomed", status = "published" });
        var etag = (await api.Public.GetAsync("/v1/categories/doomed")).Headers.ETag;

        var refused = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Delete, "/v1/categories/doomed", null, etag));
        await refused.AssertProblemAsync(HttpStatusCode.Conflict);
        var intoChild = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Delete, "/v1/categories/doomed?moveTo=doomed-child", null, etag));
        await intoChild.AssertProblemAsync(HttpStatusCode.Conflict);

        var deleted = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Delete, "/v1/categories/doomed?moveTo=embassy-news", null, etag));

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await (await api.Public.GetAsync("/v1/categories/doomed")).AssertProblemAsync(HttpStatusCode.NotFound);
        var moved = await (await api.Public.GetAsync($"/v1/articles/{article.GetProperty("id").GetInt64()}")).ReadJsonAsync();
        Assert.Equal("embassy-news", moved.GetProperty("category").GetProperty("slug").GetString());
        var child = await (await api.Public.GetAsync("/v1/categories/doomed-child")).ReadJsonAsync();
        Assert.Equal("embassy-news", child.GetProperty("breadcrumb")[1].GetProperty("slug").GetString());
    }

    [Fact]
    public async Task An_empty_category_deletes_with_If_Match()
    {
        var created = await api.Editor.PostAsJsonAsync("/v1/categories", new { name = "Empty One" });
        await (await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Delete, "/v1/categories/empty-one", null, null))).AssertProblemAsync((HttpStatusCode)428);
        Assert.Equal(HttpStatusCode.NoContent, (await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Delete, "/v1/categories/empty-one", null, created.Headers.ETag))).StatusCode);
        await (await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Delete, "/v1/categories/empty-one", null, created.Headers.ETag))).AssertProblemAsync(HttpStatusCode.NotFound);
    }
}
