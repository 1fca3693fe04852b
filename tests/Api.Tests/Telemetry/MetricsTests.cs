using System.Net;
using Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace Api.Tests.Telemetry;

/// <summary>
/// <c>GET /metrics</c>: Prometheus's text format, the built-in HTTP, runtime and Npgsql metrics and
/// the service's own; outside the public contract and out of browsers' reach; a setting turns it off
/// or moves it to a port of its own.
/// </summary>
public sealed class MetricsTests(CorsTests.WithNewsroomOrigin api) : IClassFixture<CorsTests.WithNewsroomOrigin>
{
    private const string Newsroom = CorsTests.Newsroom;

    [Fact]
    public async Task Metrics_are_not_in_the_contract_and_not_for_browsers()
    {
        var client = api.CreateClient();
        Assert.DoesNotContain("/metrics", await client.GetStringAsync("/swagger/v1/swagger.json"));

        foreach (var origin in new[] { "https://reader.example.org", Newsroom })
        {
            using var read = new HttpRequestMessage(HttpMethod.Get, "/metrics");
            read.Headers.Add("Origin", origin);
            var response = await client.SendAsync(read);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"), origin);

            using var preflight = new HttpRequestMessage(HttpMethod.Options, "/metrics");
            preflight.Headers.Add("Origin", origin);
            preflight.Headers.Add("Access-Control-Request-Method", "GET");
            Assert.False((await client.SendAsync(preflight)).Headers.Contains("Access-Control-Allow-Origin"), origin);
        }
    }
}

/// <summary>
/// The exposition of the API as it runs in production (a process of its own: in the test process the
/// other test applications' meters, which share the service's meter name, would mix in).
/// </summary>
public sealed class MetricsExpositionTests() : OwnDatabase("newsapi_metrics")
{
    [Fact]
    public async Task Metrics_are_served_in_Prometheus_text_format_with_the_services_own()
    {
        await using var api = await ApiProcess.StartAsync(ConnectionString);
        using var client = new HttpClient { BaseAddress = api.BaseAddress };
        // A miss then hits of the response cache, and requests the HTTP metrics count by route.
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/categories")).StatusCode);
        }

        var response = await client.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        foreach (var series in new[]
        {
            "# TYPE newsapi_cache_lookups_total counter",
            "newsapi_cache_lookups_total{otel_scope_name=\"NewsApi\",result=\"hit\"} 2",
            "newsapi_cache_entries",
            "newsapi_cache_invalidations_total",
            "newsapi_change_listener_connected{otel_scope_name=\"NewsApi\"} 1",
            "newsapi_email_outbox_depth",
            "newsapi_webhook_outbox_oldest_age_seconds",
            "http_server_request_duration_seconds_bucket",
            "http_route=\"/v1/categories/\"",
            "kestrel_active_connections",
            "db_client_connection_count{",
            "db_client_connection_pool_name=\"content\"",
            "dotnet_gc_collections_total",
        })
        {
            Assert.Contains(series, text);
        }
    }
}

/// <summary><c>Telemetry:Metrics:Enabled=false</c>: no <c>/metrics</c>.</summary>
public sealed class MetricsOffTests(MetricsOffTests.Off api) : IClassFixture<MetricsOffTests.Off>
{
    public sealed class Off : ApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Telemetry:Metrics:Enabled", "false");
        }
    }

    [Fact]
    public async Task No_metrics_are_served()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await api.CreateClient().GetAsync("/metrics")).StatusCode);
    }
}

/// <summary>
/// <c>Telemetry:Metrics:Port</c>: the API as it runs in production also listens on that port and serves
/// only <c>/metrics</c> there; its own port no longer serves them, whatever the Host header says.
/// </summary>
public sealed class MetricsPortTests() : OwnDatabase("newsapi_metricsport")
{
    [Fact]
    public async Task Metrics_are_served_on_their_own_port_only()
    {
        var metricsPort = ApiProcess.FreePort();
        await using var api = await ApiProcess.StartAsync(ConnectionString, new Dictionary<string, string>
        {
            ["Telemetry__Metrics__Port"] = metricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        using var client = new HttpClient();

        var scraped = await client.GetAsync($"http://127.0.0.1:{metricsPort}/metrics");
        Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
        Assert.Contains("newsapi_change_listener_connected", await scraped.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"http://127.0.0.1:{metricsPort}/v1/articles")).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri(api.BaseAddress, "/v1/articles"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(new Uri(api.BaseAddress, "/metrics"))).StatusCode);
        using var spoofed = new HttpRequestMessage(HttpMethod.Get, new Uri(api.BaseAddress, "/metrics"));
        spoofed.Headers.Host = $"127.0.0.1:{metricsPort}";
        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(spoofed)).StatusCode);
    }
}
