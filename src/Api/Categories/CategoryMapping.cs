using Api.Infrastructure;

namespace Api.Categories;

/// <summary>Categories as the API shows them: the one place rows become answers.</summary>
public static class CategoryMapping
{
    /// <summary>The start of a category's ETag: its version, so that writers can compare with If-Match.</summary>
    public static string ETagPrefix(int version) => Api.Infrastructure.Preconditions.VersionPrefix(version);

    /// <summary>One category with its breadcrumb and children, and the cache tags of everything it shows.</summary>
    public static (CategoryDetail Detail, IReadOnlyList<string> SurrogateKeys) Detail(CategoryIndex index, CategoryRow category, SiteOptions site)
    {
        var path = index.PathTo(category).Select(c => new PathStep(c.Id, c.Slug, c.Name)).ToList();
        var children = index.ChildrenOf(category.Id).Select(c => new CategorySummary(c.Id, c.Slug, c.Name, c.Position)).ToList();
        var detail = new CategoryDetail(
            category.Id,
            category.Slug,
            category.Name,
            category.Description,
            category.ParentId,
            category.Position,
            category.UpdatedAt,
            category.Version,
            Breadcrumbs.From(site, path),
            children);
        return (detail, [.. Breadcrumbs.SurrogateKeys(path), .. children.Select(c => $"category-{c.Id}")]);
    }
}
