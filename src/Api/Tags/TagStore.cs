using Api.Articles;
using Api.Infrastructure;
using Dapper;
using Npgsql;

namespace Api.Tags;

public sealed class TagRow
{
    public long Id { get; init; }
    public required string Slug { get; init; }
    public required string Name { get; init; }
    public long ArticleCount { get; init; }
    public DateTime UpdatedAt { get; init; }
    public int Version { get; init; }

    /// <summary>The lowercased name, the key of <c>sort=name</c>.</summary>
    public string SortName { get; init; } = "";
}

/// <summary>Reads tags, with the number of published articles each has.</summary>
public sealed class TagStore(ReadSource reads)
{
    private const string PublicArticles = $"""
        SELECT count(*) FROM article_tags at JOIN articles a ON a.id = at.article_id
        WHERE at.tag_id = t.id AND {ArticleStore.Visible}
        """;

    private const string Counted = $"""
        WITH counted AS (
            SELECT t.id, t.slug, t.name, lower(t.name) AS sort_name, count(*) AS article_count
            FROM tags t
            JOIN article_tags at ON at.tag_id = t.id
            JOIN articles a ON a.id = at.article_id
            WHERE {ArticleStore.Visible}
              AND (@q::text IS NULL OR starts_with(lower(t.name), lower(@q)))
            GROUP BY t.id
        )
        SELECT id, slug, name, sort_name, article_count FROM counted
        """;

    private const string ByNameSql = $"""
        {Counted}
        WHERE @afterSlug::text IS NULL OR (sort_name, slug) > (@afterName::text, @afterSlug)
        ORDER BY sort_name, slug
        LIMIT @take
        """;

    private const string ByCountSql = $"""
        {Counted}
        WHERE @afterSlug::text IS NULL OR article_count < @afterCount::bigint OR (article_count = @afterCount AND slug > @afterSlug)
        ORDER BY article_count DESC, slug
        LIMIT @take
        """;

    /// <summary>
    /// One page of the tags that have published articles (up to <paramref name="take"/> rows), after
    /// <paramref name="after"/>: counts are taken as the page is read, so paging by count follows them.
    /// </summary>
    public async Task<IReadOnlyList<TagRow>> ListAsync(bool byCount, string? q, TagCursor? after, int take, CancellationToken cancellationToken)
    {
        await using var connection = await reads.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<TagRow>(new CommandDefinition(
            byCount ? ByCountSql : ByNameSql,
            new { q, afterName = after?.Name, afterCount = after?.Count, afterSlug = after?.Slug, take },
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>The tag with this slug, or else the current slug of the tag it is an earlier slug of.</summary>
    public async Task<(TagRow? Tag, string? MovedTo)> FindAsync(string slug, CancellationToken cancellationToken)
    {
        await using var connection = await reads.OpenAsync(cancellationToken);
        if (await GetAsync(connection, null, slug, cancellationToken) is { } tag)
        {
            return (tag, null);
        }

        return (null, await MovedToAsync(connection, slug, cancellationToken));
    }

    /// <summary>A tag by id or slug, with its count of published articles.</summary>
    public static Task<TagRow?> GetAsync(NpgsqlConnection connection, long? id, string? slug, CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<TagRow>(new CommandDefinition($"""
            SELECT t.id, t.slug, t.name, t.version, t.updated_at, ({PublicArticles}) AS article_count
            FROM tags t
            WHERE t.id = @id OR t.slug = @slug
            """, new { id, slug }, cancellationToken: cancellationToken));

    /// <summary>The current slug of the tag <paramref name="alias"/> used to name; null when none.</summary>
    public static Task<string?> MovedToAsync(NpgsqlConnection connection, string alias, CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            "SELECT t.slug FROM tag_aliases al JOIN tags t ON t.id = al.tag_id WHERE al.alias = @alias",
            new { alias }, cancellationToken: cancellationToken));
}
