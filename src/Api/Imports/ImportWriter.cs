using System.Security.Cryptography;
using System.Text.Json;
using Api.Articles;
using Api.Authors;
using Api.Categories;
using Api.Content;
using Api.Infrastructure;
using Api.Media;
using Dapper;
using FluentValidation;
using Microsoft.Extensions.Options;
using Npgsql;
using ArticleOutcome = Api.Infrastructure.WriteOutcome<Api.Articles.ArticleView>;
using AuthorOutcome = Api.Infrastructure.WriteOutcome<Api.Authors.AuthorDto>;

namespace Api.Imports;

/// <summary>What became of one item.</summary>
/// <param name="Outcome">created, updated, unchanged, matched (an existing author or category taken for it), recorded (kept as an address only), skipped or failed.</param>
/// <param name="Target">What it became: article, author, category or medium.</param>
/// <param name="TargetId">The id of what it became.</param>
/// <param name="Error">Why it failed, or why it was skipped.</param>
/// <param name="Notes">What the import changed or left out of it.</param>
public sealed record ImportItemResult(string Outcome, string? Target, long? TargetId, string? Error, IReadOnlyList<string> Notes)
{
    public bool Failed => Outcome == "failed";
}

/// <summary>
/// Writes one item of an import in the caller's transaction (with the record of what it became in
/// <c>import_sources</c>), whatever format it came from. An item already imported is found by its
/// source id: unchanged when its content is the same as last time, else updated, unless editors
/// changed it here since (then it is left as it is and the result says so). An author or category
/// with the item's slug is taken for it rather than duplicated. Images whose files are at hand go
/// into the media library (through the same checks as an upload); the others are recorded with their
/// addresses, which the posts that show them then link to.
/// </summary>
public sealed class ImportWriter(
    ArticleEditor editor,
    IValidator<ArticleWriteRequest> articleValidator,
    AuthorWriter authors,
    IValidator<AuthorWriteRequest> authorValidator,
    CategoryWriter categories,
    MediaIntake intake,
    MediaWriter media,
    IOptions<MediaOptions> mediaOptions)
{
    private sealed record Mapping(long? TargetId, int? TargetVersion, string? Url, byte[] ContentHash);

    private sealed record ArticleState(long Id, int Version, DateTime? DeletedAt, string Slug);

    public async Task<ImportItemResult> WriteAsync(
        NpgsqlConnection connection, string source, ImportUnit unit, bool dryRun, long? keyId, CancellationToken cancellationToken)
    {
        // Two imports of one site at once must not both create an item. A dry run commits nothing (and
        // runs in one transaction, which must not collect a lock per item).
        if (!dryRun)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "SELECT pg_advisory_xact_lock(hashtext('news-api.import:' || @source || ':' || @type), hashtext(@id))",
                new { source, type = MappedType(unit.ItemType), id = unit.SourceId }, cancellationToken: cancellationToken));
        }

        return unit switch
        {
            SkippedUnit skipped => new ImportItemResult("skipped", null, null, skipped.Reason, skipped.Notes),
            BrokenUnit broken => new ImportItemResult("failed", null, null, broken.Error, broken.Notes),
            AuthorUnit author => await AuthorAsync(connection, source, author, keyId, cancellationToken),
            CategoryUnit category => await CategoryAsync(connection, source, category, cancellationToken),
            MediumUnit medium => await MediumAsync(connection, source, medium, dryRun, keyId, cancellationToken),
            ArticleUnit article => await ArticleAsync(connection, source, article, keyId, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(unit), unit.GetType().Name),
        };
    }

    private async Task<ImportItemResult> AuthorAsync(NpgsqlConnection connection, string source, AuthorUnit unit, long? keyId, CancellationToken cancellationToken)
    {
        var hash = Hash(unit.Request);
        if (await MappingAsync(connection, source, unit, cancellationToken) is { TargetId: { } mapped }
            && await ExistsAsync(connection, "authors", mapped, cancellationToken))
        {
            // Authors are kept by the newsroom once they are here (bio, portrait, links): an import does not overwrite them.
            return Result("unchanged", "author", mapped, unit);
        }

        if (await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
                "SELECT id FROM authors WHERE slug = @slug", new { slug = unit.Request.Slug }, cancellationToken: cancellationToken)) is { } existing)
        {
            await RememberAsync(connection, source, unit, existing, null, null, hash, cancellationToken);
            return Result("matched", "author", existing, unit);
        }

        var validation = await authorValidator.ValidateAsync(unit.Request, cancellationToken);
        if (!validation.IsValid)
        {
            return Failed(unit, string.Join(" ", validation.Errors.Select(e => e.ErrorMessage)));
        }

        var outcome = await authors.CreateAsync(connection, unit.Request, keyId, cancellationToken);
        if (outcome is not AuthorOutcome.Saved saved)
        {
            return Failed(unit, Reason(outcome));
        }

        await RememberAsync(connection, source, unit, saved.Value.Id, null, null, hash, cancellationToken);
        return Result("created", "author", saved.Value.Id, unit);
    }

    private async Task<ImportItemResult> CategoryAsync(NpgsqlConnection connection, string source, CategoryUnit unit, CancellationToken cancellationToken)
    {
        var hash = Hash(unit);
        if (await MappingAsync(connection, source, unit, cancellationToken) is { TargetId: { } mapped }
            && await ExistsAsync(connection, "categories", mapped, cancellationToken))
        {
            return Result("unchanged", "category", mapped, unit);
        }

        long? parentId = null;
        if (unit.ParentSourceId is { } parent)
        {
            parentId = (await MappingAsync(connection, source, "category", parent, cancellationToken))?.TargetId;
            if (parentId is null || !await ExistsAsync(connection, "categories", parentId.Value, cancellationToken))
            {
                return Failed(unit, $"Its parent category '{parent}' was not imported.");
            }
        }

        var (id, created) = await categories.EnsureAsync(connection, unit.Slug, unit.Name, unit.Description, parentId, cancellationToken);
        if (created)
        {
            await CategoryWriter.RecordCreatedAsync(connection, [id], cancellationToken);
        }

        await RememberAsync(connection, source, unit, id, null, null, hash, cancellationToken);
        return Result(created ? "created" : "matched", "category", id, unit);
    }

    private async Task<ImportItemResult> MediumAsync(
        NpgsqlConnection connection, string source, MediumUnit unit, bool dryRun, long? keyId, CancellationToken cancellationToken)
    {
        var hash = Hash(unit);
        var mapping = await MappingAsync(connection, source, unit, cancellationToken);
        if (mapping is { TargetId: { } mapped } && await ExistsAsync(connection, "media", mapped, cancellationToken))
        {
            return Result("unchanged", "medium", mapped, unit);
        }

        if (mapping is { TargetId: null } && mapping.ContentHash.AsSpan().SequenceEqual(hash))
        {
            return Result("unchanged", "medium", null, unit);
        }

        var notes = new List<string>(unit.Notes);
        if (unit.LocalPath is null)
        {
            notes.Add("Its file is not at hand: recorded with its address, which the posts that show it link to.");
            await RememberAsync(connection, source, unit, null, null, unit.Url, hash, cancellationToken);
            return new ImportItemResult("recorded", "medium", null, null, notes);
        }

        var alt = unit.Alt ?? unit.Title;
        if (unit.Alt is null && unit.Title is not null)
        {
            notes.Add("It had no alternative text: its title stands in for it.");
        }

        await using var file = File.OpenRead(unit.LocalPath);
        using var upload = await MediaUploads.SpoolAsync(file, mediaOptions.Value.SpoolPath, Path.GetFileName(unit.LocalPath), new Dictionary<string, string>(), cancellationToken);
        var (image, refusal) = await intake.CheckAsync(upload, cancellationToken);
        if (image is null)
        {
            notes.Add($"Its file is not one the media library takes ({refusal!.Detail}): recorded with its address.");
            await RememberAsync(connection, source, unit, null, null, unit.Url, hash, cancellationToken);
            return new ImportItemResult("recorded", "medium", null, null, notes);
        }

        if (dryRun)
        {
            // A dry run stores no file: the posts that show it link to its address.
            await RememberAsync(connection, source, unit, null, null, unit.Url, hash, cancellationToken);
            return new ImportItemResult("created", "medium", null, null, notes);
        }

        // The media library writes the file and its row in a transaction of its own; an item run again
        // finds the same bytes there (and takes them) rather than storing them twice.
        var uploaded = await media.UploadAsync(
            upload,
            image,
            new MediumWriteRequest(Alt: Clip(alt, MediumLimits.Alt), Caption: Clip(unit.Caption, MediumLimits.Caption)),
            keyId,
            cancellationToken);
        await RememberAsync(connection, source, unit, uploaded.Medium.Id, null, unit.Url, hash, cancellationToken);
        return new ImportItemResult(uploaded.Created ? "created" : "matched", "medium", uploaded.Medium.Id, null, notes);
    }

    private async Task<ImportItemResult> ArticleAsync(NpgsqlConnection connection, string source, ArticleUnit unit, long? keyId, CancellationToken cancellationToken)
    {
        var notes = new List<string>(unit.Notes);
        var request = unit.Request;

        // Its category: the one its source category became, else the fallback, found or created.
        long? categoryId = null;
        if (unit.CategorySourceId is { } categorySource)
        {
            categoryId = (await MappingAsync(connection, source, "category", categorySource, cancellationToken))?.TargetId;
            if (categoryId is null)
            {
                notes.Add($"Its category '{categorySource}' was not imported: it is in '{unit.FallbackCategory}'.");
            }
        }

        if (categoryId is null)
        {
            var (fallback, created) = await categories.EnsurePathAsync(connection, [unit.FallbackCategory], cancellationToken);
            await CategoryWriter.RecordCreatedAsync(connection, created, cancellationToken);
            categoryId = fallback;
        }

        var authorIds = new List<long>();
        foreach (var author in unit.AuthorSourceIds)
        {
            if ((await MappingAsync(connection, source, "author", author, cancellationToken))?.TargetId is { } authorId)
            {
                authorIds.Add(authorId);
            }
            else
            {
                notes.Add($"Its author '{author}' was not imported.");
            }
        }

        ImageRequest? image = null;
        if (unit.ImageSourceId is { } imageSource)
        {
            var medium = await MappingAsync(connection, source, "medium", imageSource, cancellationToken);
            image = medium switch
            {
                { TargetId: { } mediumId } => new ImageRequest(MediumId: mediumId),
                { Url: { } url } => new ImageRequest(Url: url, Alt: ""),
                _ => null,
            };
            if (image is null)
            {
                notes.Add($"Its featured image (attachment {imageSource}) is not in the file.");
            }
        }
        else if (unit.ImageUrl is { } imageUrl)
        {
            image = new ImageRequest(Url: imageUrl, Alt: "");
        }

        request = request with { CategoryId = categoryId, AuthorIds = authorIds.Count > 0 ? authorIds : null, Image = image };
        var hash = Hash(new { request, unit.OldSlugs, unit.LegacyAddresses });
        var mapping = await MappingAsync(connection, source, unit, cancellationToken);
        var current = mapping?.TargetId is { } mappedId
            ? await connection.QuerySingleOrDefaultAsync<ArticleState>(new CommandDefinition(
                "SELECT id AS Id, version AS Version, deleted_at AS DeletedAt, slug AS Slug FROM articles WHERE id = @mappedId", new { mappedId }, cancellationToken: cancellationToken))
            : null;
        if (current is { } found)
        {
            if (mapping!.ContentHash.AsSpan().SequenceEqual(hash))
            {
                return new ImportItemResult("unchanged", "article", found.Id, null, notes);
            }

            if (found.DeletedAt is not null)
            {
                return new ImportItemResult("skipped", "article", found.Id, "It was deleted here since its last import: left deleted.", notes);
            }

            if (found.Version != mapping.TargetVersion)
            {
                return new ImportItemResult(
                    "skipped", "article", found.Id,
                    $"It changed in the source, but editors changed it here since its last import (version {mapping.TargetVersion}, now {found.Version}): left as it is.",
                    notes);
            }

            // The slug it was given here stays (links to it may be out already).
            request = request with { Slug = found.Slug };
        }
        else
        {
            request = request with { Slug = await FreeSlugAsync(connection, request.Slug!, cancellationToken) };
            if (request.Slug != unit.Request.Slug)
            {
                notes.Add($"The slug '{unit.Request.Slug}' is another article's here: it is '{request.Slug}'.");
            }
        }

        var validation = await articleValidator.ValidateAsync(request, cancellationToken);
        if (!validation.IsValid)
        {
            return Failed(unit, string.Join(" ", validation.Errors.Select(e => e.ErrorMessage)), notes);
        }

        var outcome = current is { } existing
            ? await editor.ReplaceAsync(connection, existing.Id, VersionPrecondition.Any, request, keyId, cancellationToken, "imported")
            : await editor.CreateAsync(connection, request, keyId, cancellationToken);
        if (outcome is not ArticleOutcome.Saved saved)
        {
            return Failed(unit, Reason(outcome), notes);
        }

        var article = saved.Value.Article;
        foreach (var old in unit.OldSlugs.Where(s => s != article.Slug))
        {
            var kept = await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO article_aliases (alias, article_id, kind)
                SELECT @old, @id, 'slug'
                WHERE NOT EXISTS (SELECT 1 FROM articles WHERE slug = @old)
                ON CONFLICT (alias) DO NOTHING
                """, new { old, id = article.Id }, cancellationToken: cancellationToken));
            if (kept == 0 && !await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                    "SELECT EXISTS (SELECT 1 FROM article_aliases WHERE alias = @old AND article_id = @id)", new { old, id = article.Id }, cancellationToken: cancellationToken)))
            {
                notes.Add($"Its old slug '{old}' belongs to another article here: it does not lead to this one.");
            }
        }

        foreach (var address in unit.LegacyAddresses)
        {
            if (LegacyUrls.Parse(address) is { } legacy)
            {
                await connection.ExecuteAsync(new CommandDefinition("""
                    INSERT INTO legacy_urls (host, path, article_id) VALUES (@Host, @Path, @id)
                    ON CONFLICT (host, path) DO UPDATE SET article_id = EXCLUDED.article_id
                    """, new { legacy.Host, legacy.Path, id = article.Id }, cancellationToken: cancellationToken));
            }
        }

        await RememberAsync(connection, source, unit, article.Id, article.Version, null, hash, cancellationToken);
        return new ImportItemResult(current is null ? "created" : "updated", "article", article.Id, null, notes);
    }

    /// <summary><paramref name="wanted"/>, or with a "-2", "-3"… suffix when an article or an alias has it.</summary>
    private static async Task<string> FreeSlugAsync(NpgsqlConnection connection, string wanted, CancellationToken cancellationToken)
    {
        var taken = (await connection.QueryAsync<string>(new CommandDefinition("""
            SELECT slug FROM articles WHERE slug = @wanted OR slug LIKE @prefix
            UNION ALL
            SELECT alias FROM article_aliases WHERE alias = @wanted OR alias LIKE @prefix
            """, new { wanted, prefix = wanted + "-%" }, cancellationToken: cancellationToken))).ToHashSet(StringComparer.Ordinal);
        var free = Slugs.FirstFree(wanted, taken);
        if (free.Length > Slugs.MaxArticleLength)
        {
            var suffix = free[wanted.Length..];
            free = wanted[..(Slugs.MaxArticleLength - suffix.Length)].TrimEnd('-') + suffix;
        }

        return free;
    }

    private static Task<Mapping?> MappingAsync(NpgsqlConnection connection, string source, ImportUnit unit, CancellationToken cancellationToken) =>
        MappingAsync(connection, source, MappedType(unit.ItemType), unit.SourceId, cancellationToken);

    /// <summary>Posts and pages share one kind of record: a post turned into a page in the source is still the same article.</summary>
    private static string MappedType(string itemType) => itemType is "post" or "page" ? "article" : itemType;

    private static async Task<Mapping?> MappingAsync(NpgsqlConnection connection, string source, string itemType, string sourceId, CancellationToken cancellationToken) =>
        await connection.QuerySingleOrDefaultAsync<Mapping>(new CommandDefinition("""
            SELECT target_id AS TargetId, target_version AS TargetVersion, url AS Url, content_hash AS ContentHash
            FROM import_sources WHERE source = @source AND item_type = @itemType AND source_id = @sourceId
            """, new { source, itemType = MappedType(itemType), sourceId }, cancellationToken: cancellationToken));

    private static Task RememberAsync(
        NpgsqlConnection connection, string source, ImportUnit unit, long? targetId, int? targetVersion, string? url, byte[] hash, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO import_sources (source, item_type, source_id, target_id, target_version, url, content_hash)
            VALUES (@source, @itemType, @sourceId, @targetId, @targetVersion, @url, @hash)
            ON CONFLICT (source, item_type, source_id) DO UPDATE
            SET target_id = EXCLUDED.target_id, target_version = EXCLUDED.target_version, url = EXCLUDED.url,
                content_hash = EXCLUDED.content_hash, imported_at = now()
            """,
            new { source, itemType = MappedType(unit.ItemType), sourceId = unit.SourceId, targetId, targetVersion, url, hash },
            cancellationToken: cancellationToken));

    private static async Task<bool> ExistsAsync(NpgsqlConnection connection, string table, long id, CancellationToken cancellationToken) =>
        await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            table switch
            {
                "authors" => "SELECT EXISTS (SELECT 1 FROM authors WHERE id = @id)",
                "categories" => "SELECT EXISTS (SELECT 1 FROM categories WHERE id = @id)",
                "media" => "SELECT EXISTS (SELECT 1 FROM media WHERE id = @id)",
                _ => throw new ArgumentOutOfRangeException(nameof(table)),
            },
            new { id },
            cancellationToken: cancellationToken));

    /// <summary>SHA-256 of what an item would write, as JSON: the same item imported again has the same hash.</summary>
    private static byte[] Hash<T>(T value) => SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(value, HashOptions));

    private static readonly JsonSerializerOptions HashOptions = new() { WriteIndented = false };

    private static ImportItemResult Result(string outcome, string target, long? id, ImportUnit unit) =>
        new(outcome, target, id, null, unit.Notes);

    private static ImportItemResult Failed(ImportUnit unit, string error, IReadOnlyList<string>? notes = null) =>
        new("failed", null, null, error, notes ?? unit.Notes);

    private static string Reason<T>(WriteOutcome<T> outcome) => outcome switch
    {
        WriteOutcome<T>.Conflict conflict => conflict.Detail,
        WriteOutcome<T>.Unprocessable unprocessable => unprocessable.Detail,
        WriteOutcome<T>.NotFound notFound => notFound.Detail,
        WriteOutcome<T>.Invalid invalid => string.Join(" ", invalid.Errors.SelectMany(e => e.Value)),
        _ => "It could not be written.",
    };

    private static string? Clip(string? text, int max) => text is null || text.Length <= max ? text : text[..max];
}
