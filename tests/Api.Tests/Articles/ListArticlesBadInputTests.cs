using System.Net;
using System.Text.Json;
using Api.Tests.Infrastructure;

namespace Api.Tests.Articles;

/// <summary>Every list parameter's bad values: a 400 problem naming the parameter, never a 500.</summary>
public sealed class ListArticlesBadInputTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _client = api.CreateClient();

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=101", "limit")]
    [InlineData("limit=-1", "limit")]
    [InlineData("limit=abc", "limit")]
    [InlineData("limit=1.5", "limit")]
    [InlineData("limit=", "limit")]
    [InlineData("limit=99999999999999999999", "limit")]
    [InlineData("limit=%201", "limit")]
    [InlineData("count=yes", "count")]
    [InlineData("count=1", "count")]
    [InlineData("count=TRUE", "count")]
    [InlineData("descendants=maybe", "descendants")]
    [InlineData("sort=newest", "sort")]
    [InlineData("sort=-title", "sort")]
    [InlineData("sort=relevance", "sort")]
    [InlineData("sort=", "sort")]
    [InlineData("fields=title,nope", "fields")]
    [InlineData("fields=", "fields")]
    [InlineData("fields=,", "fields")]
    [InlineData("fields=Title", "fields")]
    [InlineData("fields=snippet", "fields")]
    [InlineData("category=China-News", "category")]
    [InlineData("category=", "category")]
    [InlineData("category=a,,", "category")]
    [InlineData("category=x%27%20OR%201%3D1--", "category")]
    [InlineData("tag=Trade", "tag")]
    [InlineData("tag=trade%3B%20DROP%20TABLE%20tags", "tag")]
    [InlineData("language=english", "language")]
    [InlineData("language=e", "language")]
    [InlineData("language=en_US", "language")]
    [InlineData("language=en-", "language")]
    [InlineData("publishedAfter=yesterday", "publishedAfter")]
    [InlineData("publishedAfter=2021-13-01", "publishedAfter")]
    [InlineData("publishedAfter=2021-01-01T00:00:00", "publishedAfter")]
    [InlineData("publishedAfter=1617235200", "publishedAfter")]
    [InlineData("publishedBefore=2021-02-30", "publishedBefore")]
    [InlineData("publishedAfter=2021-01-02&publishedBefore=2021-01-01", "publishedBefore")]
    [InlineData("publishedAfter=2021-01-01&publishedBefore=2021-01-01", "publishedBefore")]
    [InlineData("ids=abc", "ids")]
    [InlineData("ids=0", "ids")]
    [InlineData("ids=-5", "ids")]
    [InlineData("ids=1,2,x", "ids")]
    [InlineData("ids=", "ids")]
    [InlineData("ids=99999999999999999999", "ids")]
    [InlineData("q=", "q")]
    [InlineData("q=%20%20", "q")]
    [InlineData("q=a%00b", "q")]
    [InlineData("q=line%0Abreak", "q")]
    [InlineData("cursor=", "cursor")]
    [InlineData("cursor=not-a-cursor", "cursor")]
    [InlineData("cursor=eyJxdWVyeSI6IkMifQ.AAAAAAAAAAAAAAAAAAAAAA", "cursor")]
    [InlineData("cursor=%27%3B%20DROP%20TABLE%20articles%3B--", "cursor")]
    [InlineData("q=%C3%28", "q")]
    [InlineData("tag=%FF", "tag")]
    [InlineData("limit=1&limit=2", "limit")]
    [InlineData("tag=trade&tag=security", "tag")]
    [InlineData("categroy=visas", "categroy")]
    [InlineData("page=2", "page")]
    public async Task ListArticles_rejects_a_bad_value_naming_the_parameter(string query, string parameter)
    {
        var response = await _client.GetAsync($"/v1/articles?{query}");

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.ErrorsFor(parameter));
    }

    [Fact]
    public async Task ListArticles_rejects_too_long_values()
    {
        await AssertRejected($"q={new string('a', 201)}", "q");
        await AssertRejected($"category={string.Join(',', Enumerable.Range(1, 21).Select(i => $"c{i}"))}", "category");
        await AssertRejected($"tag={new string('t', 101)}", "tag");
        await AssertRejected($"ids={string.Join(',', Enumerable.Range(1, 101))}", "ids");
        await AssertRejected($"cursor={new string('c', 2000)}", "cursor");
        await AssertRejected($"language={new string('a', 3)}-{new string('b', 40)}", "language");
    }

    [Fact]
    public async Task ListArticles_lists_every_error_at_once()
    {
        var problem = await (await _client.GetAsync("/v1/articles?limit=0&sort=bad&count=maybe")).AssertProblemAsync(HttpStatusCode.BadRequest);
        var fields = problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order();
        Assert.Equal(["count", "limit", "sort"], fields);
    }

    [Fact]
    public async Task Malformed_unknown_and_out_of_range_parameters_are_reported_together()
    {
        var problem = await (await _client.GetAsync("/v1/articles?limit=abc&publishedAfter=soon&count=TRUE&sort=bad&categroy=x&descendants=1"))
            .AssertProblemAsync(HttpStatusCode.BadRequest);

        var fields = problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal);
        Assert.Equal(["categroy", "count", "descendants", "limit", "publishedAfter", "sort"], fields);
        Assert.Equal("'limit' must be an integer.", problem.ErrorsFor("limit").Single());
        Assert.Equal("'count' must be 'true' or 'false'.", problem.ErrorsFor("count").Single());
        Assert.StartsWith("'publishedAfter' must be an RFC 3339 timestamp", problem.ErrorsFor("publishedAfter").Single());
        Assert.Equal("'sort' must be one of: -publishedAt, publishedAt, -updatedAt, title, relevance.", problem.ErrorsFor("sort").Single());
    }

    [Fact]
    public async Task A_well_formed_value_out_of_range_is_reported_with_the_range()
    {
        var problem = await (await _client.GetAsync("/v1/articles?limit=101")).AssertProblemAsync(HttpStatusCode.BadRequest);

        Assert.Contains("between 1 and 100", problem.ErrorsFor("limit").Single());
    }

    [Fact]
    public async Task A_cursor_is_refused_after_any_change_to_it()
    {
        var page = await (await _client.GetAsync("/v1/articles?limit=1")).ReadJsonAsync();
        await api.ExecuteAsync("""
            INSERT INTO articles (slug, title, category_id, status, published_at)
            SELECT 'another-' || g, 'Another', id, 'published', '2018-01-01Z' FROM categories, generate_series(1, 3) g WHERE slug = 'visas'
            """);
        page = await (await _client.GetAsync("/v1/articles?limit=1")).ReadJsonAsync();
        var cursor = page.GetProperty("nextCursor").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync($"/v1/articles?limit=1&cursor={cursor}")).StatusCode);

        var (payload, signature) = (cursor[..cursor.IndexOf('.')], cursor[(cursor.IndexOf('.') + 1)..]);
        var forgedPayload = System.Buffers.Text.Base64Url.EncodeToString(
            System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(payload)).Replace("\"id\":", "\"id\":1")));
        foreach (var tampered in new[]
                 {
                     forgedPayload + "." + signature,
                     payload + "." + Flip(signature),
                     Flip(payload) + "." + signature,
                     payload,
                     cursor + ".x",
                     cursor[..^2],
                 })
        {
            await AssertRejected($"limit=1&cursor={Uri.EscapeDataString(tampered)}", "cursor");
        }
    }

    [Fact]
    public async Task A_cursor_only_works_with_the_query_that_issued_it()
    {
        await api.ExecuteAsync("""
            INSERT INTO articles (slug, title, category_id, status, published_at)
            SELECT 'filler-' || g, 'Filler', id, 'published', '2018-01-01Z' FROM categories, generate_series(1, 3) g WHERE slug = 'embassy-news'
            """);
        var page = await (await _client.GetAsync("/v1/articles?limit=1&sort=publishedAt")).ReadJsonAsync();
        var cursor = Uri.EscapeDataString(page.GetProperty("nextCursor").GetString()!);

        await AssertRejected($"limit=1&cursor={cursor}", "cursor");
        await AssertRejected($"limit=1&sort=publishedAt&category=visas&cursor={cursor}", "cursor");
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync($"/v1/articles?limit=5&sort=publishedAt&fields=title&cursor={cursor}")).StatusCode);
    }

    [Fact]
    public async Task Category_article_list_rejects_bad_input()
    {
        await (await _client.GetAsync("/v1/categories/Bad_Slug/articles")).AssertProblemAsync(HttpStatusCode.BadRequest);
        var problem = await (await _client.GetAsync("/v1/categories/visas/articles?category=visas")).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.ErrorsFor("category"));
        problem = await (await _client.GetAsync("/v1/categories/visas/articles?limit=0&descendants=no")).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.ErrorsFor("limit"));
        Assert.NotEmpty(problem.ErrorsFor("descendants"));
    }

    private async Task AssertRejected(string query, string parameter)
    {
        var problem = await (await _client.GetAsync($"/v1/articles?{query}")).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.ErrorsFor(parameter));
    }

    private static string Flip(string value) =>
        (value[0] == 'A' ? "B" : "A") + value[1..];
}
