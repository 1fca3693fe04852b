namespace Api.Categories;

/// <summary>The whole category tree in memory: lookups by slug, paths from the top, and children in order.</summary>
public sealed class CategoryIndex
{
    private readonly Dictionary<long, CategoryRow> _byId;
    private readonly Dictionary<string, CategoryRow> _bySlug;
    private readonly ILookup<long?, CategoryRow> _children;

    private readonly Dictionary<long, IReadOnlyList<PathStep>> _paths;
    private readonly Dictionary<long, IReadOnlyList<string>> _surrogateKeys;

    public CategoryIndex(IReadOnlyList<CategoryRow> rows)
    {
        _byId = rows.ToDictionary(r => r.Id);
        _bySlug = rows.ToDictionary(r => r.Slug, StringComparer.Ordinal);
        // Rows arrive ordered by (position, id), and ToLookup keeps that order within each group.
        _children = rows.ToLookup(r => r.ParentId);
        // Every article and list item needs its category's path: worked out once per tree, not per item.
        _paths = rows.ToDictionary(r => r.Id, r => (IReadOnlyList<PathStep>)PathTo(r).Select(c => new PathStep(c.Id, c.Slug, c.Name)).ToArray());
        _surrogateKeys = _paths.ToDictionary(p => p.Key, p => Breadcrumbs.SurrogateKeys(p.Value));
    }

    public CategoryRow? FindBySlug(string slug) => _bySlug.GetValueOrDefault(slug);

    /// <summary>The path from the top down to the category with this id; empty when unknown.</summary>
    public IReadOnlyList<PathStep> PathSteps(long categoryId) => _paths.GetValueOrDefault(categoryId) ?? [];

    /// <summary>The <c>Surrogate-Key</c> values of the path to the category with this id.</summary>
    public IReadOnlyList<string> PathSurrogateKeys(long categoryId) => _surrogateKeys.GetValueOrDefault(categoryId) ?? [];

    /// <summary>The category and, when asked, every category below it.</summary>
    public IEnumerable<long> WithDescendants(CategoryRow category, bool descendants)
    {
        yield return category.Id;
        if (!descendants)
        {
            yield break;
        }

        var seen = new HashSet<long> { category.Id };
        var pending = new Queue<long>([category.Id]);
        while (pending.TryDequeue(out var id))
        {
            foreach (var child in ChildrenOf(id))
            {
                if (seen.Add(child.Id))
                {
                    pending.Enqueue(child.Id);
                    yield return child.Id;
                }
            }
        }
    }

    public IEnumerable<CategoryRow> ChildrenOf(long? parentId) => _children[parentId];

    /// <summary>From the top-level ancestor down to the category itself.</summary>
    public IReadOnlyList<CategoryRow> PathTo(CategoryRow category)
    {
        var path = new List<CategoryRow> { category };
        var seen = new HashSet<long> { category.Id };
        while (path[^1].ParentId is { } parentId && _byId.TryGetValue(parentId, out var parent) && seen.Add(parent.Id))
        {
            path.Add(parent);
        }

        path.Reverse();
        return path;
    }

    public IReadOnlyList<CategoryNode> Tree(long? parentId = null, int depth = 0) =>
        depth > 32
            ? []
            : ChildrenOf(parentId)
                .Select(c => new CategoryNode(c.Id, c.Slug, c.Name, c.Description, c.ParentId, c.Position, Tree(c.Id, depth + 1)))
                .ToList();
}
