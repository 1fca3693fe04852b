using Api.Articles;
using Api.Changes;
using Api.Content;
using Api.Infrastructure;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using CategoryOutcome = Api.Infrastructure.WriteOutcome<Api.Categories.CategoryDetail>;

namespace Api.Categories;

/// <summary>
/// Category writes. Each runs in one transaction that takes the tree's lock (the cycle and uniqueness
/// checks must see a settled tree), checks the version the client read, writes, records the change and,
/// once committed, drops what this instance caches; a failure leaves nothing half-written. The importer
/// creates the categories of a page's breadcrumb through <see cref="EnsurePathAsync"/>, in its own
/// transaction, with the same rules and the same change log.
/// </summary>
public sealed class CategoryWriter(NpgsqlDataSource dataSource, CategoryStore store, IOptions<SiteOptions> site, ContentCache cache)
{
    private sealed class Current
    {
        public long Id { get; init; }
        public required string Slug { get; init; }
        public int Version { get; init; }
    }

    private sealed class Baseline
    {
        public required string Name { get; init; }
        public required string Slug { get; init; }
        public required string Description { get; init; }
        public long? ParentId { get; init; }
        public int Position { get; init; }

        public CategoryWriteRequest ToRequest() => new(Name, Slug, Description, ParentId, null, Position);
    }

    public Task<CategoryOutcome> CreateAsync(CategoryWriteRequest request, CancellationToken cancellationToken) =>
        InTransactionAsync(async connection =>
        {
            var (parentId, invalid) = await ParentAsync(connection, request, cancellationToken);
            if (invalid is not null)
            {
                return invalid;
            }

            if (request.Slug is { } wanted && await SlugTakenAsync(connection, wanted, null, cancellationToken))
            {
                return new CategoryOutcome.Conflict($"The slug '{wanted}' is used by another category.");
            }

            var id = await InsertAsync(connection, request.Name!.Trim(), request.Slug, request.Description?.Trim() ?? "", parentId, request.Position, cancellationToken);
            var saved = await SavedAsync(connection, id, cancellationToken);
            await ChangeLog.RecordAsync(connection, ChangeLog.Category, id, "created", cancellationToken);
            return saved;
        }, cancellationToken);

    /// <summary>
    /// Changes a category: <paramref name="change"/> turns the category as it stands into the request to
    /// save (a merge patch), or into the errors that make it invalid.
    /// </summary>
    public Task<CategoryOutcome> UpdateAsync(
        string slug,
        VersionPrecondition expected,
        Func<CategoryWriteRequest, Task<(CategoryWriteRequest? Request, IDictionary<string, string[]>? Errors)>> change,
        CancellationToken cancellationToken) =>
        InTransactionAsync(async connection =>
        {
            if (await FindAsync(connection, slug, cancellationToken) is not { } current)
            {
                return new CategoryOutcome.NotFound($"No category has the slug '{slug}'.");
            }

            if (!expected.Allows(current.Version))
            {
                return new CategoryOutcome.Stale(current.Version);
            }

            var baseline = await connection.QuerySingleAsync<Baseline>(new CommandDefinition(
                "SELECT name, slug, description, parent_id, position FROM categories WHERE id = @Id", new { current.Id }, cancellationToken: cancellationToken));
            var (request, errors) = await change(baseline.ToRequest());
            if (request is null)
            {
                return new CategoryOutcome.Invalid(errors ?? new Dictionary<string, string[]>());
            }

            var (parentId, invalid) = await ParentAsync(connection, request, cancellationToken);
            if (invalid is not null)
            {
                return invalid;
            }

            if (parentId is { } newParent && await IsSelfOrDescendantAsync(connection, current.Id, newParent, cancellationToken))
            {
                return new CategoryOutcome.Conflict("A category cannot move under itself or one of its own sub-categories.");
            }

            if (request.Slug != current.Slug && await SlugTakenAsync(connection, request.Slug!, current.Id, cancellationToken))
            {
                return new CategoryOutcome.Conflict($"The slug '{request.Slug}' is used by another category.");
            }

            await connection.ExecuteAsync(new CommandDefinition("""
                UPDATE categories SET name = @name, slug = @slug, description = @description, parent_id = @parentId,
                    position = coalesce(@position, position), version = version + 1, updated_at = now()
                WHERE id = @id
                """, new { id = current.Id, name = request.Name!.Trim(), slug = request.Slug, description = request.Description?.Trim() ?? "", parentId, position = request.Position },
                cancellationToken: cancellationToken));
            var saved = await SavedAsync(connection, current.Id, cancellationToken);
            await ChangeLog.RecordAsync(connection, ChangeLog.Category, current.Id, "updated", cancellationToken);
            return saved;
        }, cancellationToken);

    /// <summary>Deletes a category; one with articles or sub-categories only with <paramref name="moveTo"/>, which receives them.</summary>
    public Task<CategoryOutcome> DeleteAsync(string slug, VersionPrecondition expected, string? moveTo, long? keyId, CancellationToken cancellationToken) =>
        InTransactionAsync(async connection =>
        {
            if (await FindAsync(connection, slug, cancellationToken) is not { } current)
            {
                return new CategoryOutcome.NotFound($"No category has the slug '{slug}'.");
            }

            if (!expected.Allows(current.Version))
            {
                return new CategoryOutcome.Stale(current.Version);
            }

            var (articles, children) = await connection.QuerySingleAsync<(long, long)>(new CommandDefinition("""
                SELECT (SELECT count(*) FROM articles WHERE category_id = @Id), (SELECT count(*) FROM categories WHERE parent_id = @Id)
                """, new { current.Id }, cancellationToken: cancellationToken));
            var movedArticles = new List<long>();
            if (articles + children > 0)
            {
                if (moveTo is null)
                {
                    return new CategoryOutcome.Conflict(
                        $"The category still has {articles} article(s) and {children} sub-categor{(children == 1 ? "y" : "ies")}; move them first or pass moveTo=<slug>.");
                }

                if (await FindAsync(connection, moveTo, cancellationToken) is not { } target)
                {
                    return new CategoryOutcome.Invalid(new Dictionary<string, string[]> { ["moveTo"] = ["No category has this slug."] });
                }

                if (await IsSelfOrDescendantAsync(connection, current.Id, target.Id, cancellationToken))
                {
                    return new CategoryOutcome.Conflict("Articles and sub-categories cannot move into the category being deleted or one of its sub-categories.");
                }

                movedArticles.AddRange(await connection.QueryAsync<long>(new CommandDefinition(
                    "SELECT id FROM articles WHERE category_id = @id ORDER BY id", new { id = current.Id }, cancellationToken: cancellationToken)));
                await connection.ExecuteAsync(new CommandDefinition($"""
                    UPDATE articles SET category_id = @target, version = version + 1, updated_at = now() WHERE category_id = @id;
                    INSERT INTO article_revisions (article_id, version, change, snapshot, key_id)
                    SELECT a.id, a.version, 'updated', {ArticleEditor.SnapshotJson}, @keyId FROM articles a WHERE a.category_id = @target
                    ON CONFLICT (article_id, version) DO NOTHING;
                    UPDATE categories SET parent_id = @target, version = version + 1, updated_at = now() WHERE parent_id = @id;
                    """, new { id = current.Id, target = target.Id, keyId }, cancellationToken: cancellationToken));
            }

            await connection.ExecuteAsync(new CommandDefinition("DELETE FROM categories WHERE id = @Id", new { current.Id }, cancellationToken: cancellationToken));
            foreach (var moved in movedArticles)
            {
                await ChangeLog.RecordAsync(connection, ChangeLog.Article, moved, "updated", cancellationToken);
            }

            await ChangeLog.RecordAsync(connection, ChangeLog.Category, current.Id, "deleted", cancellationToken);
            return new CategoryOutcome.Deleted();
        }, cancellationToken);

    /// <summary>
    /// The id of the last category of a path of names from the top (a page's breadcrumb), each found by
    /// name (case-insensitively) under the one before, or created last among its siblings with a slug
    /// from its name; and the ids of those it created, which the caller records with
    /// <see cref="RecordCreatedAsync"/> as its transaction's last step. Runs in the caller's
    /// transaction and takes the tree's lock first, before any article row, as a delete does.
    /// </summary>
    public async Task<(long Id, IReadOnlyList<long> Created)> EnsurePathAsync(
        NpgsqlConnection connection, IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        await LockTreeAsync(connection, cancellationToken);
        long? parent = null;
        var created = new List<long>();
        foreach (var name in names)
        {
            var found = await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition("""
                SELECT id FROM categories WHERE lower(name) = lower(@name) AND parent_id IS NOT DISTINCT FROM @parent ORDER BY id LIMIT 1
                """, new { name, parent }, cancellationToken: cancellationToken));
            if (found is null)
            {
                found = await InsertAsync(connection, name.Length > 200 ? name[..200] : name, null, "", parent, null, cancellationToken);
                created.Add(found.Value);
            }

            parent = found;
        }

        return (parent ?? throw new ArgumentException("A category path has at least one name.", nameof(names)), created);
    }

    /// <summary>
    /// The id of the category with <paramref name="slug"/>, and whether this call created it (under
    /// <paramref name="parentId"/>, last among its siblings): an import's categories, matched by slug.
    /// Runs in the caller's transaction, taking the tree's lock first; the caller records a created
    /// category with <see cref="RecordCreatedAsync"/>.
    /// </summary>
    public async Task<(long Id, bool Created)> EnsureAsync(
        NpgsqlConnection connection, string slug, string name, string? description, long? parentId, CancellationToken cancellationToken)
    {
        await LockTreeAsync(connection, cancellationToken);
        var found = await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
            "SELECT id FROM categories WHERE slug = @slug", new { slug }, cancellationToken: cancellationToken));
        return found is { } id
            ? (id, false)
            : (await InsertAsync(connection, name, slug, description ?? "", parentId, null, cancellationToken), true);
    }

    /// <summary>Records the creation of categories (from <see cref="EnsurePathAsync"/>): a last step before commit.</summary>
    public static async Task RecordCreatedAsync(NpgsqlConnection connection, IReadOnlyList<long> created, CancellationToken cancellationToken)
    {
        foreach (var id in created)
        {
            await ChangeLog.RecordAsync(connection, ChangeLog.Category, id, "created", cancellationToken);
        }
    }

    private async Task<CategoryOutcome> InTransactionAsync(Func<NpgsqlConnection, Task<CategoryOutcome>> work, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await LockTreeAsync(connection, cancellationToken);
        var outcome = await work(connection);
        if (outcome is CategoryOutcome.Saved or CategoryOutcome.Deleted)
        {
            await transaction.CommitAsync(cancellationToken);
            cache.EverythingChanged();
        }

        return outcome;
    }

    /// <summary>Inserts a category, with a free slug from its name when none is given.</summary>
    private static async Task<long> InsertAsync(
        NpgsqlConnection connection, string name, string? slug, string description, long? parentId, int? position, CancellationToken cancellationToken)
    {
        slug ??= await FreeSlugAsync(connection, Slugs.FromText(name, Slugs.MaxCategoryLength) ?? "category", cancellationToken);
        var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO categories (slug, name, description, parent_id, position)
            VALUES (@slug, @name, @description, @parentId,
                    coalesce(@position, (SELECT coalesce(max(position), 0) + 1 FROM categories WHERE parent_id IS NOT DISTINCT FROM @parentId)))
            RETURNING id
            """, new { slug, name, description, parentId, position }, cancellationToken: cancellationToken));
        return id;
    }

    private async Task<CategoryOutcome> SavedAsync(NpgsqlConnection connection, long id, CancellationToken cancellationToken)
    {
        var rows = await store.GetAllAsync(cancellationToken, connection);
        return new CategoryOutcome.Saved(CategoryMapping.Detail(new CategoryIndex(rows), rows.Single(c => c.Id == id), site.Value).Detail);
    }

    private static Task LockTreeAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("LOCK TABLE categories IN SHARE ROW EXCLUSIVE MODE", cancellationToken: cancellationToken));

    private static async Task<(long? ParentId, CategoryOutcome? Invalid)> ParentAsync(NpgsqlConnection connection, CategoryWriteRequest request, CancellationToken cancellationToken)
    {
        if (request.ParentId is null && request.ParentSlug is null)
        {
            return (null, null);
        }

        var parentId = await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
            "SELECT id FROM categories WHERE id = @ParentId OR slug = @ParentSlug", request, cancellationToken: cancellationToken));
        return parentId is null
            ? (null, new CategoryOutcome.Invalid(new Dictionary<string, string[]>
            {
                [request.ParentId is not null ? "parentId" : "parentSlug"] = ["No category has this id or slug."],
            }))
            : (parentId, null);
    }

    private static Task<Current?> FindAsync(NpgsqlConnection connection, string slug, CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<Current>(new CommandDefinition(
            "SELECT id, slug, version FROM categories WHERE slug = @slug", new { slug }, cancellationToken: cancellationToken));

    private static Task<bool> IsSelfOrDescendantAsync(NpgsqlConnection connection, long id, long candidate, CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<bool>(new CommandDefinition("""
            WITH RECURSIVE below AS (
                SELECT id FROM categories WHERE id = @id
                UNION
                SELECT c.id FROM categories c JOIN below b ON c.parent_id = b.id
            )
            SELECT EXISTS (SELECT 1 FROM below WHERE id = @candidate)
            """, new { id, candidate }, cancellationToken: cancellationToken));

    private static Task<bool> SlugTakenAsync(NpgsqlConnection connection, string slug, long? id, CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM categories WHERE slug = @slug AND id IS DISTINCT FROM @id)", new { slug, id }, cancellationToken: cancellationToken));

    /// <summary><paramref name="wanted"/>, or with the first free "-2", "-3"… suffix.</summary>
    private static async Task<string> FreeSlugAsync(NpgsqlConnection connection, string wanted, CancellationToken cancellationToken)
    {
        var taken = (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT slug FROM categories WHERE slug = @wanted OR slug LIKE @prefix", new { wanted, prefix = wanted + "-%" },
            cancellationToken: cancellationToken))).ToHashSet(StringComparer.Ordinal);
        return Slugs.FirstFree(wanted, taken);
    }
}
