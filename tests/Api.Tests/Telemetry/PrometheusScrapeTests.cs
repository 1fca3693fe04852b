using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Api.Tests.Infrastructure;

namespace Api.Tests.Telemetry;

/// <summary>
/// A real Prometheus (Debian's <c>prometheus</c>, which <c>scripts/test</c> installs) scrapes the API
/// running as in production, and the series are read back through Prometheus's own HTTP API: the
/// exposition format is proven by its real consumer.
/// </summary>
public sealed class PrometheusScrapeTests() : OwnDatabase("newsapi_prom")
{
    private ApiProcess? _api;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _api = await ApiProcess.StartAsync(ConnectionString);
    }

    public override async Task DisposeAsync()
    {
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    [Fact]
    public async Task Prometheus_scrapes_the_metrics_and_answers_queries_about_them()
    {
        var binary = new[] { "/usr/bin/prometheus", "/usr/local/bin/prometheus" }.FirstOrDefault(File.Exists)
            ?? throw new Xunit.Sdk.XunitException("Prometheus is not installed (Debian: apt-get install prometheus); scripts/test installs it when it runs as root.");
        var folder = Directory.CreateTempSubdirectory("newsapi-prometheus-");
        var port = ApiProcess.FreePort();
        var config = Path.Combine(folder.FullName, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: news-api
                static_configs:
                  - targets: ['127.0.0.1:{_api!.Port}']
            """);
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(folder.FullName, "data")}",
            $"--web.listen-address=127.0.0.1:{port}",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var said = new ConcurrentQueue<string>();
        using var prometheus = Process.Start(start)!;
        prometheus.OutputDataReceived += (_, e) => said.Enqueue(e.Data ?? "");
        prometheus.ErrorDataReceived += (_, e) => said.Enqueue(e.Data ?? "");
        prometheus.BeginOutputReadLine();
        prometheus.BeginErrorReadLine();
        try
        {
            using var api = new HttpClient { BaseAddress = _api.BaseAddress };
            // A miss and hits of the response cache, and requests the HTTP metrics count by route.
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/v1/categories")).StatusCode);
                Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/v1/articles?limit=5")).StatusCode);
            }

            using var query = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            async Task<double?> ValueAsync(string promql)
            {
                try
                {
                    using var answer = JsonDocument.Parse(await query.GetStringAsync("/api/v1/query?query=" + Uri.EscapeDataString(promql)));
                    var result = answer.RootElement.GetProperty("data").GetProperty("result");
                    return result.GetArrayLength() == 0 ? null
                        : double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
                }
                catch (HttpRequestException)
                {
                    return null;
                }
            }

            async Task ExpectAsync(string promql, Func<double, bool> holds)
            {
                var deadline = Stopwatch.StartNew();
                double? last = null;
                while (deadline.Elapsed < TimeSpan.FromSeconds(30))
                {
                    if ((last = await ValueAsync(promql)) is { } value && holds(value))
                    {
                        return;
                    }

                    await Task.Delay(250);
                }

                throw new Xunit.Sdk.XunitException(
                    $"Prometheus never answered '{promql}' as expected (last: {last?.ToString(CultureInfo.InvariantCulture) ?? "no series"}). It said:\n{string.Join('\n', said.TakeLast(30))}");
            }

            await ExpectAsync("""up{job="news-api"}""", v => v == 1);
            await ExpectAsync("""newsapi_cache_lookups_total{result="hit"}""", v => v >= 1);
            await ExpectAsync("""sum(http_server_request_duration_seconds_count{http_route="/v1/articles/"})""", v => v >= 3);
            await ExpectAsync("newsapi_change_listener_connected", v => v == 1);
            await ExpectAsync("""count({__name__=~"db_client_connection.*"})""", v => v >= 1);
        }
        finally
        {
            prometheus.Kill(entireProcessTree: true);
            await prometheus.WaitForExitAsync();
            folder.Delete(recursive: true);
        }
    }
}
