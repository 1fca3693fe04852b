using Dapper;
using Npgsql;

namespace Api.Webhooks;

public sealed class WebhookRow
{
    public long Id { get; init; }
    public required string Url { get; init; }
    public required string[] Events { get; init; }
    public required string Description { get; init; }
    public bool Enabled { get; init; }
    public string? DisabledReason { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; init; }
}

public sealed class DeliveryRow
{
    public long Id { get; init; }
    public long WebhookId { get; init; }
    public Guid EventId { get; init; }
    public required string EventType { get; init; }
    public long Seq { get; init; }
    public required string Status { get; init; }
    public int Attempts { get; init; }
    public DateTime NextAttemptAt { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime? DeliveredAt { get; init; }
}

public sealed class AttemptRow
{
    public long DeliveryId { get; init; }
    public int Attempt { get; init; }
    public int? StatusCode { get; init; }
    public int DurationMs { get; init; }
    public string? Error { get; init; }
    public DateTime AttemptedAt { get; init; }
}

/// <summary>The webhooks and their delivery log (the dispatcher and the sender run their own SQL).</summary>
public sealed class WebhookStore(NpgsqlDataSource dataSource)
{
    private const string Columns = "id, url, events, description, enabled, disabled_reason, created_at, updated_at";
    private const string DeliveryColumns = "id, webhook_id, event_id, event_type, seq, status, attempts, next_attempt_at, created_at, delivered_at";

    public async Task<WebhookRow> CreateAsync(string url, string[] events, string description, byte[] secret, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<WebhookRow>(new CommandDefinition($"""
            INSERT INTO webhooks (url, events, description, secret) VALUES (@url, @events, @description, @secret)
            RETURNING {Columns}
            """, new { url, events, description, secret }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<WebhookRow>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<WebhookRow>(new CommandDefinition(
            $"SELECT {Columns} FROM webhooks ORDER BY id", cancellationToken: cancellationToken))).AsList();
    }

    public async Task<WebhookRow?> FindAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<WebhookRow>(new CommandDefinition(
            $"SELECT {Columns} FROM webhooks WHERE id = @id", new { id }, cancellationToken: cancellationToken));
    }

    /// <summary>Applies the given values (null: unchanged). Enabling again clears the reason it was disabled.</summary>
    public async Task<WebhookRow?> UpdateAsync(
        long id, string? url, string[]? events, bool? enabled, string? description, byte[]? secret, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<WebhookRow>(new CommandDefinition($"""
            UPDATE webhooks SET
                url = coalesce(@url, url),
                events = coalesce(@events, events),
                enabled = coalesce(@enabled, enabled),
                disabled_reason = CASE WHEN @enabled IS NULL THEN disabled_reason ELSE NULL END,
                description = coalesce(@description, description),
                secret = coalesce(@secret, secret),
                updated_at = now()
            WHERE id = @id
            RETURNING {Columns}
            """, new { id, url, events, enabled, description, secret }, cancellationToken: cancellationToken));
    }

    public async Task<bool> DeleteAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM webhooks WHERE id = @id", new { id }, cancellationToken: cancellationToken)) > 0;
    }

    /// <summary>The newest deliveries of a webhook with every attempt each took.</summary>
    public async Task<(IReadOnlyList<DeliveryRow> Deliveries, ILookup<long, AttemptRow> Attempts)> ListDeliveriesAsync(
        long webhookId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var deliveries = (await connection.QueryAsync<DeliveryRow>(new CommandDefinition($"""
            SELECT {DeliveryColumns} FROM webhook_deliveries WHERE webhook_id = @webhookId ORDER BY id DESC LIMIT @limit
            """, new { webhookId, limit }, cancellationToken: cancellationToken))).AsList();
        var ids = deliveries.Select(d => d.Id).ToArray();
        var attempts = await connection.QueryAsync<AttemptRow>(new CommandDefinition("""
            SELECT delivery_id, attempt, status_code, duration_ms, error, attempted_at
            FROM webhook_attempts WHERE delivery_id = ANY(@ids) ORDER BY delivery_id, attempt
            """, new { ids }, cancellationToken: cancellationToken));
        return (deliveries, attempts.ToLookup(a => a.DeliveryId));
    }

    public async Task<(DeliveryRow? Delivery, IReadOnlyList<AttemptRow> Attempts)> FindDeliveryAsync(long webhookId, long deliveryId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var delivery = await connection.QuerySingleOrDefaultAsync<DeliveryRow>(new CommandDefinition(
            $"SELECT {DeliveryColumns} FROM webhook_deliveries WHERE id = @deliveryId AND webhook_id = @webhookId",
            new { webhookId, deliveryId }, cancellationToken: cancellationToken));
        var attempts = delivery is null ? [] : (await connection.QueryAsync<AttemptRow>(new CommandDefinition("""
            SELECT delivery_id, attempt, status_code, duration_ms, error, attempted_at
            FROM webhook_attempts WHERE delivery_id = @deliveryId ORDER BY attempt
            """, new { deliveryId }, cancellationToken: cancellationToken))).AsList();
        return (delivery, attempts);
    }

    /// <summary>Queues a finished delivery again (same event id and body) for an attempt now; null when it is still pending.</summary>
    public async Task<DeliveryRow?> RequeueAsync(long webhookId, long deliveryId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<DeliveryRow>(new CommandDefinition($"""
            UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = now(), delivered_at = NULL
            WHERE id = @deliveryId AND webhook_id = @webhookId AND status <> 'pending'
            RETURNING {DeliveryColumns}
            """, new { webhookId, deliveryId }, cancellationToken: cancellationToken));
    }
}
