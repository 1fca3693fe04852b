using System.Buffers.Text;
using System.ComponentModel;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Api.Infrastructure;
using Api.Keys;
using Dapper;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Api.Articles;

/// <summary>A preview link just made: the token is shown this once.</summary>
/// <param name="Token">The preview token (43 characters); only its hash is kept.</param>
/// <param name="Url">Where the front end reads the article with it, with no key: <c>GET /v1/previews/{token}</c>.</param>
/// <param name="ExpiresAt">When it stops working.</param>
/// <param name="Unsaved">True when the preview shows changes that were sent with it and not saved (it then shows them as they were when it was made); false when it shows the article as saved, whatever is saved later.</param>
/// <param name="BaseVersion">The saved version the preview was made from.</param>
public sealed record ArticlePreview(string Token, string Url, DateTime ExpiresAt, bool Unsaved, int BaseVersion);

/// <summary>Query of <c>POST /v1/articles/{idOrSlug}/previews</c>.</summary>
public sealed record PreviewRequest
{
    /// <summary>The article's id or current slug.</summary>
    [FromRoute(Name = "idOrSlug")]
    public required string IdOrSlug { get; init; }

    /// <summary>How long the preview works, in seconds: 60 to 2,592,000 (30 days); default 86,400 (a day).</summary>
    [FromQuery(Name = "expiresIn"), DefaultValue(DefaultSeconds)]
    public int? ExpiresIn { get; init; }

    internal int Seconds => ExpiresIn ?? DefaultSeconds;

    public const int DefaultSeconds = 86_400;
}

public sealed class PreviewRequestValidator : AbstractValidator<PreviewRequest>
{
    public PreviewRequestValidator()
    {
        RuleFor(r => r.IdOrSlug).MaximumLength(200);
        RuleFor(r => r.ExpiresIn).InclusiveBetween(60, 2_592_000);
    }
}

/// <summary>Route of <c>GET /v1/previews/{token}</c>.</summary>
/// <param name="Token">A preview token.</param>
public sealed record PreviewRoute(string Token);

public sealed class PreviewRouteValidator : AbstractValidator<PreviewRoute>
{
    public PreviewRouteValidator()
    {
        RuleFor(r => r.Token).MaximumLength(64);
    }
}

/// <summary>
/// Previews of articles for front ends: an editor mints a token for one article (a draft, a
/// scheduled one, or any other), as saved or with unsaved changes; whoever holds it reads the article
/// as editors see it, without a key, until it expires or is revoked. The answer is never stored by a cache (<c>private, no-store</c>), and
/// nothing of it reaches lists, feeds, sitemaps or the change feed.
/// </summary>
public static class ArticlePreviews
{
    public static void MapArticlePreviews(this IEndpointRouteBuilder app)
    {
        var articles = app.ArticlesGroup();
        articles.MapPost("/{idOrSlug}/previews", Create)
            .WithName("CreateArticlePreview")
            .WithSummary("Make a preview link of an article, as saved or with unsaved changes, for the front end (shown once)")
            .WithDescription("""
                Without a body, the preview shows the article as saved, and follows later saves. With a
                body (`application/merge-patch+json`, as `PATCH /v1/articles/{idOrSlug}` takes it), it shows
                the article as those changes would make it, without saving them: they are checked as a save
                would check them (400, 409, 422 as for the PATCH) and the preview keeps the result as it was
                made. `If-Match` is optional: given, a preview of changes made from an older version is a 412.
                """)
            .RequireScope(Scopes.ContentWrite)
            .Accepts<ArticleWriteRequest>(isOptional: true, MergePatch.ContentType)
            .WithRequestExample(ArticleExamples.Patch)
            .WithResponseExample(StatusCodes.Status201Created, ArticleExamples.Preview)
            .WithStrictQuery()
            .WithValidation()
            .Produces<ArticlePreview>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        articles.MapDelete("/{idOrSlug}/previews", Revoke)
            .WithName("RevokeArticlePreviews")
            .WithSummary("Revoke every preview link of an article")
            .RequireScope(Scopes.ContentWrite)
            .WithValidation()
            .ProducesProblem(StatusCodes.Status404NotFound);

        app.MapGet("/v1/previews/{token}", Read)
            .WithTags("Articles")
            .WithName("GetArticlePreview")
            .WithSummary("An article through a preview token, as editors see it (no key needed)")
            .WithDescription("Answers `Cache-Control: private, no-store`. An unknown, expired or revoked token is a 404.")
            .WithValidation()
            .UsesDatabase()
            .Produces<ArticleDto>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<Results<Created<ArticlePreview>, ValidationProblem, ProblemHttpResult>> Create(
        [AsParameters] PreviewRequest request, HttpContext http, ArticleEditor editor, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        JsonObject? changes = null;
        if (HasBody(http.Request))
        {
            if (MergePatch.Refuse(http.Request) is { } unsupported)
            {
                return unsupported;
            }

            changes = await MergePatch.ReadAsync(http.Request, cancellationToken);
        }

        Preconditions.TryRead(http.Request, out var expected);
        if (await editor.ResolveAsync(new ArticleRoute(request.IdOrSlug), cancellationToken) is not { } id)
        {
            return ArticleEditing.NotFound(new ArticleRoute(request.IdOrSlug));
        }

        string? rendered = null;
        int? baseVersion = null;
        if (changes is not null)
        {
            switch (await editor.TryPatchAsync(id, expected, changes, cancellationToken))
            {
                case WriteOutcome<ArticleView>.Saved saved:
                    rendered = JsonSerializer.Serialize(saved.Value.Article, http.Options());
                    // The version the changes were applied to: the rendering is the save that would follow it.
                    baseVersion = saved.Value.Article.Version - 1;
                    break;
                case WriteOutcome<ArticleView>.Invalid invalid:
                    return WriteAnswers.Invalid(invalid.Errors);
                case var refused:
                    return WriteAnswers.Refusal(refused);
            }
        }

        var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var made = await connection.QuerySingleOrDefaultAsync<(DateTime ExpiresAt, int BaseVersion)?>(new CommandDefinition("""
            INSERT INTO article_previews (article_id, token_hash, expires_at, key_id, article, base_version)
            SELECT a.id, @hash, now() + make_interval(secs => @seconds), @keyId, @rendered::json, coalesce(@baseVersion, a.version)
            FROM articles a WHERE a.id = @id
            RETURNING expires_at, base_version
            """,
            new { id, hash = SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(token)), seconds = request.Seconds, keyId = Scopes.KeyId(http.User), rendered, baseVersion },
            cancellationToken: cancellationToken));
        if (made is null)
        {
            return ArticleEditing.NotFound(new ArticleRoute(request.IdOrSlug));
        }

        http.Response.Headers.CacheControl = "no-store";
        var url = $"/v1/previews/{token}";
        return TypedResults.Created(url, new ArticlePreview(token, url, DateTime.SpecifyKind(made.Value.ExpiresAt, DateTimeKind.Utc), rendered is not null, made.Value.BaseVersion));
    }

    /// <summary>Whether the request carries a body (a length above zero, or chunked).</summary>
    private static bool HasBody(HttpRequest request) =>
        request.ContentLength is > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);

    private static async Task<Results<NoContent, ProblemHttpResult>> Revoke(
        [AsParameters] ArticleRoute route, ArticleEditor editor, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        if (await editor.ResolveAsync(route, cancellationToken) is not { } id)
        {
            return ArticleEditing.NotFound(route);
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE article_previews SET revoked_at = now() WHERE article_id = @id AND revoked_at IS NULL", new { id }, cancellationToken: cancellationToken));
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<ArticleDto>, ProblemHttpResult>> Read(
        [AsParameters] PreviewRoute route, HttpContext http, ArticleViews views, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        http.Response.Headers.CacheControl = "private, no-store";
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var preview = await connection.QuerySingleOrDefaultAsync<(long ArticleId, string? Article)?>(new CommandDefinition("""
            SELECT article_id, article::text FROM article_previews
            WHERE token_hash = @hash AND revoked_at IS NULL AND expires_at > now()
            """, new { hash = SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(route.Token)) }, cancellationToken: cancellationToken));
        if (preview is { Article: { } unsaved })
        {
            return TypedResults.Ok(JsonSerializer.Deserialize(unsaved, AppJsonContext.Default.ArticleDto)!);
        }

        // Read on the primary, as editors read: a preview shows the article as just saved.
        if (preview is null || await views.RenderAsync(preview.Value.ArticleId, ArticleStore.Audience.Editor, cancellationToken, connection) is not { } view)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: "No preview has this token, or it has expired or been revoked.");
        }

        return TypedResults.Ok(view.Article);
    }
}
