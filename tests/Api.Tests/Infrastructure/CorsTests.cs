using System.Net;
using Microsoft.AspNetCore.Hosting;

namespace Api.Tests.Infrastructure;

public sealed class CorsTests(CorsTests.WithNewsroomOrigin api) : IClassFixture<CorsTests.WithNewsroomOrigin>
{
    internal const string Newsroom = "https://newsroom.example.com";

    public sealed class WithNewsroomOrigin : ApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Cors:AllowedOrigins:0", Newsroom);
        }
    }

    private static HttpRequestMessage Preflight(string path, string origin, string method, string headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", headers);
        return request;
    }

    [Fact]
    public async Task Any_origin_may_read_anonymously_and_sees_the_caching_headers()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/articles/t1453741");
        request.Headers.Add("Origin", "https://reader.example.org");

        var response = await api.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false }).SendAsync(request);

        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        var exposed = response.Headers.GetValues("Access-Control-Expose-Headers").Single();
        Assert.Contains("ETag", exposed);
        Assert.Contains("Last-Modified", exposed);
        Assert.Contains("Location", exposed);
    }

    [Fact]
    public async Task A_request_without_Origin_is_answered_without_CORS_headers()
    {
        var response = await api.CreateClient().GetAsync("/v1/articles");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.False(response.Headers.Contains("Access-Control-Expose-Headers"));
    }

    [Fact]
    public async Task A_preflight_for_a_read_from_any_origin_is_answered()
    {
        var response = await api.CreateClient().SendAsync(Preflight("/v1/articles", "https://reader.example.org", "GET", "if-none-match"));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Fact]
    public async Task Only_configured_origins_may_send_keys_and_write()
    {
        var stranger = await api.CreateClient().SendAsync(Preflight("/v1/articles", "https://evil.example", "POST", "authorization,content-type"));
        Assert.False(stranger.Headers.TryGetValues("Access-Control-Allow-Methods", out var methods) && methods.Single().Contains("POST"));
        Assert.False(stranger.Headers.TryGetValues("Access-Control-Allow-Headers", out var headers) && headers.Single().Contains("authorization", StringComparison.OrdinalIgnoreCase));

        var newsroom = await api.CreateClient().SendAsync(Preflight("/v1/articles", Newsroom, "POST", "authorization,content-type,idempotency-key"));
        Assert.Equal(HttpStatusCode.NoContent, newsroom.StatusCode);
        Assert.Equal(Newsroom, newsroom.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("POST", newsroom.Headers.GetValues("Access-Control-Allow-Methods").Single());
        Assert.Contains("authorization", newsroom.Headers.GetValues("Access-Control-Allow-Headers").Single(), StringComparison.OrdinalIgnoreCase);
    }
}
