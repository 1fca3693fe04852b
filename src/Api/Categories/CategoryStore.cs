using Dapper;
using Api.Infrastructure;
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

/// <summary>
/// Reads categories. The tree is small (hundreds of nodes at most), so it is read whole, and kept in
/// memory between changes (see <see cref="ContentCache"/>): lists and articles take their breadcrumbs
/// from it without a query.
/// </summary>
public sealed class CategoryStore(ReadSource reads, ContentCache cache)
{
    private const int MaxDepth = 32;

    private sealed record Snapshot(long Generation, IReadOnlyList<CategoryRow> Rows, CategoryIndex Index);

    private Snapshot? _snapshot;

    /// <summary>Every category, from memory when nothing changed since it was read.</summary>
    public async Task<IReadOnlyList<CategoryRow>> GetAllAsync(CancellationToken cancellationToken, NpgsqlConnection? connection = null) =>
        connection is not null ? await ReadAllAsync(cancellationToken, connection) : (await CurrentAsync(cancellationToken)).Rows;

    /// <summary>The whole tree, indexed.</summary>
    public async Task<CategoryIndex> GetIndexAsync(CancellationToken cancellationToken) => (await CurrentAsync(cancellationToken)).Index;

    private async Task<Snapshot> CurrentAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _snapshot) is { } held && cache.IsCurrent(held.Generation))
        {
            return held;
        }

        // The generation is taken before reading, so a change that lands during the read makes the copy stale at once.
        var generation = cache.SnapshotGeneration();
        var rows = await ReadAllAsync(cancellationToken, null);
        var snapshot = new Snapshot(generation ?? -1, rows, new CategoryIndex(rows));
        if (generation is not null)
        {
            Volatile.Write(ref _snapshot, snapshot);
        }

        return snapshot;
    }

    private async Task<IReadOnlyList<CategoryRow>> ReadAllAsync(CancellationToken cancellationToken, NpgsqlConnection? connection)
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

        await using var pooled = await reads.OpenAsync(cancellationToken);
        return (await pooled.QueryAsync<CategoryRow>(command)).AsList();
    }

    /// <summary>The path from the top-level category down to <paramref name="categoryId"/> (itself last).</summary>
    public async Task<IReadOnlyList<PathStep>> GetPathAsync(long categoryId, CancellationToken cancellationToken, NpgsqlConnection? connection = null)
    {
        if (connection is null)
        {
            return (await GetIndexAsync(cancellationToken)).PathSteps(categoryId);
        }

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
        return (await connection.QueryAsync<PathStep>(command)).AsList();
    }
}
