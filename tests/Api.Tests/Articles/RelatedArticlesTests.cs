using System.Net;
using Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Api.Tests.Articles;

public sealed class RelatedArticlesTests(ListFixture api) : IClassFixture<ListFixture>
{
    private readonly HttpClient _client = api.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    [Fact]
    public async Task Related_ranks_shared_category_and_tags_first_and_never_includes_the_article()
    {
        // list-15 is in china-news (15 % 5 = 0) with tags trade and security; list-30 shares all three.
        var page = await (await _client.GetAsync("/v1/articles/list-15/related?limit=10&fields=slug,tags,category")).ReadJsonAsync();

        var slugs = page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("slug").GetString()).ToList();
        Assert.DoesNotContain("list-15", slugs);
        Assert.Equal("list-30", slugs[0]);
        Assert.Equal(10, slugs.Count);
        Assert.Equal(slugs.Count, slugs.Distinct().Count());
    }

    [Fact]
    public async Task Related_shows_only_published_articles()
    {
        var page = await (await _client.GetAsync("/v1/articles/list-03/related?limit=20&fields=slug")).ReadJsonAsync();
        Assert.DoesNotContain(page.GetProperty("items").EnumerateArray(), i => i.GetProperty("slug").GetString()!.StartsWith("hidden-"));
    }

    [Fact]
    public async Task Related_by_legacy_id_redirects_and_unknown_is_404()
    {
        var redirect = await _client.GetAsync("/v1/articles/t1453741/related?limit=2");
        Assert.Equal(HttpStatusCode.MovedPermanently, redirect.StatusCode);
        Assert.Equal("/v1/articles/xi-jinping-holds-telephone-talks-with-president-donald-trump-of-the-us/related?limit=2", redirect.Headers.Location?.OriginalString);

        await (await _client.GetAsync("/v1/articles/no-such-article/related")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await _client.GetAsync("/v1/articles/hidden-draft/related")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=21", "limit")]
    [InlineData("limit=x", "limit")]
    [InlineData("fields=snippet", "fields")]
    [InlineData("fields=nope", "fields")]
    [InlineData("limit=1&limit=2", "limit")]
    [InlineData("q=trade", "q")]
    public async Task Related_rejects_bad_input(string query, string parameter)
    {
        var problem = await (await _client.GetAsync($"/v1/articles/list-15/related?{query}")).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.ErrorsFor(parameter));
    }

    [Fact]
    public async Task Related_rejects_a_malformed_id_or_slug()
    {
        var problem = await (await _client.GetAsync("/v1/articles/Bad%20Slug/related")).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.ErrorsFor("idOrSlug"));
    }
}
