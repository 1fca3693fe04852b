namespace Api.Categories;

/// <summary>The whole category tree in memory: lookups by slug, paths from the top, and children in order.</summary>
public sealed class CategoryIndex
{
    private readonly Dictionary<long, CategoryRow> _byId;
    private readonly Dictionary<string, CategoryRow> _bySlug;
    private readonly ILookup<long?, CategoryRow> _children;

    public CategoryIndex(IReadOnlyList<CategoryRow> rows)
    {
        _byId = rows.ToDictionary(r => r.Id);
        _bySlug = rows.ToDictionary(r => r.Slug, StringComparer.Ordinal);
        // Rows arrive ordered by (position, id), and ToLookup keeps that order within each group.
        _children = rows.ToLookup(r => r.ParentId);
    }

    public CategoryRow? FindBySlug(string slug) => _bySlug.GetValueOrDefault(slug);

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
