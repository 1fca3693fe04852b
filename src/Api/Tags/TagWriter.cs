using Api.Articles;
using Api.Changes;
using Api.Infrastructure;
using Dapper;
using Npgsql;
using TagOutcome = Api.Infrastructure.WriteOutcome<Api.Tags.TagDetail>;

namespace Api.Tags;

/// <summary>
/// Tag writes: rename and merge. Each runs in one transaction that locks the tags involved, checks the
/// version the client read, writes, keeps the slug the tag no longer answers to as an alias (301),
/// gives every article whose tags changed a new version and revision, records those articles' changes
/// last, and once committed drops what this instance caches (the database's triggers tell the others).
/// </summary>
public sealed class TagWriter(NpgsqlDataSource dataSource, ContentCache cache)
{
    private sealed class Current
    {
        public long Id { get; init; }
        public required string Slug { get; init; }
        public required string Name { get; init; }
        public int Version { get; init; }
    }

    /// <summary>
    /// Renames a tag: <paramref name="change"/> turns the tag as it stands into the request to save (a
    /// merge patch), or into the errors that make it invalid.
    /// </summary>
    public Task<TagOutcome> UpdateAsync(
        string slug,
        VersionPrecondition expected,
        Func<TagWriteRequest, Task<(TagWriteRequest? Request, IDictionary<string, string[]>? Errors)>> change,
        long? keyId,
        CancellationToken cancellationToken) =>
        InTransactionAsync(async connection =>
        {
            var (found, refusal) = await LockAsync(connection, slug, expected, cancellationToken);
            if (found is not { } current)
            {
                return refusal!;
            }

            var (request, errors) = await change(new TagWriteRequest(current.Name, current.Slug));
            if (request is null)
            {
                return new TagOutcome.Invalid(errors ?? new Dictionary<string, string[]>());
            }

            var name = request.Name!.Trim();
            var newSlug = request.Slug!;
            if (name == current.Name && newSlug == current.Slug)
            {
                return await SavedAsync(connection, current.Id, cancellationToken);
            }

            if (newSlug != current.Slug && await SlugOwnerAsync(connection, newSlug, current.Id, cancellationToken) is { } owner)
            {
                return new TagOutcome.Conflict($"The slug '{newSlug}' is {owner}.");
            }

            await ArticleEditor.LockArticlesNamingAsync(connection, current.Id, null, cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition("""
                UPDATE tags SET name = @name, slug = @newSlug, version = version + 1, updated_at = now() WHERE id = @id;
                DELETE FROM tag_aliases WHERE alias = @newSlug AND tag_id = @id;
                INSERT INTO tag_aliases (alias, tag_id) SELECT @oldSlug, @id WHERE @oldSlug <> @newSlug
                ON CONFLICT (alias) DO UPDATE SET tag_id = EXCLUDED.tag_id;
                """, new { id = current.Id, name, newSlug, oldSlug = current.Slug }, cancellationToken: cancellationToken));
            var changed = await ArticlesOfAsync(connection, current.Id, cancellationToken);
            return await FinishAsync(connection, current.Id, changed, keyId, cancellationToken);
        }, cancellationToken);

    /// <summary>
    /// Merges a tag into <paramref name="into"/>: its articles get that tag in its place (at the earlier
    /// of the two positions when they had both), it is deleted, and its slugs become aliases of the target.
    /// </summary>
    public Task<TagOutcome> MergeAsync(string slug, VersionPrecondition expected, string into, long? keyId, CancellationToken cancellationToken) =>
        InTransactionAsync(async connection =>
        {
            // Both tags are locked in id order, so that two merges of the same pair cannot deadlock.
            var targetId = await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition("""
                SELECT coalesce((SELECT id FROM tags WHERE slug = @into), (SELECT tag_id FROM tag_aliases WHERE alias = @into))
                """, new { into }, cancellationToken: cancellationToken));
            // The source's articles first: an editor saving one of them takes its article, then a key
            // share of its tags (the foreign key); locking the tags first would deadlock with that save.
            var sourceId = await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
                "SELECT id FROM tags WHERE slug = @slug", new { slug }, cancellationToken: cancellationToken));
            await ArticleEditor.LockArticlesNamingAsync(connection, sourceId, null, cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition(
                "SELECT id FROM tags WHERE slug = @slug OR id = @targetId ORDER BY id FOR UPDATE", new { slug, targetId }, cancellationToken: cancellationToken));
            var (found, refusal) = await LockAsync(connection, slug, expected, cancellationToken);
            if (found is not { } source)
            {
                return refusal!;
            }

            if (targetId is not { } target || !await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                    "SELECT EXISTS (SELECT 1 FROM tags WHERE id = @target)", new { target }, cancellationToken: cancellationToken)))
            {
                return new TagOutcome.Invalid(new Dictionary<string, string[]> { ["into"] = ["No tag has this slug."] });
            }

            if (target == source.Id)
            {
                return new TagOutcome.Conflict($"'{into}' is the tag being merged: a tag cannot be merged into itself.");
            }

            var moved = await ArticlesOfAsync(connection, source.Id, cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition("""
                UPDATE article_tags kept SET position = least(kept.position, gone.position)
                FROM article_tags gone
                WHERE gone.tag_id = @source AND kept.tag_id = @target AND kept.article_id = gone.article_id;
                DELETE FROM article_tags gone USING article_tags kept
                WHERE gone.tag_id = @source AND kept.tag_id = @target AND kept.article_id = gone.article_id;
                UPDATE article_tags SET tag_id = @target WHERE tag_id = @source;
                UPDATE tag_aliases SET tag_id = @target WHERE tag_id = @source;
                INSERT INTO tag_aliases (alias, tag_id) VALUES (@sourceSlug, @target)
                ON CONFLICT (alias) DO UPDATE SET tag_id = EXCLUDED.tag_id;
                DELETE FROM tags WHERE id = @source;
                UPDATE tags SET version = version + 1, updated_at = now() WHERE id = @target;
                """, new { source = source.Id, sourceSlug = source.Slug, target }, cancellationToken: cancellationToken));
            return await FinishAsync(connection, target, moved, keyId, cancellationToken);
        }, cancellationToken);

    /// <summary>The tag named by <paramref name="slug"/>, locked, if the version matches; or the refusal.</summary>
    private static async Task<(Current? Tag, TagOutcome? Refusal)> LockAsync(
        NpgsqlConnection connection, string slug, VersionPrecondition expected, CancellationToken cancellationToken)
    {
        // NO KEY UPDATE keeps two writers of it apart, yet lets editors' saves that name it (a key share
        // through the foreign key) go on, so a rename that then waits for those articles cannot deadlock.
        var current = await connection.QuerySingleOrDefaultAsync<Current>(new CommandDefinition(
            "SELECT id, slug, name, version FROM tags WHERE slug = @slug FOR NO KEY UPDATE", new { slug }, cancellationToken: cancellationToken));
        if (current is null)
        {
            var movedTo = await TagStore.MovedToAsync(connection, slug, cancellationToken);
            return (null, new TagOutcome.NotFound(movedTo is null
                ? $"No tag has the slug '{slug}'."
                : $"No tag has the slug '{slug}' any more: it is now '{movedTo}'."));
        }

        return expected.Allows(current.Version) ? (current, null) : (null, new TagOutcome.Stale(current.Version));
    }

    /// <summary>What else uses <paramref name="slug"/> ("used by another tag", "an earlier slug of another tag"); null when it is free for <paramref name="id"/>.</summary>
    private static Task<string?> SlugOwnerAsync(NpgsqlConnection connection, string slug, long id, CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition("""
            SELECT CASE
                WHEN EXISTS (SELECT 1 FROM tags WHERE slug = @slug AND id <> @id) THEN 'used by another tag'
                WHEN EXISTS (SELECT 1 FROM tag_aliases WHERE alias = @slug AND tag_id <> @id) THEN 'an earlier slug of another tag, which it still redirects to'
            END
            """, new { slug, id }, cancellationToken: cancellationToken));

    private static async Task<long[]> ArticlesOfAsync(NpgsqlConnection connection, long tagId, CancellationToken cancellationToken) =>
        (await connection.QueryAsync<long>(new CommandDefinition(
            "SELECT article_id FROM article_tags WHERE tag_id = @tagId ORDER BY article_id", new { tagId }, cancellationToken: cancellationToken))).ToArray();

    /// <summary>
    /// The articles whose tags changed get a new version and revision, as a category's articles do
    /// when it is deleted into another; their changes are recorded last; the tag is answered.
    /// </summary>
    private static async Task<TagOutcome> FinishAsync(NpgsqlConnection connection, long tagId, long[] articles, long? keyId, CancellationToken cancellationToken)
    {
        var saved = await SavedAsync(connection, tagId, cancellationToken);
        await ArticleEditor.ReferencesChangedAsync(connection, articles, keyId, cancellationToken);
        return saved;
    }

    private static async Task<TagOutcome> SavedAsync(NpgsqlConnection connection, long id, CancellationToken cancellationToken) =>
        new TagOutcome.Saved(TagMapping.Detail((await TagStore.GetAsync(connection, id, null, cancellationToken))!));

    private async Task<TagOutcome> InTransactionAsync(Func<NpgsqlConnection, Task<TagOutcome>> work, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var outcome = await work(connection);
        if (outcome is TagOutcome.Saved)
        {
            await transaction.CommitAsync(cancellationToken);
            cache.EverythingChanged();
        }

        return outcome;
    }
}
