using Dapper;
using Npgsql;

namespace Api.Categories;

public sealed class CategoryRow
{
    public long Id { get; init; }
    public required string Slug { get; init; }
    public required string Name { get; init; }
    public required string Description { get; init; }
    public long? ParentId { get; init; }
    public int Position { get; init; }
    public DateTime UpdatedAt { get; init; }
    public int Version { get; init; }
}

public sealed record PathStep(long Id, string Slug, string Name);

/// <summary>Reads categories. The tree is small (hundreds of nodes at most), so it is read whole.</summary>
public sealed class CategoryStore(NpgsqlDataSource dataSource)
{
    private const int MaxDepth = 32;

    public async Task<IReadOnlyList<CategoryRow>> GetAllAsync(CancellationToken cancellationToken, NpgsqlConnection? connection = null)
    {
        const string sql = """
            SELECT id, slug, name, description, parent_id, position, updated_at, version
            FROM categories
            ORDER BY position, id
            """;
        var command = new CommandDefinition(sql, cancellationToken: cancellationToken);
        if (connection is not null)
        {
            return (await connection.QueryAsync<CategoryRow>(command)).AsList();
        }

        await using var pooled = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await pooled.QueryAsync<CategoryRow>(command)).AsList();
    }

    /// <summary>The path from the top-level category down to <paramref name="categoryId"/> (itself last).</summary>
    public async Task<IReadOnlyList<PathStep>> GetPathAsync(long categoryId, CancellationToken cancellationToken, NpgsqlConnection? connection = null)
    {
        const string sql = """
            WITH RECURSIVE path AS (
                SELECT c.id, c.slug, c.name, c.parent_id, 0 AS depth
                FROM categories c
                WHERE c.id = @categoryId
                UNION ALL
                SELECT p.id, p.slug, p.name, p.parent_id, path.depth + 1
                FROM categories p
                JOIN path ON p.id = path.parent_id
                WHERE path.depth < @maxDepth
            )
            SELECT id, slug, name FROM path ORDER BY depth DESC
            """;
        var command = new CommandDefinition(sql, new { categoryId, maxDepth = MaxDepth }, cancellationToken: cancellationToken);
        if (connection is not null)
        {
            return (await connection.QueryAsync<PathStep>(command)).AsList();
        }

        await using var pooled = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await pooled.QueryAsync<PathStep>(command)).AsList();
    }
}
