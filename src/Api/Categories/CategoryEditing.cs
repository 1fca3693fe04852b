using System.Text.Json;
using Api.Articles;
using Api.Content;
using Api.Infrastructure;
using Api.Keys;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

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
        RuleFor(r => r.Slug).CategorySlug().When(r => r.Slug is not null);
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
            .ProducesProblem(StatusCodes.Status409Conflict);

        categories.MapPatch("/{slug}", Patch)
            .WithName("PatchCategory")
            .WithSummary("Rename, move or reorder a category with a JSON merge patch (If-Match required)")
            .WithDescription("Moving a category under itself or one of its descendants is a 409.")
            .RequireScope(Scopes.ContentWrite)
            .Accepts<CategoryWriteRequest>(MergePatch.ContentType)
            .WithVersionedWriteResponses()
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        categories.MapDelete("/{slug}", Delete)
            .WithName("DeleteCategory")
            .WithSummary("Delete a category (If-Match required)")
            .WithDescription("409 while it has articles or sub-categories, unless `moveTo` names a category to receive them.")
            .RequireScope(Scopes.ContentWrite)
            .WithVersionedWriteResponses();
    }

    private static async Task<Results<WrittenCreated<CategoryDetail>, ValidationProblem, ProblemHttpResult>> Create(
        CategoryWriteRequest request, HttpContext http, CategoryWriter writer, CancellationToken cancellationToken) =>
        (await writer.CreateAsync(request, cancellationToken)).Answer(category => WrittenCreated<CategoryDetail>.Of(
            category, http.Options(), CategoryMapping.ETagPrefix(category.Version), $"/v1/categories/{category.Slug}"));

    private static Task<Results<Written<CategoryDetail>, ValidationProblem, ProblemHttpResult>> Patch(
        [AsParameters] CategoryRoute route, HttpContext http, CategoryWriter writer, IValidator<CategoryWriteRequest> validator, CancellationToken cancellationToken) =>
        MergePatch.AnswerAsync(
            http,
            validator,
            (expected, change) => writer.UpdateAsync(route.Slug, expected, change, cancellationToken),
            category => CategoryMapping.ETagPrefix(category.Version),
            cancellationToken,
            ("parentSlug", "parentId"));

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> Delete(
        [AsParameters] CategoryDeleteRequest route, HttpContext http, CategoryWriter writer, CancellationToken cancellationToken)
    {
        if (!Preconditions.TryRead(http.Request, out var expected))
        {
            return Preconditions.Required();
        }

        return (await writer.DeleteAsync(route.Slug, expected, route.MoveTo, Scopes.KeyId(http.User), cancellationToken)).AnswerDeleted();
    }
}
