using System.Globalization;
using System.Text.Json;
using Api.Infrastructure;
using Api.Keys;
using FluentValidation;

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
            .Produces<ArticleDto>(StatusCodes.Status201Created)
            .WithValidation()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        articles.MapPut("/{idOrSlug}", Replace)
            .WithName("ReplaceArticle")
            .WithSummary("Replace an article (If-Match required)")
            .WithDescription("Absent `slug`, `status` and `publishedAt` keep their current values; every other field is replaced. A new slug keeps the old one as a redirect.")
            .RequireScope(Scopes.ContentWrite)
            .Accepts<ArticleWriteRequest>("application/json")
            .WithWriteResponses();

        articles.MapPatch("/{idOrSlug}", Patch)
            .WithName("PatchArticle")
            .WithSummary("Change some fields of an article with a JSON merge patch (If-Match required)")
            .WithDescription("RFC 7396: members present are set (null clears an optional one), members absent are kept. Content-Type must be `application/merge-patch+json`.")
            .RequireScope(Scopes.ContentWrite)
            .Accepts<ArticleWriteRequest>(MergePatch.ContentType)
            .WithWriteResponses()
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        articles.MapDelete("/{idOrSlug}", (HttpContext http, [AsParameters] ArticleRoute route, ArticleEditor editor, CancellationToken ct) => ChangeState(http, route, editor, "deleted", ct))
            .WithName("DeleteArticle")
            .WithSummary("Delete an article (soft; restore brings it back) (If-Match required)")
            .RequireScope(Scopes.ContentWrite)
            .WithWriteResponses();

        foreach (var (action, state, summary) in new[]
                 {
                     ("publish", "published", "Publish an article now (an earlier publication date is kept) (If-Match required)"),
                     ("unpublish", "unpublished", "Take an article back to draft (If-Match required)"),
                     ("archive", "archived", "Archive an article (If-Match required)"),
                     ("restore", "restored", "Restore a deleted article (If-Match required)"),
                 })
        {
            articles.MapPost($"/{{idOrSlug}}/{action}", (HttpContext http, [AsParameters] ArticleRoute route, ArticleEditor editor, CancellationToken ct) => ChangeState(http, route, editor, state, ct))
                .WithName(CultureInfo.InvariantCulture.TextInfo.ToTitleCase(action) + "Article")
                .WithSummary(summary)
                .RequireScope(Scopes.ContentWrite)
                .WithWriteResponses();
        }
    }

    private static RouteHandlerBuilder WithWriteResponses(this RouteHandlerBuilder builder) =>
        builder
            .WithValidation()
            .Produces<ArticleDto>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status428PreconditionRequired);

    private static async Task<IResult> Create(ArticleWriteRequest request, HttpContext http, ArticleEditor editor, CancellationToken cancellationToken)
    {
        var idempotencyKey = http.Request.Headers[Idempotency.Header].ToString();
        if (idempotencyKey.Length > 0 && !Idempotency.IsValidKey(idempotencyKey))
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { [Idempotency.Header] = [$"The key must be 1 to {Idempotency.MaxKeyLength} visible ASCII characters."] },
                detail: "The Idempotency-Key header is invalid.");
        }

        var keyId = Scopes.KeyId(http.User);
        var requestHash = Idempotency.Hash(JsonSerializer.SerializeToUtf8Bytes(request, AppJsonContext.Default.ArticleWriteRequest));
        var outcome = await editor.InTransactionAsync(async connection =>
        {
            if (idempotencyKey.Length > 0 && await Idempotency.ClaimAsync(connection, keyId, idempotencyKey, requestHash, cancellationToken) is { } earlier)
            {
                return earlier.RequestHash.AsSpan().SequenceEqual(requestHash) ? new WriteOutcome.Replayed(earlier) : new WriteOutcome.KeyReused();
            }

            var created = await editor.CreateAsync(connection, request, keyId, cancellationToken);
            if (created is WriteOutcome.Saved saved && idempotencyKey.Length > 0)
            {
                var stored = Render(saved.View, http, StatusCodes.Status201Created).Response;
                await Idempotency.CompleteAsync(connection, keyId, idempotencyKey, stored, cancellationToken);
            }

            return created;
        }, cancellationToken);
        return Respond(outcome, http, StatusCodes.Status201Created);
    }

    private static async Task<IResult> Replace([AsParameters] ArticleRoute route, ArticleWriteRequest request, HttpContext http, ArticleEditor editor, CancellationToken cancellationToken)
    {
        if (!Preconditions.TryRead(http.Request, out var expected))
        {
            return Preconditions.Required();
        }

        if (await editor.ResolveAsync(route, cancellationToken) is not { } id)
        {
            return NotFound(route);
        }

        var outcome = await editor.InTransactionAsync(
            connection => editor.ReplaceAsync(connection, id, expected, request, Scopes.KeyId(http.User), cancellationToken), cancellationToken);
        return Respond(outcome, http, StatusCodes.Status200OK);
    }

    private static async Task<IResult> Patch([AsParameters] ArticleRoute route, HttpContext http, ArticleEditor editor, IValidator<ArticleWriteRequest> validator, CancellationToken cancellationToken)
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

        var options = http.Options();
        var outcome = await editor.InTransactionAsync(async connection =>
        {
            if (await editor.LockAsync(connection, id, cancellationToken) is null
                || await editor.CurrentRequestAsync(connection, id, cancellationToken) is not { } current)
            {
                return new WriteOutcome.NotFound();
            }

            var (request, errors) = await MergePatch.MergeAsync(current, patch, options, validator, cancellationToken, ("categorySlug", "categoryId"));
            if (request is null)
            {
                return new WriteOutcome.Invalid(errors!);
            }

            return await editor.ReplaceAsync(connection, id, expected, request, Scopes.KeyId(http.User), cancellationToken);
        }, cancellationToken);
        return Respond(outcome, http, StatusCodes.Status200OK);
    }

    private static async Task<IResult> ChangeState(HttpContext http, ArticleRoute route, ArticleEditor editor, string state, CancellationToken cancellationToken)
    {
        if (!Preconditions.TryRead(http.Request, out var expected))
        {
            return Preconditions.Required();
        }

        if (await editor.ResolveAsync(route, cancellationToken) is not { } id)
        {
            return NotFound(route);
        }

        var outcome = await editor.InTransactionAsync(
            connection => editor.ChangeStateAsync(connection, id, expected, state, Scopes.KeyId(http.User), cancellationToken), cancellationToken);
        return Respond(outcome, http, StatusCodes.Status200OK);
    }

    internal static IResult NotFound(ArticleRoute route) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"No article has the id or slug '{route.IdOrSlug}'.");

    internal static Written Render(ArticleView view, HttpContext http, int status) =>
        Written.Of(view.Article, http, ArticleView.ETagPrefix(view.Article.Version), status,
            $"/v1/articles/{view.Article.Id.ToString(CultureInfo.InvariantCulture)}");

    internal static IResult Respond(WriteOutcome outcome, HttpContext http, int status) => outcome switch
    {
        WriteOutcome.Saved saved => Render(saved.View, http, status),
        WriteOutcome.Replayed replayed => new Written(replayed.Response),
        WriteOutcome.KeyReused => TypedResults.Problem(
            statusCode: StatusCodes.Status422UnprocessableEntity,
            detail: "This Idempotency-Key was used with a different request. Use a new key for a new request."),
        WriteOutcome.NotFound => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: "No article has this id."),
        WriteOutcome.Stale stale => Preconditions.Failed(stale.CurrentVersion),
        WriteOutcome.Invalid invalid => TypedResults.ValidationProblem(invalid.Errors, detail: "One or more values are invalid; see 'errors'."),
        WriteOutcome.Conflict conflict => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, detail: conflict.Detail),
        _ => throw new InvalidOperationException($"Unexpected outcome {outcome}"),
    };
}
