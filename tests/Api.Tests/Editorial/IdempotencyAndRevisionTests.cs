using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Api.Tests.Infrastructure;

namespace Api.Tests.Editorial;

public sealed class IdempotencyAndRevisionTests(EditorialFixture api) : IClassFixture<EditorialFixture>
{
    private static HttpRequestMessage Post(object body, string key)
    {
        var request = EditorialFixture.Write(HttpMethod.Post, "/v1/articles", body, null);
        request.Headers.Add("Idempotency-Key", key);
        return request;
    }

    [Fact]
    public async Task A_retried_POST_with_the_same_key_returns_the_first_response_and_creates_nothing()
    {
        var key = Guid.NewGuid().ToString();
        var body = new { title = "Idempotent story", categorySlug = "visas" };

        var first = await api.Editor.SendAsync(Post(body, key));
        var second = await api.Editor.SendAsync(Post(body, key));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(first.Headers.Location, second.Headers.Location);
        Assert.Equal(first.Headers.ETag, second.Headers.ETag);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.Equal(1, await api.ScalarAsync<long>("SELECT count(*) FROM articles WHERE title = 'Idempotent story'"));
    }

    [Fact]
    public async Task The_same_key_with_another_body_is_422()
    {
        var key = Guid.NewGuid().ToString();
        Assert.Equal(HttpStatusCode.Created, (await api.Editor.SendAsync(Post(new { title = "First body", categorySlug = "visas" }, key))).StatusCode);

        var reused = await api.Editor.SendAsync(Post(new { title = "Second body", categorySlug = "visas" }, key));

        await reused.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(0, await api.ScalarAsync<long>("SELECT count(*) FROM articles WHERE title = 'Second body'"));
    }

    [Fact]
    public async Task Concurrent_retries_with_one_key_create_one_article()
    {
        var key = Guid.NewGuid().ToString();
        var body = new { title = "Concurrent retries", categorySlug = "visas" };

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => api.Editor.SendAsync(Post(body, key))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        Assert.Single(responses.Select(r => r.Headers.Location).Distinct());
        Assert.Equal(1, await api.ScalarAsync<long>("SELECT count(*) FROM articles WHERE title = 'Concurrent retries'"));
    }

    [Fact]
    public async Task A_failed_request_does_not_use_up_its_key()
    {
        var key = Guid.NewGuid().ToString();
        var failed = await api.Editor.SendAsync(Post(new { title = "Retry after fix", categorySlug = "no-such-category" }, key));
        await failed.AssertProblemAsync(HttpStatusCode.BadRequest);

        var fixedUp = await api.Editor.SendAsync(Post(new { title = "Retry after fix", categorySlug = "visas" }, key));
        Assert.Equal(HttpStatusCode.Created, fixedUp.StatusCode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("ключ")]
    public async Task A_malformed_key_is_400(string key)
    {
        var request = EditorialFixture.Write(HttpMethod.Post, "/v1/articles", new { title = "x", categorySlug = "visas" }, null);
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key.Length == 0 ? new string('k', 256) : key);
        await (await api.Editor.SendAsync(request)).AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Every_version_is_kept_and_an_old_one_can_be_restored_as_a_new_version()
    {
        var (article, etag) = await api.CreateAsync(new { title = "Draft one", summary = "First", categorySlug = "visas" });
        var id = article.GetProperty("id").GetInt64();
        var second = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Put, $"/v1/articles/{id}", new { title = "Draft two", summary = "Second", categorySlug = "visas" }, etag));
        var third = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Post, $"/v1/articles/{id}/publish", null, second.Headers.ETag));

        var revisions = await (await api.Editor.GetAsync($"/v1/articles/{id}/revisions")).ReadJsonAsync();
        var items = revisions.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([3, 2, 1], items.Select(r => r.GetProperty("version").GetInt32()));
        Assert.Equal(["published", "updated", "created"], items.Select(r => r.GetProperty("change").GetString()));
        Assert.Equal("Draft one", items[2].GetProperty("article").GetProperty("title").GetString());

        var one = await (await api.Editor.GetAsync($"/v1/articles/{id}/revisions/1")).ReadJsonAsync();
        Assert.Equal("First", one.GetProperty("article").GetProperty("summary").GetString());

        var restored = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Post, $"/v1/articles/{id}/revisions/1/restore", null, third.Headers.ETag));
        var now = await restored.ReadJsonAsync();
        Assert.Equal(4, now.GetProperty("version").GetInt32());
        Assert.Equal("Draft one", now.GetProperty("title").GetString());
        Assert.Equal("draft", now.GetProperty("status").GetString());
        var latest = await (await api.Editor.GetAsync($"/v1/articles/{id}/revisions/4")).ReadJsonAsync();
        Assert.Equal("revision-restored", latest.GetProperty("change").GetString());
    }

    [Fact]
    public async Task Revision_endpoints_reject_bad_input_and_unknown_versions()
    {
        var (article, etag) = await api.CreateAsync(new { title = "Revision checks", categorySlug = "visas" });
        var id = article.GetProperty("id").GetInt64();

        await (await api.Editor.GetAsync($"/v1/articles/{id}/revisions/99")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await api.Editor.GetAsync("/v1/articles/987654/revisions")).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.NotEmpty((await (await api.Editor.GetAsync($"/v1/articles/{id}/revisions/zero")).AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorsFor("version"));
        await (await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Post, $"/v1/articles/{id}/revisions/1/restore", null, null))).AssertProblemAsync((HttpStatusCode)428);
        await (await api.Public.GetAsync($"/v1/articles/{id}/revisions")).AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.OK, (await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Post, $"/v1/articles/{id}/revisions/1/restore", null, etag))).StatusCode);
    }
}
