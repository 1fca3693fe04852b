using System.Net;
using Api.Articles;
using Api.Categories;
using Api.Content;
using Api.Infrastructure;
using Dapper;
using Npgsql;
using ArticleOutcome = Api.Infrastructure.WriteOutcome<Api.Articles.ArticleView>;

namespace Api.Imports;

/// <summary>What became of one imported page.</summary>
/// <param name="Index">Position of the page in the batch (from 0).</param>
/// <param name="LegacyId">The page's identifier on the old site, when given.</param>
/// <param name="Outcome">created, updated, unchanged or failed.</param>
/// <param name="ArticleId">The article's id (not for failures).</param>
/// <param name="Slug">The article's slug (not for failures).</param>
/// <param name="Error">Why the page failed.</param>
public sealed record ImportResult(int Index, string? LegacyId, string Outcome, long? ArticleId, string? Slug, string? Error);

/// <summary>
/// Imports legacy pages as articles. Each page is its own transaction, so a malformed page is
/// reported and the others still import. A page is matched to an earlier import by its legacy id
/// (kept as an alias that answers 301), or else by the slug of its title: importing it again
/// updates that article (as a new version, keeping its status and tags) or leaves it unchanged,
/// never duplicates it. Categories of the breadcrumb are found by name under their parent, or created
/// (<see cref="CategoryWriter.EnsurePathAsync"/>).
/// </summary>
public sealed class Importer(NpgsqlDataSource dataSource, ArticleEditor editor, CategoryWriter categories, ContentCache cache)
{
    public async Task<ImportResult> ImportAsync(int index, string content, string? legacyId, string status, long? keyId, CancellationToken cancellationToken)
    {
        var parsed = LegacyPageParser.Parse(content);
        if (parsed.Page is not { } page)
        {
            return new ImportResult(index, legacyId, "failed", null, null, parsed.Error);
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Imports of one page (or of two pages with one title) must not race each other into duplicates.
        await connection.ExecuteAsync(new CommandDefinition(
            "SELECT pg_advisory_xact_lock(hashtext('news-api.import:' || @key))",
            new { key = legacyId ?? Slugs.FromText(page.Title) ?? page.Title }, cancellationToken: cancellationToken));

        // The category tree's lock first (EnsurePathAsync), then the article's row, as a category delete
        // takes them; the changes are recorded last, after the article's.
        var (categoryId, createdCategories) = await categories.EnsurePathAsync(connection, page.CategoryPath, cancellationToken);
        var request = new ArticleWriteRequest(
            page.Title,
            Summary: page.Summary,
            BodyHtml: string.Concat(page.Paragraphs.Select(p => "<p>" + WebUtility.HtmlEncode(p) + "</p>\n")).TrimEnd(),
            Language: "en",
            CategoryId: categoryId,
            Status: status,
            PublishedAt: new DateTimeOffset(DateTime.SpecifyKind(page.PublishedAt, DateTimeKind.Utc)));

        var existing = legacyId is not null
            ? await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
                "SELECT article_id FROM article_aliases WHERE alias = @legacyId", new { legacyId }, cancellationToken: cancellationToken))
            : await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
                "SELECT id FROM articles WHERE slug = @slug", new { slug = Slugs.FromText(page.Title) }, cancellationToken: cancellationToken));

        ArticleOutcome outcome;
        string result;
        if (existing is { } id && await editor.CurrentRequestAsync(connection, id, cancellationToken) is { } current)
        {
            if (SameContent(current, request))
            {
                return new ImportResult(index, legacyId, "unchanged", id, current.Slug, null);
            }

            // The editors' choices stand: status and tags are kept.
            outcome = await editor.ReplaceAsync(connection, id, VersionPrecondition.Any, request with { Status = null, Tags = current.Tags }, keyId, cancellationToken, "imported");
            result = "updated";
        }
        else
        {
            if (legacyId is not null && await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                    "SELECT EXISTS (SELECT 1 FROM articles WHERE slug = @legacyId)", new { legacyId }, cancellationToken: cancellationToken)))
            {
                return new ImportResult(index, legacyId, "failed", null, null, $"The legacy id '{legacyId}' is the slug of another article.");
            }

            outcome = await editor.CreateAsync(connection, request, keyId, cancellationToken);
            result = "created";
            if (outcome is ArticleOutcome.Saved created && legacyId is not null)
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO article_aliases (alias, article_id, kind) VALUES (@legacyId, @id, 'legacy')",
                    new { legacyId, id = created.Value.Article.Id }, cancellationToken: cancellationToken));
            }
        }

        if (outcome is not ArticleOutcome.Saved saved)
        {
            return new ImportResult(index, legacyId, "failed", null, null, outcome switch
            {
                ArticleOutcome.Conflict conflict => conflict.Detail,
                ArticleOutcome.Invalid invalid => string.Join(" ", invalid.Errors.SelectMany(e => e.Value)),
                _ => "The article could not be written.",
            });
        }

        await CategoryWriter.RecordCreatedAsync(connection, createdCategories, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        // An import may have added categories as well as the article.
        cache.EverythingChanged();
        return new ImportResult(index, legacyId, result, saved.Value.Article.Id, saved.Value.Article.Slug, null);
    }

    private static bool SameContent(ArticleWriteRequest current, ArticleWriteRequest imported) =>
        current.Title == imported.Title!.Trim()
        && current.Summary == imported.Summary
        && current.BodyHtml == ArticleHtml.Sanitize(imported.BodyHtml!)
        && current.CategoryId == imported.CategoryId
        && current.PublishedAt == imported.PublishedAt;
}
