using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Api.Tests.Infrastructure;

public sealed class ProblemTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _client = api.CreateClient();

    [Theory]
    [InlineData("/nothing-here")]
    [InlineData("/v1")]
    [InlineData("/v1/nothing")]
    [InlineData("/v2/articles/t1453741")]
    public async Task Unknown_routes_are_404_problems(string path)
    {
        await (await _client.GetAsync(path)).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_browser_asking_for_HTML_still_gets_a_problem_document()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/nothing-here");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
        await (await _client.SendAsync(request)).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("PUT", "/v1/categories")]
    [InlineData("DELETE", "/v1/articles")]
    [InlineData("PATCH", "/health/live")]
    [InlineData("POST", "/health/ready")]
    public async Task Wrong_methods_are_405_problems_with_Allow(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent("{}") };
        var response = await _client.SendAsync(request);

        await response.AssertProblemAsync(HttpStatusCode.MethodNotAllowed);
        Assert.Contains("GET", response.Content.Headers.Allow);
    }

    [Fact]
    public async Task An_unexpected_failure_is_a_500_problem_without_internals()
    {
        await using var broken = new ApiFactory();
        await broken.InitializeAsync();
        try
        {
            var client = broken.CreateClient();
            await broken.ExecuteAsync("ALTER TABLE categories RENAME COLUMN description TO description_moved");

            var response = await client.GetAsync("/v1/categories");

            var problem = await response.AssertProblemAsync(HttpStatusCode.InternalServerError);
            var body = problem.GetRawText();
            Assert.DoesNotContain("description", body);
            Assert.DoesNotContain("Npgsql", body);
            Assert.DoesNotContain("SELECT", body);
        }
        finally
        {
            await ((IAsyncLifetime)broken).DisposeAsync();
        }
    }

    [Fact]
    public void Json_input_rejects_members_the_target_does_not_declare()
    {
        var options = api.Services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;

        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Probe>("""{"name":"a","nmae":"b"}""", options));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Probe>("""{"name":"a","name":"b"}""", options));
        Assert.Equal("a", JsonSerializer.Deserialize<Probe>("""{"name":"a"}""", options)!.Name);
    }

    public sealed record Probe(string Name);
}
