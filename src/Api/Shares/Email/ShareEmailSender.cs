using System.Net.Sockets;
using Api.Infrastructure;
using Dapper;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Api.Shares.Email;

/// <summary>
/// Drains the outbox. Each message is claimed in its own transaction (<c>FOR UPDATE SKIP LOCKED</c>,
/// so several instances share the work without sending a row twice), sent over SMTP while the row
/// stays locked, and marked sent in that same transaction right after the server accepted the DATA.
/// A failure records the attempt and a sanitized error and schedules the next attempt (exponential
/// backoff with jitter) until <see cref="ShareEmailOptions.MaxAttempts"/>, or at once gives up on a
/// permanent (5xx) refusal. A crash or a lost database connection between the server's acceptance and
/// the commit leaves the row queued, and it is sent again: delivery is at least once, with the same
/// Message-Id.
/// </summary>
public sealed class ShareEmailSender(
    NpgsqlDataSource dataSource,
    IOptions<ShareEmailOptions> options,
    IOptions<ShareOptions> share,
    ShareEmailKeys keys,
    WakeSignal<ShareEmailSender> signal,
    ServiceMetrics metrics,
    ILogger<ShareEmailSender> logger) : PollingWorker<ShareEmailSender>(signal, logger)
{
    private static readonly TimeSpan PruneInterval = TimeSpan.FromHours(1);
    private DateTime _lastPruned = DateTime.MinValue;

    protected override TimeSpan PollInterval => TimeSpan.FromSeconds(options.Value.PollIntervalSeconds);

    protected override string Work => "The share e-mail outbox";

    protected override bool Enabled => options.Value.Enabled;

    protected override async Task RunRoundAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        await DrainAsync(settings, cancellationToken);
        if (DateTime.UtcNow - _lastPruned > PruneInterval)
        {
            await PruneAsync(settings, cancellationToken);
            _lastPruned = DateTime.UtcNow;
        }
    }

    /// <summary>Sends every message that is due, one transaction each, over one SMTP connection.</summary>
    private async Task DrainAsync(ShareEmailOptions settings, CancellationToken cancellationToken)
    {
        SmtpClient? smtp = null;
        try
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

                if (row.Recipient is null || row.Suppressed)
                {
                    await CompleteAsync(connection, transaction, row, "skipped");
                    metrics.EmailAttempts.Add(1, ServiceMetrics.Outcome("skipped"));
                    logger.LogInformation("Share e-mail {OutboxId} of request {RequestId} skipped: the recipient opted out", row.Id, row.RequestId);
                    continue;
                }

                try
                {
                    var message = ShareEmailMessage.Compose(row, settings, share.Value.PublicBaseUrl, keys);
                    smtp ??= await ConnectAsync(settings.Smtp, cancellationToken);
                    // A message under way is finished (within the SMTP timeout) even when the
                    // application is stopping: the host waits for it, and it is sent once.
                    await smtp.SendAsync(message, CancellationToken.None);
                }
                catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
                {
                    smtp?.Dispose();
                    smtp = null;
                    await FailAsync(connection, transaction, row, ex, settings);
                    continue;
                }

                // Accepted by the server: record it even if the application is stopping right now.
                await CompleteAsync(connection, transaction, row, "sent");
                metrics.EmailAttempts.Add(1, ServiceMetrics.Outcome("sent"));
                logger.LogInformation("Share e-mail {OutboxId} of request {RequestId} sent (attempt {Attempt})", row.Id, row.RequestId, row.Attempts + 1);
            }
        }
        finally
        {
            if (smtp is not null)
            {
                await DisconnectQuietlyAsync(smtp);
            }
        }
    }

    private static async Task<OutboxMessage?> ClaimAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT o.id, o.request_id, o.recipient, o.recipient_hash, o.attempts,
                   EXISTS (SELECT 1 FROM share_email_suppressions s WHERE s.address_hash = o.recipient_hash) AS suppressed,
                   r.sender_name, r.note, r.article_title, r.article_summary, r.article_url, r.created_at
            FROM share_email_outbox o
            JOIN share_email_requests r ON r.id = o.request_id
            WHERE o.status = 'queued' AND o.next_attempt_at <= now()
            ORDER BY o.next_attempt_at, o.id
            LIMIT 1
            FOR UPDATE OF o SKIP LOCKED
            """;
        return await connection.QuerySingleOrDefaultAsync<OutboxMessage>(new CommandDefinition(sql, transaction: transaction, cancellationToken: cancellationToken));
    }

    /// <summary>Sent or skipped: from now on only the address's hash remains.</summary>
    private static async Task CompleteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, OutboxMessage row, string status)
    {
        const string sql = """
            UPDATE share_email_outbox
            SET status = @status, recipient = NULL, attempts = attempts + 1, sent_at = clock_timestamp(), last_error = NULL
            WHERE id = @id
            """;
        await connection.ExecuteAsync(new CommandDefinition(sql, new { id = row.Id, status }, transaction, cancellationToken: CancellationToken.None));
        await transaction.CommitAsync(CancellationToken.None);
    }

    private async Task FailAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, OutboxMessage row, Exception exception, ShareEmailOptions settings)
    {
        const string sql = """
            UPDATE share_email_outbox
            SET attempts = attempts + 1,
                last_error = @error,
                status = CASE WHEN @giveUp THEN 'failed' ELSE 'queued' END,
                recipient = CASE WHEN @giveUp THEN NULL ELSE recipient END,
                next_attempt_at = clock_timestamp() + make_interval(secs => @delaySeconds)
            WHERE id = @id
            """;
        var (error, permanent) = Describe(exception);
        var attempts = row.Attempts + 1;
        var giveUp = permanent || attempts >= settings.MaxAttempts;
        var delay = settings.RetryDelay(attempts);
        await connection.ExecuteAsync(new CommandDefinition(sql, new { id = row.Id, error, giveUp, delaySeconds = delay.TotalSeconds }, transaction, cancellationToken: CancellationToken.None));
        await transaction.CommitAsync(CancellationToken.None);
        metrics.EmailAttempts.Add(1, ServiceMetrics.Outcome(giveUp ? "failed" : "retry"));
        if (giveUp)
        {
            logger.LogWarning("Share e-mail {OutboxId} of request {RequestId} failed after {Attempts} attempts: {Error}", row.Id, row.RequestId, attempts, error);
        }
        else
        {
            logger.LogInformation("Share e-mail {OutboxId} of request {RequestId} not sent ({Error}); attempt {Attempt} in {Delay} s",
                row.Id, row.RequestId, error, attempts + 1, Math.Round(delay.TotalSeconds, 1));
        }
    }

    private static async Task<SmtpClient> ConnectAsync(SmtpSettings smtp, CancellationToken cancellationToken)
    {
        var client = new SmtpClient { Timeout = (int)TimeSpan.FromSeconds(smtp.TimeoutSeconds).TotalMilliseconds };
        try
        {
            using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            connectTimeout.CancelAfter(TimeSpan.FromSeconds(smtp.TimeoutSeconds));
            var security = smtp.UseTls switch
            {
                SmtpTls.StartTls => SecureSocketOptions.StartTls,
                SmtpTls.SslOnConnect => SecureSocketOptions.SslOnConnect,
                _ => SecureSocketOptions.None,
            };
            try
            {
                await client.ConnectAsync(smtp.Host, smtp.Port, security, connectTimeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException("Connecting to the SMTP server timed out.");
            }

            if (smtp.User is { Length: > 0 } user)
            {
                await client.AuthenticateAsync(user, smtp.Password ?? "", cancellationToken);
            }

            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private static async Task DisconnectQuietlyAsync(SmtpClient smtp)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await smtp.DisconnectAsync(quit: true, timeout.Token);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or MailKit.ProtocolException or ServiceNotConnectedException or SmtpCommandException)
        {
            // The message went out (or was recorded as failed) already; a failed QUIT changes nothing.
        }
        finally
        {
            smtp.Dispose();
        }
    }

    /// <summary>
    /// A short reason for the log and <c>last_error</c>, built from the error's kind and status code
    /// only: servers' own texts often quote the recipient's address. A 5xx refusal is permanent.
    /// </summary>
    internal static (string Error, bool Permanent) Describe(Exception exception) => exception switch
    {
        SmtpCommandException command => (
            $"SMTP server refused the {command.ErrorCode switch
            {
                SmtpErrorCode.RecipientNotAccepted => "recipient",
                SmtpErrorCode.SenderNotAccepted => "sender",
                SmtpErrorCode.MessageNotAccepted => "message",
                _ => "command",
            }}: {(int)command.StatusCode} {command.StatusCode}",
            (int)command.StatusCode >= 500),
        AuthenticationException => ("SMTP authentication failed", false),
        SslHandshakeException => ("TLS handshake with the SMTP server failed", false),
        SmtpProtocolException => ("SMTP protocol error", false),
        SocketException socket => ($"could not connect to the SMTP server: {socket.SocketErrorCode}", false),
        TimeoutException => ("the SMTP server did not answer in time", false),
        IOException => ("the connection to the SMTP server was lost", false),
        ServiceNotConnectedException => ("not connected to the SMTP server", false),
        OperationCanceledException => ("the SMTP operation was cancelled", false),
        _ => ($"unexpected error: {exception.GetType().Name}", false),
    };

    /// <summary>Forgets finished requests (their hashes, names and notes) after the retention period; suppressions stay.</summary>
    private async Task PruneAsync(ShareEmailOptions settings, CancellationToken cancellationToken)
    {
        const string sql = """
            DELETE FROM share_email_requests r
            WHERE r.created_at < now() - make_interval(days => @days)
              AND NOT EXISTS (SELECT 1 FROM share_email_outbox o WHERE o.request_id = r.id AND o.status = 'queued')
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var pruned = await connection.ExecuteAsync(new CommandDefinition(sql, new { days = settings.RetentionDays }, cancellationToken: cancellationToken));
        if (pruned > 0)
        {
            logger.LogInformation("Forgot {Count} share e-mail requests older than {Days} days", pruned, settings.RetentionDays);
        }
    }
}
