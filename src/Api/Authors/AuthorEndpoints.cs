using Api.Articles;
using Api.Infrastructure;
using Api.Keys;
using Dapper;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Api.Authors;

public static class AuthorEndpoints
{
    public static WebApplicationBuilder AddAuthors(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<AuthorStore>();
        builder.Services.AddSingleton<AuthorWriter>();
        builder.Services.AddSingleton<AuthorMapping>();
        return builder;
    }

    public static void MapAuthors(this IEndpointRouteBuilder app)
    {
        var authors = app.MapGroup("/v1/authors").WithTags("Authors").UsesDatabase();

        authors.MapGet("/", List)
            .WithName("ListAuthors")
            .CacheRead()
            .WithSummary("Every author, by name")
            .WithStrictQuery()
            .WithValidation();

        authors.MapGet("/{slug}", Get)
            .WithName("GetAuthor")
            .WithResponseExample(StatusCodes.Status200OK, AuthorExamples.Author)
            .CacheRead()
            .WithSummary("One author")
            .WithDescription("`email` is shown to keys with content:write only.")
            .WithValidation()
            .ProducesProblem(StatusCodes.Status404NotFound);

        authors.MapPost("/", Create)
            .WithName("CreateAuthor")
            .WithSummary("Create an author")
            .WithDescription("Send an `Idempotency-Key` header to make retries safe: the same key with the same body returns the first response and creates nothing; with another body it is a 422.")
            .RequireScope(Scopes.ContentWrite)
            .WithValidation()
            .Accepts<AuthorWriteRequest>("application/json")
            .WithRequestExample(AuthorExamples.Create)
            .WithResponseExample(StatusCodes.Status201Created, AuthorExamples.Author)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        authors.MapGet("/{slug}/revisions", ListRevisions)
            .WithName("ListAuthorRevisions")
            .WithSummary("Every saved version of an author, newest first")
            .RequireScope(Scopes.ContentWrite)
            .WithValidation()
            .ProducesProblem(StatusCodes.Status404NotFound);

        authors.MapPost("/{slug}/revisions/{version}/restore", RestoreRevision)
            .WithName("RestoreAuthorRevision")
            .WithSummary("Make a saved version the author again, as a new version (If-Match required)")
            .RequireScope(Scopes.ContentWrite)
            .WithVersionedWriteResponses();

        authors.MapPatch("/{slug}", Patch)
            .WithName("PatchAuthor")
            .WithSummary("Change an author with a JSON merge patch (If-Match required)")
            .RequireScope(Scopes.ContentWrite)
            .Accepts<AuthorWriteRequest>(MergePatch.ContentType)
            .WithRequestExample(AuthorExamples.Patch)
            .WithResponseExample(StatusCodes.Status200OK, AuthorExamples.Author)
            .WithVersionedWriteResponses()
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        authors.MapDelete("/{slug}", Delete)
            .WithName("DeleteAuthor")
            .WithSummary("Delete an author (If-Match required); 409 while articles name them")
            .RequireScope(Scopes.ContentWrite)
            .WithVersionedWriteResponses();
    }

    private static async Task<Results<Ok<AuthorList>, ValidationProblem>> List(
        [AsParameters] AuthorListRequest request, AuthorStore store, AuthorMapping mapping, Cursors cursors, CancellationToken cancellationToken)
    {
        AuthorCursor? after = null;
        if (request.Cursor is not null && !cursors.TryDecode(request.Cursor, AppJsonContext.Default.AuthorCursor, out after))
        {
            return WriteAnswers.Invalid(new Dictionary<string, string[]> { ["cursor"] = ["The cursor is not one this list gave."] });
        }

        var rows = await store.ListAsync(after, request.PageSize + 1, cancellationToken);
        var page = rows.Take(request.PageSize).ToList();
        var next = rows.Count > request.PageSize ? cursors.Encode(new AuthorCursor(page[^1].Name, page[^1].Slug), AppJsonContext.Default.AuthorCursor) : null;
        return TypedResults.Ok(new AuthorList(page.Select(r => mapping.ToDto(r, editor: false)).ToList(), next));
    }

    private static async Task<Results<CachedJson<AuthorDto>, ProblemHttpResult>> Get(
        [AsParameters] AuthorRoute route, HttpContext http, AuthorStore store, AuthorMapping mapping, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(route.Slug, cancellationToken) is not { } row)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"No author has the slug '{route.Slug}'.");
        }

        var editor = ArticleViews.AudienceOf(http.User) == ArticleStore.Audience.Editor;
        return HttpCaching.Cached(
            mapping.ToDto(row, editor), [$"author-{row.Id}"], row.UpdatedAt, new CachePolicy(!editor, AuthorMapping.ETagPrefix(row.Version)));
    }

    private static async Task<Results<WrittenCreated<AuthorDto>, ValidationProblem, ProblemHttpResult>> Create(
        AuthorWriteRequest request, HttpContext http, AuthorWriter writer, CancellationToken cancellationToken)
    {
        if (!Idempotency.TryRead(http.Request, () => System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(request, AppJsonContext.Default.AuthorWriteRequest), out var idempotency))
        {
            return Idempotency.InvalidKey();
        }

        var options = http.Options();
        var outcome = await writer.CreateAsync(request, Scopes.KeyId(http.User), idempotency, author => Created(author, options).Response, cancellationToken);
        return outcome.Answer(author => Created(author, options));
    }

    private static WrittenCreated<AuthorDto> Created(AuthorDto author, System.Text.Json.JsonSerializerOptions options) =>
        WrittenCreated<AuthorDto>.Of(author, options, AuthorMapping.ETagPrefix(author.Version), $"/v1/authors/{author.Slug}");

    private static Task<Results<Written<AuthorDto>, ValidationProblem, ProblemHttpResult>> Patch(
        [AsParameters] AuthorRoute route, HttpContext http, AuthorWriter writer, IValidator<AuthorWriteRequest> validator, CancellationToken cancellationToken) =>
        MergePatch.AnswerAsync(
            http,
            validator,
            (expected, change) => writer.UpdateAsync(route.Slug, expected, change, Api.Keys.Scopes.KeyId(http.User), cancellationToken),
            author => AuthorMapping.ETagPrefix(author.Version),
            cancellationToken);

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> Delete(
        [AsParameters] AuthorRoute route, HttpContext http, AuthorWriter writer, CancellationToken cancellationToken)
    {
        if (!Preconditions.TryRead(http.Request, out var expected))
        {
            return Preconditions.Required();
        }

        return (await writer.DeleteAsync(route.Slug, expected, cancellationToken)).AnswerDeleted();
    }

    private static async Task<Results<Ok<AuthorRevisionList>, ProblemHttpResult>> ListRevisions(
        [AsParameters] AuthorRoute route, Npgsql.NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<AuthorRevisionRow>(new CommandDefinition("""
            SELECT r.version, r.change, r.created_at, r.key_id, r.snapshot::text AS snapshot
            FROM author_revisions r JOIN authors au ON au.id = r.author_id
            WHERE au.slug = @slug
            ORDER BY r.version DESC
            """, new { slug = route.Slug }, cancellationToken: cancellationToken))).AsList();
        return rows.Count == 0
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"No author has the slug '{route.Slug}'.")
            : TypedResults.Ok(new AuthorRevisionList(rows.Select(r => r.ToDto()).ToList()));
    }

    private static async Task<Results<Written<AuthorDto>, ValidationProblem, ProblemHttpResult>> RestoreRevision(
        [AsParameters] AuthorRevisionRoute route, HttpContext http, AuthorWriter writer, IValidator<AuthorWriteRequest> validator, CancellationToken cancellationToken)
    {
        if (!Preconditions.TryRead(http.Request, out var expected))
        {
            return Preconditions.Required();
        }

        var outcome = await writer.RestoreAsync(route.Slug, route.Number, expected, Scopes.KeyId(http.User), validator, cancellationToken);
        return outcome.Answer(author => Written<AuthorDto>.Of(author, http.Options(), AuthorMapping.ETagPrefix(author.Version)));
    }

    private sealed class AuthorRevisionRow
    {
        public int Version { get; init; }
        public required string Change { get; init; }
        public DateTime CreatedAt { get; init; }
        public long? KeyId { get; init; }
        public required string Snapshot { get; init; }

        public AuthorRevision ToDto() => new(
            Version, Change, DateTime.SpecifyKind(CreatedAt, DateTimeKind.Utc), KeyId,
            System.Text.Json.JsonSerializer.Deserialize(Snapshot, AppJsonContext.Default.AuthorWriteRequest)!);
    }
}
