using System.Net;
using Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Npgsql;

namespace Api.Tests.Health;

public sealed class HealthTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _client = api.CreateClient();

    [Fact]
    public async Task Live_is_healthy()
    {
        var response = await _client.GetAsync("/health/live");
        Assert.Equal("Healthy", (await response.ReadJsonAsync()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Ready_is_healthy_when_the_database_answers()
    {
        var response = await _client.GetAsync("/health/ready");
        var report = await response.ReadJsonAsync();
        Assert.Equal("Healthy", report.GetProperty("status").GetString());
        Assert.Equal("Healthy", report.GetProperty("checks").GetProperty("database").GetString());
    }
}

/// <summary>The application reaches PostgreSQL through a proxy the test can cut.</summary>
public sealed class ProxiedApiFactory : ApiFactory
{
    public TcpProxy Proxy { get; }

    public ProxiedApiFactory()
    {
        var target = new NpgsqlConnectionStringBuilder(TestDatabase.AdminConnectionString);
        Proxy = new TcpProxy(target.Host!, target.Port);
        Proxy.Start();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        var proxied = new NpgsqlConnectionStringBuilder(ConnectionString) { Host = "127.0.0.1", Port = Proxy.Port, Timeout = 3 };
        builder.UseSetting("ConnectionStrings:Content", proxied.ConnectionString);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Proxy.DisposeAsync();
    }
}

public sealed class DatabaseOutageTests(ProxiedApiFactory api) : IClassFixture<ProxiedApiFactory>
{
    private readonly HttpClient _client = api.CreateClient();

    [Fact]
    public async Task Ready_and_reads_answer_503_with_Retry_After_while_the_database_is_unreachable_then_recover()
    {
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/v1/categories")).StatusCode);

        api.Proxy.Cut();
        try
        {
            var ready = await _client.GetAsync("/health/ready");
            var problem = await ready.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
            Assert.NotNull(ready.Headers.RetryAfter);
            Assert.Equal("Unhealthy", problem.GetProperty("checks").GetProperty("database").GetString());

            foreach (var path in new[] { "/v1/articles/t1453741", "/v1/categories", "/v1/categories/visas" })
            {
                var response = await _client.GetAsync(path);
                var outage = await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
                Assert.NotNull(response.Headers.RetryAfter);
                Assert.DoesNotContain("127.0.0.1", outage.GetRawText());
            }

            Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/health/live")).StatusCode);
        }
        finally
        {
            api.Proxy.Start();
        }

        // Connections broken by the outage are discarded by the pool; the next requests succeed.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        var status = (await _client.GetAsync("/health/ready")).StatusCode;
        while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            status = (await _client.GetAsync("/health/ready")).StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/v1/categories")).StatusCode);
    }
}
