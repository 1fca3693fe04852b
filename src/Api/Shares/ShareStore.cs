using System.Security.Cryptography;
using Dapper;
using Npgsql;

namespace Api.Shares;

public sealed class ShareCountRow
{
    public DateTime Day { get; init; }
    public required string Network { get; init; }
    public long Intents { get; init; }
    public long Events { get; init; }
    public long Clicks { get; init; }
}

public sealed class MostSharedRow
{
    public long ArticleId { get; init; }
    public long Shares { get; init; }
}

/// <summary>Short links and share counts. Each intent, event and click is its own row, so concurrent counting loses nothing.</summary>
public sealed class ShareStore(NpgsqlDataSource dataSource)
{
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    public const int CodeLength = 8;

    /// <summary>The article's short-link code, created on first use: 8 random base62 characters (47 bits), never sequential.</summary>
    public async Task<string> ShortCodeAsync(long articleId, CancellationToken cancellationToken)
    {
        const string sql = """
            WITH created AS (
                INSERT INTO share_links (code, article_id) VALUES (@code, @articleId)
                ON CONFLICT (article_id) DO NOTHING
                RETURNING code
            )
            SELECT code FROM created
            UNION ALL
            SELECT code FROM share_links WHERE article_id = @articleId
            LIMIT 1
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await connection.QuerySingleAsync<string>(new CommandDefinition(
                    sql, new { code = RandomNumberGenerator.GetString(Alphabet, CodeLength), articleId }, cancellationToken: cancellationToken));
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == "share_links_pkey" && attempt < 5)
            {
                // Another article drew the same code; draw again.
            }
        }
    }

    public async Task<long?> ArticleOfCodeAsync(string code, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
            "SELECT article_id FROM share_links WHERE code = @code", new { code }, cancellationToken: cancellationToken));
    }

    public async Task RecordAsync(long articleId, string kind, string network, string? placement, string? referrerHost, string? agentFamily, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO share_events (article_id, kind, network, placement, referrer_host, agent_family)
            VALUES (@articleId, @kind, @network, @placement, @referrerHost, @agentFamily)
            """, new { articleId, kind, network, placement, referrerHost, agentFamily }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<ShareCountRow>> CountsAsync(long articleId, DateTime since, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<ShareCountRow>(new CommandDefinition("""
            SELECT date_trunc('day', occurred_at AT TIME ZONE 'UTC') AS day, network,
                   count(*) FILTER (WHERE kind = 'intent') AS intents,
                   count(*) FILTER (WHERE kind = 'event') AS events,
                   count(*) FILTER (WHERE kind = 'click') AS clicks
            FROM share_events
            WHERE article_id = @articleId AND occurred_at >= @since
            GROUP BY 1, 2
            ORDER BY 1, 2
            """, new { articleId, since }, cancellationToken: cancellationToken))).AsList();
    }

    public async Task<IReadOnlyList<MostSharedRow>> MostSharedAsync(DateTime since, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<MostSharedRow>(new CommandDefinition("""
            SELECT e.article_id, count(*) AS shares
            FROM share_events e
            JOIN articles a ON a.id = e.article_id
            WHERE e.occurred_at >= @since AND e.kind IN ('intent', 'event')
              AND a.status = 'published' AND a.published_at <= now() AND a.deleted_at IS NULL
            GROUP BY e.article_id
            ORDER BY shares DESC, e.article_id DESC
            LIMIT @limit
            """, new { since, limit }, cancellationToken: cancellationToken))).AsList();
    }
}
