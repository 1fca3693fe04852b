using Dapper;
using Npgsql;

namespace Api.Shares.Email;

/// <summary>A suggestion to queue: one message per recipient.</summary>
public sealed record NewShareEmail(
    long ArticleId,
    string ArticleTitle,
    string ArticleSummary,
    string ArticleUrl,
    string SenderName,
    string? Note,
    byte[] ClientHash,
    IReadOnlyList<(string Address, byte[] Hash)> Recipients);

/// <summary>What became of a request to queue: its id, or how long until the limit that refused it frees.</summary>
public sealed record EnqueueOutcome(Guid? Id, TimeSpan? RetryAfter, string? Limit);

public sealed class ShareEmailStatusRow
{
    public Guid Id { get; init; }
    public required string Status { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime? SentAt { get; init; }
    public int Attempts { get; init; }
}

/// <summary>
/// Queues suggestions under the abuse limits, answers their status and keeps the opt-out list. The
/// limits count rows in the database, so they hold across instances and restarts; queuing takes a
/// transaction-scoped advisory lock so that two instances cannot both let the last allowed one in.
/// </summary>
public sealed class ShareEmailStore(NpgsqlDataSource dataSource)
{
    private const long QueueLockKey = 0x6E65_7773_6170_6902; // "newsapi" + 2

    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    public async Task<EnqueueOutcome> EnqueueAsync(NewShareEmail email, ShareEmailOptions limits, CancellationToken cancellationToken)
    {
        const string lockSql = "SELECT now() FROM (SELECT pg_advisory_xact_lock(@key)) AS locked";
        const string perClientSql = """
            SELECT created_at FROM share_email_requests
            WHERE client_hash = @hash AND created_at > now() - interval '1 hour'
            ORDER BY created_at
            """;
        const string perRecipientSql = """
            SELECT created_at FROM share_email_outbox
            WHERE recipient_hash = @hash AND created_at > now() - interval '1 day'
            ORDER BY created_at
            """;
        const string globalSql = """
            SELECT created_at FROM share_email_outbox
            WHERE created_at > now() - interval '1 hour'
            ORDER BY created_at
            """;
        const string insertRequestSql = """
            INSERT INTO share_email_requests (id, article_id, client_hash, sender_name, note, article_title, article_summary, article_url)
            VALUES (@id, @ArticleId, @ClientHash, @SenderName, @Note, @ArticleTitle, @ArticleSummary, @ArticleUrl)
            """;
        // A suppressed recipient's message is queued like any other (so that nothing in the answer
        // tells whether the address opted out), but without the address: the sender skips it.
        const string insertMessageSql = """
            INSERT INTO share_email_outbox (request_id, recipient, recipient_hash)
            SELECT @id, CASE WHEN EXISTS (SELECT 1 FROM share_email_suppressions WHERE address_hash = @hash) THEN NULL ELSE @address END, @hash
            """;

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var now = await connection.QuerySingleAsync<DateTime>(new CommandDefinition(lockSql, new { key = QueueLockKey }, transaction, cancellationToken: cancellationToken));

        async Task<List<DateTime>> Times(string sql, byte[]? hash) =>
            (await connection.QueryAsync<DateTime>(new CommandDefinition(sql, new { hash }, transaction, cancellationToken: cancellationToken))).AsList();

        var refusals = new List<(TimeSpan Wait, string Limit)>();
        if (Wait(await Times(perClientSql, email.ClientHash), limits.PerIpPerHour, 1, Hour, now) is { } perClient)
        {
            refusals.Add((perClient, "requests from your address per hour"));
        }

        foreach (var (_, hash) in email.Recipients)
        {
            if (Wait(await Times(perRecipientSql, hash), limits.PerRecipientPerDay, 1, Day, now) is { } perRecipient)
            {
                refusals.Add((perRecipient, "messages to one recipient per day"));
            }
        }

        if (Wait(await Times(globalSql, null), limits.GlobalPerHour, email.Recipients.Count, Hour, now) is { } global)
        {
            refusals.Add((global, "messages from this site per hour"));
        }

        if (refusals.Count > 0)
        {
            var longest = refusals.MaxBy(r => r.Wait);
            return new EnqueueOutcome(null, longest.Wait, longest.Limit);
        }

        var id = Guid.NewGuid();
        await connection.ExecuteAsync(new CommandDefinition(insertRequestSql, new
        {
            id,
            email.ArticleId,
            email.ClientHash,
            email.SenderName,
            email.Note,
            email.ArticleTitle,
            email.ArticleSummary,
            email.ArticleUrl,
        }, transaction, cancellationToken: cancellationToken));
        foreach (var (address, hash) in email.Recipients)
        {
            await connection.ExecuteAsync(new CommandDefinition(insertMessageSql, new { id, address, hash }, transaction, cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
        return new EnqueueOutcome(id, null, null);
    }

    /// <summary>
    /// How long until <paramref name="adding"/> more fit under <paramref name="limit"/> in the sliding
    /// window, given the times (oldest first) of what it holds now; null when they fit already.
    /// </summary>
    internal static TimeSpan? Wait(IReadOnlyList<DateTime> times, int limit, int adding, TimeSpan window, DateTime now)
    {
        var mustExpire = times.Count + adding - limit;
        if (mustExpire <= 0)
        {
            return null;
        }

        if (mustExpire > times.Count)
        {
            return window;
        }

        var wait = times[mustExpire - 1] + window - now;
        return wait > TimeSpan.Zero ? wait : TimeSpan.FromSeconds(1);
    }

    /// <summary>
    /// The request's state over its messages: queued while any is, failed when any failed, else sent
    /// (a message skipped for an opted-out recipient counts as sent, so the status reveals nothing).
    /// </summary>
    public async Task<ShareEmailStatusRow?> FindStatusAsync(Guid id, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT r.id,
                   r.created_at,
                   CASE WHEN bool_or(o.status = 'queued') THEN 'queued'
                        WHEN bool_or(o.status = 'failed') THEN 'failed'
                        ELSE 'sent' END AS status,
                   CASE WHEN bool_or(o.status IN ('queued', 'failed')) THEN NULL ELSE max(o.sent_at) END AS sent_at,
                   max(o.attempts) AS attempts
            FROM share_email_requests r
            JOIN share_email_outbox o ON o.request_id = r.id
            WHERE r.id = @id
            GROUP BY r.id, r.created_at
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ShareEmailStatusRow>(new CommandDefinition(sql, new { id }, cancellationToken: cancellationToken));
    }

    /// <summary>Adds the address (by its hash) to the suppression list; doing it again changes nothing.</summary>
    public async Task SuppressAsync(byte[] addressHash, CancellationToken cancellationToken)
    {
        const string sql = """
            INSERT INTO share_email_suppressions (address_hash) VALUES (@addressHash)
            ON CONFLICT (address_hash) DO NOTHING
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(sql, new { addressHash }, cancellationToken: cancellationToken));
    }
}
