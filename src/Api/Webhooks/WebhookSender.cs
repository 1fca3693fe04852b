using System.Diagnostics;
using System.Net;
using System.Text;
using Api.Infrastructure;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Api.Webhooks;

/// <summary>
/// Sends due deliveries. Each is claimed in its own transaction (<c>FOR UPDATE SKIP LOCKED</c>, so
/// several instances share the work without sending a row twice), POSTed while the row stays locked,
/// and its outcome and attempt recorded in that same transaction. A webhook's deliveries go out in
/// change order: one is not claimed while an earlier one to the same webhook is pending (waiting for a
/// retry included), so a receiver never sees event N+1 before event N has been delivered or given up.
/// 2xx is delivered; 410 Gone disables the webhook; anything else (other status, timeout, connection
/// failure) is retried with exponential backoff and jitter until <see cref="WebhookOptions.MaxAttempts"/>.
/// A crash between the receiver's 2xx and the commit sends the event again: delivery is at least
/// once, with the same <c>Webhook-Id</c>, so receivers should ignore an id they have processed.
/// </summary>
public sealed class WebhookSender(
    NpgsqlDataSource dataSource,
    WebhookSecrets secrets,
    IOptions<WebhookOptions> options,
    WakeSignal<WebhookSender> signal,
    TimeProvider time,
    ServiceMetrics metrics,
    ILogger<WebhookSender> logger) : PollingWorker<WebhookSender>(signal, logger), IDisposable
{
    public const string UserAgent = "NewsApi-Webhooks/1.0";

    private readonly HttpClient _client = CreateClient(options.Value);

    protected override TimeSpan PollInterval => TimeSpan.FromSeconds(options.Value.PollIntervalSeconds);

    protected override string Work => "Webhook deliveries";

    protected override Task RunRoundAsync(CancellationToken cancellationToken) => DrainAsync(_client, options.Value, cancellationToken);

    public override void Dispose()
    {
        _client.Dispose();
        base.Dispose();
    }

    private sealed class Claimed
    {
        public long Id { get; init; }
        public long WebhookId { get; init; }
        public Guid EventId { get; init; }
        public required string EventType { get; init; }
        public required string Payload { get; init; }
        public int Attempts { get; init; }
        public required string Url { get; init; }
        public required byte[] Secret { get; init; }
    }

    private readonly record struct Outcome(int? StatusCode, string? Error);

    private static HttpClient CreateClient(WebhookOptions settings)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        };
        if (!settings.AllowPrivateAddresses)
        {
            handler.ConnectCallback = WebhookAddresses.ConnectPublicAsync;
        }

        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    private async Task DrainAsync(HttpClient client, WebhookOptions settings, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var row = await ClaimAsync(connection, transaction, cancellationToken);
            if (row is null)
            {
                return;
            }

            var started = Stopwatch.GetTimestamp();
            // A delivery under way is finished (within its timeout) even when the application is
            // stopping: the host waits for it, and no attempt is left half-made.
            var outcome = await SendAsync(client, row, settings, CancellationToken.None);
            var durationMs = (int)Math.Min(Stopwatch.GetElapsedTime(started).TotalMilliseconds, int.MaxValue);
            // The receiver has answered: record it even if the application is stopping right now.
            await RecordAsync(connection, transaction, row, outcome, durationMs, settings);
        }
    }

    private static Task<Claimed?> ClaimAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<Claimed>(new CommandDefinition("""
            SELECT d.id, d.webhook_id, d.event_id, d.event_type, d.payload, d.attempts, w.url, w.secret
            FROM webhook_deliveries d
            JOIN webhooks w ON w.id = d.webhook_id
            WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND w.enabled
              AND NOT EXISTS (
                  SELECT 1 FROM webhook_deliveries e
                  WHERE e.webhook_id = d.webhook_id AND e.status = 'pending' AND e.seq < d.seq)
            ORDER BY d.next_attempt_at, d.id
            LIMIT 1
            FOR UPDATE OF d SKIP LOCKED
            """, transaction: transaction, cancellationToken: cancellationToken));

    private async Task<Outcome> SendAsync(HttpClient client, Claimed row, WebhookOptions settings, CancellationToken cancellationToken)
    {
        var id = row.EventId.ToString("D");
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, row.Url)
        {
            Content = new StringContent(row.Payload, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        request.Headers.Add("Webhook-Id", id);
        request.Headers.Add("Webhook-Timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("Webhook-Signature", WebhookSecrets.Sign(secrets.SigningKey(row.Secret), id, timestamp, row.Payload));

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(settings.TimeoutSeconds));
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            return new Outcome(status, response.IsSuccessStatusCode ? null : $"the receiver answered {status} {ReasonOf(response.StatusCode)}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new Outcome(null, $"no answer within {settings.TimeoutSeconds:0.###} s");
        }
        catch (HttpRequestException ex) when (ex.InnerException is ForbiddenAddressException)
        {
            return new Outcome(null, "the host resolves only to loopback, private, link-local, unspecified or multicast addresses");
        }
        catch (HttpRequestException ex)
        {
            return new Outcome(null, $"the request failed: {ex.HttpRequestError}");
        }
    }

    private static string ReasonOf(HttpStatusCode status) =>
        Enum.IsDefined(status) ? status.ToString() : "";

    private async Task RecordAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Claimed row, Outcome outcome, int durationMs, WebhookOptions settings)
    {
        var attempt = row.Attempts + 1;
        var delivered = outcome.StatusCode is >= 200 and < 300;
        var gone = outcome.StatusCode == StatusCodes.Status410Gone;
        var giveUp = !delivered && (gone || attempt >= settings.MaxAttempts);
        var delay = settings.RetryDelay(attempt);
        var status = delivered ? "delivered" : giveUp ? "failed" : "pending";
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO webhook_attempts (delivery_id, attempt, status_code, duration_ms, error)
            VALUES (@id, @attempt, @statusCode, @durationMs, left(@error, 500));
            UPDATE webhook_deliveries
            SET attempts = @attempt,
                status = @status,
                delivered_at = CASE WHEN @delivered THEN clock_timestamp() END,
                next_attempt_at = CASE WHEN @status = 'pending' THEN clock_timestamp() + make_interval(secs => @delaySeconds) ELSE next_attempt_at END
            WHERE id = @id;
            UPDATE webhooks
            SET enabled = false, disabled_reason = 'The receiver answered 410 Gone.', updated_at = now()
            WHERE id = @webhookId AND @gone;
            """, new { id = row.Id, attempt, outcome.StatusCode, durationMs, outcome.Error, status, delivered, delaySeconds = delay.TotalSeconds, webhookId = row.WebhookId, gone },
            transaction, cancellationToken: CancellationToken.None));
        await transaction.CommitAsync(CancellationToken.None);
        metrics.WebhookAttempts.Add(1, ServiceMetrics.Outcome(delivered ? "delivered" : gone ? "disabled" : giveUp ? "failed" : "retry"));

        if (delivered)
        {
            logger.LogInformation("Webhook {WebhookId}: {EventType} {EventId} delivered (attempt {Attempt}, {Status})", row.WebhookId, row.EventType, row.EventId, attempt, outcome.StatusCode);
        }
        else if (gone)
        {
            logger.LogWarning("Webhook {WebhookId} disabled: the receiver answered 410 Gone to {EventId}", row.WebhookId, row.EventId);
        }
        else if (giveUp)
        {
            logger.LogWarning("Webhook {WebhookId}: {EventType} {EventId} failed after {Attempts} attempts: {Error}", row.WebhookId, row.EventType, row.EventId, attempt, outcome.Error);
        }
        else
        {
            logger.LogInformation("Webhook {WebhookId}: {EventType} {EventId} not delivered ({Error}); attempt {Next} in {Delay} s",
                row.WebhookId, row.EventType, row.EventId, outcome.Error, attempt + 1, Math.Round(delay.TotalSeconds, 1));
        }
    }
}
