using System.Text.Json;
using Api.Tests.Infrastructure;

namespace Api.Tests.Syndication;

/// <summary>What the OpenAPI document promises about the syndication operations.</summary>
public sealed class SyndicationContractTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _client = api.CreateClient();

    [Theory]
    [InlineData("/feeds/rss.xml", "GetRssFeed", "application/rss+xml")]
    [InlineData("/feeds/atom.xml", "GetAtomFeed", "application/atom+xml")]
    [InlineData("/feeds/feed.json", "GetJsonFeed", "application/feed+json")]
    [InlineData("/feeds/categories/{slug}/rss.xml", "GetCategoryRssFeed", "application/rss+xml")]
    [InlineData("/feeds/categories/{slug}/atom.xml", "GetCategoryAtomFeed", "application/atom+xml")]
    [InlineData("/feeds/categories/{slug}/feed.json", "GetCategoryJsonFeed", "application/feed+json")]
    [InlineData("/sitemap.xml", "GetSitemap", "application/xml")]
    [InlineData("/sitemap-{page}.xml", "GetSitemapPage", "application/xml")]
    [InlineData("/sitemap-news.xml", "GetNewsSitemap", "application/xml")]
    [InlineData("/v1/articles/{idOrSlug}/ninjs", "GetArticleNinjs", "application/vnd.iptc.ninjs+json")]
    public async Task Each_operation_documents_its_content_type_and_every_status(string path, string operationId, string contentType)
    {
        using var document = JsonDocument.Parse(await _client.GetStringAsync("/swagger/v1/swagger.json"));
        var operation = document.RootElement.GetProperty("paths").GetProperty(path).GetProperty("get");

        Assert.Equal(operationId, operation.GetProperty("operationId").GetString());
        Assert.Equal(["Syndication"], operation.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.False(string.IsNullOrWhiteSpace(operation.GetProperty("summary").GetString()));

        var responses = operation.GetProperty("responses");
        Assert.Equal([contentType], responses.GetProperty("200").GetProperty("content").EnumerateObject().Select(c => c.Name));
        Assert.True(responses.GetProperty("200").GetProperty("headers").TryGetProperty("ETag", out _));
        var expected = path.Contains('{') ? new[] { "304", "400", "404", "500", "503" } : ["304", "400", "500", "503"];
        foreach (var status in expected)
        {
            Assert.True(responses.TryGetProperty(status, out _), $"{operationId} does not document {status}");
        }
    }

    [Fact]
    public async Task Feed_query_parameters_are_documented_with_their_types()
    {
        using var document = JsonDocument.Parse(await _client.GetStringAsync("/swagger/v1/swagger.json"));
        var parameters = document.RootElement.GetProperty("paths").GetProperty("/feeds/rss.xml").GetProperty("get").GetProperty("parameters")
            .EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!, p => p.GetProperty("schema"));

        Assert.Equal(["language", "tag", "content", "limit"], parameters.Keys);
        Assert.Equal("integer", parameters["limit"].GetProperty("type").GetString());
        Assert.Equal(1, parameters["limit"].GetProperty("minimum").GetInt32());
        Assert.Equal(100, parameters["limit"].GetProperty("maximum").GetInt32());
        Assert.Equal(50, parameters["limit"].GetProperty("default").GetInt32());
        Assert.Equal(["summary", "full"], parameters["content"].GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
    }
}
