using System.Text.Json;
using System.Text.Json.Nodes;
using Api.Changes;
using Api.Content;
using Api.Infrastructure;
using Dapper;
using FluentValidation;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Npgsql;
using ArticleOutcome = Api.Infrastructure.WriteOutcome<Api.Articles.ArticleView>;

namespace Api.Articles;

/// <summary>
/// Editorial writes. Each runs in one transaction that locks the article row, checks the version the
/// client read, writes, records a revision snapshot and renders the result, so two editors can
/// never overwrite each other and a failure leaves nothing half-written.
/// </summary>
/// <remarks>
/// Every time a write stores comes from the database's clock in its transaction (<c>now()</c>): the
/// publication time it sets, <c>updated_at</c> and the revision's time are one instant, and the change
/// it records is dated when it is numbered, just before the commit (see <see cref="ChangeLog"/>).
/// </remarks>
public sealed class ArticleEditor(
    NpgsqlDataSource dataSource, ArticleViews views, ContentCache cache, IValidator<ArticleWriteRequest> validator, IOptions<JsonOptions> json, TimeProvider clock)
{
    private const string NoSuchArticle = "No article has this id.";

    private const string LockSql = $"""
        SELECT a.id, a.slug, a.status, a.published_at, a.deleted_at, a.version, a.translation_group, a.category_id,
               ({ArticleStore.Visible}) AS visible
        FROM articles a WHERE a.id = @id FOR UPDATE
        """;

    public sealed class Locked
    {
        public long Id { get; init; }
        public required string Slug { get; init; }
        public required string Status { get; init; }
        public DateTime? PublishedAt { get; init; }
        public DateTime? DeletedAt { get; init; }
        public int Version { get; init; }
        public Guid? TranslationGroup { get; init; }
        public long CategoryId { get; init; }

        /// <summary>Whether the public could see the article when it was locked.</summary>
        public bool Visible { get; init; }
    }

    /// <summary>The id of the article named by id or current slug (any state), or null.</summary>
    public async Task<long?> ResolveAsync(ArticleRoute route, CancellationToken cancellationToken)
    {
        if (route.Id is { } id)
        {
            return id;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
            "SELECT id FROM articles WHERE slug = @slug", new { slug = route.IdOrSlug }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Creates an article. With an <c>Idempotency-Key</c>, the key is claimed in the same transaction and
    /// the answer (<paramref name="answer"/> of the saved article) stored with it, so a retry replays it.
    /// </summary>
    public Task<ArticleOutcome> CreateAsync(
        ArticleWriteRequest request, long keyId, IdempotentRequest? idempotency, Func<ArticleView, StoredResponse> answer, CancellationToken cancellationToken) =>
        InTransactionAsync(null, async connection =>
        {
            if (idempotency is not null && await Idempotency.ClaimAsync(connection, keyId, idempotency.Key, idempotency.RequestHash, cancellationToken) is { } earlier)
            {
                return earlier.RequestHash.AsSpan().SequenceEqual(idempotency.RequestHash) ? new ArticleOutcome.Replayed(earlier) : new ArticleOutcome.KeyReused();
            }

            var created = await CreateAsync(connection, request, keyId, cancellationToken);
            if (created is ArticleOutcome.Saved saved && idempotency is not null)
            {
                await Idempotency.CompleteAsync(connection, keyId, idempotency.Key, answer(saved.Value), cancellationToken);
            }

            return created;
        }, cancellationToken);

    /// <summary>Replaces the article. Absent <c>slug</c>, <c>status</c> and <c>publishedAt</c> keep their current values.</summary>
    public Task<ArticleOutcome> ReplaceAsync(long id, VersionPrecondition expected, ArticleWriteRequest request, long? keyId, CancellationToken cancellationToken) =>
        InTransactionAsync(id, connection => ReplaceAsync(connection, id, expected, request, keyId, cancellationToken), cancellationToken);

    /// <summary>Applies a JSON merge patch (RFC 7396) to the article as it stands, under its lock; the result is validated as a full write.</summary>
    public Task<ArticleOutcome> PatchAsync(long id, VersionPrecondition expected, JsonObject patch, long? keyId, CancellationToken cancellationToken) =>
        InTransactionAsync(id, connection => PatchAsync(connection, id, expected, patch, keyId, cancellationToken), cancellationToken);

    /// <summary>
    /// The article as the merge patch would make it, rendered for editors, with nothing saved: the patch
    /// goes through every check and step of a real one (validation, references, sanitizing, alt text),
    /// in a transaction that is then rolled back, so no revision, change, notification or cache eviction
    /// outlives it. The rendering shows the version the save would make.
    /// </summary>
    public async Task<ArticleOutcome> TryPatchAsync(long id, VersionPrecondition expected, JsonObject patch, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var outcome = await PatchAsync(connection, id, expected, patch, null, cancellationToken);
        await transaction.RollbackAsync(cancellationToken);
        return outcome;
    }

    private async Task<ArticleOutcome> PatchAsync(NpgsqlConnection connection, long id, VersionPrecondition expected, JsonObject patch, long? keyId, CancellationToken cancellationToken)
    {
        if (await LockAsync(connection, id, cancellationToken) is null
            || await CurrentRequestAsync(connection, id, cancellationToken) is not { } current)
        {
            return new ArticleOutcome.NotFound(NoSuchArticle);
        }

        var (request, errors) = await MergePatch.MergeAsync(current, patch, json.Value.SerializerOptions, validator, cancellationToken, ("categorySlug", "categoryId"));
        return request is null
            ? new ArticleOutcome.Invalid(errors!)
            : await ReplaceAsync(connection, id, expected, request, keyId, cancellationToken);
    }

    /// <summary>publish, unpublish, archive, delete or restore.</summary>
    public Task<ArticleOutcome> ChangeStateAsync(long id, VersionPrecondition expected, string action, long? keyId, CancellationToken cancellationToken) =>
        InTransactionAsync(id, connection => ChangeStateAsync(connection, id, expected, action, keyId, cancellationToken), cancellationToken);

    /// <summary>
    /// Adds a dated public note (a correction or an update) to a published article: a new version whose
    /// content counts as modified for readers, recorded as an update and a correction.
    /// </summary>
    public Task<ArticleOutcome> CorrectAsync(long id, VersionPrecondition expected, CorrectionRequest request, long? keyId, CancellationToken cancellationToken) =>
        InTransactionAsync(id, async connection =>
        {
            if (await LockAsync(connection, id, cancellationToken) is not { } current)
            {
                return new ArticleOutcome.NotFound(NoSuchArticle);
            }

            if (!expected.Allows(current.Version))
            {
                return new ArticleOutcome.Stale(current.Version);
            }

            if (!current.Visible)
            {
                return new ArticleOutcome.Conflict("Only a published article takes corrections and updates; change a draft or a scheduled article directly.");
            }

            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO article_corrections (article_id, kind, text, key_id) VALUES (@id, @kind, @text, @keyId);
                UPDATE articles SET version = version + 1, updated_at = now(), content_modified_at = now() WHERE id = @id;
                """, new { id, kind = request.Kind, text = request.Text!.Trim(), keyId }, cancellationToken: cancellationToken));
            return await FinishAsync(connection, id, "updated", keyId, current.Visible, cancellationToken, alsoKind: ChangeLog.Corrected);
        }, cancellationToken);

    /// <summary>Makes the article what it was at revision <paramref name="version"/> (a new revision; the history stays).</summary>
    public Task<ArticleOutcome> RestoreAsync(long id, int version, VersionPrecondition expected, long? keyId, CancellationToken cancellationToken) =>
        InTransactionAsync(id, async connection =>
        {
            var snapshot = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
                "SELECT snapshot::text FROM article_revisions WHERE article_id = @id AND version = @version",
                new { id, version }, cancellationToken: cancellationToken));
            if (snapshot is null)
            {
                return new ArticleOutcome.NotFound($"The article has no revision {version}.");
            }

            var request = RevisionSnapshot.Parse(snapshot).ToRequest();
            if (request.Embargoed == true && !(request.PublishedAt > clock.GetUtcNow()))
            {
                // An embargo that has lifted since: the article is simply public from that time.
                request = request with { Embargoed = false };
            }

            var validation = await validator.ValidateAsync(request, cancellationToken);
            return !validation.IsValid
                ? new ArticleOutcome.Conflict("This revision cannot be restored as it stands: " + string.Join(" ", validation.Errors.Select(e => e.ErrorMessage)))
                : await ReplaceAsync(connection, id, expected, request, keyId, cancellationToken, "revision-restored");
        }, cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/> in a transaction; commits only when it saved. The article
    /// (<paramref name="id"/>, null for a new one) is locked first, so that what decides where it is
    /// listed can be compared before and after this write alone.
    /// </summary>
    private async Task<ArticleOutcome> InTransactionAsync(long? id, Func<NpgsqlConnection, Task<ArticleOutcome>> work, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        string? before = null;
        if (id is not null)
        {
            // Two statements: the second's snapshot is taken once the lock is held, so it sees what a
            // writer that held the row before committed (one statement would read with the snapshot
            // it took before waiting for the lock).
            await using var locked = await connection.QueryMultipleAsync(new CommandDefinition("""
                SELECT 1 FROM articles WHERE id = @id FOR UPDATE;
                SELECT article_listing_key(@id)::text;
                """, new { id }, cancellationToken: cancellationToken));
            await locked.ReadAsync<int>();
            before = await locked.ReadSingleOrDefaultAsync<string>();
        }

        var outcome = await work(connection);
        if (outcome is ArticleOutcome.Saved saved)
        {
            var after = await connection.QuerySingleAsync<string>(new CommandDefinition(
                "SELECT article_listing_key(@id)::text", new { id = saved.Value.Article.Id }, cancellationToken: cancellationToken));
            await transaction.CommitAsync(cancellationToken);
            Committed(saved, listsMoved: before is null || before != after);
        }

        return outcome;
    }

    /// <summary>
    /// Drops this instance's cached answers about a committed write before the writer is answered
    /// (other instances hear of it from the notifications the write sent): the article and its
    /// translations, which show it, and the lists it may have moved in (only searches and the like when
    /// nothing that decides where it is listed changed).
    /// </summary>
    private void Committed(ArticleOutcome.Saved saved, bool listsMoved)
    {
        long[] ids = [saved.Value.Article.Id, .. saved.Value.Article.Translations.Select(t => t.Id)];
        if (listsMoved)
        {
            cache.ArticlesChanged(ids);
        }
        else
        {
            cache.ArticlesEdited(ids);
        }
    }

    /// <summary>Creates an article in the caller's transaction (an import writes a page's categories and its article in one).</summary>
    public async Task<ArticleOutcome> CreateAsync(NpgsqlConnection connection, ArticleWriteRequest request, long? keyId, CancellationToken cancellationToken) =>
        await SaveAsync(connection, null, request, "created", keyId, cancellationToken);

    /// <summary>Replaces the article in the caller's transaction.</summary>
    public async Task<ArticleOutcome> ReplaceAsync(
        NpgsqlConnection connection, long id, VersionPrecondition expected, ArticleWriteRequest request, long? keyId, CancellationToken cancellationToken, string change = "updated")
    {
        if (await LockAsync(connection, id, cancellationToken) is not { } current)
        {
            return new ArticleOutcome.NotFound(NoSuchArticle);
        }

        return !expected.Allows(current.Version)
            ? new ArticleOutcome.Stale(current.Version)
            : await SaveAsync(connection, current, request, change, keyId, cancellationToken);
    }

    /// <summary>The request that would reproduce the article as it stands (the base of a merge patch).</summary>
    public async Task<ArticleWriteRequest?> CurrentRequestAsync(NpgsqlConnection connection, long id, CancellationToken cancellationToken)
    {
        var snapshot = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            $"SELECT ({SnapshotJson})::text FROM articles a WHERE a.id = @id", new { id }, cancellationToken: cancellationToken));
        return snapshot is null ? null : RevisionSnapshot.Parse(snapshot).ToRequest();
    }

    private async Task<Locked?> LockAsync(NpgsqlConnection connection, long id, CancellationToken cancellationToken) =>
        await connection.QuerySingleOrDefaultAsync<Locked>(new CommandDefinition(LockSql, new { id }, cancellationToken: cancellationToken));

    private async Task<ArticleOutcome> ChangeStateAsync(NpgsqlConnection connection, long id, VersionPrecondition expected, string action, long? keyId, CancellationToken cancellationToken)
    {
        if (await LockAsync(connection, id, cancellationToken) is not { } current)
        {
            return new ArticleOutcome.NotFound(NoSuchArticle);
        }

        if (!expected.Allows(current.Version))
        {
            return new ArticleOutcome.Stale(current.Version);
        }

        var sql = action switch
        {
            // Publishing keeps an earlier publication date; a first (or early) publication is now.
            "published" => """
                UPDATE articles SET status = 'published', deleted_at = NULL,
                    published_at = CASE WHEN published_at IS NULL OR published_at > now() THEN now() ELSE published_at END,
                    version = version + 1, updated_at = now()
                WHERE id = @id
                """,
            "unpublished" => "UPDATE articles SET status = 'draft', version = version + 1, updated_at = now() WHERE id = @id",
            "archived" => "UPDATE articles SET status = 'archived', version = version + 1, updated_at = now() WHERE id = @id",
            "deleted" => "UPDATE articles SET deleted_at = now(), version = version + 1, updated_at = now() WHERE id = @id",
            "restored" => "UPDATE articles SET deleted_at = NULL, version = version + 1, updated_at = now() WHERE id = @id",
            _ => throw new ArgumentOutOfRangeException(nameof(action)),
        };
        if (action == "deleted" && current.DeletedAt is not null)
        {
            return new ArticleOutcome.Conflict("The article is deleted already.");
        }

        if (action == "restored" && current.DeletedAt is null)
        {
            return new ArticleOutcome.Conflict("The article is not deleted.");
        }

        if (action != "restored" && action != "deleted" && current.DeletedAt is not null)
        {
            return new ArticleOutcome.Conflict("The article is deleted; restore it first.");
        }

        if (action == "published")
        {
            var lead = await connection.QuerySingleAsync<(long? MediumId, string? Alt)>(new CommandDefinition("""
                SELECT a.image_medium_id, coalesce(nullif(a.image_alt, ''), m.alt)
                FROM articles a LEFT JOIN media m ON m.id = a.image_medium_id
                WHERE a.id = @id
                """, new { id }, cancellationToken: cancellationToken));
            if (lead.MediumId is { } medium && string.IsNullOrWhiteSpace(lead.Alt))
            {
                return new ArticleOutcome.Unprocessable(MissingAlt(medium));
            }

            var body = ArticleHtml.Media(await connection.QuerySingleAsync<string>(new CommandDefinition(
                "SELECT body_html FROM articles WHERE id = @id", new { id }, cancellationToken: cancellationToken)));
            if (body.Count > 0)
            {
                var alts = await MediaAltsAsync(connection, body.Select(m => m.MediumId), cancellationToken);
                if (body.FirstOrDefault(m => m.Alt.Length == 0 && string.IsNullOrWhiteSpace(alts.GetValueOrDefault(m.MediumId))) is { MediumId: > 0 } bare)
                {
                    return new ArticleOutcome.Unprocessable(MissingBodyAlt(bare.MediumId));
                }
            }
        }

        await connection.ExecuteAsync(new CommandDefinition(sql, new { id }, cancellationToken: cancellationToken));
        return await FinishAsync(connection, id, action, keyId, current.Visible, cancellationToken);
    }

    private async Task<ArticleOutcome> SaveAsync(
        NpgsqlConnection connection, Locked? current, ArticleWriteRequest request, string change, long? keyId, CancellationToken cancellationToken)
    {
        if (current?.DeletedAt is not null)
        {
            return new ArticleOutcome.Conflict("The article is deleted; restore it first.");
        }

        var errors = new Dictionary<string, string[]>();
        var categoryId = request.CategoryId is { } byId
            ? await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition("SELECT id FROM categories WHERE id = @byId", new { byId }, cancellationToken: cancellationToken))
            : await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition("SELECT id FROM categories WHERE slug = @slug", new { slug = request.CategorySlug }, cancellationToken: cancellationToken));
        if (categoryId is null)
        {
            errors[request.CategoryId is not null ? "categoryId" : "categorySlug"] = ["No category has this id or slug."];
        }

        var mediumId = request.Image?.MediumId;
        string? mediumAlt = null;
        if (mediumId is { } leadMedium)
        {
            // FOR SHARE: the medium cannot be deleted before this write commits.
            var found = await connection.QuerySingleOrDefaultAsync<(bool Found, string? Alt)>(new CommandDefinition(
                "SELECT true, alt FROM media WHERE id = @leadMedium FOR SHARE", new { leadMedium }, cancellationToken: cancellationToken));
            if (!found.Found)
            {
                errors["image.mediumId"] = ["No medium has this id."];
            }

            mediumAlt = found.Alt;
        }

        if (request.AuthorIds is { Count: > 0 } authorIds)
        {
            // FOR SHARE: an author cannot be deleted before this write commits.
            var known = (await connection.QueryAsync<long>(new CommandDefinition(
                "SELECT id FROM authors WHERE id = ANY(@authorIds) ORDER BY id FOR SHARE", new { authorIds = authorIds.ToArray() }, cancellationToken: cancellationToken))).ToHashSet();
            if (authorIds.FirstOrDefault(a => !known.Contains(a)) is > 0 and var unknown)
            {
                errors["authorIds"] = [$"No author has the id {unknown}."];
            }
        }

        var group = current?.TranslationGroup;
        if (request.TranslationOf is { } original)
        {
            var target = await connection.QuerySingleOrDefaultAsync<(long Id, Guid? Group)?>(new CommandDefinition(
                "SELECT id, translation_group FROM articles WHERE id = @original AND deleted_at IS NULL FOR UPDATE",
                new { original }, cancellationToken: cancellationToken));
            if (target is null || target.Value.Id == current?.Id)
            {
                errors["translationOf"] = ["No other article has this id."];
            }
            else
            {
                group = target.Value.Group ?? group ?? Guid.NewGuid();
                await connection.ExecuteAsync(new CommandDefinition(
                    "UPDATE articles SET translation_group = @group WHERE id = @original AND translation_group IS NULL",
                    new { group, original }, cancellationToken: cancellationToken));
            }
        }

        if (errors.Count > 0)
        {
            return new ArticleOutcome.Invalid(errors);
        }

        var slug = request.Slug ?? current?.Slug;
        if (slug is not null && slug != current?.Slug && await SlugTakenAsync(connection, slug, current?.Id, cancellationToken))
        {
            return new ArticleOutcome.Conflict($"The slug '{slug}' is used by another article (now or before).");
        }

        slug ??= await FreeSlugAsync(connection, Slugs.FromText(request.Title!) ?? "article", cancellationToken);

        var requestedStatus = request.Status ?? (current is null ? ArticleStatuses.Draft : null);
        var status = requestedStatus switch
        {
            null => current!.Status,
            ArticleStatuses.Scheduled => ArticleStatuses.Published,
            var s => s,
        };
        if (request.Embargoed == true && status != ArticleStatuses.Published)
        {
            return new ArticleOutcome.Invalid(new Dictionary<string, string[]> { ["embargoed"] = ["Only a published or scheduled article can be under embargo."] });
        }

        // Null for a first publication: the statement sets the transaction's time.
        var publishedAt = request.PublishedAt?.UtcDateTime ?? current?.PublishedAt;
        var ownAlt = request.Image?.Alt?.Trim() is { Length: > 0 } given ? given : null;
        if (status == ArticleStatuses.Published && mediumId is { } lead && ownAlt is null && string.IsNullOrWhiteSpace(mediumAlt))
        {
            return new ArticleOutcome.Unprocessable(MissingAlt(lead));
        }

        var bodyHtml = ArticleHtml.Sanitize(request.BodyHtml ?? "");
        var bodyMedia = ArticleHtml.Media(bodyHtml);
        if (bodyMedia.Count > 0)
        {
            var alts = await MediaAltsAsync(connection, bodyMedia.Select(m => m.MediumId), cancellationToken);
            if (bodyMedia.FirstOrDefault(m => !alts.ContainsKey(m.MediumId)) is { MediumId: > 0 } unknown)
            {
                return new ArticleOutcome.Invalid(new Dictionary<string, string[]>
                {
                    ["bodyHtml"] = [$"No medium has the id {unknown.MediumId} (an <img {ArticleHtml.MediumAttribute}> of the body)."],
                });
            }

            if (status == ArticleStatuses.Published && bodyMedia.FirstOrDefault(m => m.Alt.Length == 0 && string.IsNullOrWhiteSpace(alts[m.MediumId])) is { MediumId: > 0 } bare)
            {
                return new ArticleOutcome.Unprocessable(MissingBodyAlt(bare.MediumId));
            }
        }
        var values = new
        {
            id = current?.Id,
            slug,
            title = request.Title!.Trim(),
            summary = request.Summary?.Trim() ?? "",
            bodyHtml,
            bodyText = ArticleHtml.ToText(bodyHtml),
            language = Languages.Normalize(request.Language ?? "en"),
            categoryId,
            status,
            byline = request.Byline?.Trim() is { Length: > 0 } byline ? byline : null,
            source = request.Source?.Trim() is { Length: > 0 } source ? source : null,
            imageUrl = mediumId is null ? request.Image?.Url : null,
            imageAlt = request.Image is null ? null : mediumId is null ? request.Image.Alt ?? "" : ownAlt,
            imageMediumId = mediumId,
            dateline = request.Dateline?.Trim() is { Length: > 0 } dateline ? dateline : null,
            kind = request.Kind ?? ArticleKinds.News,
            embargoed = request.Embargoed == true,
            publishedAt,
            group,
        };

        long id;
        if (current is null)
        {
            id = await connection.ExecuteScalarAsync<long>(new CommandDefinition($"""
                INSERT INTO articles (slug, title, summary, body_html, body_text, language, category_id, status,
                                      byline, source, image_url, image_alt, image_medium_id, dateline, kind, embargoed, published_at, translation_group)
                VALUES (@slug, @title, @summary, @bodyHtml, @bodyText, @language, @categoryId, @status,
                        @byline, @source, @imageUrl, @imageAlt, @imageMediumId, @dateline, @kind, @embargoed, {FirstPublication}, @group)
                RETURNING id
                """, values, cancellationToken: cancellationToken));
        }
        else
        {
            id = current.Id;
            await connection.ExecuteAsync(new CommandDefinition($"""
                UPDATE articles SET slug = @slug, title = @title, summary = @summary, body_html = @bodyHtml,
                    body_text = @bodyText, language = @language, category_id = @categoryId, status = @status,
                    byline = @byline, source = @source, image_url = @imageUrl, image_alt = @imageAlt, image_medium_id = @imageMediumId,
                    dateline = @dateline, kind = @kind, embargoed = @embargoed,
                    content_modified_at = CASE WHEN status = 'published' AND published_at <= now()
                            AND (title IS DISTINCT FROM @title OR summary IS DISTINCT FROM @summary OR body_html IS DISTINCT FROM @bodyHtml)
                        THEN now() ELSE content_modified_at END,
                    published_at = {FirstPublication}, translation_group = @group,
                    version = version + 1, updated_at = now()
                WHERE id = @id
                """, values, cancellationToken: cancellationToken));
            if (slug != current.Slug)
            {
                await connection.ExecuteAsync(new CommandDefinition("""
                    INSERT INTO article_aliases (alias, article_id, kind) VALUES (@old, @id, 'slug') ON CONFLICT (alias) DO NOTHING;
                    DELETE FROM article_aliases WHERE alias = @slug AND article_id = @id;
                    """, new { old = current.Slug, slug, id }, cancellationToken: cancellationToken));
            }
        }

        await SetTagsAsync(connection, id, request.Tags ?? [], cancellationToken);
        // Rows that stay as they were are not touched: their tables' triggers tell every instance of
        // a change (and a change of authors moves the article in lists), so a save that keeps them
        // must not look like one that changed them.
        await connection.ExecuteAsync(new CommandDefinition("""
            DELETE FROM article_authors aa WHERE aa.article_id = @id AND NOT EXISTS (
                SELECT 1 FROM unnest(@authors::bigint[]) WITH ORDINALITY AS u (author_id, position)
                WHERE u.author_id = aa.author_id AND u.position - 1 = aa.position);
            INSERT INTO article_authors (article_id, position, author_id)
            SELECT @id, u.position - 1, u.author_id FROM unnest(@authors::bigint[]) WITH ORDINALITY AS u (author_id, position)
            WHERE NOT EXISTS (SELECT 1 FROM article_authors aa WHERE aa.article_id = @id AND aa.author_id = u.author_id);
            """, new { id, authors = (request.AuthorIds ?? []).ToArray() }, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition("""
            DELETE FROM article_media am WHERE am.article_id = @id AND NOT EXISTS (
                SELECT 1 FROM unnest(@media::bigint[]) WITH ORDINALITY AS m (medium_id, position)
                WHERE m.medium_id = am.medium_id AND m.position - 1 = am.position);
            INSERT INTO article_media (article_id, position, medium_id)
            SELECT @id, m.position - 1, m.medium_id FROM unnest(@media::bigint[]) WITH ORDINALITY AS m (medium_id, position)
            WHERE NOT EXISTS (SELECT 1 FROM article_media am WHERE am.article_id = @id AND am.position = m.position - 1);
            """, new { id, media = bodyMedia.Select(m => m.MediumId).ToArray() }, cancellationToken: cancellationToken));
        return await FinishAsync(
            connection, id, change, keyId, current?.Visible ?? false, cancellationToken, slugChanged: current is not null && slug != current.Slug);
    }

    /// <summary>The alt text of each medium of <paramref name="ids"/> that exists (locked against deletion until commit).</summary>
    private static async Task<Dictionary<long, string?>> MediaAltsAsync(NpgsqlConnection connection, IEnumerable<long> ids, CancellationToken cancellationToken) =>
        (await connection.QueryAsync<(long Id, string? Alt)>(new CommandDefinition(
            "SELECT id, alt FROM media WHERE id = ANY(@ids) ORDER BY id FOR SHARE", new { ids = ids.Distinct().ToArray() }, cancellationToken: cancellationToken)))
        .ToDictionary(m => m.Id, m => m.Alt);

    private static string MissingBodyAlt(long mediumId) =>
        $"An image of the body (medium {mediumId}) has no alt text, which a published article's images need: add it to the medium (PATCH /v1/media/{mediumId}) or give the <img> an alt attribute.";

    private static string MissingAlt(long mediumId) =>
        $"The lead image (medium {mediumId}) has no alt text, which a published article's images need: add it to the medium (PATCH /v1/media/{mediumId}) or give 'image.alt'.";

    /// <summary>The publication time a write stores: the one asked for or kept, or the transaction's time when a published article has none.</summary>
    private const string FirstPublication = "coalesce(@publishedAt::timestamptz, CASE WHEN @status = 'published' THEN now() END)";

    private async Task<ArticleOutcome> FinishAsync(
        NpgsqlConnection connection, long id, string change, long? keyId, bool visibleBefore, CancellationToken cancellationToken, bool slugChanged = false,
        string? alsoKind = null)
    {
        await connection.ExecuteAsync(new CommandDefinition($"""
            INSERT INTO article_revisions (article_id, version, change, snapshot, key_id)
            SELECT a.id, a.version, @change, {SnapshotJson}, @keyId FROM articles a WHERE a.id = @id
            """, new { id, change, keyId }, cancellationToken: cancellationToken));
        var view = await views.RenderAsync(id, ArticleStore.Audience.Editor, cancellationToken, connection);
        string[] kinds = slugChanged ? ["slug-changed", ChangeLog.KindOf(change)] : [ChangeLog.KindOf(change)];
        if (alsoKind is not null)
        {
            kinds = [.. kinds, alsoKind];
        }

        await ChangeLog.RecordAsync(connection, ChangeLog.Article, id, kinds, visibleBefore, cancellationToken);
        return new ArticleOutcome.Saved(view!);
    }

    /// <summary>
    /// Records, in the caller's transaction, that what these articles show changed through something
    /// they refer to (a tag or an author renamed, a tag merged): each gets a new version and revision,
    /// and an <c>updated</c> change (one round trip for all of them), so partners and webhooks hear of it.
    /// Call it as the last step before commit (it takes the change counter's lock).
    /// </summary>
    /// <summary>
    /// Locks the articles that name tag <paramref name="tagId"/> or author <paramref name="authorId"/>,
    /// in id order, before the tag or author is changed: an editor saving one of them meanwhile either
    /// finishes first or waits, so the two never deadlock (a save locks its article, then the tags).
    /// </summary>
    internal static Task LockArticlesNamingAsync(NpgsqlConnection connection, long? tagId, long? authorId, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("""
            SELECT a.id FROM articles a
            WHERE a.id IN (SELECT article_id FROM article_tags WHERE tag_id = @tagId
                           UNION SELECT article_id FROM article_authors WHERE author_id = @authorId)
            ORDER BY a.id FOR UPDATE
            """, new { tagId, authorId }, cancellationToken: cancellationToken));

    internal static async Task ReferencesChangedAsync(NpgsqlConnection connection, long[] articles, long? keyId, CancellationToken cancellationToken)
    {
        if (articles.Length == 0)
        {
            return;
        }

        await connection.ExecuteAsync(new CommandDefinition($"""
            UPDATE articles SET version = version + 1, updated_at = now() WHERE id = ANY(@articles);
            INSERT INTO article_revisions (article_id, version, change, snapshot, key_id)
            SELECT a.id, a.version, 'updated', {SnapshotJson}, @keyId FROM articles a WHERE a.id = ANY(@articles)
            ON CONFLICT (article_id, version) DO NOTHING;
            SELECT record_changes('article', id, ARRAY['updated'], NULL) FROM unnest(@articles::bigint[]) WITH ORDINALITY AS u (id, n) ORDER BY n;
            """, new { articles, keyId }, cancellationToken: cancellationToken));
    }

    /// <summary>Everything an editor wrote, as JSON (the shape of <see cref="RevisionSnapshot"/>).</summary>
    internal const string SnapshotJson = $"""
        jsonb_build_object(
            'title', a.title, 'slug', a.slug, 'summary', a.summary, 'bodyHtml', a.body_html,
            'language', a.language, 'categoryId', a.category_id, 'status', a.status,
            'publishedAt', a.published_at, 'byline', a.byline, 'source', a.source,
            'image', CASE WHEN a.image_url IS NULL AND a.image_medium_id IS NULL THEN NULL
                          WHEN a.image_medium_id IS NULL THEN jsonb_build_object('url', a.image_url, 'alt', a.image_alt)
                          ELSE jsonb_build_object('mediumId', a.image_medium_id, 'alt', a.image_alt) END,
            'tags', ARRAY(SELECT t.name FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id = a.id ORDER BY at.position, t.slug),
            'deletedAt', a.deleted_at, 'dateline', a.dateline, 'kind', a.kind, 'embargoed', ({ArticleStore.Embargoed}),
            'authorIds', ARRAY(SELECT aa.author_id FROM article_authors aa WHERE aa.article_id = a.id ORDER BY aa.position))
        """;

    private static async Task SetTagsAsync(NpgsqlConnection connection, long id, string[] tags, CancellationToken cancellationToken)
    {
        var distinct = tags
            .Select(t => (Slug: Slugs.FromText(t, Slugs.MaxCategoryLength)!, Name: t.Trim()))
            .DistinctBy(t => t.Slug)
            .ToList();
        // A name whose slug a tag had before it was renamed or merged names that tag (once, at its
        // first place). The tags are resolved once, then the article's rows made to match: rows it
        // keeps at their place are not touched (see the authors in SaveAsync).
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO tags (slug, name)
            SELECT slug, name FROM unnest(@slugs::text[], @names::text[]) AS t (slug, name)
            WHERE NOT EXISTS (SELECT 1 FROM tag_aliases al WHERE al.alias = t.slug)
            ON CONFLICT (slug) DO NOTHING
            """,
            new { slugs = distinct.Select(t => t.Slug).ToArray(), names = distinct.Select(t => t.Name).ToArray() },
            cancellationToken: cancellationToken));
        var wanted = (await connection.QueryAsync<(long TagId, int Position)>(new CommandDefinition("""
            SELECT t.id, min(u.position)::int FROM unnest(@slugs::text[]) WITH ORDINALITY AS u (slug, position)
            JOIN tags t ON t.id = coalesce((SELECT id FROM tags WHERE slug = u.slug), (SELECT al.tag_id FROM tag_aliases al WHERE al.alias = u.slug))
            GROUP BY t.id
            """, new { slugs = distinct.Select(t => t.Slug).ToArray() }, cancellationToken: cancellationToken))).ToList();
        await connection.ExecuteAsync(new CommandDefinition("""
            DELETE FROM article_tags at WHERE at.article_id = @id AND NOT EXISTS (
                SELECT 1 FROM unnest(@tagIds::bigint[], @positions::int[]) AS w (tag_id, position)
                WHERE w.tag_id = at.tag_id AND w.position = at.position);
            INSERT INTO article_tags (article_id, tag_id, position)
            SELECT @id, w.tag_id, w.position FROM unnest(@tagIds::bigint[], @positions::int[]) AS w (tag_id, position)
            WHERE NOT EXISTS (SELECT 1 FROM article_tags at WHERE at.article_id = @id AND at.tag_id = w.tag_id);
            """,
            new { id, tagIds = wanted.Select(w => w.TagId).ToArray(), positions = wanted.Select(w => w.Position).ToArray() },
            cancellationToken: cancellationToken));
    }

    /// <summary>Slugs that name routes beside /v1/articles/{idOrSlug} and so can never name an article.</summary>
    public static readonly string[] ReservedSlugs = ["most-shared"];

    private static async Task<bool> SlugTakenAsync(NpgsqlConnection connection, string slug, long? id, CancellationToken cancellationToken) =>
        ReservedSlugs.Contains(slug) || await connection.ExecuteScalarAsync<bool>(new CommandDefinition("""
            SELECT EXISTS (SELECT 1 FROM articles WHERE slug = @slug AND id IS DISTINCT FROM @id)
                OR EXISTS (SELECT 1 FROM article_aliases WHERE alias = @slug AND article_id IS DISTINCT FROM @id)
            """, new { slug, id }, cancellationToken: cancellationToken));

    /// <summary><paramref name="wanted"/>, or with the first free "-2", "-3"… suffix.</summary>
    private static async Task<string> FreeSlugAsync(NpgsqlConnection connection, string wanted, CancellationToken cancellationToken)
    {
        var taken = (await connection.QueryAsync<string>(new CommandDefinition("""
            SELECT slug FROM articles WHERE slug = @wanted OR slug LIKE @prefix
            UNION SELECT alias FROM article_aliases WHERE alias = @wanted OR alias LIKE @prefix
            """, new { wanted, prefix = wanted + "-%" }, cancellationToken: cancellationToken))).ToHashSet(StringComparer.Ordinal);
        taken.UnionWith(ReservedSlugs);
        return Slugs.FirstFree(wanted, taken);
    }
}

/// <summary>An article as an editor wrote it at one version.</summary>
/// <param name="Title">Headline.</param>
/// <param name="Slug">Slug at that version.</param>
/// <param name="Summary">Summary.</param>
/// <param name="BodyHtml">Sanitized body HTML.</param>
/// <param name="Language">BCP 47 language tag.</param>
/// <param name="CategoryId">Category id.</param>
/// <param name="Status">Stored status: draft, published (scheduled when publishedAt is in the future) or archived.</param>
/// <param name="PublishedAt">Publication time.</param>
/// <param name="Byline">Author credit.</param>
/// <param name="Source">Originating organisation.</param>
/// <param name="Image">Lead image.</param>
/// <param name="Tags">Tag names in order.</param>
/// <param name="DeletedAt">When it was deleted, if it was at that version.</param>
/// <param name="AuthorIds">The authors in order (absent in versions saved before authors existed).</param>
/// <param name="Dateline">The dateline (absent in versions saved before datelines existed).</param>
/// <param name="Kind">The kind of piece (absent in versions saved before kinds existed: news).</param>
/// <param name="Embargoed">Whether it was under embargo (absent in versions saved before embargoes existed: no).</param>
public sealed record RevisionSnapshot(
    string Title,
    string Slug,
    string Summary,
    string BodyHtml,
    string Language,
    long CategoryId,
    string Status,
    DateTimeOffset? PublishedAt,
    string? Byline,
    string? Source,
    ImageRequest? Image,
    IReadOnlyList<string> Tags,
    DateTimeOffset? DeletedAt,
    IReadOnlyList<long>? AuthorIds = null,
    string? Dateline = null,
    string? Kind = null,
    bool? Embargoed = null)
{
    public static RevisionSnapshot Parse(string json) =>
        JsonSerializer.Deserialize(json, AppJsonContext.Default.RevisionSnapshot)!;

    public ArticleWriteRequest ToRequest() => new(
        Title,
        Slug,
        Summary,
        BodyHtml,
        Language,
        CategoryId,
        null,
        [.. Tags],
        Status,
        PublishedAt,
        Byline,
        Source,
        Image,
        null,
        AuthorIds,
        Dateline,
        Kind,
        Embargoed);
}
