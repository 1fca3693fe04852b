using System.Globalization;
using System.Text.Json;
using Api.Infrastructure;
using Api.Keys;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Api.Articles;

/// <summary>Editorial endpoints: create, replace, merge-patch, state changes and revisions.</summary>
public static class ArticleEditing
{
    public static void MapArticleEditing(this IEndpointRouteBuilder app)
    {
        var articles = app.ArticlesGroup();
        articles.MapPost("/", Create)
            .WithName("CreateArticle")
            .WithSummary("Create an article")
            .WithDescription("Answers 201 with the article, its `ETag` and `Location`. Send an `Idempotency-Key` header to make retries safe: the same key with the same body returns the first response and creates nothing; with another body it is a 422.")
            .RequireScope(Scopes.ContentWrite)
            .Accepts<ArticleWriteRequest>("application/json")
            .WithRequestExample(ArticleExamples.Create)
            .WithResponseExample(StatusCodes.Status201Created, ArticleExamples.Article)
            .WithValidation()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        articles.MapPut("/{idOrSlug}", Replace)
            .WithName("ReplaceArticle")
            .WithSummary("Replace an article (If-Match required)")
            .WithDescription("Absent `slug`, `status` and `publishedAt` keep their current values; every other field is replaced. A new slug keeps the old one as a redirect.")
            .RequireScope(Scopes.ContentWrite)
            .Accepts<ArticleWriteRequest>("application/json")
            .WithRequestExample(ArticleExamples.Create)
            .WithResponseExample(StatusCodes.Status200OK, ArticleExamples.Article)
            .WithVersionedWriteResponses()
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        articles.MapPatch("/{idOrSlug}", Patch)
            .WithName("PatchArticle")
            .WithSummary("Change some fields of an article with a JSON merge patch (If-Match required)")
            .WithDescription("RFC 7396: members present are set (null clears an optional one), members absent are kept. Content-Type must be `application/merge-patch+json`.")
            .RequireScope(Scopes.ContentWrite)
            .Accepts<ArticleWriteRequest>(MergePatch.ContentType)
            .WithRequestExample(ArticleExamples.Patch)
            .WithResponseExample(StatusCodes.Status200OK, ArticleExamples.Article)
            .WithVersionedWriteResponses()
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        articles.MapDelete("/{idOrSlug}", (HttpContext http, [AsParameters] ArticleRoute route, ArticleEditor editor, CancellationToken ct) => ChangeState(http, route, editor, "deleted", ct))
            .WithName("DeleteArticle")
            .WithSummary("Delete an article (soft; restore brings it back) (If-Match required)")
            .RequireScope(Scopes.ContentWrite)
            .WithVersionedWriteResponses();

        articles.MapPost("/{idOrSlug}/corrections", Correct)
            .WithName("CorrectArticle")
            .WithSummary("Add a correction or an update note to a published article (If-Match required)")
            .WithDescription("The note is public and dated; the article gets a new version, `contentModifiedAt` moves, and webhooks send `article.corrected`. A draft or scheduled article is a 409: change it directly.")
            .RequireScope(Scopes.ContentWrite)
            .Accepts<CorrectionRequest>("application/json")
            .WithRequestExample(ArticleExamples.Correction)
            .WithResponseExample(StatusCodes.Status200OK, ArticleExamples.Article)
            .WithVersionedWriteResponses();

        foreach (var (action, state, summary) in new[]
                 {
                     ("publish", "published", "Publish an article now (an earlier publication date is kept) (If-Match required)"),
                     ("unpublish", "unpublished", "Take an article back to draft (If-Match required)"),
                     ("archive", "archived", "Archive an article (If-Match required)"),
                     ("restore", "restored", "Restore a deleted article (If-Match required)"),
                 })
        {
            var endpoint = articles.MapPost($"/{{idOrSlug}}/{action}", (HttpContext http, [AsParameters] ArticleRoute route, ArticleEditor editor, CancellationToken ct) => ChangeState(http, route, editor, state, ct))
                .WithName(CultureInfo.InvariantCulture.TextInfo.ToTitleCase(action) + "Article")
                .WithSummary(summary)
                .RequireScope(Scopes.ContentWrite)
                .WithVersionedWriteResponses();
            if (action == "publish")
            {
                // A lead medium without alt text cannot be published.
                endpoint.ProducesProblem(StatusCodes.Status422UnprocessableEntity);
            }
        }
    }

    private static async Task<Results<WrittenCreated<ArticleDto>, ValidationProblem, ProblemHttpResult>> Create(
        ArticleWriteRequest request, HttpContext http, ArticleEditor editor, CancellationToken cancellationToken)
    {
        if (!Idempotency.TryRead(http.Request, () => JsonSerializer.SerializeToUtf8Bytes(request, AppJsonContext.Default.ArticleWriteRequest), out var idempotency))
        {
            return Idempotency.InvalidKey();
        }

        var options = http.Options();
        var outcome = await editor.CreateAsync(request, Scopes.KeyId(http.User), idempotency, view => Created(view, options).Response, cancellationToken);
        return outcome.Answer(view => Created(view, options));
    }

    private static Task<Results<Written<ArticleDto>, ValidationProblem, ProblemHttpResult>> Replace(
        [AsParameters] ArticleRoute route, ArticleWriteRequest request, HttpContext http, ArticleEditor editor, CancellationToken cancellationToken) =>
        WriteExistingAsync(http, route, editor, (id, expected, keyId) => editor.ReplaceAsync(id, expected, request, keyId, cancellationToken), cancellationToken);

    private static async Task<Results<Written<ArticleDto>, ValidationProblem, ProblemHttpResult>> Patch(
        [AsParameters] ArticleRoute route, HttpContext http, ArticleEditor editor, CancellationToken cancellationToken)
    {
        if (MergePatch.Refuse(http.Request) is { } unsupported)
        {
            return unsupported;
        }

        if (!Preconditions.TryRead(http.Request, out var expected))
        {
            return Preconditions.Required();
        }

        var patch = await MergePatch.ReadAsync(http.Request, cancellationToken);
        if (await editor.ResolveAsync(route, cancellationToken) is not { } id)
        {
            return NotFound(route);
        }

        var outcome = await editor.PatchAsync(id, expected, patch, Scopes.KeyId(http.User), cancellationToken);
        return outcome.Answer(view => Saved(view, http.Options()));
    }

    private static Task<Results<Written<ArticleDto>, ValidationProblem, ProblemHttpResult>> ChangeState(
        HttpContext http, ArticleRoute route, ArticleEditor editor, string state, CancellationToken cancellationToken) =>
        WriteExistingAsync(http, route, editor, (id, expected, keyId) => editor.ChangeStateAsync(id, expected, state, keyId, cancellationToken), cancellationToken);

    private static Task<Results<Written<ArticleDto>, ValidationProblem, ProblemHttpResult>> Correct(
        [AsParameters] ArticleRoute route, CorrectionRequest request, HttpContext http, ArticleEditor editor, CancellationToken cancellationToken) =>
        WriteExistingAsync(http, route, editor, (id, expected, keyId) => editor.CorrectAsync(id, expected, request, keyId, cancellationToken), cancellationToken);

    /// <summary>A write to an article that exists: If-Match is required (428), the article must be found (404), then <paramref name="write"/> runs.</summary>
    private static async Task<Results<Written<ArticleDto>, ValidationProblem, ProblemHttpResult>> WriteExistingAsync(
        HttpContext http,
        ArticleRoute route,
        ArticleEditor editor,
        Func<long, VersionPrecondition, long, Task<WriteOutcome<ArticleView>>> write,
        CancellationToken cancellationToken)
    {
        if (!Preconditions.TryRead(http.Request, out var expected))
        {
            return Preconditions.Required();
        }

        if (await editor.ResolveAsync(route, cancellationToken) is not { } id)
        {
            return NotFound(route);
        }

        var outcome = await write(id, expected, Scopes.KeyId(http.User));
        return outcome.Answer(view => Saved(view, http.Options()));
    }

    internal static ProblemHttpResult NotFound(ArticleRoute route) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"No article has the id or slug '{route.IdOrSlug}'.");

    /// <summary>The answer to a write that saved an article.</summary>
    internal static Written<ArticleDto> Saved(ArticleView view, JsonSerializerOptions options) =>
        Written<ArticleDto>.Of(view.Article, options, ArticleView.ETagPrefix(view.Article.Version));

    private static WrittenCreated<ArticleDto> Created(ArticleView view, JsonSerializerOptions options) =>
        WrittenCreated<ArticleDto>.Of(view.Article, options, ArticleView.ETagPrefix(view.Article.Version),
            $"/v1/articles/{view.Article.Id.ToString(CultureInfo.InvariantCulture)}");
}
