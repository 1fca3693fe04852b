using Api.Infrastructure;
using Dapper;
using Npgsql;

namespace Api.Syndication;

/// <summary>One page of the sitemap index: the public articles whose ids fall in its range.</summary>
public sealed class SitemapPageRow
{
    public long Number { get; init; }
    public long Urls { get; init; }
    public DateTime LastModified { get; init; }
    public string? ImageUrl { get; init; }
    public long? ImageMediumId { get; init; }
    public string? ImageToken { get; init; }
    public int ImageWidth { get; init; }
    public int ImageHeight { get; init; }
}

/// <summary>A public article's address and last change (its last edit, or its publication when that came later).</summary>
public sealed class SitemapUrlRow
{
    public long Id { get; init; }
    public required string Slug { get; init; }
    public string? CanonicalUrl { get; init; }
    public DateTime LastModified { get; init; }
    public string? ImageUrl { get; init; }
    public long? ImageMediumId { get; init; }
    public string? ImageToken { get; init; }
    public int ImageWidth { get; init; }
    public int ImageHeight { get; init; }
}

/// <summary>
/// Reads what the sitemaps list. Page <c>n</c> of the index holds the public articles with ids from
/// <c>(n - 1) × size + 1</c> to <c>n × size</c>: a keyset by id, so an article stays on its page
/// whatever is published or withdrawn elsewhere, and no page ever holds more than <c>size</c> URLs.
/// </summary>
public sealed class SitemapStore(ReadSource reads)
{
    private const string Visible = "a.status = 'published' AND a.published_at <= now() AND a.deleted_at IS NULL";

    /// <summary>
/// The non-empty pages, in order, with their number of URLs and newest change. A scheduled article
/// changes its page when its time comes, so publication times count as changes too.
/// </summary>
    public async Task<IReadOnlyList<SitemapPageRow>> PagesAsync(int pageSize, CancellationToken cancellationToken)
    {
        const string sql = $"""
            SELECT (a.id - 1) / @pageSize + 1 AS number, count(*) AS urls, max(greatest(a.updated_at, a.published_at)) AS last_modified
            FROM articles a
            WHERE {Visible}
            GROUP BY 1
            ORDER BY 1
            """;
        await using var connection = await reads.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<SitemapPageRow>(new CommandDefinition(sql, new { pageSize = (long)pageSize }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>The public articles with ids from <paramref name="firstId"/> to <paramref name="lastId"/>, by id.</summary>
    public async Task<IReadOnlyList<SitemapUrlRow>> UrlsAsync(long firstId, long lastId, CancellationToken cancellationToken)
    {
        const string sql = $"""
            SELECT a.id, a.slug, a.canonical_url, greatest(a.updated_at, a.published_at) AS last_modified,
                   a.image_url, a.image_medium_id, m.token AS image_token, coalesce(m.width, 0) AS image_width, coalesce(m.height, 0) AS image_height
            FROM articles a LEFT JOIN media m ON m.id = a.image_medium_id
            WHERE {Visible} AND a.id BETWEEN @firstId AND @lastId
            ORDER BY a.id
            """;
        await using var connection = await reads.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<SitemapUrlRow>(new CommandDefinition(sql, new { firstId, lastId }, cancellationToken: cancellationToken));
        return rows.AsList();
    }
}
