using Dapper;
using Npgsql;

namespace Api.Articles;

public sealed class ArticleRow
{
    public long Id { get; init; }
    public required string Slug { get; init; }
    public required string Title { get; init; }
    public required string Summary { get; init; }
    public required string BodyHtml { get; init; }
    public required string BodyText { get; init; }
    public required string Language { get; init; }
    public long CategoryId { get; init; }
    public required string Status { get; init; }
    public string? Byline { get; init; }
    public string? Source { get; init; }
    public string? ImageUrl { get; init; }
    public string? ImageAlt { get; init; }
    public string? CanonicalUrl { get; init; }
    public DateTime? PublishedAt { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; init; }
    public int Version { get; init; }
    public string[] TagSlugs { get; init; } = [];
    public string[] TagNames { get; init; } = [];
    public string[] PreviousSlugs { get; init; } = [];
    public string[] LegacyIds { get; init; } = [];
    public Guid? TranslationGroup { get; init; }

    /// <summary>Search rank (lists with <c>q</c> only).</summary>
    public double Rank { get; init; }

    /// <summary>Search snippet with match markers (lists with <c>q</c> only).</summary>
    public string? Snippet { get; init; }
}

/// <summary>Reads articles. Public reads see only published articles whose time has come and that are not deleted.</summary>
public sealed partial class ArticleStore(NpgsqlDataSource dataSource)
{
    private const string Columns = $"a.body_html, a.body_text, {MetaColumns}";

    /// <summary>Everything but the body.</summary>
    private const string MetaColumns = """
        a.id, a.slug, a.title, a.summary, a.language, a.category_id, a.status,
        a.byline, a.source, a.image_url, a.image_alt, a.canonical_url, a.published_at, a.created_at,
        a.updated_at, a.version, a.translation_group,
        ARRAY(SELECT t.slug FROM article_tags at JOIN tags t ON t.id = at.tag_id
              WHERE at.article_id = a.id ORDER BY at.position, t.slug) AS tag_slugs,
        ARRAY(SELECT t.name FROM article_tags at JOIN tags t ON t.id = at.tag_id
              WHERE at.article_id = a.id ORDER BY at.position, t.slug) AS tag_names,
        ARRAY(SELECT al.alias FROM article_aliases al
              WHERE al.article_id = a.id AND al.kind = 'slug' ORDER BY al.created_at, al.alias) AS previous_slugs,
        ARRAY(SELECT al.alias FROM article_aliases al
              WHERE al.article_id = a.id AND al.kind = 'legacy' ORDER BY al.created_at, al.alias) AS legacy_ids
        """;

    private const string Visible = "a.status = 'published' AND a.published_at <= now() AND a.deleted_at IS NULL";

    public async Task<ArticleRow?> FindPublishedByIdAsync(long id, CancellationToken cancellationToken)
    {
        const string sql = $"SELECT {Columns} FROM articles a WHERE a.id = @id AND {Visible}";
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ArticleRow>(
            new CommandDefinition(sql, new { id }, cancellationToken: cancellationToken));
    }

    public async Task<ArticleRow?> FindPublishedBySlugAsync(string slug, CancellationToken cancellationToken)
    {
        const string sql = $"SELECT {Columns} FROM articles a WHERE a.slug = @slug AND {Visible}";
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ArticleRow>(
            new CommandDefinition(sql, new { slug }, cancellationToken: cancellationToken));
    }

    /// <summary>The other published language versions of the articles in <paramref name="groups"/>, by group.</summary>
    public async Task<ILookup<Guid, TranslationRow>> FindTranslationsAsync(Guid[] groups, CancellationToken cancellationToken)
    {
        if (groups.Length == 0)
        {
            return Array.Empty<TranslationRow>().ToLookup(t => t.TranslationGroup);
        }

        const string sql = $"""
            SELECT a.translation_group, a.id, a.slug, a.language
            FROM articles a
            WHERE a.translation_group = ANY(@groups) AND {Visible}
            ORDER BY a.language, a.id
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<TranslationRow>(new CommandDefinition(sql, new { groups }, cancellationToken: cancellationToken));
        return rows.ToLookup(t => t.TranslationGroup);
    }

    /// <summary>The current slug of the published article that <paramref name="alias"/> (an old slug or legacy id) names.</summary>
    public async Task<string?> FindPublishedSlugByAliasAsync(string alias, CancellationToken cancellationToken)
    {
        const string sql = $"""
            SELECT a.slug
            FROM article_aliases al
            JOIN articles a ON a.id = al.article_id
            WHERE al.alias = @alias AND {Visible}
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<string>(
            new CommandDefinition(sql, new { alias }, cancellationToken: cancellationToken));
    }
}

public sealed class TranslationRow
{
    public Guid TranslationGroup { get; init; }
    public long Id { get; init; }
    public required string Slug { get; init; }
    public required string Language { get; init; }
}
