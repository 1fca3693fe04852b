using Api.Articles;
using Api.Categories;

namespace Api.Syndication;

/// <summary>What every feed format says about a feed: its identity, its links and its newest articles.</summary>
/// <param name="Title">The feed's title: the site's name, and the category's for a category feed.</param>
/// <param name="Publisher">The site's name: the feed's author where the format asks for one.</param>
/// <param name="Description">One sentence about the feed.</param>
/// <param name="SelfUrl">The feed's own absolute URL, query included.</param>
/// <param name="HomeUrl">The public page the feed follows: the site's home page or the category's page.</param>
/// <param name="Language">The language the feed was filtered by, if any.</param>
/// <param name="Updated">When the newest change to an item was made.</param>
/// <param name="Entries">The articles, newest first.</param>
/// <param name="Full">Whether items carry the whole body (<c>content=full</c>).</param>
public sealed record FeedDocument(
    string Title,
    string Publisher,
    string Description,
    string SelfUrl,
    string HomeUrl,
    string? Language,
    DateTime Updated,
    IReadOnlyList<FeedEntry> Entries,
    bool Full);

/// <summary>One article in a feed; <c>UpdatedAt</c> is when what readers see last changed (<c>contentModifiedAt</c>), else its publication.</summary>
public sealed record FeedEntry(
    string Id,
    string Url,
    string Title,
    string Summary,
    string BodyHtml,
    string Language,
    DateTime PublishedAt,
    DateTime UpdatedAt,
    string? Byline,
    string? ImageUrl,
    FeedCategory? Category,
    IReadOnlyList<TagDto> Tags)
{
    public static FeedEntry From(ArticleRow row, CategoryIndex index, SyndicationUrls urls)
    {
        var path = index.PathSteps(row.CategoryId);
        var category = path.Count > 0 ? path[^1] : null;
        return new FeedEntry(
            urls.ArticleTag(row.Id, row.CreatedAt),
            urls.ArticleUrl(row),
            row.Title,
            row.Summary,
            urls.BodyHtml(row),
            row.Language,
            row.PublishedAt ?? row.CreatedAt,
            // What readers see as updated: an edit of the text or a correction after publication, not
            // every write (a tag renamed, an author's title changed), which would resurface the entry.
            row.ContentModifiedAt ?? row.PublishedAt ?? row.CreatedAt,
            string.IsNullOrWhiteSpace(row.Byline) ? null : row.Byline,
            urls.ImageUrl(row),
            category is null ? null : new FeedCategory(category.Slug, category.Name),
            ArticleMapping.Tags(row));
    }
}

/// <summary>The category an article is filed in.</summary>
public sealed record FeedCategory(string Slug, string Name);

/// <summary>The three feed formats.</summary>
public enum FeedFormat
{
    Rss,
    Atom,
    Json,
}

public static class FeedFormats
{
    public const string RssContentType = "application/rss+xml; charset=utf-8";
    public const string AtomContentType = "application/atom+xml; charset=utf-8";
    public const string JsonContentType = "application/feed+json; charset=utf-8";

    public static string ContentType(FeedFormat format) => format switch
    {
        FeedFormat.Rss => RssContentType,
        FeedFormat.Atom => AtomContentType,
        _ => JsonContentType,
    };

    /// <summary>The media type without parameters, for <c>type</c> attributes of links.</summary>
    public static string MediaType(FeedFormat format) => ContentType(format).Split(';')[0];

    public static string FileName(FeedFormat format) => format switch
    {
        FeedFormat.Rss => "rss.xml",
        FeedFormat.Atom => "atom.xml",
        _ => "feed.json",
    };

    public static byte[] Write(FeedFormat format, FeedDocument feed) => format switch
    {
        FeedFormat.Rss => XmlFeeds.Rss(feed),
        FeedFormat.Atom => XmlFeeds.Atom(feed),
        _ => JsonFeeds.Write(feed),
    };
}
