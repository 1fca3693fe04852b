using Api.Infrastructure;
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

    /// <summary>draft, scheduled (published, its time not come), published or archived.</summary>
    public required string Status { get; init; }

    public string? Byline { get; init; }
    public string? Dateline { get; init; }
    public string Kind { get; init; } = "news";
    public DateTime? ContentModifiedAt { get; init; }

    /// <summary>Whether the article is under embargo now: scheduled, and given to partner keys before its time.</summary>
    public bool Embargoed { get; init; }

    /// <summary>The correction and update notes in order, as a JSON array of <see cref="CorrectionDto"/>; null when there are none.</summary>
    public string? Corrections { get; init; }
    public string? Source { get; init; }
    public string? ImageUrl { get; init; }
    public string? ImageAlt { get; init; }

    /// <summary>The lead medium as JSON (<see cref="LeadMedium"/>), when the lead image is one.</summary>
    public string? ImageMedium { get; init; }

    /// <summary>The media of the body's images as a JSON array of <see cref="LeadMedium"/>, when it has any (and the body was read).</summary>
    public string? BodyMedia { get; init; }

    /// <summary>The article's authors in order as a JSON array of <see cref="Api.Authors.ArticleAuthor"/>; null when it names none.</summary>
    public string? Authors { get; init; }
    public string? CanonicalUrl { get; init; }
    public DateTime? PublishedAt { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; init; }
    public DateTime? DeletedAt { get; init; }
    public int Version { get; init; }
    /// <summary>The tags in order, as a JSON array of <see cref="TagDto"/> (the row's <c>tag_list</c>).</summary>
    public string? Tags { get; init; }
    public string[] PreviousSlugs { get; init; } = [];
    public string[] LegacyIds { get; init; } = [];
    public Guid? TranslationGroup { get; init; }

    /// <summary>Search rank (lists with <c>q</c> only).</summary>
    public double Rank { get; init; }

    /// <summary>Search snippet with match markers (lists with <c>q</c> only).</summary>
    public string? Snippet { get; init; }
}

/// <summary>Reads articles (from a replica during public reads, see <see cref="ReadSource"/>). Public reads see only published articles whose time has come and that are not deleted.</summary>
public sealed partial class ArticleStore(ReadSource reads, SearchGate searches)
{
    private const string Columns = $"a.body_html, a.body_text, {BodyMedia}, {MetaColumns}, {AliasColumns}";

    /// <summary>
    /// <see cref="Columns"/> without the plain-text body and the aliases, which a reader's JSON read leaves
    /// out unless asked for: the text is as long as the body and read from TOAST, the aliases are two
    /// more subqueries.
    /// </summary>
    private const string ReaderColumns = $"a.body_html, ''::text AS body_text, {BodyMedia}, {MetaColumns}, {NoAliasColumns}";

    /// <summary>A medium as JSON (<see cref="LeadMedium"/>'s shape), from <c>media m</c>.</summary>
    internal const string MediumJson = """
        json_build_object('id', m.id, 'token', m.token, 'width', m.width, 'height', m.height, 'alt', m.alt,
                'caption', m.caption, 'credit', m.credit, 'copyright', m.copyright, 'dominantColor', m.dominant_color,
                'placeholder', m.placeholder)
        """;

    /// <summary>
    /// The media of the body's images, in order, as a JSON array; null when there are none. Each medium is
    /// looked up by its key for each image the body has: a join let the planner scan the whole media
    /// table (it is small at first, and may be mostly dead rows) for every article read, images or not.
    /// </summary>
    internal const string BodyMedia = $"""
        (SELECT json_agg((SELECT {MediumJson} FROM media m WHERE m.id = am.medium_id) ORDER BY am.position)::text
         FROM article_media am WHERE am.article_id = a.id) AS body_media
        """;

    /// <summary>Everything but the body (with <see cref="WithLists"/> joined). The status is "scheduled" for a published article whose time has not come, by the database's clock.</summary>
    private const string MetaColumns = $"""
        a.id, a.slug, a.title, a.summary, a.language, a.category_id,
        CASE WHEN a.status = 'published' AND a.published_at > now() THEN 'scheduled' ELSE a.status END AS status,
        a.byline, a.source, a.image_url, a.image_alt, a.canonical_url, a.published_at, a.created_at, a.dateline, a.kind, a.content_modified_at,
        ({Embargoed}) AS embargoed,
        (SELECT json_agg(json_build_object('id', c.id, 'kind', c.kind, 'text', c.text, 'createdAt', c.created_at) ORDER BY c.created_at, c.id)::text
         FROM article_corrections c WHERE c.article_id = a.id) AS corrections,
        CASE WHEN a.image_medium_id IS NOT NULL THEN (SELECT {MediumJson}::text FROM media m WHERE m.id = a.image_medium_id) END AS image_medium,
        a.updated_at, a.deleted_at, a.version, a.translation_group,
        coalesce(l.tags, '[]')::text AS tags, coalesce(l.authors, '[]')::text AS authors
        """;

    /// <summary>The join <see cref="MetaColumns"/> needs: the article's tags and authors, ready as JSON (migration 0024).</summary>
    internal const string WithLists = "LEFT JOIN article_lists l ON l.article_id = a.id";

    /// <summary>The article's earlier slugs and legacy ids (single reads, and lists that ask for them).</summary>
    private const string AliasColumns = """
        ARRAY(SELECT al.alias FROM article_aliases al
              WHERE al.article_id = a.id AND al.kind = 'slug' ORDER BY al.created_at, al.alias) AS previous_slugs,
        ARRAY(SELECT al.alias FROM article_aliases al
              WHERE al.article_id = a.id AND al.kind = 'legacy' ORDER BY al.created_at, al.alias) AS legacy_ids
        """;

    /// <summary>In place of <see cref="AliasColumns"/> when the answer does not show them.</summary>
    private const string NoAliasColumns = "'{}'::text[] AS previous_slugs, '{}'::text[] AS legacy_ids";

    /// <summary>SQL: whether the public can see article <c>a</c> now (at the transaction's time).</summary>
    internal const string Visible = "a.status = 'published' AND a.published_at <= now() AND a.deleted_at IS NULL";

    /// <summary>SQL: whether article <c>a</c> is under embargo now: scheduled, and given to partners before its time.</summary>
    internal const string Embargoed = "a.embargoed AND a.status = 'published' AND a.published_at > now() AND a.deleted_at IS NULL";

    /// <summary>SQL: whether partner keys can see article <c>a</c> now: what the public sees, and articles under embargo.</summary>
    internal const string PartnerVisible = "a.status = 'published' AND a.deleted_at IS NULL AND (a.published_at <= now() OR a.embargoed)";

    /// <summary>
    /// Who is reading: the public sees published articles whose time has come; partners (keys with the
    /// partner scope) also see those under embargo; editors see every article, deleted ones included.
    /// </summary>
    public enum Audience
    {
        Public,
        Editor,
        Partner,
    }

    /// <summary>The one of three statements that reads for <paramref name="audience"/>.</summary>
    private static string For(Audience audience, string publicSql, string partnerSql, string editorSql) => audience switch
    {
        Audience.Public => publicSql,
        Audience.Partner => partnerSql,
        _ => editorSql,
    };

    /// <summary>
    /// The article with this id if <paramref name="audience"/> may see it. With <paramref name="whole"/>
    /// false, the row's <c>BodyText</c> is empty and it has no aliases (editors' reads are always whole).
    /// </summary>
    public async Task<ArticleRow?> FindByIdAsync(long id, Audience audience, CancellationToken cancellationToken, NpgsqlConnection? connection = null, bool whole = true)
    {
        var sql = ById.For(audience, whole);
        if (connection is not null)
        {
            return await ReadOneAsync(connection, sql, new NpgsqlParameter<long> { TypedValue = id }, cancellationToken);
        }

        await using var opened = await reads.OpenAsync(cancellationToken);
        return await ReadOneAsync(opened, sql, new NpgsqlParameter<long> { TypedValue = id }, cancellationToken);
    }

    /// <summary>The article with this current slug if <paramref name="audience"/> may see it; <paramref name="whole"/> as for <see cref="FindByIdAsync"/>.</summary>
    public async Task<ArticleRow?> FindBySlugAsync(string slug, Audience audience, CancellationToken cancellationToken, bool whole = true)
    {
        await using var connection = await reads.OpenAsync(cancellationToken);
        return await ReadOneAsync(connection, BySlug.For(audience, whole), new NpgsqlParameter<string> { TypedValue = slug }, cancellationToken);
    }

    private static readonly SingleReads ById = new("a.id = $1");
    private static readonly SingleReads BySlug = new("a.slug = $1");

    /// <summary>The statements of a single read by <paramref name="key"/>, for each audience, whole or for a reader's JSON.</summary>
    private sealed class SingleReads(string key)
    {
        private readonly string _public = $"SELECT {Columns} FROM articles a {WithLists} WHERE {key} AND {Visible}";
        private readonly string _partner = $"SELECT {Columns} FROM articles a {WithLists} WHERE {key} AND {PartnerVisible}";
        private readonly string _editor = $"SELECT {Columns} FROM articles a {WithLists} WHERE {key}";
        private readonly string _publicReader = $"SELECT {ReaderColumns} FROM articles a {WithLists} WHERE {key} AND {Visible}";
        private readonly string _partnerReader = $"SELECT {ReaderColumns} FROM articles a {WithLists} WHERE {key} AND {PartnerVisible}";

        public string For(Audience audience, bool whole) =>
            whole ? ArticleStore.For(audience, _public, _partner, _editor) : ArticleStore.For(audience, _publicReader, _partnerReader, _editor);
    }

    /// <summary>
    /// The single-article reads, the hottest statements: a positional parameter spares Npgsql rewriting
    /// named ones (a scan of the whole statement on every execution), and the row is mapped by Dapper's
    /// cached parser for the reader's columns.
    /// </summary>
    private static async Task<ArticleRow?> ReadOneAsync(NpgsqlConnection connection, string sql, NpgsqlParameter parameter, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection) { Parameters = { parameter } };
        await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SingleRow, cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return reader.GetRowParser<ArticleRow>()(reader);
    }

    /// <summary>The other language versions of the articles in <paramref name="groups"/> that the audience may see, by group.</summary>
    public async Task<ILookup<Guid, TranslationRow>> FindTranslationsAsync(
        Guid[] groups, CancellationToken cancellationToken, Audience audience = Audience.Public, NpgsqlConnection? connection = null)
    {
        if (groups.Length == 0)
        {
            return Array.Empty<TranslationRow>().ToLookup(t => t.TranslationGroup);
        }

        const string publicSql = $"""
            SELECT a.translation_group, a.id, a.slug, a.language
            FROM articles a
            WHERE a.translation_group = ANY(@groups) AND {Visible}
            ORDER BY a.language, a.id
            """;
        const string partnerSql = $"""
            SELECT a.translation_group, a.id, a.slug, a.language
            FROM articles a
            WHERE a.translation_group = ANY(@groups) AND {PartnerVisible}
            ORDER BY a.language, a.id
            """;
        const string editorSql = """
            SELECT a.translation_group, a.id, a.slug, a.language
            FROM articles a
            WHERE a.translation_group = ANY(@groups) AND a.deleted_at IS NULL
            ORDER BY a.language, a.id
            """;
        var rows = await WithConnectionAsync(connection, c => c.QueryAsync<TranslationRow>(
            new CommandDefinition(For(audience, publicSql, partnerSql, editorSql), new { groups }, cancellationToken: cancellationToken)), cancellationToken);
        return rows.ToLookup(t => t.TranslationGroup);
    }

    /// <summary>The current slug of the article that <paramref name="alias"/> (an old slug or legacy id) names, if the audience may see it.</summary>
    public Task<string?> FindSlugByAliasAsync(string alias, Audience audience, CancellationToken cancellationToken)
    {
        const string publicSql = $"""
            SELECT a.slug FROM article_aliases al JOIN articles a ON a.id = al.article_id
            WHERE al.alias = @alias AND {Visible}
            """;
        const string partnerSql = $"""
            SELECT a.slug FROM article_aliases al JOIN articles a ON a.id = al.article_id
            WHERE al.alias = @alias AND {PartnerVisible}
            """;
        const string editorSql = """
            SELECT a.slug FROM article_aliases al JOIN articles a ON a.id = al.article_id
            WHERE al.alias = @alias
            """;
        return WithConnectionAsync(null, c => c.QuerySingleOrDefaultAsync<string>(
            new CommandDefinition(For(audience, publicSql, partnerSql, editorSql), new { alias }, cancellationToken: cancellationToken)), cancellationToken);
    }

    /// <summary>Runs on the caller's connection (inside its transaction) or on a pooled one.</summary>
    private async Task<T> WithConnectionAsync<T>(NpgsqlConnection? connection, Func<NpgsqlConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        if (connection is not null)
        {
            return await work(connection);
        }

        await using var pooled = await reads.OpenAsync(cancellationToken);
        return await work(pooled);
    }
}

public sealed class TranslationRow
{
    public Guid TranslationGroup { get; init; }
    public long Id { get; init; }
    public required string Slug { get; init; }
    public required string Language { get; init; }
}
