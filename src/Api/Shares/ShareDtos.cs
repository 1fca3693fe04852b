using System.Text.Json.Serialization;
using Api.Articles;

namespace Api.Shares;

/// <summary>Everything a front end needs to draw a share block for an article.</summary>
/// <param name="CanonicalUrl">The article's page, without tracking tags.</param>
/// <param name="Title">Headline.</param>
/// <param name="Description">Summary.</param>
/// <param name="Image">Lead image, if any.</param>
/// <param name="ShortUrl">A short link that counts clicks and redirects to the article.</param>
/// <param name="WebShare">Data for <c>navigator.share()</c>.</param>
/// <param name="Targets">One entry per network, in a stable order.</param>
public sealed record ShareBlock(
    string CanonicalUrl, string Title, string Description, ImageDto? Image, string ShortUrl, WebShareData WebShare, IReadOnlyList<ShareTarget> Targets);

/// <summary>The Web Share API's data.</summary>
/// <param name="Title">Title.</param>
/// <param name="Text">Text (the summary).</param>
/// <param name="Url">The article URL tagged utm_source=native.</param>
public sealed record WebShareData(string Title, string Text, string Url);

/// <summary>A share target.</summary>
/// <param name="Network">Network id: x, facebook, linkedin, reddit, whatsapp, telegram, weibo, vk, line, bluesky, email, wechat.</param>
/// <param name="Label">Name to show.</param>
/// <param name="Url">The network's share URL (for wechat, the QR code image to scan; for email, a mailto: URL).</param>
/// <param name="TrackedUrl">This API's redirect to <c>url</c> that counts the share first.</param>
public sealed record ShareTarget(string Network, string Label, string Url, string TrackedUrl);

/// <summary>A share the front end saw happen (copy-link, native share, or a network button it handles itself).</summary>
/// <param name="Network">A network id, <c>copy-link</c> or <c>native</c>.</param>
/// <param name="Placement">Where on the page, e.g. <c>article-footer</c> (letters, digits, '-', '_'; up to 64).</param>
public sealed record ShareEventRequest(string? Network, string? Placement = null);

/// <summary>Share counts of one article.</summary>
/// <param name="ArticleId">The article.</param>
/// <param name="Since">Start of the period counted (UTC midnight).</param>
/// <param name="Totals">Per network over the period.</param>
/// <param name="Days">Per day and network.</param>
public sealed record ShareStats(long ArticleId, DateTime Since, IReadOnlyList<ShareTotal> Totals, IReadOnlyList<ShareDay> Days);

/// <summary>Counts for one network.</summary>
/// <param name="Network">Network id.</param>
/// <param name="Intents">Share buttons followed through this API.</param>
/// <param name="Events">Shares reported by front ends.</param>
/// <param name="Clicks">Short-link clicks.</param>
public sealed record ShareTotal(string Network, long Intents, long Events, long Clicks);

/// <summary>Counts for one day and network.</summary>
/// <param name="Date">The day (UTC), yyyy-MM-dd.</param>
/// <param name="Network">Network id.</param>
/// <param name="Intents">Share buttons followed through this API.</param>
/// <param name="Events">Shares reported by front ends.</param>
/// <param name="Clicks">Short-link clicks.</param>
public sealed record ShareDay(string Date, string Network, long Intents, long Events, long Clicks);

/// <summary>The most shared articles of a period.</summary>
/// <param name="Period">day, week or month.</param>
/// <param name="Items">Most shared first.</param>
public sealed record MostSharedList(string Period, IReadOnlyList<MostSharedItem> Items);

/// <summary>A much-shared article.</summary>
/// <param name="Id">Article id.</param>
/// <param name="Slug">Slug.</param>
/// <param name="Title">Headline.</param>
/// <param name="CanonicalUrl">The article's page.</param>
/// <param name="PublishedAt">Publication time.</param>
/// <param name="Shares">Share intents and events in the period.</param>
public sealed record MostSharedItem(long Id, string Slug, string Title, string CanonicalUrl, DateTime? PublishedAt, long Shares);

/// <summary>Meta tags for an article page: render each as <c>&lt;meta property|name="…" content="…"&gt;</c>.</summary>
/// <param name="OpenGraph">Open Graph tags (<c>property</c>).</param>
/// <param name="Twitter">Twitter card tags (<c>name</c>).</param>
public sealed record ArticleMeta(IReadOnlyList<MetaTag> OpenGraph, IReadOnlyList<MetaTag> Twitter);

/// <summary>One meta tag.</summary>
/// <param name="Property">The property (Open Graph) or name (Twitter).</param>
/// <param name="Content">Its content.</param>
public sealed record MetaTag(string Property, string Content);

/// <summary>An oEmbed 1.0 response (type rich).</summary>
public sealed record OEmbedResponse(
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("author_name")] string? AuthorName,
    [property: JsonPropertyName("provider_name")] string ProviderName,
    [property: JsonPropertyName("provider_url")] string ProviderUrl,
    [property: JsonPropertyName("html")] string Html,
    [property: JsonPropertyName("width")] int Width,
    [property: JsonPropertyName("height")] int Height,
    [property: JsonPropertyName("thumbnail_url")] string? ThumbnailUrl);
