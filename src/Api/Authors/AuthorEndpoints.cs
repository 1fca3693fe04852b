using Api.Articles;
using Api.Infrastructure;
using Api.Keys;
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
            .CacheRead()
            .WithSummary("One author")
            .WithDescription("`email` is shown to keys with content:write only.")
            .WithValidation()
            .ProducesProblem(StatusCodes.Status404NotFound);

        authors.MapPost("/", Create)
            .WithName("CreateAuthor")
            .WithSummary("Create an author")
            .RequireScope(Scopes.ContentWrite)
            .WithValidation()
            .Accepts<AuthorWriteRequest>("application/json")
            .ProducesProblem(StatusCodes.Status409Conflict);

        authors.MapPatch("/{slug}", Patch)
            .WithName("PatchAuthor")
            .WithSummary("Change an author with a JSON merge patch (If-Match required)")
            .RequireScope(Scopes.ContentWrite)
            .Accepts<AuthorWriteRequest>(MergePatch.ContentType)
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
        AuthorWriteRequest request, HttpContext http, AuthorWriter writer, CancellationToken cancellationToken) =>
        (await writer.CreateAsync(request, cancellationToken)).Answer(author => WrittenCreated<AuthorDto>.Of(
            author, http.Options(), AuthorMapping.ETagPrefix(author.Version), $"/v1/authors/{author.Slug}"));

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
}
