using System.Text.Json;
using Api.Content;
using Api.Infrastructure;
using Dapper;
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
    public Task<AuthorOutcome> CreateAsync(AuthorWriteRequest request, CancellationToken cancellationToken) =>
        InTransactionAsync(async connection =>
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

            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO authors (slug, name, title, bio, email, photo_medium_id, links)
                VALUES (@slug, @name, @title, @bio, @email, @photo, @links::jsonb)
                """, Values(request, slug), cancellationToken: cancellationToken));
            return Saved(await store.GetAsync(slug, cancellationToken, connection));
        }, cancellationToken);

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
        CancellationToken cancellationToken) =>
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

            await connection.ExecuteAsync(new CommandDefinition("""
                UPDATE authors SET slug = @slug, name = @name, title = @title, bio = @bio, email = @email,
                    photo_medium_id = @photo, links = @links::jsonb, version = version + 1, updated_at = now()
                WHERE id = @id
                """, Values(request, newSlug, current.Id), cancellationToken: cancellationToken));
            var saved = Saved(await store.GetAsync(newSlug, cancellationToken, connection));
            if (newSlug != current.Slug || request.Name!.Trim() != current.Name || Text(request.Title) != current.Title)
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
        var id = await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
            "SELECT id FROM authors WHERE slug = @slug FOR UPDATE", new { slug }, cancellationToken: cancellationToken));
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
