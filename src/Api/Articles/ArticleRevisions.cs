using System.Globalization;
using Api.Infrastructure;
using Api.Keys;
using Dapper;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace Api.Articles;

/// <summary>One saved version of an article.</summary>
/// <param name="Version">The article's version this snapshot is of.</param>
/// <param name="Change">What made it: created, updated, imported, published, unpublished, archived, deleted, restored or revision-restored.</param>
/// <param name="CreatedAt">When.</param>
/// <param name="KeyId">The API key that made the change (null if that key was deleted).</param>
/// <param name="Article">The article as it was.</param>
public sealed record ArticleRevision(int Version, string Change, DateTime CreatedAt, long? KeyId, RevisionSnapshot Article);

/// <summary>Every saved version of an article, newest first.</summary>
/// <param name="Items">The revisions.</param>
public sealed record ArticleRevisionList(IReadOnlyList<ArticleRevision> Items);

/// <summary>Route values of one revision.</summary>
/// <param name="IdOrSlug">The article's id or current slug.</param>
/// <param name="Version">The revision's version number.</param>
public sealed record RevisionRoute(string IdOrSlug, string Version)
{
    internal ArticleRoute Article => new(IdOrSlug);
    internal int Number => QueryValues.TryParseInt(Version, out var v) ? v : 0;
}

public sealed class RevisionRouteValidator : AbstractValidator<RevisionRoute>
{
    public RevisionRouteValidator()
    {
        RuleFor(r => r.IdOrSlug).IdOrSlug();
        RuleFor(r => r.Version).Must(v => QueryValues.TryParseInt(v, out var n) && n > 0).WithMessage("'version' must be a positive integer.");
    }
}

public static class ArticleRevisions
{
    private sealed class Row
    {
        public int Version { get; init; }
        public required string Change { get; init; }
        public DateTime CreatedAt { get; init; }
        public long? KeyId { get; init; }
        public required string Snapshot { get; init; }

        public ArticleRevision ToDto() => new(Version, Change, CreatedAt, KeyId, RevisionSnapshot.Parse(Snapshot));
    }

    private const string Columns = "version, change, created_at, key_id, snapshot::text AS snapshot";

    public static void MapArticleRevisions(this IEndpointRouteBuilder app)
    {
        var articles = app.ArticlesGroup();
        articles.MapGet("/{idOrSlug}/revisions", List)
            .WithName("ListArticleRevisions")
            .WithSummary("Every saved version of an article, newest first")
            .RequireScope(Scopes.ContentWrite)
            .WithValidation()
            .ProducesProblem(StatusCodes.Status404NotFound);

        articles.MapGet("/{idOrSlug}/revisions/{version}", Get)
            .WithName("GetArticleRevision")
            .WithSummary("One saved version of an article")
            .RequireScope(Scopes.ContentWrite)
            .WithValidation()
            .ProducesProblem(StatusCodes.Status404NotFound);

        articles.MapPost("/{idOrSlug}/revisions/{version}/restore", Restore)
            .WithName("RestoreArticleRevision")
            .WithSummary("Make a saved version the article's content again, as a new version (If-Match required)")
            .RequireScope(Scopes.ContentWrite)
            .WithVersionedWriteResponses()
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
    }

    private static async Task<Results<Ok<ArticleRevisionList>, ProblemHttpResult>> List(
        [AsParameters] ArticleRoute route, ArticleEditor editor, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        var id = await editor.ResolveAsync(route, cancellationToken) ?? 0;
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM article_revisions WHERE article_id = @id ORDER BY version DESC", new { id }, cancellationToken: cancellationToken))).AsList();
        return rows.Count == 0
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: "No article has this id.")
            : TypedResults.Ok(new ArticleRevisionList(rows.Select(r => r.ToDto()).ToList()));
    }

    private static async Task<Results<Ok<ArticleRevision>, ProblemHttpResult>> Get(
        [AsParameters] RevisionRoute route, ArticleEditor editor, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        var id = await editor.ResolveAsync(route.Article, cancellationToken) ?? 0;
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var row = await Find(connection, id, route.Number, cancellationToken);
        return row is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"The article has no revision {route.Version}.")
            : TypedResults.Ok(row.ToDto());
    }

    private static async Task<Results<Written<ArticleDto>, ValidationProblem, ProblemHttpResult>> Restore(
        [AsParameters] RevisionRoute route, HttpContext http, ArticleEditor editor, CancellationToken cancellationToken)
    {
        if (!Preconditions.TryRead(http.Request, out var expected))
        {
            return Preconditions.Required();
        }

        var id = await editor.ResolveAsync(route.Article, cancellationToken) ?? 0;
        var outcome = await editor.RestoreAsync(id, route.Number, expected, Scopes.KeyId(http.User), cancellationToken);
        return outcome.Answer(view => ArticleEditing.Saved(view, http.Options()));
    }

    private static Task<Row?> Find(NpgsqlConnection connection, long id, int version, CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM article_revisions WHERE article_id = @id AND version = @version",
            new { id, version }, cancellationToken: cancellationToken));
}
