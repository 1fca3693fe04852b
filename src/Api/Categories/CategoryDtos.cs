namespace Api.Categories;

/// <summary>One step of a breadcrumb. The first step is the site's home page, which has no id or slug.</summary>
/// <param name="Id">Category id; null for the home step.</param>
/// <param name="Slug">Category slug; null for the home step.</param>
/// <param name="Name">Label to show.</param>
public sealed record BreadcrumbItem(long? Id, string? Slug, string Name);

/// <summary>The category tree: top-level categories, each with its children, in display order.</summary>
/// <param name="Items">Top-level categories.</param>
public sealed record CategoryTree(IReadOnlyList<CategoryNode> Items);

/// <summary>A category in the tree.</summary>
/// <param name="Id">Numeric id.</param>
/// <param name="Slug">Lowercase ASCII slug, unique among categories.</param>
/// <param name="Name">Display name.</param>
/// <param name="Description">Short description; empty when none.</param>
/// <param name="ParentId">Parent category id; null at the top level.</param>
/// <param name="Position">Order among its siblings (ascending).</param>
/// <param name="Children">Sub-categories in display order.</param>
public sealed record CategoryNode(
    long Id,
    string Slug,
    string Name,
    string Description,
    long? ParentId,
    int Position,
    IReadOnlyList<CategoryNode> Children);

/// <summary>One category with its breadcrumb (home first, the category itself last) and direct children.</summary>
/// <param name="Id">Numeric id.</param>
/// <param name="Slug">Lowercase ASCII slug, unique among categories.</param>
/// <param name="Name">Display name.</param>
/// <param name="Description">Short description; empty when none.</param>
/// <param name="ParentId">Parent category id; null at the top level.</param>
/// <param name="Position">Order among its siblings (ascending).</param>
/// <param name="UpdatedAt">When the category was last changed.</param>
/// <param name="Version">Incremented by every change; the basis of optimistic concurrency.</param>
/// <param name="Breadcrumb">Home, then each ancestor from the top, then this category.</param>
/// <param name="Children">Direct sub-categories in display order.</param>
public sealed record CategoryDetail(
    long Id,
    string Slug,
    string Name,
    string Description,
    long? ParentId,
    int Position,
    DateTime UpdatedAt,
    int Version,
    IReadOnlyList<BreadcrumbItem> Breadcrumb,
    IReadOnlyList<CategorySummary> Children);

/// <summary>A category named inside another resource.</summary>
/// <param name="Id">Numeric id.</param>
/// <param name="Slug">Lowercase ASCII slug.</param>
/// <param name="Name">Display name.</param>
/// <param name="Position">Order among its siblings (ascending).</param>
public sealed record CategorySummary(long Id, string Slug, string Name, int Position);
