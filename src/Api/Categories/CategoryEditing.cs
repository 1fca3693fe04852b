using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Api.Articles;
using Api.Changes;
using Api.Infrastructure;
using Api.Keys;
using Dapper;
using FluentValidation;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Api.Categories;

/// <summary>A category as editors write it (create with POST, change with a JSON merge patch).</summary>
/// <param name="Name">Display name, 1 to 200 characters.</param>
/// <param name="Slug">Lowercase ASCII slug; generated from the name when absent on create.</param>
/// <param name="Description">Short description, up to 2,000 characters.</param>
/// <param name="ParentId">Parent category by id (null or absent: top level). Give this or <c>parentSlug</c>.</param>
/// <param name="ParentSlug">Parent category by slug. Give this or <c>parentId</c>.</param>
/// <param name="Position">Order among siblings (ascending); new categories go last.</param>
public sealed record CategoryWriteRequest(
    string? Name,
    string? Slug = null,
    string? Description = null,
    long? ParentId = null,
    string? ParentSlug = null,
    int? Position = null);

public sealed class CategoryWriteRequestValidator : AbstractValidator<CategoryWriteRequest>
{
    public CategoryWriteRequestValidator()
    {
        RuleFor(r => r.Name).Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage("'name' is required.")
            .Must(n => n!.Trim().Length > 0).WithMessage("'name' must not be blank.")
            .MaximumLength(200)
            .Must(QueryValues.HasNoControlCharacters).WithMessage("'name' must not contain control characters.");
        RuleFor(r => r.Slug).Cascade(CascadeMode.Stop)
            .MaximumLength(Slugs.MaxCategoryLength)
            .Must(Slugs.IsValid).WithMessage(Slugs.FormatMessage)
            .When(r => r.Slug is not null);
        RuleFor(r => r.Description).MaximumLength(2000);
        RuleFor(r => r)
            .Must(r => r.ParentId is null || r.ParentSlug is null)
            .OverridePropertyName("parentId")
            .WithMessage("Give the parent as at most one of 'parentId' or 'parentSlug'.");
        RuleFor(r => r.ParentId).GreaterThan(0).When(r => r.ParentId is not null);
        RuleFor(r => r.ParentSlug).Must(Slugs.IsValid).WithMessage(Slugs.FormatMessage).When(r => r.ParentSlug is not null);
        RuleFor(r => r.Position).InclusiveBetween(0, 1_000_000).When(r => r.Position is not null);
    }
}

/// <summary>Query of <c>DELETE /v1/categories/{slug}</c>.</summary>
public sealed record CategoryDeleteRequest
{
    /// <summary>The category's slug.</summary>
    [FromRoute(Name = "slug")]
    public required string Slug { get; init; }

    /// <summary>Slug of a category to receive this one's articles and sub-categories; without it, a category that has any is not deleted (409).</summary>
    [FromQuery(Name = "moveTo")]
    public string? MoveTo { get; init; }
}

public sealed class CategoryDeleteRequestValidator : AbstractValidator<CategoryDeleteRequest>
{
    public CategoryDeleteRequestValidator()
    {
        RuleFor(r => r.Slug).Must(s => s.Length <= Slugs.MaxCategoryLength && Slugs.IsValid(s)).WithMessage(Slugs.FormatMessage);
        RuleFor(r => r.MoveTo).Must(s => s!.Length <= Slugs.MaxCategoryLength && Slugs.IsValid(s)).WithMessage(Slugs.FormatMessage).When(r => r.MoveTo is not null);
    }
}

public static class CategoryEditing
{
    public static void MapCategoryEditing(this RouteGroupBuilder categories)
    {
        categories.MapPost("/", Create)
            .WithName("CreateCategory")
            .WithSummary("Create a category")
            .RequireScope(Scopes.ContentWrite)
            .WithValidation()
            .Accepts<CategoryWriteRequest>("application/json")
            .Produces<CategoryDetail>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status409Conflict);

        categories.MapPatch("/{slug}", Patch)
            .WithName("PatchCategory")
            .WithSummary("Rename, move or reorder a category with a JSON merge patch (If-Match required)")
            .WithDescription("Moving a category under itself or one of its descendants is a 409.")
            .RequireScope(Scopes.ContentWrite)
            .WithValidation()
            .Accepts<CategoryWriteRequest>(ArticleEditing.MergePatchType)
            .Produces<CategoryDetail>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status428PreconditionRequired);

        categories.MapDelete("/{slug}", Delete)
            .WithName("DeleteCategory")
            .WithSummary("Delete a category (If-Match required)")
            .WithDescription("409 while it has articles or sub-categories, unless `moveTo` names a category to receive them.")
            .RequireScope(Scopes.ContentWrite)
            .WithValidation()
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status428PreconditionRequired);
    }

    private sealed class Current
    {
        public long Id { get; init; }
        public required string Slug { get; init; }
        public int Version { get; init; }
    }

    private sealed class Baseline
    {
        public required string Name { get; init; }
        public required string Slug { get; init; }
        public required string Description { get; init; }
        public long? ParentId { get; init; }
        public int Position { get; init; }

        public CategoryWriteRequest ToRequest() => new(Name, Slug, Description, ParentId, null, Position);
    }

    private static async Task<IResult> Create(
        CategoryWriteRequest request, NpgsqlDataSource db, CategoryStore store, IOptions<SiteOptions> site, ContentCache cache, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await LockTreeAsync(connection, cancellationToken);

        var (parentId, problem) = await ParentAsync(connection, request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        string slug;
        if (request.Slug is { } wanted)
        {
            if (await SlugTakenAsync(connection, wanted, null, cancellationToken))
            {
                return Conflict($"The slug '{wanted}' is used by another category.");
            }

            slug = wanted;
        }
        else
        {
            slug = await FreeSlugAsync(connection, Slugs.FromText(request.Name!, Slugs.MaxCategoryLength) ?? "category", cancellationToken);
        }

        var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO categories (slug, name, description, parent_id, position)
            VALUES (@slug, @name, @description, @parentId,
                    coalesce(@position, (SELECT coalesce(max(position), 0) + 1 FROM categories WHERE parent_id IS NOT DISTINCT FROM @parentId)))
            RETURNING id
            """, new { slug, name = request.Name!.Trim(), description = request.Description?.Trim() ?? "", parentId, position = request.Position }, cancellationToken: cancellationToken));
        var result = await RenderAsync(connection, store, id, site.Value, cancellationToken);
        await ChangeLog.RecordAsync(connection, ChangeLog.Category, id, "created", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        cache.EverythingChanged();
        return new CategoryWritten(result, StatusCodes.Status201Created);
    }

    private static async Task<IResult> Patch(
        [AsParameters] CategoryRoute route, HttpContext http, NpgsqlDataSource db, CategoryStore store, IValidator<CategoryWriteRequest> validator,
        IOptions<SiteOptions> site, ContentCache cache, CancellationToken cancellationToken)
    {
        if (!string.Equals(http.Request.ContentType?.Split(';')[0].Trim(), ArticleEditing.MergePatchType, StringComparison.OrdinalIgnoreCase))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, detail: $"Send the patch as {ArticleEditing.MergePatchType} (RFC 7396).");
        }

        if (!Preconditions.TryRead(http.Request, out var expected))
        {
            return Preconditions.Required();
        }

        var patch = await MergePatch.ReadAsync(http.Request, cancellationToken);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await LockTreeAsync(connection, cancellationToken);
        if (await FindAsync(connection, route.Slug, cancellationToken) is not { } current)
        {
            return NotFound(route.Slug);
        }

        if (!expected.Allows(current.Version))
        {
            return Preconditions.Failed(current.Version);
        }

        var baseline = await connection.QuerySingleAsync<Baseline>(new CommandDefinition(
            "SELECT name, slug, description, parent_id, position FROM categories WHERE id = @Id", new { current.Id }, cancellationToken: cancellationToken));
        var merged = JsonSerializer.SerializeToNode(baseline.ToRequest(), http.Options())!.AsObject();
        if (patch.ContainsKey("parentSlug"))
        {
            merged.Remove("parentId");
        }

        MergePatch.Apply(merged, patch);
        CategoryWriteRequest request;
        try
        {
            request = merged.Deserialize<CategoryWriteRequest>(http.Options())!;
        }
        catch (JsonException e)
        {
            throw new BadHttpRequestException("The merge patch does not fit a category.", StatusCodes.Status400BadRequest, e);
        }

        var validation = await validator.ValidateAsync(request, cancellationToken);
        if (!validation.IsValid)
        {
            return TypedResults.ValidationProblem(validation.ToDictionary(), detail: "One or more values are invalid; see 'errors'.");
        }

        var (parentId, problem) = await ParentAsync(connection, request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (parentId is { } newParent && await IsSelfOrDescendantAsync(connection, current.Id, newParent, cancellationToken))
        {
            return Conflict("A category cannot move under itself or one of its own sub-categories.");
        }

        if (request.Slug != current.Slug && await SlugTakenAsync(connection, request.Slug!, current.Id, cancellationToken))
        {
            return Conflict($"The slug '{request.Slug}' is used by another category.");
        }

        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE categories SET name = @name, slug = @slug, description = @description, parent_id = @parentId,
                position = coalesce(@position, position), version = version + 1, updated_at = now()
            WHERE id = @id
            """, new { id = current.Id, name = request.Name!.Trim(), slug = request.Slug, description = request.Description?.Trim() ?? "", parentId, position = request.Position },
            cancellationToken: cancellationToken));
        var result = await RenderAsync(connection, store, current.Id, site.Value, cancellationToken);
        await ChangeLog.RecordAsync(connection, ChangeLog.Category, current.Id, "updated", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        cache.EverythingChanged();
        return new CategoryWritten(result, StatusCodes.Status200OK);
    }

    private static async Task<IResult> Delete(
        [AsParameters] CategoryDeleteRequest route, HttpContext http, NpgsqlDataSource db, ContentCache cache, CancellationToken cancellationToken)
    {
        if (!Preconditions.TryRead(http.Request, out var expected))
        {
            return Preconditions.Required();
        }

        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await LockTreeAsync(connection, cancellationToken);
        if (await FindAsync(connection, route.Slug, cancellationToken) is not { } current)
        {
            return NotFound(route.Slug);
        }

        if (!expected.Allows(current.Version))
        {
            return Preconditions.Failed(current.Version);
        }

        var (articles, children) = await connection.QuerySingleAsync<(long, long)>(new CommandDefinition("""
            SELECT (SELECT count(*) FROM articles WHERE category_id = @Id), (SELECT count(*) FROM categories WHERE parent_id = @Id)
            """, new { current.Id }, cancellationToken: cancellationToken));
        var movedArticles = new List<long>();
        if (articles + children > 0)
        {
            if (route.MoveTo is null)
            {
                return Conflict($"The category still has {articles} article(s) and {children} sub-categor{(children == 1 ? "y" : "ies")}; move them first or pass moveTo=<slug>.");
            }

            if (await FindAsync(connection, route.MoveTo, cancellationToken) is not { } target)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["moveTo"] = ["No category has this slug."] });
            }

            if (await IsSelfOrDescendantAsync(connection, current.Id, target.Id, cancellationToken))
            {
                return Conflict("Articles and sub-categories cannot move into the category being deleted or one of its sub-categories.");
            }

            movedArticles.AddRange(await connection.QueryAsync<long>(new CommandDefinition(
                "SELECT id FROM articles WHERE category_id = @id ORDER BY id", new { id = current.Id }, cancellationToken: cancellationToken)));
            await connection.ExecuteAsync(new CommandDefinition($"""
                UPDATE articles SET category_id = @target, version = version + 1, updated_at = now() WHERE category_id = @id;
                INSERT INTO article_revisions (article_id, version, change, snapshot, key_id)
                SELECT a.id, a.version, 'updated', {ArticleEditor.SnapshotJson}, @keyId FROM articles a WHERE a.category_id = @target
                ON CONFLICT (article_id, version) DO NOTHING;
                UPDATE categories SET parent_id = @target, version = version + 1, updated_at = now() WHERE parent_id = @id;
                """, new { id = current.Id, target = target.Id, keyId = ArticleEditing.KeyId(http.User) }, cancellationToken: cancellationToken));
        }

        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM categories WHERE id = @Id", new { current.Id }, cancellationToken: cancellationToken));
        foreach (var moved in movedArticles)
        {
            await ChangeLog.RecordAsync(connection, ChangeLog.Article, moved, "updated", cancellationToken);
        }

        await ChangeLog.RecordAsync(connection, ChangeLog.Category, current.Id, "deleted", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        cache.EverythingChanged();
        return TypedResults.NoContent();
    }

    /// <summary>Category writes take turns: the cycle and uniqueness checks must see a settled tree.</summary>
    private static Task LockTreeAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("LOCK TABLE categories IN SHARE ROW EXCLUSIVE MODE", cancellationToken: cancellationToken));

    private static async Task<(long? ParentId, IResult? Problem)> ParentAsync(NpgsqlConnection connection, CategoryWriteRequest request, CancellationToken cancellationToken)
    {
        if (request.ParentId is null && request.ParentSlug is null)
        {
            return (null, null);
        }

        var parentId = await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
            "SELECT id FROM categories WHERE id = @ParentId OR slug = @ParentSlug", request, cancellationToken: cancellationToken));
        return parentId is null
            ? (null, TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { [request.ParentId is not null ? "parentId" : "parentSlug"] = ["No category has this id or slug."] },
                detail: "One or more values are invalid; see 'errors'."))
            : (parentId, null);
    }

    private static Task<Current?> FindAsync(NpgsqlConnection connection, string slug, CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<Current>(new CommandDefinition(
            "SELECT id, slug, version FROM categories WHERE slug = @slug", new { slug }, cancellationToken: cancellationToken));

    private static Task<bool> IsSelfOrDescendantAsync(NpgsqlConnection connection, long id, long candidate, CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<bool>(new CommandDefinition("""
            WITH RECURSIVE below AS (
                SELECT id FROM categories WHERE id = @id
                UNION
                SELECT c.id FROM categories c JOIN below b ON c.parent_id = b.id
            )
            SELECT EXISTS (SELECT 1 FROM below WHERE id = @candidate)
            """, new { id, candidate }, cancellationToken: cancellationToken));

    private static Task<bool> SlugTakenAsync(NpgsqlConnection connection, string slug, long? id, CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM categories WHERE slug = @slug AND id IS DISTINCT FROM @id)", new { slug, id }, cancellationToken: cancellationToken));

    private static async Task<string> FreeSlugAsync(NpgsqlConnection connection, string wanted, CancellationToken cancellationToken)
    {
        for (var n = 1; ; n++)
        {
            var candidate = n == 1 ? wanted : $"{wanted}-{n.ToString(CultureInfo.InvariantCulture)}";
            if (!await SlugTakenAsync(connection, candidate, null, cancellationToken))
            {
                return candidate;
            }
        }
    }

    private static async Task<CategoryDetail> RenderAsync(NpgsqlConnection connection, CategoryStore store, long id, SiteOptions site, CancellationToken cancellationToken)
    {
        var rows = await store.GetAllAsync(cancellationToken, connection);
        return CategoryEndpoints.Detail(new CategoryIndex(rows), rows.Single(c => c.Id == id), site).Detail;
    }

    private static IResult NotFound(string slug) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"No category has the slug '{slug}'.");

    private static IResult Conflict(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, detail: detail);

    /// <summary>A category write's answer: the category, its new ETag, never cached, and Location on create.</summary>
    private sealed class CategoryWritten(CategoryDetail category, int status) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var body = JsonSerializer.SerializeToUtf8Bytes(category, httpContext.Options().GetTypeInfo(typeof(CategoryDetail)));
            var response = httpContext.Response;
            response.StatusCode = status;
            response.Headers.CacheControl = "no-store";
            response.Headers.ETag = HttpCaching.StrongETag(body, CategoryEndpoints.ETagPrefix(category.Version));
            if (status == StatusCodes.Status201Created)
            {
                response.Headers.Location = $"/v1/categories/{category.Slug}";
            }

            response.ContentType = "application/json; charset=utf-8";
            await response.Body.WriteAsync(body, httpContext.RequestAborted);
        }
    }
}
