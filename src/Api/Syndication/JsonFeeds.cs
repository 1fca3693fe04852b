using System.Text.Json;
using System.Text.Json.Serialization;

namespace Api.Syndication;

/// <summary>A JSON Feed 1.1 document (https://jsonfeed.org/version/1.1). Members without a value are left out.</summary>
/// <param name="Version">Always <c>https://jsonfeed.org/version/1.1</c>.</param>
/// <param name="Title">The feed's title.</param>
/// <param name="HomePageUrl">The public page the feed follows: the site's home page or the category's page.</param>
/// <param name="FeedUrl">This feed's own URL.</param>
/// <param name="Description">One sentence about the feed.</param>
/// <param name="Language">The language the feed was filtered by (BCP 47); absent otherwise.</param>
/// <param name="Authors">The publisher.</param>
/// <param name="Items">The newest articles, newest first.</param>
public sealed record JsonFeed(
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("home_page_url")] string HomePageUrl,
    [property: JsonPropertyName("feed_url")] string FeedUrl,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("language")] string? Language,
    [property: JsonPropertyName("authors")] IReadOnlyList<JsonFeedAuthor> Authors,
    [property: JsonPropertyName("items")] IReadOnlyList<JsonFeedItem> Items);

/// <summary>An article in a JSON Feed.</summary>
/// <param name="Id">Permanent id of the article (a tag URI); it never changes.</param>
/// <param name="Url">The article's page on the public site.</param>
/// <param name="Title">Headline.</param>
/// <param name="Summary">Standfirst, plain text, when the article has one.</param>
/// <param name="ContentHtml">The sanitized HTML body (<c>content=full</c>).</param>
/// <param name="ContentText">The summary as the item's text (<c>content=summary</c>; JSON Feed needs a content member).</param>
/// <param name="Image">Lead image, if any.</param>
/// <param name="DatePublished">Publication time (RFC 3339).</param>
/// <param name="DateModified">Last change (RFC 3339).</param>
/// <param name="Authors">The byline, if any.</param>
/// <param name="Tags">Tag names in editorial order.</param>
/// <param name="Language">BCP 47 language tag of the article.</param>
public sealed record JsonFeedItem(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("summary")] string? Summary,
    [property: JsonPropertyName("content_html")] string? ContentHtml,
    [property: JsonPropertyName("content_text")] string? ContentText,
    [property: JsonPropertyName("image")] string? Image,
    [property: JsonPropertyName("date_published")] DateTime DatePublished,
    [property: JsonPropertyName("date_modified")] DateTime DateModified,
    [property: JsonPropertyName("authors")] IReadOnlyList<JsonFeedAuthor>? Authors,
    [property: JsonPropertyName("tags")] IReadOnlyList<string> Tags,
    [property: JsonPropertyName("language")] string Language);

/// <summary>An author in a JSON Feed.</summary>
/// <param name="Name">Name as credited.</param>
/// <param name="Url">Their page, if any.</param>
public sealed record JsonFeedAuthor(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("url")] string? Url);

public static class JsonFeeds
{
    public const string Version = "https://jsonfeed.org/version/1.1";

    public static JsonFeed Document(FeedDocument feed) => new(
        Version,
        feed.Title,
        feed.HomeUrl,
        feed.SelfUrl,
        feed.Description,
        feed.Language,
        [new JsonFeedAuthor(feed.Publisher, feed.HomeUrl)],
        feed.Entries.Select(entry => new JsonFeedItem(
            entry.Id,
            entry.Url,
            entry.Title,
            entry.Summary.Length > 0 ? entry.Summary : null,
            feed.Full ? entry.BodyHtml : null,
            feed.Full ? null : entry.Summary,
            entry.ImageUrl,
            entry.PublishedAt,
            entry.UpdatedAt,
            entry.Byline is { } byline ? [new JsonFeedAuthor(byline, null)] : null,
            entry.Tags.Select(t => t.Name).ToList(),
            entry.Language)).ToList());

    public static byte[] Write(FeedDocument feed) =>
        JsonSerializer.SerializeToUtf8Bytes(Document(feed), SyndicationJsonContext.Default.JsonFeed);
}

/// <summary>Serialization of the JSON documents syndication writes: absent values are left out rather than written as null.</summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(JsonFeed))]
[JsonSerializable(typeof(NinjsItem))]
internal sealed partial class SyndicationJsonContext : JsonSerializerContext;
