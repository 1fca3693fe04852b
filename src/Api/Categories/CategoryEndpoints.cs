using Api.Content;
using Api.Infrastructure;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Api.Categories;

public static class CategoryEndpoints
{
    public static RouteGroupBuilder MapCategories(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/categories").WithTags("Categories").UsesDatabase();

        group.MapGet("/", GetCategoryTree)
            .WithName("GetCategoryTree")
            .CacheRead()
            .WithSummary("The category tree")
            .WithDescription("Every category, nested under its parent, siblings in display order.");

        group.MapGet("/{slug}", GetCategory)
            .WithName("GetCategory")
            .CacheRead()
            .WithSummary("One category with its breadcrumb and children")
            .WithValidation()
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapCategoryEditing();
        return group;
    }

    private static async Task<CachedJson<CategoryTree>> GetCategoryTree(CategoryStore store, CancellationToken cancellationToken)
    {
        var index = await store.GetIndexAsync(cancellationToken);
        return HttpCaching.Cached(new CategoryTree(index.Tree()), ["categories"]);
    }

    private static async Task<Results<CachedJson<CategoryDetail>, ProblemHttpResult>> GetCategory(
        [AsParameters] CategoryRoute route,
        CategoryStore store,
        IOptions<SiteOptions> site,
        CancellationToken cancellationToken)
    {
        var index = await store.GetIndexAsync(cancellationToken);
        if (index.FindBySlug(route.Slug) is not { } category)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                detail: $"No category has the slug '{route.Slug}'.");
        }

        var (detail, keys) = CategoryMapping.Detail(index, category, site.Value);
        return HttpCaching.Cached(detail, keys, category.UpdatedAt, new CachePolicy(true, CategoryMapping.ETagPrefix(category.Version)));
    }
}

/// <summary>Route values of <c>GET /v1/categories/{slug}</c>.</summary>
/// <param name="Slug">The category's slug.</param>
public sealed record CategoryRoute(string Slug);

public sealed class CategoryRouteValidator : AbstractValidator<CategoryRoute>
{
    public CategoryRouteValidator()
    {
        RuleFor(r => r.Slug).CategorySlug();
    }
}

public static class CategoryRules
{
    /// <summary>A category slug: the slug format, at most <see cref="Slugs.MaxCategoryLength"/> characters.</summary>
    public static IRuleBuilderOptions<T, string?> CategorySlug<T>(this IRuleBuilderInitial<T, string?> rule) =>
        rule.Cascade(CascadeMode.Stop)
            .MaximumLength(Slugs.MaxCategoryLength)
            .Must(Slugs.IsValid!).WithMessage(Slugs.FormatMessage);
}

public static class CategoryServices
{
    public static WebApplicationBuilder AddCategories(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<CategoryStore>();
        builder.Services.AddSingleton<CategoryWriter>();
        return builder;
    }
}
