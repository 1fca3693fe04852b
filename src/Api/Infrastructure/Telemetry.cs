using System.Diagnostics.Metrics;
using System.Reflection;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Api.Infrastructure;

/// <summary>Settings of the <c>Telemetry:Metrics</c> section.</summary>
public sealed class MetricsOptions
{
    /// <summary>Serves the metrics in Prometheus's text format.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The path they are served at.</summary>
    public string Path { get; set; } = "/metrics";

    /// <summary>
    /// When set, the server also listens on this port (every interface) and serves the metrics there
    /// only, and not on the API's port: a platform's scraper reaches them, the public does not.
    /// </summary>
    public int? Port { get; set; }

    /// <summary>How often the outbox gauges (e-mail and webhook queues) are read from the database.</summary>
    public int OutboxSampleSeconds { get; set; } = 15;
}

/// <summary>
/// OpenTelemetry: metrics (ASP.NET Core, HttpClient, Npgsql, the runtime and the service's own) served
/// for Prometheus at <c>/metrics</c>; traces of requests and their SQL statements (never their
/// parameters) exported over OTLP when the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (or
/// <c>OTEL_EXPORTER_OTLP_TRACES_ENDPOINT</c>) variable is set, and not recorded otherwise.
/// </summary>
public static class Telemetry
{
    /// <summary>The name of the meter every instrument of the service's own belongs to.</summary>
    public const string MeterName = "NewsApi";

    /// <summary>Npgsql's instruments updated on every statement that the service does not export.</summary>
    private static readonly string[] NpgsqlPerCommandInstruments =
    [
        "db.client.operation.npgsql.executing",
        "db.client.operation.npgsql.bytes_read",
        "db.client.operation.npgsql.bytes_written",
    ];

    /// <summary>The service's name in traces and metrics (<c>service.name</c>).</summary>
    public const string ServiceName = "news-api";

    public static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection("Telemetry:Metrics");
        builder.Services.Configure<MetricsOptions>(section);
        var metrics = section.Get<MetricsOptions>() ?? new MetricsOptions();
        if (!metrics.Path.StartsWith('/') || metrics.Port is <= 0 or > 65535 || metrics.OutboxSampleSeconds <= 0)
        {
            throw new InvalidOperationException("Telemetry:Metrics:Path must start with '/', Port must be a TCP port, and OutboxSampleSeconds positive.");
        }

        var version = typeof(Telemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName, serviceVersion: version));
        if (metrics.Enabled)
        {
            otel.WithMetrics(meters =>
            {
                meters.AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddNpgsqlInstrumentation()
                    .AddMeter(MeterName);
                // Npgsql counts each command's bytes and its start and end besides timing it: four
                // more updates per statement, a cost on every read that the duration histogram and the
                // pool's instruments (connections by state, pending requests, timeouts) make up for.
                foreach (var perCommand in NpgsqlPerCommandInstruments)
                {
                    meters.AddView(perCommand, MetricStreamConfiguration.Drop);
                }

                meters.AddPrometheusExporter(exporter => exporter.ScrapeEndpointPath = metrics.Path);
            });
            builder.Services.AddHostedService<OutboxGauges>();
            if (metrics.Port is { } port)
            {
                ListenAlsoOn(builder, port);
            }
        }

        if (TracesExported(builder.Configuration))
        {
            otel.WithTracing(traces => traces
                .AddAspNetCoreInstrumentation(requests => requests.Filter = http => !http.Request.Path.StartsWithSegments(metrics.Path))
                .AddHttpClientInstrumentation()
                .AddNpgsql()
                .AddOtlpExporter());
        }

        builder.Services.AddSingleton<ServiceMetrics>();
        return builder;
    }

    /// <summary>
    /// On the metrics port (when it has one), only <c>/metrics</c>, before anything else runs; call first.
    /// </summary>
    public static WebApplication UseMetricsPort(this WebApplication app)
    {
        var metrics = app.Services.GetRequiredService<IOptions<MetricsOptions>>().Value;
        if (metrics.Enabled && metrics.Port is { } port)
        {
            // Decided by the port the connection arrived on, which a client cannot choose on the
            // public port (a Host header can say anything).
            app.MapWhen(http => http.Connection.LocalPort == port, only =>
            {
                only.UseOpenTelemetryPrometheusScrapingEndpoint(metrics.Path);
                only.Run(http =>
                {
                    http.Response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
                });
            });
        }

        return app;
    }

    /// <summary>Serves <c>/metrics</c> on the API's port, unless it has a port of its own; outside the public contract.</summary>
    public static WebApplication MapMetrics(this WebApplication app)
    {
        var metrics = app.Services.GetRequiredService<IOptions<MetricsOptions>>().Value;
        if (metrics.Enabled && metrics.Port is null)
        {
            // For scrapers, not for scripts in browsers: no CORS headers, even for the origins trusted with keys.
            app.MapPrometheusScrapingEndpoint(metrics.Path).ExcludeFromDescription()
                .WithMetadata(new Microsoft.AspNetCore.Cors.DisableCorsAttribute());
        }

        return app;
    }

    /// <summary>
    /// Adds <c>http://*:PORT</c> to the addresses the server listens on: those configured (<c>urls</c>,
    /// <c>ASPNETCORE_URLS</c>), else those of <c>ASPNETCORE_HTTP_PORTS</c> and <c>ASPNETCORE_HTTPS_PORTS</c>,
    /// else the server's default. (Endpoints configured in the <c>Kestrel</c> section replace all of
    /// these: give the metrics port one there too.)
    /// </summary>
    private static void ListenAlsoOn(WebApplicationBuilder builder, int port)
    {
        var configuration = builder.Configuration;
        var urls = (configuration["urls"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        if (urls.Count == 0)
        {
            urls.AddRange(Ports(configuration["HTTP_PORTS"]).Select(p => $"http://*:{p}"));
            urls.AddRange(Ports(configuration["HTTPS_PORTS"]).Select(p => $"https://*:{p}"));
        }

        if (urls.Count == 0)
        {
            urls.Add("http://localhost:5000");
        }

        urls.Add($"http://*:{port}");
        builder.WebHost.UseUrls([.. urls]);

        static IEnumerable<string> Ports(string? list) =>
            (list ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>Whether the standard OpenTelemetry variables name an OTLP endpoint for traces.</summary>
    public static bool TracesExported(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"])
        || !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]);
}

/// <summary>The service's own counters and histograms that several parts of it record.</summary>
public sealed class ServiceMetrics
{
    public ServiceMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(Telemetry.MeterName);
        EmailAttempts = meter.CreateCounter<long>(
            "newsapi.email.attempts", "{attempt}", "Share e-mail delivery attempts, by outcome: sent, skipped (the recipient opted out), retry (a temporary failure) or failed (given up)");
        WebhookAttempts = meter.CreateCounter<long>(
            "newsapi.webhook.attempts", "{attempt}", "Webhook delivery attempts, by outcome: delivered, retry, failed (given up) or disabled (the receiver answered 410)");
        RateLimitRejections = meter.CreateCounter<long>(
            "newsapi.rate_limit.rejections", "{request}", "Writes refused with 429 by the per-key and per-IP limits");
        ReplicaCatchUp = meter.CreateHistogram<double>(
            "newsapi.replica.catch_up.duration", "s", "Time the read replicas took to replay a change before answers could be cached again: the replica lag the service saw");
    }

    public Counter<long> EmailAttempts { get; }

    public Counter<long> WebhookAttempts { get; }

    public Counter<long> RateLimitRejections { get; }

    public Histogram<double> ReplicaCatchUp { get; }

    public static KeyValuePair<string, object?> Outcome(string outcome) => new("outcome", outcome);
}
