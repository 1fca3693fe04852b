using Api.Articles;
using Api.Authors;

namespace Api.Imports;

/// <summary>
/// One item of an import, as the format's reader made it ready to write, whatever the format: the
/// same writer (<see cref="ImportWriter"/>) takes WordPress's and Ghost's. Items refer to each other
/// by their ids in the source (a post to its author, category and featured image); the writer finds
/// what those became in <c>import_sources</c>.
/// </summary>
/// <param name="ItemType">author, category, medium, post or page (or what a skipped item was).</param>
/// <param name="SourceId">Its id in the source (a WordPress post id, an author's login, a Ghost id...).</param>
/// <param name="Title">What the report calls it.</param>
public abstract record ImportUnit(string ItemType, string SourceId, string? Title)
{
    /// <summary>What the import changed or dropped of the item on its way in (a title's markup removed, its comments ignored...).</summary>
    public List<string> Notes { get; init; } = [];
}

/// <summary>An author: matched to an earlier import, or to an author with the same slug, or created.</summary>
public sealed record AuthorUnit(string SourceId, AuthorWriteRequest Request) : ImportUnit("author", SourceId, Request.Name);

/// <summary>A category: matched to an earlier import, or to a category with the same slug, or created under its parent.</summary>
public sealed record CategoryUnit(string SourceId, string Name, string Slug, string? ParentSourceId, string? Description)
    : ImportUnit("category", SourceId, Name);

/// <summary>
/// An image of the source's media library: stored in ours when its file is at <paramref name="LocalPath"/>,
/// else recorded with its <paramref name="Url"/> (a post that shows it then links to it there).
/// </summary>
public sealed record MediumUnit(string SourceId, string? Title, string Url, string? LocalPath, string? Alt, string? Caption)
    : ImportUnit("medium", SourceId, Title ?? Url);

/// <summary>
/// A post or page. Its category, authors and image are given by their source ids; its own request
/// leaves them out (the writer fills them in).
/// </summary>
/// <param name="ItemType">post or page.</param>
/// <param name="SourceId">Its id in the source.</param>
/// <param name="Request">The article, less its category, authors and image.</param>
/// <param name="CategorySourceId">The source id of its category, or null for <paramref name="FallbackCategory"/>.</param>
/// <param name="FallbackCategory">The name of a top-level category used when it has none (found or created).</param>
/// <param name="AuthorSourceIds">Its authors' source ids, in byline order.</param>
/// <param name="ImageSourceId">The source id of its lead image, when it is an item of the import.</param>
/// <param name="ImageUrl">The address of its lead image when that is not an item of the import.</param>
/// <param name="OldSlugs">Slugs it had in the source that are not its slug here: kept as aliases that answer 301.</param>
/// <param name="LegacyAddresses">Its old absolute addresses (permalink, short link): kept for GET /v1/redirects.</param>
public sealed record ArticleUnit(
    string ItemType,
    string SourceId,
    ArticleWriteRequest Request,
    string? CategorySourceId,
    string FallbackCategory,
    IReadOnlyList<string> AuthorSourceIds,
    string? ImageSourceId,
    string? ImageUrl,
    IReadOnlyList<string> OldSlugs,
    IReadOnlyList<string> LegacyAddresses) : ImportUnit(ItemType, SourceId, Request.Title);

/// <summary>An item the import leaves out, and why (a menu entry, a revision, a post in the trash...).</summary>
public sealed record SkippedUnit(string ItemType, string SourceId, string? Title, string Reason) : ImportUnit(ItemType, SourceId, Title);

/// <summary>An item that could not be read well enough to write, and why.</summary>
public sealed record BrokenUnit(string ItemType, string SourceId, string? Title, string Error) : ImportUnit(ItemType, SourceId, Title);

/// <summary>
/// A file of some format, ready to import: the site it comes from, how many items it has, and the
/// items in an order in which each refers only to items before it (authors, categories, media,
/// then posts and pages). Reading the items twice gives the same items in the same order, which is
/// what lets a job resume by position.
/// </summary>
public interface IImportSource
{
    /// <summary>Where the items come from: 'wordpress:example.org'. Two files of one site share it.</summary>
    string Source { get; }

    int Total { get; }

    IEnumerable<ImportUnit> Units();
}
