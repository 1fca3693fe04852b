using Api.Infrastructure;

namespace Api.Categories;

public static class Breadcrumbs
{
    /// <summary>Home first, then each category of the path from the top down.</summary>
    public static IReadOnlyList<BreadcrumbItem> From(SiteOptions site, IEnumerable<PathStep> path) =>
        [new BreadcrumbItem(null, null, site.HomeName), .. path.Select(step => new BreadcrumbItem(step.Id, step.Slug, step.Name))];

    public static IReadOnlyList<string> SurrogateKeys(IEnumerable<PathStep> path) =>
        path.Select(step => $"category-{step.Id}").ToList();
}
