using Dapper;
using Npgsql;

namespace Api.Authors;

public sealed class AuthorRow
{
    public long Id { get; init; }
    public required string Slug { get; init; }
    public required string Name { get; init; }
    public string? Title { get; init; }
    public string? Bio { get; init; }
    public string? Email { get; init; }
    public long? PhotoMediumId { get; init; }

    /// <summary>The portrait medium as JSON (<see cref="Api.Articles.LeadMedium"/>), when there is one.</summary>
    public string? Photo { get; init; }

    public required string Links { get; init; }
    public int Version { get; init; }
    public DateTime UpdatedAt { get; init; }
}

/// <summary>Reads authors. Authors are few and public, so reads go to the primary and are cached as answers.</summary>
public sealed class AuthorStore(NpgsqlDataSource dataSource)
{
    public const string Columns = $"""
        au.id, au.slug, au.name, au.title, au.bio, au.email, au.photo_medium_id, au.links::text AS links, au.version, au.updated_at,
        (SELECT {Api.Articles.ArticleStore.MediumJson}::text FROM media m WHERE m.id = au.photo_medium_id) AS photo
        """;

    public async Task<AuthorRow?> GetAsync(string slug, CancellationToken cancellationToken, NpgsqlConnection? connection = null)
    {
        var command = new CommandDefinition($"SELECT {Columns} FROM authors au WHERE au.slug = @slug", new { slug }, cancellationToken: cancellationToken);
        if (connection is not null)
        {
            return await connection.QuerySingleOrDefaultAsync<AuthorRow>(command);
        }

        await using var opened = await dataSource.OpenConnectionAsync(cancellationToken);
        return await opened.QuerySingleOrDefaultAsync<AuthorRow>(command);
    }

    /// <summary>Authors by name (then slug), after <paramref name="after"/>.</summary>
    public async Task<IReadOnlyList<AuthorRow>> ListAsync(AuthorCursor? after, int take, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<AuthorRow>(new CommandDefinition($"""
            SELECT {Columns} FROM authors au
            WHERE @afterName::text IS NULL OR (lower(au.name), au.slug) > (lower(@afterName), @afterSlug)
            ORDER BY lower(au.name), au.slug
            LIMIT @take
            """, new { afterName = after?.Name, afterSlug = after?.Slug, take }, cancellationToken: cancellationToken));
        return rows.AsList();
    }
}
