using System.Text.Json;
using Api.Content;
using Api.Infrastructure;
using Dapper;
using FluentValidation;
using Npgsql;
using AuthorOutcome = Api.Infrastructure.WriteOutcome<Api.Authors.AuthorDto>;

namespace Api.Authors;

/// <summary>
/// Author writes, each in one transaction: the slug must be free, the portrait a medium that exists,
/// an edit made from the version the client read, a delete refused while articles name the author.
/// Articles show their authors' names, so a committed change drops what this instance caches (the
/// database tells the other instances).
/// </summary>
public sealed class AuthorWriter(NpgsqlDataSource dataSource, AuthorStore store, AuthorMapping mapping, ContentCache cache)
{
    /// <summary>
    /// Creates an author. With an <c>Idempotency-Key</c>, the key is claimed in the same transaction and
    /// the answer (<paramref name="answer"/> of the saved author) stored with it, so a retry replays it.
    /// </summary>
    public Task<AuthorOutcome> CreateAsync(
        AuthorWriteRequest request, long? keyId, IdempotentRequest? idempotency, Func<AuthorDto, StoredResponse> answer, CancellationToken cancellationToken) =>
        InTransactionAsync(async connection =>
        {
            if (idempotency is not null && keyId is { } claimant
                && await Idempotency.ClaimAsync(connection, claimant, idempotency.Key, idempotency.RequestHash, cancellationToken) is { } earlier)
            {
                return earlier.RequestHash.AsSpan().SequenceEqual(idempotency.RequestHash) ? new AuthorOutcome.Replayed(earlier) : new AuthorOutcome.KeyReused();
            }

            var created = await CreateAsync(connection, request, keyId, cancellationToken);
            if (created is AuthorOutcome.Saved saved && idempotency is not null && keyId is { } owner)
            {
                await Idempotency.CompleteAsync(connection, owner, idempotency.Key, answer(saved.Value), cancellationToken);
            }

            return created;
        }, cancellationToken);

    /// <summary>Creates an author in the caller's transaction (an import writes an author and its record together).</summary>
    public async Task<AuthorOutcome> CreateAsync(NpgsqlConnection connection, AuthorWriteRequest request, long? keyId, CancellationToken cancellationToken)
    {
        if (await PhotoMissingAsync(connection, request, cancellationToken) is { } invalid)
        {
            return invalid;
        }

        var slug = request.Slug ?? await FreeSlugAsync(connection, Slugs.FromText(request.Name!, 100) ?? "author", cancellationToken);
        if (await SlugTakenAsync(connection, slug, null, cancellationToken))
        {
            return new AuthorOutcome.Conflict($"The slug '{slug}' is used by another author.");
        }

        var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO authors (slug, name, title, bio, email, photo_medium_id, links)
            VALUES (@slug, @name, @title, @bio, @email, @photo, @links::jsonb)
            RETURNING id
            """, Values(request, slug), cancellationToken: cancellationToken));
        await RecordRevisionAsync(connection, id, "created", keyId, cancellationToken);
        return Saved(await store.GetAsync(slug, cancellationToken, connection));
    }

    /// <summary>
    /// Edits the author. When what articles show of the author changes (name, slug or title), each of
    /// their articles gets a new version and an <c>updated</c> change, so the change feed and webhooks
    /// carry the new byline.
    /// </summary>
    public Task<AuthorOutcome> UpdateAsync(
        string slug,
        VersionPrecondition expected,
        Func<AuthorWriteRequest, Task<(AuthorWriteRequest? Request, IDictionary<string, string[]>? Errors)>> change,
        long? keyId,
        CancellationToken cancellationToken,
        string revisionChange = "updated") =>
        InTransactionAsync(async connection =>
        {
            if (await LockAsync(connection, slug, cancellationToken) is not { } current)
            {
                return NotFound(slug);
            }

            if (!expected.Allows(current.Version))
            {
                return new AuthorOutcome.Stale(current.Version);
            }

            var (request, errors) = await change(AuthorMapping.ToRequest(current));
            if (request is null)
            {
                return new AuthorOutcome.Invalid(errors ?? new Dictionary<string, string[]>());
            }

            if (await PhotoMissingAsync(connection, request, cancellationToken) is { } invalid)
            {
                return invalid;
            }

            var newSlug = request.Slug ?? current.Slug;
            if (newSlug != current.Slug && await SlugTakenAsync(connection, newSlug, current.Id, cancellationToken))
            {
                return new AuthorOutcome.Conflict($"The slug '{newSlug}' is used by another author.");
            }

            var bylineChanged = newSlug != current.Slug || request.Name!.Trim() != current.Name || Text(request.Title) != current.Title;
            if (bylineChanged)
            {
                await Api.Articles.ArticleEditor.LockArticlesNamingAsync(connection, null, current.Id, cancellationToken);
            }

            await connection.ExecuteAsync(new CommandDefinition("""
                UPDATE authors SET slug = @slug, name = @name, title = @title, bio = @bio, email = @email,
                    photo_medium_id = @photo, links = @links::jsonb, version = version + 1, updated_at = now()
                WHERE id = @id
                """, Values(request, newSlug, current.Id), cancellationToken: cancellationToken));
            await RecordRevisionAsync(connection, current.Id, revisionChange, keyId, cancellationToken);
            var saved = Saved(await store.GetAsync(newSlug, cancellationToken, connection));
            if (bylineChanged)
            {
                var articles = (await connection.QueryAsync<long>(new CommandDefinition(
                    "SELECT article_id FROM article_authors WHERE author_id = @Id ORDER BY article_id", new { current.Id }, cancellationToken: cancellationToken))).ToArray();
                await Api.Articles.ArticleEditor.ReferencesChangedAsync(connection, articles, keyId, cancellationToken);
            }

            return saved;
        }, cancellationToken);

    public Task<AuthorOutcome> DeleteAsync(string slug, VersionPrecondition expected, CancellationToken cancellationToken) =>
        InTransactionAsync(async connection =>
        {
            if (await LockAsync(connection, slug, cancellationToken) is not { } current)
            {
                return NotFound(slug);
            }

            if (!expected.Allows(current.Version))
            {
                return new AuthorOutcome.Stale(current.Version);
            }

            var articles = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT count(*) FROM article_authors WHERE author_id = @Id", new { current.Id }, cancellationToken: cancellationToken));
            if (articles > 0)
            {
                return new AuthorOutcome.Conflict($"{articles} article(s) name this author; take the author out of them first.");
            }

            await connection.ExecuteAsync(new CommandDefinition("DELETE FROM authors WHERE id = @Id", new { current.Id }, cancellationToken: cancellationToken));
            return new AuthorOutcome.Deleted();
        }, cancellationToken);

    /// <summary>Makes the author what it was at revision <paramref name="version"/>, as a new version (the history stays).</summary>
    public async Task<AuthorOutcome> RestoreAsync(string slug, int version, VersionPrecondition expected, long? keyId, IValidator<AuthorWriteRequest> validator, CancellationToken cancellationToken)
    {
        string? snapshot;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            snapshot = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition("""
                SELECT r.snapshot::text FROM author_revisions r JOIN authors au ON au.id = r.author_id
                WHERE au.slug = @slug AND r.version = @version
                """, new { slug, version }, cancellationToken: cancellationToken));
        }

        if (snapshot is null)
        {
            return await store.GetAsync(slug, cancellationToken) is null ? NotFound(slug) : new AuthorOutcome.NotFound($"The author has no revision {version}.");
        }

        var request = JsonSerializer.Deserialize(snapshot, AppJsonContext.Default.AuthorWriteRequest)!;
        var validation = await validator.ValidateAsync(request, cancellationToken);
        if (!validation.IsValid)
        {
            return new AuthorOutcome.Conflict("This revision cannot be restored as it stands: " + string.Join(" ", validation.Errors.Select(e => e.ErrorMessage)));
        }

        return await UpdateAsync(slug, expected, _ => Task.FromResult<(AuthorWriteRequest?, IDictionary<string, string[]>?)>((request, null)), keyId, cancellationToken, "revision-restored");
    }

    /// <summary>What an editor wrote of author <c>au</c>, as JSON (the shape of <see cref="AuthorWriteRequest"/>); also migration 0023's.</summary>
    internal const string SnapshotJson = """
        jsonb_build_object('name', au.name, 'slug', au.slug, 'title', au.title, 'bio', au.bio, 'email', au.email,
                           'photoMediumId', au.photo_medium_id, 'links', au.links)
        """;

    private static Task RecordRevisionAsync(NpgsqlConnection connection, long id, string change, long? keyId, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition($"""
            INSERT INTO author_revisions (author_id, version, change, snapshot, key_id)
            SELECT au.id, au.version, @change, {SnapshotJson}, @keyId FROM authors au WHERE au.id = @id
            """, new { id, change, keyId }, cancellationToken: cancellationToken));

    private async Task<AuthorOutcome> InTransactionAsync(Func<NpgsqlConnection, Task<AuthorOutcome>> work, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var outcome = await work(connection);
        if (outcome is AuthorOutcome.Saved or AuthorOutcome.Deleted)
        {
            await transaction.CommitAsync(cancellationToken);
            cache.EverythingChanged();
        }

        return outcome;
    }

    private static object Values(AuthorWriteRequest request, string slug, long? id = null) => new
    {
        id,
        slug,
        name = request.Name!.Trim(),
        title = Text(request.Title),
        bio = Text(request.Bio),
        email = Text(request.Email),
        photo = request.PhotoMediumId,
        links = JsonSerializer.Serialize((request.Links ?? []).ToArray(), AppJsonContext.Default.AuthorLinkArray),
    };

    private async Task<AuthorRow?> LockAsync(NpgsqlConnection connection, string slug, CancellationToken cancellationToken)
    {
        // NO KEY UPDATE keeps two writers of it apart, yet lets editors' saves that name it (a key share
        // through the foreign key) go on, so a rename that then waits for those articles cannot deadlock.
        var id = await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
            "SELECT id FROM authors WHERE slug = @slug FOR NO KEY UPDATE", new { slug }, cancellationToken: cancellationToken));
        return id is null ? null : await store.GetAsync(slug, cancellationToken, connection);
    }

    private static async Task<AuthorOutcome?> PhotoMissingAsync(NpgsqlConnection connection, AuthorWriteRequest request, CancellationToken cancellationToken) =>
        request.PhotoMediumId is { } photo && !await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM media WHERE id = @photo FOR SHARE)", new { photo }, cancellationToken: cancellationToken))
            ? new AuthorOutcome.Invalid(new Dictionary<string, string[]> { ["photoMediumId"] = ["No medium has this id."] })
            : null;

    private static Task<bool> SlugTakenAsync(NpgsqlConnection connection, string slug, long? id, CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM authors WHERE slug = @slug AND id IS DISTINCT FROM @id)", new { slug, id }, cancellationToken: cancellationToken));

    private static async Task<string> FreeSlugAsync(NpgsqlConnection connection, string wanted, CancellationToken cancellationToken)
    {
        var taken = (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT slug FROM authors WHERE slug = @wanted OR slug LIKE @prefix", new { wanted, prefix = wanted + "-%" },
            cancellationToken: cancellationToken))).ToHashSet(StringComparer.Ordinal);
        return Slugs.FirstFree(wanted, taken);
    }

    /// <summary>The author as editors see it (e-mail included).</summary>
    private AuthorOutcome Saved(AuthorRow? row) => new AuthorOutcome.Saved(mapping.ToDto(row!, editor: true));

    private static AuthorOutcome NotFound(string slug) => new AuthorOutcome.NotFound($"No author has the slug '{slug}'.");

    private static string? Text(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
