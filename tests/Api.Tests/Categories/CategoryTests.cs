using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Api.Tests.Infrastructure;

namespace Api.Tests.Categories;

public sealed class CategoryTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _client = api.CreateClient();

    [Fact]
    public async Task GetCategoryTree_nests_children_under_their_parents_in_display_order()
    {
        var tree = await (await _client.GetAsync("/v1/categories")).ReadJsonAsync();

        var top = tree.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["china-news", "embassy-news", "bilateral-relations", "consular-services"], top.Select(Slug));
        Assert.All(top, c => Assert.Equal(JsonValueKind.Null, c.GetProperty("parentId").ValueKind));

        var consular = top.Single(c => Slug(c) == "consular-services");
        var consularChildren = consular.GetProperty("children").EnumerateArray().ToList();
        Assert.Equal(["visas", "passports-and-travel-documents"], consularChildren.Select(Slug));
        Assert.All(consularChildren, c => Assert.Equal(consular.GetProperty("id").GetInt64(), c.GetProperty("parentId").GetInt64()));

        var visas = consularChildren.Single(c => Slug(c) == "visas");
        Assert.Equal(["visa-fees"], visas.GetProperty("children").EnumerateArray().Select(Slug));
    }

    [Fact]
    public async Task GetCategory_returns_breadcrumb_from_home_and_direct_children()
    {
        var response = await _client.GetAsync("/v1/categories/visas");
        var visas = await response.ReadJsonAsync();

        Assert.Equal("Visas", visas.GetProperty("name").GetString());
        var breadcrumb = visas.GetProperty("breadcrumb").EnumerateArray().ToList();
        Assert.Equal(["Home", "Consular Services", "Visas"], breadcrumb.Select(b => b.GetProperty("name").GetString()));
        Assert.Equal([null, "consular-services", "visas"], breadcrumb.Select(b => b.GetProperty("slug").GetString()));
        Assert.Equal(["visa-fees"], visas.GetProperty("children").EnumerateArray().Select(Slug));

        var keys = response.Headers.GetValues("Surrogate-Key").Single().Split(' ');
        Assert.Contains($"category-{visas.GetProperty("id").GetInt64()}", keys);
        Assert.Contains($"category-{visas.GetProperty("parentId").GetInt64()}", keys);
    }

    [Fact]
    public async Task GetCategory_of_a_top_level_category_has_home_then_itself()
    {
        var china = await (await _client.GetAsync("/v1/categories/china-news")).ReadJsonAsync();

        Assert.Equal(["Home", "China News"], china.GetProperty("breadcrumb").EnumerateArray().Select(b => b.GetProperty("name").GetString()));
        Assert.Empty(china.GetProperty("children").EnumerateArray());
    }

    [Fact]
    public async Task GetCategory_returns_404_problem_for_an_unknown_slug()
    {
        var problem = await (await _client.GetAsync("/v1/categories/no-such-category")).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Contains("no-such-category", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("China-News")]
    [InlineData("china_news")]
    [InlineData("china%20news")]
    [InlineData("china%01news")]
    [InlineData("%27%20OR%201%3D1--")]
    [InlineData("%E6%96%B0%E9%97%BB")]
    public async Task GetCategory_rejects_a_malformed_slug_with_400(string slug)
    {
        var problem = await (await _client.GetAsync($"/v1/categories/{slug}")).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.ErrorsFor("slug"));
    }

    [Fact]
    public async Task GetCategory_rejects_a_too_long_slug_with_400()
    {
        var problem = await (await _client.GetAsync($"/v1/categories/{new string('c', 101)}")).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.ErrorsFor("slug"));
    }

    [Theory]
    [InlineData("/v1/categories")]
    [InlineData("/v1/categories/visas")]
    public async Task Category_reads_answer_a_matching_If_None_Match_with_304(string path)
    {
        var first = await _client.GetAsync(path);
        Assert.NotNull(first.Headers.ETag);

        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        var second = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Empty(await second.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Category_tree_ETag_changes_when_a_category_changes()
    {
        var before = (await _client.GetAsync("/v1/categories")).Headers.ETag;
        await api.ExecuteAsync("UPDATE categories SET name = 'Visa Fees and Charges' WHERE slug = 'visa-fees'");
        var after = await _client.GetAsync("/v1/categories");

        Assert.NotEqual(before, after.Headers.ETag);
        Assert.Contains("Visa Fees and Charges", await after.Content.ReadAsStringAsync());
    }

    private static string? Slug(JsonElement category) => category.GetProperty("slug").GetString();
}
