using System.Text.Json;
using System.Text.Json.Nodes;
using Api.Articles;
using Api.Infrastructure;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Api.Webhooks;

/// <summary>
/// Turns the change feed into deliveries. Each batch runs in one transaction that locks the position
/// row (<c>FOR UPDATE SKIP LOCKED</c>: another instance busy with a batch makes this one skip its turn),
/// reads the changes after the position, inserts one delivery per subscribed, enabled webhook and
/// advances the position before committing. Changes are numbered in commit order (migration 0008),
/// so reading "after the position" never skips one still in flight, and since the deliveries and the
/// new position commit together, every change becomes its deliveries exactly once.
/// </summary>
public sealed class WebhookDispatcher(
    NpgsqlDataSource dataSource,
    ArticleViews views,
    IOptions<JsonOptions> json,
    IOptions<WebhookOptions> options,
    WakeSignal<WebhookSender> signal,
    ILogger<WebhookDispatcher> logger) : PollingWorker<WebhookDispatcher>(null, logger)
{
    protected override TimeSpan PollInterval => TimeSpan.FromSeconds(options.Value.PollIntervalSeconds);

    protected override string Work => "Dispatching changes to webhooks";

    protected override async Task RunRoundAsync(CancellationToken cancellationToken)
    {
        while (await DispatchBatchAsync(cancellationToken) == BatchSize)
        {
        }
    }

    private const int BatchSize = 100;

    private sealed class ChangeRow
    {
        public long Seq { get; init; }
        public required string Entity { get; init; }
        public long EntityId { get; init; }
        public required string Kind { get; init; }
        public DateTime OccurredAt { get; init; }
        public bool? VisibleBefore { get; init; }
        public bool? VisibleAfter { get; init; }
    }

    private sealed class HookRow
    {
        public long Id { get; init; }
        public required string[] Events { get; init; }
    }

    /// <summary>Dispatches up to one batch of changes; returns how many changes it consumed.</summary>
    private async Task<int> DispatchBatchAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var position = await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
            "SELECT last_seq FROM webhook_dispatch_position WHERE singleton FOR UPDATE SKIP LOCKED", transaction: transaction, cancellationToken: cancellationToken));
        if (position is not { } last)
        {
            return 0;
        }

        var changes = (await connection.QueryAsync<ChangeRow>(new CommandDefinition("""
            SELECT seq, entity, entity_id, kind, occurred_at, visible_before, visible_after FROM changes WHERE seq > @last ORDER BY seq LIMIT @limit
            """, new { last, limit = BatchSize }, transaction, cancellationToken: cancellationToken))).AsList();
        if (changes.Count == 0)
        {
            return 0;
        }

        var hooks = (await connection.QueryAsync<HookRow>(new CommandDefinition(
            "SELECT id, events FROM webhooks WHERE enabled ORDER BY id", transaction: transaction, cancellationToken: cancellationToken))).AsList();
        var queued = 0;
        foreach (var change in changes.Where(_ => hooks.Count > 0))
        {
            var type = WebhookEvents.For(change.Entity, change.Kind, change.VisibleBefore ?? false, change.VisibleAfter ?? false);
            var subscribers = type is null ? [] : hooks.Where(h => h.Events.Contains(type, StringComparer.Ordinal)).Select(h => h.Id).ToArray();
            if (subscribers.Length == 0)
            {
                continue;
            }

            var payload = await PayloadAsync(connection, change, type!, cancellationToken);
            var eventId = Guid.CreateVersion7();
            payload["id"] = eventId.ToString("D");
            queued += await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, seq, payload)
                SELECT hook, @eventId, @type, @seq, @payload FROM unnest(@subscribers) AS hook
                """, new { eventId, type, seq = change.Seq, payload = payload.ToJsonString(json.Value.SerializerOptions), subscribers }, transaction, cancellationToken: cancellationToken));
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE webhook_dispatch_position SET last_seq = @seq WHERE singleton", new { seq = changes[^1].Seq }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        if (queued > 0)
        {
            logger.LogInformation("Queued {Count} webhook deliveries for changes {First} to {Last}", queued, changes[0].Seq, changes[^1].Seq);
            signal.Notify();
        }

        return changes.Count;
    }

    /// <summary>
    /// The payload of a change's event (without its id yet). An article event carries the article as
    /// the public sees it now, when the event says it is public (published, updated) and it still is.
    /// </summary>
    private async Task<JsonObject> PayloadAsync(NpgsqlConnection connection, ChangeRow change, string type, CancellationToken cancellationToken)
    {
        var options = json.Value.SerializerOptions;
        JsonObject data;
        if (change.Entity == Api.Changes.ChangeLog.Category)
        {
            var slug = await connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
                "SELECT slug FROM categories WHERE id = @id", new { id = change.EntityId }, cancellationToken: cancellationToken));
            data = new JsonObject
            {
                ["categoryId"] = change.EntityId,
                ["slug"] = slug,
                ["change"] = change.Kind,
                ["seq"] = change.Seq,
            };
        }
        else
        {
            var view = type is WebhookEvents.ArticlePublished or WebhookEvents.ArticleUpdated
                ? await views.RenderAsync(change.EntityId, ArticleStore.Audience.Public, cancellationToken, connection)
                : null;
            data = new JsonObject
            {
                ["article"] = view is null ? null : JsonSerializer.SerializeToNode(view.Article, options),
                ["articleId"] = change.EntityId,
                ["change"] = change.Kind,
                ["seq"] = change.Seq,
            };
        }

        return new JsonObject
        {
            ["id"] = null,
            ["type"] = type,
            ["occurredAt"] = JsonSerializer.SerializeToNode(DateTime.SpecifyKind(change.OccurredAt, DateTimeKind.Utc), options),
            ["data"] = data,
        };
    }
}
