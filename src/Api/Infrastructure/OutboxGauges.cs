using System.Diagnostics.Metrics;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Api.Infrastructure;

/// <summary>
/// The depth of the two outboxes (share e-mails queued, webhook deliveries pending) and the age of
/// their oldest message, read from the database every <see cref="MetricsOptions.OutboxSampleSeconds"/>
/// (not at each scrape: a scraper never makes the database work). Until the first reading, and while
/// the database cannot be read, the gauges report nothing rather than an old or made-up value.
/// </summary>
public sealed class OutboxGauges : BackgroundService
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeSpan _interval;
    private readonly ILogger<OutboxGauges> _logger;
    private volatile Reading? _last;

    public OutboxGauges(NpgsqlDataSource dataSource, IOptions<MetricsOptions> options, IMeterFactory meters, ILogger<OutboxGauges> logger)
    {
        _dataSource = dataSource;
        _interval = TimeSpan.FromSeconds(options.Value.OutboxSampleSeconds);
        _logger = logger;
        var meter = meters.Create(Telemetry.MeterName);
        meter.CreateObservableGauge("newsapi.email.outbox.depth", () => Observe(r => r.EmailQueued), "{message}",
            "Share e-mails queued for delivery (first attempts and retries)");
        meter.CreateObservableGauge("newsapi.email.outbox.oldest_age", () => Observe(r => r.EmailOldestSeconds), "s",
            "Age of the oldest queued share e-mail (0 when none is queued)");
        meter.CreateObservableGauge("newsapi.webhook.outbox.depth", () => Observe(r => r.WebhooksPending), "{delivery}",
            "Webhook deliveries pending (first attempts and retries)");
        meter.CreateObservableGauge("newsapi.webhook.outbox.oldest_age", () => Observe(r => r.WebhookOldestSeconds), "s",
            "Age of the oldest pending webhook delivery (0 when none is pending)");
    }

    private sealed record Reading(long EmailQueued, double EmailOldestSeconds, long WebhooksPending, double WebhookOldestSeconds);

    private IEnumerable<Measurement<double>> Observe(Func<Reading, double> value) =>
        _last is { } reading ? [new Measurement<double>(value(reading))] : [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_interval);
        do
        {
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(stoppingToken);
                _last = await connection.QuerySingleAsync<Reading>(new CommandDefinition("""
                    SELECT (SELECT count(*) FROM share_email_outbox WHERE status = 'queued') AS email_queued,
                           coalesce(extract(epoch FROM now() - (SELECT min(created_at) FROM share_email_outbox WHERE status = 'queued')), 0)::float8 AS email_oldest_seconds,
                           (SELECT count(*) FROM webhook_deliveries WHERE status = 'pending') AS webhooks_pending,
                           coalesce(extract(epoch FROM now() - (SELECT min(created_at) FROM webhook_deliveries WHERE status = 'pending')), 0)::float8 AS webhook_oldest_seconds
                    """, cancellationToken: stoppingToken));
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _last = null;
                _logger.LogDebug("Cannot read the outboxes' depth ({Error})", e.Message);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
