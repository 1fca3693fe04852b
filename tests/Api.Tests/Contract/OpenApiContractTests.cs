using System.Text.Json;
using System.Text.Json.Nodes;
using Api.Tests.Infrastructure;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace Api.Tests.Contract;

public sealed class OpenApiContractTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const string Regenerate =
        "Regenerate it with 'scripts/openapi' (which runs this test with UPDATE_OPENAPI=1) and commit the result.";

    private readonly HttpClient _client = api.CreateClient();

    [Fact]
    public async Task Committed_openapi_json_matches_the_document_the_app_serves()
    {
        var served = await _client.GetStringAsync("/swagger/v1/swagger.json");
        var path = Path.Combine(Repository.Root(), "openapi.json");
        var pretty = JsonNode.Parse(served)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";

        if (Environment.GetEnvironmentVariable("UPDATE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(path, pretty);
        }

        Assert.True(File.Exists(path), $"openapi.json is missing at the repository root. {Regenerate}");
        var committed = JsonNode.Parse(await File.ReadAllTextAsync(path));
        Assert.True(JsonNode.DeepEquals(committed, JsonNode.Parse(served)),
            $"openapi.json differs from the document the app serves at /swagger/v1/swagger.json. {Regenerate}");
    }

    [Fact]
    public async Task The_document_is_valid_OpenAPI()
    {
        var served = await _client.GetStringAsync("/swagger/v1/swagger.json");

        var result = OpenApiDocument.Parse(served, "json", new OpenApiReaderSettings());

        Assert.NotNull(result.Document);
        Assert.Empty(result.Diagnostic?.Errors ?? []);
        var validationErrors = result.Document!.Validate(ValidationRuleSet.GetDefaultRuleSet()) ?? [];
        Assert.Empty(validationErrors.Select(e => $"{e.Pointer}: {e.Message}"));
    }

    [Fact]
    public async Task Every_operation_has_an_id_a_summary_a_tag_and_its_error_responses()
    {
        using var document = JsonDocument.Parse(await _client.GetStringAsync("/swagger/v1/swagger.json"));
        var operationIds = new HashSet<string>();
        var count = 0;

        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                count++;
                var where = $"{operation.Name.ToUpperInvariant()} {path.Name}";
                var op = operation.Value;
                Assert.True(op.TryGetProperty("operationId", out var id) && id.GetString() is { Length: > 0 }, $"{where} has no operationId");
                Assert.True(operationIds.Add(id.GetString()!), $"{where} repeats operationId {id}");
                Assert.True(op.TryGetProperty("summary", out var summary) && summary.GetString() is { Length: > 0 }, $"{where} has no summary");
                Assert.True(op.TryGetProperty("tags", out var tags) && tags.GetArrayLength() > 0, $"{where} has no tag");

                var responses = op.GetProperty("responses").EnumerateObject().ToDictionary(r => r.Name, r => r.Value);
                Assert.True(responses.Keys.Any(k => k.StartsWith('2') || k is "301" or "302"), $"{where} documents no success (or redirect) response");
                Assert.True(responses.ContainsKey("500"), $"{where} does not document 500");
                foreach (var (status, response) in responses.Where(r => r.Key[0] is '4' or '5'))
                {
                    Assert.True(response.TryGetProperty("content", out var content) && content.TryGetProperty("application/problem+json", out _),
                        $"{where} documents {status} without an application/problem+json body");
                }

                if (path.Name.Contains('{'))
                {
                    Assert.True(responses.ContainsKey("400"), $"{where} takes a path parameter but does not document 400");
                    Assert.True(responses.ContainsKey("404"), $"{where} takes a path parameter but does not document 404");
                }
            }
        }

        Assert.True(count >= 5, $"Only {count} operations documented");
    }

    [Fact]
    public void Every_example_in_the_contract_is_valid_against_its_schema()
    {
        var (refused, count) = OpenApiContract.Committed.CheckExamples();

        Assert.True(count >= 15, $"only {count} examples in openapi.json");
        Assert.True(refused.Count == 0, "Examples the schema refuses:\n" + string.Join("\n", refused));
    }

    [Fact]
    public async Task GetArticle_documents_its_redirect_and_conditional_responses()
    {
        using var document = JsonDocument.Parse(await _client.GetStringAsync("/swagger/v1/swagger.json"));
        var responses = document.RootElement.GetProperty("paths").GetProperty("/v1/articles/{idOrSlug}").GetProperty("get").GetProperty("responses");

        foreach (var status in new[] { "200", "301", "304", "400", "404", "500", "503" })
        {
            Assert.True(responses.TryGetProperty(status, out _), $"GetArticle does not document {status}");
        }

        Assert.True(responses.GetProperty("200").GetProperty("headers").TryGetProperty("ETag", out _));
        Assert.True(responses.GetProperty("301").GetProperty("headers").TryGetProperty("Location", out _));
        Assert.True(responses.GetProperty("503").GetProperty("headers").TryGetProperty("Retry-After", out _));
    }

    [Fact]
    public async Task Swagger_UI_is_served()
    {
        var response = await _client.GetAsync("/swagger/index.html");
        response.EnsureSuccessStatusCode();
        Assert.Contains("swagger-ui", await response.Content.ReadAsStringAsync());
    }
}
