using Api.Infrastructure;

namespace Api.Categories;

public static class Breadcrumbs
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IEnumerable<PathStep>, Built> Memo = new();

    private sealed record Built(string HomeName, IReadOnlyList<BreadcrumbItem> Items);

    /// <summary>Home first, then each category of the path from the top down.</summary>
    /// <remarks>
    /// The paths of a <see cref="CategoryIndex"/> are shared by every article in the category, so the
    /// breadcrumb built for one is kept with its path (and goes when the path does).
    /// </remarks>
    public static IReadOnlyList<BreadcrumbItem> From(SiteOptions site, IEnumerable<PathStep> path)
    {
        if (Memo.TryGetValue(path, out var built) && built.HomeName == site.HomeName)
        {
            return built.Items;
        }

        IReadOnlyList<BreadcrumbItem> items = [new BreadcrumbItem(null, null, site.HomeName), .. path.Select(step => new BreadcrumbItem(step.Id, step.Slug, step.Name))];
        Memo.AddOrUpdate(path, new Built(site.HomeName, items));
        return items;
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IEnumerable<PathStep>, IReadOnlyList<string>> KeysMemo = new();

    /// <summary><c>category-{id}</c> for each step; kept with the path like the breadcrumb.</summary>
    public static IReadOnlyList<string> SurrogateKeys(IEnumerable<PathStep> path) =>
        KeysMemo.GetValue(path, static p => p.Select(step => $"category-{step.Id}").ToArray());
}
