using Api.Infrastructure;
using Dapper;
using Npgsql;

namespace Api.Media;

/// <summary>A stored upload: the medium, and whether this request created it (or the same file was there already).</summary>
public sealed record Uploaded(MediumDto Medium, bool Created);

/// <summary>
/// Media writes, each in one transaction: an upload stores its row and its original together (a
/// failure leaves neither), an edit checks the version the client read, a delete refuses while the
/// medium is in use. A change or delete drops what this instance caches once committed.
/// </summary>
public sealed class MediaWriter(NpgsqlDataSource dataSource, MediaStore store, MediaMapping mapping, OriginalStores originals, ContentCache cache)
{
    /// <summary>
    /// Stores a checked upload, or finds the medium with the same bytes (uploaded twice, or by two
    /// requests at once: the second waits on the unique hash and then finds the first).
    /// </summary>
    public async Task<Uploaded> UploadAsync(
        SpooledUpload upload, CheckedImage image, MediumWriteRequest given, long? keyId, CancellationToken cancellationToken)
    {
        var target = originals.Current;
        var hex = Convert.ToHexStringLower(upload.Sha256);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var id = await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition("""
            INSERT INTO media (sha256, format, width, height, byte_size, dominant_color, placeholder, file_name,
                               alt, caption, credit, copyright, source, focal_x, focal_y, taken_at, storage, token, created_by)
            VALUES (@sha256, @format, @width, @height, @byteSize, @dominantColor, @placeholder, @fileName,
                    @alt, @caption, @credit, @copyright, @source, @focalX, @focalY, @takenAt, @storage, @token, @keyId)
            ON CONFLICT (sha256) DO NOTHING
            RETURNING id
            """,
            new
            {
                sha256 = upload.Sha256,
                format = image.Format.Name,
                width = image.Facts.Width,
                height = image.Facts.Height,
                byteSize = upload.Length,
                dominantColor = image.Facts.DominantColor,
                placeholder = image.Facts.Placeholder,
                fileName = upload.FileName,
                alt = Text(given.Alt),
                caption = Text(given.Caption) ?? image.Metadata.Caption,
                credit = Text(given.Credit) ?? image.Metadata.Credit,
                copyright = Text(given.Copyright) ?? image.Metadata.Copyright,
                source = Text(given.Source) ?? image.Metadata.Source,
                focalX = (float)(given.FocalPoint ?? FocalPoint.Centre).X,
                focalY = (float)(given.FocalPoint ?? FocalPoint.Centre).Y,
                takenAt = (given.TakenAt ?? image.Metadata.TakenAt)?.UtcDateTime,
                storage = target.Kind,
                token = MediaUrls.NewToken(),
                keyId,
            },
            cancellationToken: cancellationToken));
        if (id is null)
        {
            await transaction.RollbackAsync(cancellationToken);
            var existing = await connection.QuerySingleAsync<MediumRow>(new CommandDefinition(
                $"SELECT {MediaStore.Columns} FROM media WHERE sha256 = @sha256", new { sha256 = upload.Sha256 }, cancellationToken: cancellationToken));
            return new Uploaded(mapping.ToDto(existing), false);
        }

        await target.SaveAsync(connection, id.Value, hex, image.Format.Extension, upload.FilePath, cancellationToken);
        var saved = await store.GetAsync(id.Value, cancellationToken, connection);
        await transaction.CommitAsync(cancellationToken);
        return new Uploaded(mapping.ToDto(saved!), true);
    }

    /// <summary>Changes what editors wrote about a medium: <paramref name="change"/> turns it as it stands into the request to save, or its errors.</summary>
    public async Task<WriteOutcome<MediumDto>> UpdateAsync(
        long id,
        VersionPrecondition expected,
        Func<MediumWriteRequest, Task<(MediumWriteRequest? Request, IDictionary<string, string[]>? Errors)>> change,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await LockAsync(connection, id, cancellationToken) is not { } current)
        {
            return NotFound(id);
        }

        if (!expected.Allows(current.Version))
        {
            return new WriteOutcome<MediumDto>.Stale(current.Version);
        }

        var (request, errors) = await change(MediaMapping.ToRequest(current));
        if (request is null)
        {
            return new WriteOutcome<MediumDto>.Invalid(errors ?? new Dictionary<string, string[]>());
        }

        if (Text(request.Alt) is null && current.Alt is not null && await connection.ExecuteScalarAsync<bool>(new CommandDefinition("""
                SELECT EXISTS (SELECT 1 FROM articles WHERE image_medium_id = @id AND status = 'published' AND deleted_at IS NULL
                                                      AND coalesce(image_alt, '') = '')
                """, new { id }, cancellationToken: cancellationToken)))
        {
            return new WriteOutcome<MediumDto>.Unprocessable(
                "A published article shows this medium with its alt text; give the article its own 'image.alt' or unpublish it before removing the medium's.");
        }

        var focal = request.FocalPoint ?? FocalPoint.Centre;
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE media SET alt = @alt, caption = @caption, credit = @credit, copyright = @copyright, source = @source,
                focal_x = @focalX, focal_y = @focalY, taken_at = @takenAt, version = version + 1, updated_at = now(),
                token = CASE WHEN focal_x = @focalX AND focal_y = @focalY AND copyright IS NOT DISTINCT FROM @copyright
                                  AND credit IS NOT DISTINCT FROM @credit THEN token ELSE @token END
            WHERE id = @id
            """,
            new
            {
                id,
                alt = Text(request.Alt),
                caption = Text(request.Caption),
                credit = Text(request.Credit),
                copyright = Text(request.Copyright),
                source = Text(request.Source),
                focalX = (float)focal.X,
                focalY = (float)focal.Y,
                takenAt = request.TakenAt?.UtcDateTime,
                token = MediaUrls.NewToken(),
            },
            cancellationToken: cancellationToken));
        var saved = await store.GetAsync(id, cancellationToken, connection);
        await transaction.CommitAsync(cancellationToken);
        // Articles show the medium's alt text and URLs: what this instance holds goes now (the others hear it from the database).
        cache.EverythingChanged();
        return new WriteOutcome<MediumDto>.Saved(mapping.ToDto(saved!));
    }

    /// <summary>Deletes a medium and its original; refused (409) while an article uses it.</summary>
    public async Task<WriteOutcome<MediumDto>> DeleteAsync(long id, VersionPrecondition expected, CancellationToken cancellationToken)
    {
        MediumRow current;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            if (await LockAsync(connection, id, cancellationToken) is not { } locked)
            {
                return NotFound(id);
            }

            if (!expected.Allows(locked.Version))
            {
                return new WriteOutcome<MediumDto>.Stale(locked.Version);
            }

            var users = (await connection.QueryAsync<(long Id, string Slug, string Status, bool Deleted)>(new CommandDefinition("""
                SELECT id, slug, status, deleted_at IS NOT NULL FROM articles
                WHERE image_medium_id = @id OR id IN (SELECT article_id FROM article_media WHERE medium_id = @id)
                ORDER BY id LIMIT 11
                """, new { id }, cancellationToken: cancellationToken))).AsList();
            if (users.Count > 0)
            {
                var listed = string.Join(", ", users.Take(10).Select(u => $"{u.Id} ('{u.Slug}', {(u.Deleted ? "deleted" : u.Status)})"));
                return new WriteOutcome<MediumDto>.Conflict(
                    $"The medium is used by article(s) {listed}{(users.Count > 10 ? " and more" : "")} (lead image or body); take it out of them first.");
            }

            current = locked;
            await connection.ExecuteAsync(new CommandDefinition("DELETE FROM media WHERE id = @id", new { id }, cancellationToken: cancellationToken));
            await transaction.CommitAsync(cancellationToken);
        }

        cache.EverythingChanged();
        await originals.Of(current).ForgetAsync(current, CancellationToken.None);
        return new WriteOutcome<MediumDto>.Deleted();
    }

    private static Task<MediumRow?> LockAsync(NpgsqlConnection connection, long id, CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<MediumRow>(new CommandDefinition(
            $"SELECT {MediaStore.Columns} FROM media WHERE id = @id FOR UPDATE", new { id }, cancellationToken: cancellationToken));

    private static WriteOutcome<MediumDto> NotFound(long id) => new WriteOutcome<MediumDto>.NotFound($"No medium has the id {id}.");

    /// <summary>Trimmed text, or null for nothing.</summary>
    private static string? Text(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
